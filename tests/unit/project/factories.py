"""Images, volumes and volume types in the shapes Horizon's api returns."""

import uuid

from cinderclient.v3 import volume_types, volumes
from openstack_dashboard import api
from openstack_dashboard.test.test_data.glance_data import APIResourceV2

GIB = 1024**3


def image(name="cirros", owner="1", store="lightbits", **fields):
    data = {
        "id": fields.pop("id", str(uuid.uuid4())),
        "name": name,
        "owner": owner,
        "status": "active",
        "visibility": "public",
        "disk_format": "raw",
        "container_format": "bare",
        "size": 2 * GIB,
        "virtual_size": None,
        "min_disk": 0,
        "min_ram": 0,
        "protected": False,
        "locations": [],
        "stores": store,
    }
    data.update(fields)
    return api.glance.Image(APIResourceV2(data))


def volume_type(name, type_id=None):
    return api.cinder.VolumeType(
        volume_types.VolumeType(
            volume_types.VolumeTypeManager(None),
            {"id": type_id or name, "name": name, "extra_specs": {}},
        )
    )


def volume(name, volume_id=None, status="available", metadata=None, attachments=None, **extra):
    info = {
        "id": volume_id or str(uuid.uuid4()),
        "name": name,
        "status": status,
        "size": 20,
        "volume_type": "lightbits",
        "metadata": metadata or {},
        "attachments": attachments or [],
        "created_at": "2026-01-01T00:00:00",
        "os-vol-tenant-attr:tenant_id": "1",
    }
    info.update(extra)
    return api.cinder.Volume(volumes.Volume(volumes.VolumeManager(None), info))


def raw_volume(name, **kwargs):
    """A cinderclient volume (what lightbits_dashboard.api.cinder.volume_get_raw returns)."""
    return volume(name, **kwargs)._apiresource


def server(server_id, status="ACTIVE", fault=None, name="vm", metadata=None):
    from novaclient.v2 import servers

    info = {"id": server_id, "name": name, "status": status, "tenant_id": "1"}
    info["metadata"] = dict(metadata or {})
    if fault is not None:
        info["fault"] = fault
    return api.nova.Server(servers.Server(servers.ServerManager(None), info, loaded=True), None)
