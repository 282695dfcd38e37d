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

"""Is Cinder's Lightbits backend up? From Cinder's own service and pool state.

No Lightbits JWT needed: Cinder's scheduler pools (``get_pools``) and volume
services (``os-services``) say whether a backend can take a new volume. Both
are admin-only by default: callers pass None when they cannot read them and
get None (unknown) back. Plain Python: objects or dicts with Cinder's fields.
"""

from lightbits_dashboard.message import msg
from lightbits_dashboard.model import field


def _host_of(pool_name):
    """ "host@backend#pool" -> "host@backend"."""
    return (pool_name or "").split("#", 1)[0]


def down_reason(backend_name, pools, services):
    """Why Cinder cannot create a volume on ``backend_name`` now (a Message), or None.

    None also when unknown (``pools`` or ``services`` None: not readable).
    """
    if not backend_name or pools is None or services is None:
        return None
    mine = [p for p in pools if field(p, "volume_backend_name") == backend_name]
    hosts = {_host_of(field(p, "name")) for p in mine}
    volume_services = [s for s in services if field(s, "binary") == "cinder-volume"]
    for service in volume_services:
        if field(service, "host") in hosts and (
            field(service, "state") != "up" or field(service, "status") != "enabled"
        ):
            return msg(
                "service_down",
                host=field(service, "host"),
                backend=backend_name,
                state=field(service, "state"),
                status=field(service, "status"),
            )
    if not mine:
        return msg("no_pool", backend=backend_name)
    if all(field(p, "backend_state", "up") == "down" for p in mine):
        return msg("backend_down", backend=backend_name)
    return None


def cluster_of(type_name, extra_specs, clusters):
    """The key of ``clusters`` (conf CLUSTERS) behind volume type ``type_name``.

    By the type's ``volume_backend_name`` when the user can read it (Cinder
    shows extra specs to admins only by default), else by a cluster's own
    ``volume_types`` setting. None when neither names a configured cluster.
    """
    backend_name = (extra_specs or {}).get("volume_backend_name")
    if backend_name in clusters:
        return backend_name
    for name, settings in clusters.items():
        if type_name in ((settings or {}).get("volume_types") or ()):
            return name
    return None
