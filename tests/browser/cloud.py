"""The local cloud seen from the tests: its facts, API clients, the emulator.

Everything is read from devcloud's facts file (.devcloud/cloud.json); the
emulator's admin JWT is read from its file and only ever sent as a header.
"""

import warnings

import requests

from tests.cloud_access import CLOUD_JSON, OpenStack, load_facts, wait_for  # noqa: F401

warnings.filterwarnings("ignore", message=".*neutronclient.*deprecated.*")

# Cinder refuses to delete a volume in these states: wait them out.
VOLUME_BUSY = ("creating", "downloading", "attaching", "detaching", "reserved")


class Clients(OpenStack):
    """The official clients as one user of the cloud's facts ("demo", "admin")."""

    def __init__(self, facts, who):
        super().__init__(facts, facts[who], nova_version="2.90", cinder_version="3.70")

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
        # an empty list is {} (grpc-gateway omits empty fields); at most 1,000
        # per call, which these tests never reach
        return self._call("GET", f"/api/v2/projects/{self.project}/volumes").get("volumes", [])

    def cluster_info(self):
        return self._call("GET", "/api/v2/clusterinfo")

    def add_fault(self, **rule):
        return self._call("POST", "/_emulator/faults", json=rule)

    def faults(self):
        return self._call("GET", "/_emulator/faults")["faults"]

    def clear_faults(self):
        self._call("DELETE", "/_emulator/faults")
