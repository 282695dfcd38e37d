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

"""Nova calls Horizon's openstack_dashboard.api.nova lacks.

Horizon 27's ``server_create`` treats ``nics`` as a list of dicts, so it
cannot boot with ``networks: "none"`` (microversion >= 2.37), which a cloud
without a network service needs. ``boot_from_volume`` covers both cases.
"""

from openstack_dashboard.api import _nova
from openstack_dashboard.api import nova as horizon_nova

NO_NETWORK_MICROVERSION = "2.37"


def block_device_mapping(volume_id, delete_on_termination):
    """Boot from an existing volume: no imageRef, boot index 0."""
    return [
        {
            "source_type": "volume",
            "destination_type": "volume",
            "uuid": volume_id,
            "boot_index": 0,
            "delete_on_termination": bool(delete_on_termination),
        }
    ]


def boot_from_volume(
    request,
    name,
    flavor,
    volume_id,
    *,
    network_ids=(),
    key_name=None,
    security_groups=(),
    availability_zone=None,
    delete_on_termination=True,
    user_data=None,
    meta=None,
):
    """Create one server booting from ``volume_id``; returns the server id.

    With no ``network_ids`` the server gets no network ("none").
    """
    bdm = block_device_mapping(volume_id, delete_on_termination)
    if network_ids:
        server = horizon_nova.server_create(
            request,
            name,
            None,
            flavor,
            key_name or None,
            user_data,
            list(security_groups) or None,
            block_device_mapping_v2=bdm,
            nics=[{"net-id": net_id} for net_id in network_ids],
            availability_zone=availability_zone or None,
            meta=meta,
        )
        return server.id
    version = (
        horizon_nova.get_microversion(request, "auto_allocated_network") or NO_NETWORK_MICROVERSION
    )
    server = _nova.novaclient(request, version=version).servers.create(
        name.strip(),
        None,
        flavor,
        userdata=user_data,
        key_name=key_name or None,
        block_device_mapping_v2=bdm,
        nics="none",
        availability_zone=availability_zone or None,
        meta=meta,
    )
    return server.id


def server_delete(request, server_id):
    """Delete a server without touching the session (callable off-request)."""
    _nova.novaclient(request).servers.delete(server_id)
