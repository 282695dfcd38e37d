#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Boot volume size and server names for a launch."""

import math

GIB = 1024**3


def min_boot_volume_gib(size=None, virtual_size=None, min_disk=None, flavor_disk=None):
    """The smallest boot volume that works, in GiB (at least 1).

    Cinder refuses a volume smaller than the image (virtual size when Glance
    knows it, else the file size) or than ``min_disk``; a flavor's root disk
    is the size the user expects.
    """
    data = virtual_size or size or 0
    return max(math.ceil(int(data) / GIB), int(min_disk or 0), int(flavor_disk or 0), 1)


def server_names(name, count):
    """Horizon's convention: one server keeps the name, several get name-1..name-N."""
    if count == 1:
        return [name]
    return [f"{name}-{i}" for i in range(1, count + 1)]


def boot_volume_name(server_name):
    return f"{server_name}-boot"
