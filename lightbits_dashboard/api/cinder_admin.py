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

"""Admin Cinder calls Horizon's openstack_dashboard.api.cinder lacks."""

from openstack_dashboard.api import cinder as horizon_cinder


def volume_set_readonly(request, volume_id, readonly=True):
    """os-update_readonly_flag (admin; the volume must be available)."""
    client = horizon_cinder.cinderclient(request)
    return client.volumes.update_readonly_flag(volume_id, readonly)
