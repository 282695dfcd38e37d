"""The local cloud seen from the tests: its facts, API clients, the emulator.

Everything is read from devcloud's facts file (.devcloud/cloud.json); the
emulator's admin JWT is read from its file and only ever sent as a header.
"""

import json
import os
import time
import warnings

import requests
from cinderclient import client as cinder_client
from glanceclient import client as glance_client
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from neutronclient.v2_0 import client as neutron_client
from novaclient import client as nova_client

warnings.filterwarnings("ignore", message=".*neutronclient.*deprecated.*")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLOUD_JSON = os.path.join(ROOT, ".devcloud", "cloud.json")
# Cinder refuses to delete a volume in these states: wait them out.
VOLUME_BUSY = ("creating", "downloading", "attaching", "detaching", "reserved")


def load_facts(path=CLOUD_JSON):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def wait_for(what, probe, timeout=120, interval=1.0):
    """Poll ``probe`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(interval)


class Clients:
    """novaclient / cinderclient / neutronclient / glanceclient as one user."""

    def __init__(self, facts, who):
        user = facts[who]
        auth = v3.Password(
            auth_url=facts["auth_url"],
            username=user["username"],
            password=user["password"],
            project_name=user["project"],
            user_domain_id="default",
            project_domain_id="default",
        )
        self.session = ks_session.Session(auth=auth)
        region = facts.get("region", "RegionOne")
        self.nova = nova_client.Client("2.90", session=self.session, region_name=region)
        self.cinder = cinder_client.Client("3.70", session=self.session, region_name=region)
        self.neutron = neutron_client.Client(session=self.session, region_name=region)
        self.glance = glance_client.Client("2", session=self.session, region_name=region)

    @property
    def project_id(self):
        return self.session.get_project_id()

    def volume_or_none(self, volume_id):
        try:
            return self.cinder.volumes.get(volume_id)
        except Exception as exc:
            if getattr(exc, "code", None) == 404:
                return None
            raise

    def server_or_none(self, server_id):
        try:
            return self.nova.servers.get(server_id)
        except Exception as exc:
            if getattr(exc, "code", None) == 404:
                return None
            raise

    def delete_servers_named(self, prefix, timeout=120):
        """Delete this project's servers whose name starts with ``prefix``; wait."""
        servers = [s for s in self.nova.servers.list() if s.name.startswith(prefix)]
        for server in servers:
            self.nova.servers.delete(server.id)
        for server in servers:
            wait_for(
                f"server {server.name} deleted",
                lambda s=server: self.server_or_none(s.id) is None,
                timeout,
            )

    def delete_volumes_named(self, prefix, timeout=120):
        """Delete this project's volumes whose name starts with ``prefix``; wait."""
        volumes = [v for v in self.cinder.volumes.list() if (v.name or "").startswith(prefix)]
        for volume in volumes:

            def settled(volume_id=volume.id):
                current = self.volume_or_none(volume_id)
                return current is None or current.status not in VOLUME_BUSY

            wait_for(f"volume {volume.name} deletable", settled, timeout)
            if self.volume_or_none(volume.id) is not None:
                self.cinder.volumes.delete(volume.id)
        for volume in volumes:
            wait_for(
                f"volume {volume.name} deleted",
                lambda v=volume: self.volume_or_none(v.id) is None,
                timeout,
            )


class Emulator:
    """The Lightbits emulator's REST API and fault admin endpoint, as cluster admin."""

    def __init__(self, facts):
        emu = facts["emulator"]
        self.url = emu["url"].rstrip("/")
        self.ca_file = emu["ca_file"]
        self.project = emu.get("lightbits_project", "default")
        with open(emu["admin_jwt_file"], encoding="utf-8") as f:
            self._headers = {"Authorization": "Bearer " + f.read().strip()}

    def _call(self, method, path, **kwargs):
        resp = requests.request(
            method,
            self.url + path,
            headers=self._headers,
            verify=self.ca_file,
            timeout=30,
            **kwargs,
        )
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def volume_by_name(self, name):
        """One Lightbits volume by name, or None."""
        try:
            return self._call("GET", f"/api/v2/projects/{self.project}/volumes/?name={name}")
        except requests.HTTPError as exc:
            if exc.response.status_code == 404:
                return None
            raise

    def volumes(self):
        return self._call("GET", f"/api/v2/projects/{self.project}/volumes")["volumes"]

    def cluster_info(self):
        return self._call("GET", "/api/v2/clusterinfo")

    def add_fault(self, **rule):
        return self._call("POST", "/_emulator/faults", json=rule)

    def faults(self):
        return self._call("GET", "/_emulator/faults")["faults"]

    def clear_faults(self):
        self._call("DELETE", "/_emulator/faults")
