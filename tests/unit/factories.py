"""Images, volumes, volume types and servers in the shapes Horizon's api
returns, for the project and the admin panels' tests.

The defaults are one project's own public raw image of 1 GiB on the
Lightbits store and its 1 GiB available Lightbits volume; a test whose
meaning depends on a value passes it.
"""

import math
import uuid

from cinderclient.v3 import volume_types, volumes
from novaclient.v2 import servers
from openstack_dashboard import api
from openstack_dashboard.test.test_data.glance_data import APIResourceV2

GIB = 1024**3
PROJECT = "1"  # the project of Horizon's test request
SERVICE = "5e7a9c1b2d3f4a5b6c7d8e9f0a1b2c3d"  # Cinder's internal project: image volumes
USER = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # a user's project, as Keystone writes ids
HOST = "cinder@lightbits#lightbits"


def uid():
    return str(uuid.uuid4())


def image(name="img", owner=PROJECT, stores="lightbits", disk_format="raw", size=GIB, **fields):
    data = {
        "id": fields.pop("id", None) or uid(),
        "name": name,
        "owner": owner,
        "status": "active",
        "visibility": "public",
        "disk_format": disk_format,
        "container_format": "bare",
        "size": size,
        "virtual_size": None,
        "min_disk": 0,
        "min_ram": 0,
        "protected": False,
        "locations": [],
        "stores": stores,
    }
    data.update(fields)
    return api.glance.Image(APIResourceV2(data))


def volume_type(name, type_id=None, backend=None):
    """A volume type; ``backend`` is its volume_backend_name extra spec."""
    specs = {"volume_backend_name": backend} if backend else {}
    return api.cinder.VolumeType(
        volume_types.VolumeType(
            volume_types.VolumeTypeManager(None),
            {"id": type_id or name, "name": name, "extra_specs": specs},
        )
    )


def volume(
    name="vol",
    volume_id=None,
    status="available",
    project=PROJECT,
    size=1,
    volume_type="lightbits",
    metadata=None,
    attachments=None,
    **extra,
):
    info = {
        "id": volume_id or uid(),
        "name": name,
        "description": "",
        "status": status,
        "size": size,
        "volume_type": volume_type,
        "metadata": metadata or {},
        "volume_image_metadata": {},
        "attachments": attachments or [],
        "bootable": "false",
        "created_at": "2026-01-01T00:00:00",
        "availability_zone": "nova",
        "os-vol-tenant-attr:tenant_id": project,
        "os-vol-host-attr:host": HOST,
    }
    info.update(extra)
    return api.cinder.Volume(volumes.Volume(volumes.VolumeManager(None), info))


def raw_volume(name, **kwargs):
    """A cinderclient volume (what lightbits_dashboard.api.cinder.volume_get_raw returns)."""
    return volume(name, **kwargs)._apiresource


def image_volume(img, readonly=True, project=SERVICE, **extra):
    """The volume Glance's cinder store keeps ``img`` in (read-only unless said)."""
    meta = {"glance_image_id": img.id, "image_owner": img.owner, "image_size": str(img.size)}
    if readonly:
        meta["readonly"] = "True"
    size = max(1, math.ceil(img.size / GIB))
    return volume(name="image-" + img.id, project=project, size=size, metadata=meta, **extra)


def server(server_id, status="ACTIVE", fault=None, name="vm", metadata=None):
    info = {"id": server_id, "name": name, "status": status, "tenant_id": PROJECT}
    info["metadata"] = dict(metadata or {})
    if fault is not None:
        info["fault"] = fault
    return api.nova.Server(servers.Server(servers.ServerManager(None), info, loaded=True), None)
