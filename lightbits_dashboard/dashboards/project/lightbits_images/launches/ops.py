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

"""The launch engine's cloud operations (orchestrator.CloudOps) over
openstack_dashboard.api, as the user of a request, and the server lookups
the Launches rows share."""

import re

from openstack_dashboard import api
from openstack_dashboard.exceptions import NOT_FOUND

from lightbits_dashboard.api import cinder as lb_cinder
from lightbits_dashboard.api import nova as lb_nova
from lightbits_dashboard.launch import record
from lightbits_dashboard.launch.orchestrator import ServerState, VolumeState


class HorizonCloudOps:
    """orchestrator.CloudOps over Horizon's api modules, as the user of ``request``."""

    def __init__(self, request):
        self.request = request

    def quota_usage(self, volume_type):
        limits = api.nova.tenant_absolute_limits(self.request, reserved=True)
        usage = lb_cinder.quota_usage(self.request)
        for name, limit_key, used_key in (
            ("instances", "maxTotalInstances", "totalInstancesUsed"),
            ("cores", "maxTotalCores", "totalCoresUsed"),
            ("ram", "maxTotalRAMSize", "totalRAMUsed"),
        ):
            if limit_key in limits:
                usage[name] = (limits[limit_key], limits.get(used_key, 0))
        return usage

    def create_volume(self, name, size, volume_type, image_id, metadata):
        return lb_cinder.volume_from_image(
            self.request, name, size, volume_type, image_id, metadata
        )

    def get_volume(self, volume_id):
        volume = lb_cinder.volume_get_raw(self.request, volume_id)
        if volume is None:
            return None
        error = ""
        if volume.status == "error":
            error = lb_cinder.volume_error_message(self.request, volume_id)
        return VolumeState(
            volume.status,
            error,
            dict(getattr(volume, "metadata", {}) or {}),
            getattr(volume, "volume_type", "") or "",
        )

    def delete_volume(self, volume_id):
        api.cinder.volume_delete(self.request, volume_id)

    def set_metadata(self, volume_id, metadata):
        api.cinder.volume_set_metadata(self.request, volume_id, metadata)

    def delete_metadata(self, volume_id, keys):
        api.cinder.volume_delete_metadata(self.request, volume_id, keys)

    def boot_server(self, name, spec, volume_id):
        return lb_nova.boot_from_volume(
            self.request,
            name,
            spec.flavor,
            volume_id,
            network_ids=spec.networks,
            key_name=spec.key_name,
            security_groups=spec.security_groups,
            availability_zone=spec.availability_zone,
            delete_on_termination=spec.delete_on_terminate,
            user_data=spec.user_data,
            meta={record.SERVER_MARK: volume_id},
        )

    def get_server(self, server_id):
        try:
            server = api.nova.server_get(self.request, server_id)
        except Exception as exc:
            if isinstance(exc, NOT_FOUND):
                return None
            raise
        return ServerState(server.status, fault(server))

    def delete_server(self, server_id):
        lb_nova.server_delete(self.request, server_id)

    def find_server(self, volume_id, server_name):
        volume = lb_cinder.volume_get_raw(self.request, volume_id)
        found = attached_server(volume)
        if found or volume is None:
            return found
        return launch_server(volume_id, server_name, servers_named(self.request, server_name))


def servers_named(request, names, limit=None):
    """The project's servers of exactly one of these names: one server list
    (Nova's name filter, a regular expression), of at most ``limit`` servers
    (newest first, Nova's order) when given."""
    if isinstance(names, str):
        names = [names]
    search = {"name": names_pattern(names)}
    if limit:
        search["limit"] = limit
    servers, _more = api.nova.server_list(request, search_opts=search)
    return servers


def names_pattern(names):
    """A regular expression matching exactly one of ``names``, without "|".

    Nova escapes every "|" of a name filter on MySQL and MariaDB, so an
    alternation of names matches no server there. "Not none of them" says
    the same with lookaheads, ``^(?!(?!a$)(?!b$))``, which MariaDB, MySQL 8,
    PostgreSQL and Python (Nova's filter on SQLite) all read; a "|" in a
    name is written ``[|]``, which still reads as "|" once Nova escaped it.
    """
    escaped = [re.escape(name).replace("\\|", "[|]") for name in names]
    if len(escaped) == 1:
        return f"^{escaped[0]}$"
    none_of = "".join(f"(?!{name}$)" for name in escaped)
    return f"^(?!{none_of})"


def attached_server(volume):
    """The server a volume is attached to (a boot volume has at most one)."""
    for attachment in getattr(volume, "attachments", None) or []:
        if attachment.get("server_id"):
            return attachment["server_id"]
    return None


def launch_server(volume_id, server_name, servers):
    """The id of the server of ``server_name`` booted on ``volume_id``, or None.

    A server that failed before its volume was attached (ERROR while
    scheduling leaves the volume "reserved") is found by its boot-volume
    mark, or by Nova's own list of its volumes.
    """
    for server in servers:
        if getattr(server, "name", None) != server_name:
            continue
        mark = (getattr(server, "metadata", None) or {}).get(record.SERVER_MARK)
        attached = getattr(server, "os-extended-volumes:volumes_attached", None) or []
        if mark == volume_id or any(v.get("id") == volume_id for v in attached):
            return server.id
    return None


def fault(server):
    fault = getattr(server, "fault", None) or {}
    return fault.get("message", "") if isinstance(fault, dict) else str(fault)
