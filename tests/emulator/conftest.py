"""Fixtures: an emulator per module and a small HTTPS client for it."""

import pytest
import requests

from lightbits_emulator.testing import run_emulator


def volume_body(name="vol", size="1 gib", **body):
    """What a create must carry ([P] name, size, acl, replicaCount required)."""
    return {
        "name": name,
        "size": size,
        "replicaCount": 3,
        "acl": {"values": ["ALLOW_NONE"]},
        **body,
    }


class Client:
    """requests against the emulator, TLS verified with its CA."""

    def __init__(self, emu, token):
        self.emu = emu
        self.session = requests.Session()
        self.token = token

    def __call__(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = "Bearer " + token
        # verify per request: a REQUESTS_CA_BUNDLE in the environment would
        # override Session.verify
        kwargs.setdefault("verify", self.emu.ca_file)
        return self.session.request(
            method, self.emu.base_url + path, headers=headers, timeout=10, **kwargs
        )

    def create_volume(self, project="default", name="vol", size="1 gib", **body):
        body = volume_body(name, size, **body)
        r = self("POST", f"/api/v2/projects/{project}/volumes", json=body)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
def emu():
    with run_emulator(discovery_port=0, http_port=None) as handle:
        yield handle


@pytest.fixture
def clean(emu):
    """Start each test with an empty cluster, healthy nodes and no faults."""
    emu.reset()
    return emu


@pytest.fixture
def admin(clean):
    client = Client(clean, clean.admin_jwt)
    yield client
    client.session.close()
