"""Is Cinder's Lightbits backend up? From Cinder's own service and pool state.

No Lightbits JWT needed: Cinder's scheduler pools (``get_pools``) and volume
services (``os-services``) say whether a backend can take a new volume. Both
are admin-only by default: callers pass None when they cannot read them and
get None (unknown) back. Plain Python: objects or dicts with Cinder's fields.
"""

from lightbits_dashboard.clone_path import field


def _host_of(pool_name):
    """ "host@backend#pool" -> "host@backend"."""
    return (pool_name or "").split("#", 1)[0]


def down_reason(backend_name, pools, services):
    """Why Cinder cannot create a volume on ``backend_name`` now, or None.

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
            return (
                f"Cinder's volume service {field(service, 'host')} for backend "
                f"{backend_name} is {field(service, 'state')}/{field(service, 'status')}"
            )
    if not mine:
        return (
            f"Cinder's scheduler has no pool for backend {backend_name}: its volume "
            "driver is not running or did not initialize (is the Lightbits cluster "
            "reachable?)"
        )
    if all(field(p, "backend_state", "up") == "down" for p in mine):
        return f"Cinder reports backend {backend_name} down"
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
