"""Scripted Cinder volumes, the part the launch and the conversion fakes share."""

import itertools
import threading

from lightbits_dashboard.launch.orchestrator import VolumeState

GONE = None  # a step: Cinder deleted the volume


class FakeVolumes:
    """Volumes whose statuses follow a script.

    A volume is created "creating" and stays so for its first poll; each
    later poll (get_volume) takes its next status from its ``steps``; with
    none left it keeps the one it has. ``error`` is the message it reports
    while its status is "error".
    """

    log_reads = True  # get_volume in .calls
    deletable = ("available", "error")

    def __init__(self):
        self.volumes, self.calls = {}, []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _log(self, *call):
        with self._lock:
            self.calls.append(call)

    def called(self, name):
        return [c for c in self.calls if c[0] == name]

    def names(self):
        return [c[0] for c in self.calls]

    def script_volume(self, name):
        """(steps, error) of a new volume called ``name``; raise to refuse it."""
        return ["available"], ""

    def add_volume(self, volume_id, name="", status="available", metadata=(), steps=(), error=""):
        self.volumes[volume_id] = {
            "name": name,
            "status": status,
            "metadata": dict(metadata),
            "steps": list(steps),
            "error": error,
        }

    def set_status(self, volume_id, status, steps=()):
        """Puts the volume in ``status``, with ``steps`` to follow."""
        self.volumes[volume_id].update(status=status, steps=list(steps))

    def create_volume(self, name, size, volume_type, image_id, metadata):
        self._log("create_volume", name, size, volume_type, image_id)
        steps, error = self.script_volume(name)
        volume_id = f"vol-{next(self._ids)}"
        self.add_volume(volume_id, name, "creating", metadata, ["creating", *steps], error)
        return volume_id

    def get_volume(self, volume_id):
        if self.log_reads:
            self._log("get_volume", volume_id)
        volume = self.volumes.get(volume_id)
        if volume is None:
            return None
        if volume["steps"]:
            volume["status"] = volume["steps"].pop(0)
            if volume["status"] is GONE:
                del self.volumes[volume_id]
                return None
        error = volume["error"] if volume["status"] == "error" else ""
        return VolumeState(volume["status"], error, dict(volume["metadata"]))

    def delete_volume(self, volume_id):
        self._log("delete_volume", volume_id)
        if self.volumes[volume_id]["status"] not in self.deletable:
            raise RuntimeError("Invalid volume: status must be available or error")
        del self.volumes[volume_id]
