"""An in-memory cloud for the orchestrator tests: scripted Cinder and Nova."""

import threading

from lightbits_dashboard.launch.orchestrator import ServerState
from tests.unit.fake_volumes import FakeVolumes


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self._lock = threading.Lock()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        with self._lock:
            self.now += max(seconds, 1)


class FakeCloud(FakeVolumes):
    """Behaviour per server name:

    clone: "available" (default), "error:<msg>", "stuck" (stays creating),
           "refuse:<msg>" (create raises), "copy" (Cinder's download and copy:
           creating, then downloading for two polls, then available)
    boot:  "ACTIVE" (default), "ERROR:<msg>", "refuse:<msg>", "stuck" (stays BUILD),
           "unscheduled:<msg>" (ERROR before the attachment: the volume stays
           "reserved" and the server is found only by its name and mark)
    """

    def __init__(self, clone=None, boot=None, usage=None):
        super().__init__()
        self.clone, self.boot = clone or {}, boot or {}
        self.usage = usage or {}
        self.servers = {}
        self.create_barrier = None

    def script_volume(self, name):
        if self.create_barrier:
            self.create_barrier.wait(timeout=5)
        behaviour = self.clone.get(name.removesuffix("-boot"), "available")
        if behaviour.startswith("refuse:"):
            raise RuntimeError(behaviour[7:])
        if behaviour.startswith("error:"):
            return ["error"], behaviour[6:]
        steps = {"available": ["available"], "copy": ["downloading"] * 2 + ["available"]}
        return steps.get(behaviour, []), ""

    # -- CloudOps --
    def quota_usage(self, volume_type):
        self._log("quota_usage", volume_type)
        return self.usage

    def set_metadata(self, volume_id, metadata):
        self._log("set_metadata", volume_id, dict(metadata))
        self.volumes[volume_id]["metadata"].update(metadata)

    def delete_metadata(self, volume_id, keys):
        self._log("delete_metadata", volume_id, tuple(keys))
        for key in keys:
            self.volumes[volume_id]["metadata"].pop(key, None)

    def boot_server(self, name, spec, volume_id):
        self._log("boot_server", name, volume_id, spec)
        assert self.volumes[volume_id]["status"] == "available", "booted before the clone"
        behaviour = self.boot.get(name, "ACTIVE")
        if behaviour.startswith("refuse:"):
            raise RuntimeError(behaviour[7:])
        server_id = f"srv-{next(self._ids)}"
        self.servers[server_id] = {
            "name": name,
            "status": "BUILD",
            "polls": 0,
            "behaviour": behaviour,
            "volume_id": volume_id,
            "delete_on_terminate": spec.delete_on_terminate,
        }
        if behaviour.startswith("unscheduled:"):
            self.servers[server_id].update(status="ERROR", fault=behaviour[12:], attached=False)
            self.set_status(volume_id, "reserved")
        else:
            self.servers[server_id]["attached"] = True
            self.set_status(volume_id, "in-use")
        return server_id

    def get_server(self, server_id):
        self._log("get_server", server_id)
        server = self.servers.get(server_id)
        if server is None:
            return None
        server["polls"] += 1
        if server["status"] == "BUILD" and server["polls"] > 1:
            behaviour = server["behaviour"]
            if behaviour == "ACTIVE":
                server["status"] = "ACTIVE"
            elif behaviour.startswith("ERROR:"):
                server["status"], server["fault"] = "ERROR", behaviour[6:]
        return ServerState(server["status"], server.get("fault", ""))

    def delete_server(self, server_id):
        self._log("delete_server", server_id)
        server = self.servers.pop(server_id)
        volume_id = server["volume_id"]
        if server["delete_on_terminate"]:
            self.volumes.pop(volume_id, None)
        elif volume_id in self.volumes:
            self.set_status(volume_id, "available")

    def find_server(self, volume_id, server_name):
        self._log("find_server", volume_id, server_name)
        for server_id, server in self.servers.items():
            if server["volume_id"] == volume_id and (
                server["attached"] or server["name"] == server_name
            ):
                return server_id
        return None
