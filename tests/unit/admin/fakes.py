"""Fake Glance/Cinder/Lightbits data for the admin panel's tests and benchmark."""

import json
import uuid
from types import SimpleNamespace

import requests
from openstack_dashboard.api import cinder as horizon_cinder
from openstack_dashboard.api import glance as horizon_glance

SERVICE = "5e7a9c1b2d3f4a5b6c7d8e9f0a1b2c3d"
USER = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def uid():
    return str(uuid.uuid4())


def image(iid=None, name="img", stores="lightbits", disk="raw", owner=USER, **extra):
    data = dict(
        id=iid or uid(),
        name=name,
        owner=owner,
        status="active",
        disk_format=disk,
        container_format="bare",
        size=1024**3,
        visibility="public",
        stores=stores,
    )
    data.update(extra)
    return horizon_glance.Image(SimpleNamespace(**data))


def volume(vid=None, name="vol", project=USER, vtype="lightbits", status="available", **extra):
    ns = SimpleNamespace(
        id=vid or uid(),
        name=name,
        description="",
        status=status,
        size=1,
        volume_type=vtype,
        metadata=extra.pop("metadata", {}),
        volume_image_metadata=extra.pop("volume_image_metadata", {}),
        attachments=extra.pop("attachments", []),
        bootable="false",
        created_at="2026-01-01T00:00:00",
        availability_zone="nova",
    )
    setattr(ns, "os-vol-tenant-attr:tenant_id", project)
    setattr(ns, "os-vol-host-attr:host", "cinder@lightbits#lightbits")
    for key, value in extra.items():
        setattr(ns, key, value)
    return horizon_cinder.Volume(ns)


def image_volume(img, readonly=True, project=SERVICE, **extra):
    meta = {"glance_image_id": img.id, "image_owner": img.owner, "image_size": str(img.size)}
    if readonly:
        meta["readonly"] = "True"
    return volume(name="image-" + img.id, project=project, metadata=meta, **extra)


def volume_types():
    return [
        SimpleNamespace(
            id="t-lb", name="lightbits", extra_specs={"volume_backend_name": "lightbits"}
        ),
        SimpleNamespace(id="t-lvm", name="lvm", extra_specs={"volume_backend_name": "lvm"}),
    ]


def stores():
    return [
        {"id": "lightbits", "type": "cinder", "properties": {"volume_type": "lightbits"}},
        {"id": "file", "type": "file", "properties": {}, "default": True},
    ]


def lb_volume(cinder_volume, protection="FullyProtected", **extra):
    data = {
        "UUID": uid(),
        "name": "volume-" + cinder_volume.id,
        "projectName": "default",
        "state": "Available",
        "protectionState": protection,
        "replicaCount": 3,
        "compression": "true",
        "size": str(1024**3),
        "nodeList": ["n1", "n2", "n3"],
    }
    data.update(extra)
    return data


def cluster_body(volumes):
    return {
        "/api/v2/clusterinfo": {"UUID": "cluster-1", "currentMaxReplicas": 3},
        "/api/v2/nodes": {"nodes": [{"name": f"n{i}", "state": "Active"} for i in (1, 2, 3)]},
        "/api/v2/volumes": {"volumes": volumes},
    }


class FakeLightbits:
    """A requests.Session stand-in answering the three calls a page makes.

    `answers` maps an API path to a JSON body; `error` (an exception) makes
    every call fail without an HTTP answer; `status` makes every call answer
    with that HTTP status and `error_text`.
    """

    def __init__(self, answers=None, error=None, status=None, error_text=""):
        self.answers = answers or {}
        self.error = error
        self.status = status
        self.error_text = error_text
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        if self.error is not None:
            raise self.error
        resp = requests.Response()
        if self.status:
            resp.status_code = self.status
            resp._content = self.error_text.encode()
            return resp
        path = "/api/" + url.split("/api/", 1)[1]
        resp.status_code = 200
        resp._content = json.dumps(self.answers[path]).encode()
        return resp


def unreachable():
    return FakeLightbits(error=requests.exceptions.ConnectionError("refused"))
