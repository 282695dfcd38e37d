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

"""Does a whole launch fit the project's quotas? (plain Python)"""

from lightbits_dashboard.message import msg

UNLIMITED = (None, -1, float("inf"))


def launch_needs(count, vcpus, ram_mb, volume_gib, volume_type):
    """The quota each resource of a launch of ``count`` instances consumes."""
    return {
        "instances": count,
        "cores": vcpus * count,
        "ram": ram_mb * count,
        "volumes": count,
        "gigabytes": volume_gib * count,
        f"volumes_{volume_type}": count,
        f"gigabytes_{volume_type}": volume_gib * count,
    }


def refusals(needs, usage):
    """A Message (code "quota_exceeded") for each quota ``needs`` would exceed.

    ``usage``: quota name -> (limit, in use). A name missing from ``usage``
    or with an unlimited limit (-1, None, inf) is not limited.
    """
    messages = []
    for name, amount in needs.items():
        limit, used = usage.get(name, (None, 0))
        if limit in UNLIMITED or amount <= 0:
            continue
        available = max(int(limit) - int(used or 0), 0)
        if amount > available:
            messages.append(
                msg(
                    "quota_exceeded",
                    name=name,
                    needs=amount,
                    used=used,
                    limit=limit,
                    available=available,
                )
            )
    return messages
