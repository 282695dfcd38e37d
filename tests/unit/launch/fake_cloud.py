"""An in-memory cloud for the orchestrator tests: scripted Cinder and Nova."""

import itertools
import threading

from lightbits_dashboard.launch.orchestrator import ServerState, VolumeState


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self._lock = threading.Lock()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        with self._lock:
            self.now += max(seconds, 1)


class FakeCloud:
    """Behaviour per server name:

    clone: "available" (default), "error:<msg>", "stuck" (stays creating),
           "refuse:<msg>" (create raises), "copy" (Cinder's download and copy:
           creating, then downloading for two polls, then available)
    boot:  "ACTIVE" (default), "ERROR:<msg>", "refuse:<msg>", "stuck" (stays BUILD),
           "unscheduled:<msg>" (ERROR before the attachment: the volume stays
           "reserved" and the server is found only by its name and mark)
    """

    def __init__(self, clone=None, boot=None, usage=None):
        self.clone, self.boot = clone or {}, boot or {}
        self.usage = usage or {}
        self.volumes, self.servers = {}, {}
        self.calls = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.create_barrier = None

    def _log(self, *call):
        with self._lock:
            self.calls.append(call)

    def _server_name_of_volume(self, volume_id):
        return self.volumes[volume_id]["name"].removesuffix("-boot")

    # -- CloudOps --
    def quota_usage(self, volume_type):
        self._log("quota_usage", volume_type)
        return self.usage

    def create_volume(self, name, size, volume_type, image_id, metadata):
        self._log("create_volume", name, size, volume_type, image_id)
        if self.create_barrier:
            self.create_barrier.wait(timeout=5)
        behaviour = self.clone.get(name.removesuffix("-boot"), "available")
        if behaviour.startswith("refuse:"):
            raise RuntimeError(behaviour[7:])
        volume_id = f"vol-{next(self._ids)}"
        self.volumes[volume_id] = {
            "name": name,
            "status": "creating",
            "polls": 0,
            "metadata": dict(metadata),
            "behaviour": behaviour,
        }
        return volume_id

    def get_volume(self, volume_id):
        self._log("get_volume", volume_id)
        volume = self.volumes.get(volume_id)
        if volume is None:
            return None
        volume["polls"] += 1
        if volume["status"] == "creating" and volume["polls"] > 1:
            behaviour = volume["behaviour"]
            if behaviour == "available":
                volume["status"] = "available"
            elif behaviour == "copy":
                volume["status"] = "downloading"
            elif behaviour.startswith("error:"):
                volume["status"], volume["error"] = "error", behaviour[6:]
        elif volume["status"] == "downloading" and volume["polls"] > 3:
            volume["status"] = "available"
        return VolumeState(volume["status"], volume.get("error", ""), dict(volume["metadata"]))

    def delete_volume(self, volume_id):
        self._log("delete_volume", volume_id)
        volume = self.volumes[volume_id]
        if volume["status"] not in ("available", "error"):
            raise RuntimeError("Invalid volume: status must be available or error")
        del self.volumes[volume_id]

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
            self.volumes[volume_id]["status"] = "reserved"
        else:
            self.servers[server_id]["attached"] = True
            self.volumes[volume_id]["status"] = "in-use"
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
            self.volumes[volume_id]["status"] = "available"

    def find_server(self, volume_id, server_name):
        self._log("find_server", volume_id, server_name)
        for server_id, server in self.servers.items():
            if server["volume_id"] == volume_id and (
                server["attached"] or server["name"] == server_name
            ):
                return server_id
        return None

    # -- helpers for assertions --
    def called(self, name):
        return [c for c in self.calls if c[0] == name]
