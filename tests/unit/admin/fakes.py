"""Fake Lightbits data, volume types and Glance stores for the admin panel's
tests and benchmark (images and volumes: tests.unit.factories)."""

import json

import requests

from tests.unit import factories
from tests.unit.factories import SERVICE, USER  # noqa: F401 (tools/bench-admin-page reads them here)


def volume_types():
    return [
        factories.volume_type("lightbits", "t-lb", backend="lightbits"),
        factories.volume_type("lvm", "t-lvm", backend="lvm"),
    ]


def stores():
    return [
        {"id": "lightbits", "type": "cinder", "properties": {"volume_type": "lightbits"}},
        {"id": "file", "type": "file", "properties": {}, "default": True},
    ]


def lb_volume(cinder_volume, protection="FullyProtected", **extra):
    data = {
        "UUID": factories.uid(),
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
