"""Fixtures for tests against the running local cloud (devcloud/devcloud start).

The cloud's facts come from .devcloud/cloud.json, written by ``devcloud start``
(tools/run-tests starts the cloud before these tests and stops it after).
"""

import os

import pytest
import requests
from cinderclient import exceptions as cinder_exc
from neutronclient.common import exceptions as neutron_exc
from novaclient import exceptions as nova_exc

from tests.cloud_access import CLOUD_JSON, OpenStack, load_facts, wait_for  # noqa: F401


def pytest_collection_modifyitems(items):
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.cloud)


@pytest.fixture(scope="session")
def cloud():
    """The facts of the running local cloud (cloud.json)."""
    try:
        facts = load_facts()
    except FileNotFoundError:
        pytest.fail(
            f"the local cloud is not running ({CLOUD_JSON} is missing): "
            "start it with devcloud/devcloud start (tools/run-tests does)",
            pytrace=False,
        )
    try:
        requests.get(facts["auth_url"], timeout=5).raise_for_status()
    except requests.RequestException as e:
        pytest.fail(
            f"the local cloud's Keystone does not answer at {facts['auth_url']} ({e}): "
            "start it with devcloud/devcloud start",
            pytrace=False,
        )
    return facts


@pytest.fixture(scope="session")
def admin(cloud):
    return OpenStack(cloud, cloud["admin"])


@pytest.fixture(scope="session")
def demo(cloud):
    return OpenStack(cloud, cloud["demo"])


class Lightbits:
    """The emulated Lightbits cluster's REST API, as the cluster admin (TLS verified)."""

    def __init__(self, emulator):
        self.base = emulator["url"]
        self.ca_file = emulator["ca_file"]
        self.project = emulator["lightbits_project"]
        with open(emulator["admin_jwt_file"]) as f:
            self._headers = {"Authorization": "Bearer " + f.read().strip()}

    def get(self, path, **params):
        return requests.get(
            self.base + path,
            params=params,
            headers=self._headers,
            verify=self.ca_file,
            timeout=10,
        )

    def volume_of(self, cinder_volume_id):
        """The Lightbits volume behind a Cinder volume, or None."""
        r = self.get(
            f"/api/v2/projects/{self.project}/volumes/", name=f"volume-{cinder_volume_id}"
        )
        if r.status_code == 404:
            return None
        r.raise_for_status()
        return r.json()

    def snapshot(self, name):
        r = self.get(f"/api/v2/projects/{self.project}/snapshots/", Name=name)
        if r.status_code == 404:
            return None
        r.raise_for_status()
        return r.json()

    def snapshots(self):
        r = self.get(f"/api/v2/projects/{self.project}/snapshots")
        r.raise_for_status()
        return r.json().get("snapshots", [])


@pytest.fixture(scope="session")
def lightbits(cloud):
    return Lightbits(cloud["emulator"])


@pytest.fixture(scope="session")
def host_nqn(cloud):
    with open(cloud["host_nqn_file"]) as f:
        return f.read().strip()


class Cleanup:
    """Deletes what a test created, newest first, ignoring what is already gone."""

    GONE = (nova_exc.NotFound, cinder_exc.NotFound, neutron_exc.NotFound)

    def __init__(self):
        self._actions = []

    def add(self, fn, *args):
        self._actions.append((fn, args))

    def run(self):
        errors = []
        while self._actions:
            fn, args = self._actions.pop()
            try:
                fn(*args)
            except self.GONE:
                pass
            except Exception as e:  # keep cleaning; report at the end
                errors.append(f"{getattr(fn, '__qualname__', fn)}{args}: {e}")
        if errors:
            pytest.fail("cleanup failed: " + "; ".join(errors))


@pytest.fixture
def cleanup():
    c = Cleanup()
    yield c
    c.run()


def volume_status(cinder, volume_id):
    """The volume's status, or None when it is gone."""
    try:
        return cinder.volumes.get(volume_id).status
    except cinder_exc.NotFound:
        return None


def wait_volume(cinder, volume_id, statuses=("available",), timeout=120):
    final = set(statuses) | {"error"}
    status = wait_for(
        f"volume {volume_id} to reach {statuses}",
        lambda: (s := volume_status(cinder, volume_id)) in final and s,
        timeout,
    )
    return status


def delete_volume_and_wait(cinder, volume_id, timeout=120):
    try:
        cinder.volumes.delete(volume_id)
    except cinder_exc.NotFound:
        return
    wait_for(
        f"volume {volume_id} deleted", lambda: volume_status(cinder, volume_id) is None, timeout
    )


def server_or_none(nova, server_id):
    try:
        return nova.servers.get(server_id)
    except nova_exc.NotFound:
        return None


def delete_server_and_wait(nova, server_id, timeout=120):
    try:
        nova.servers.delete(server_id)
    except nova_exc.NotFound:
        return
    wait_for(
        f"server {server_id} deleted", lambda: server_or_none(nova, server_id) is None, timeout
    )
