import threading

from lightbits_dashboard.launch import progress, record, runner
from lightbits_dashboard.message import msg
from tests.unit.english import english


class DictStore:
    def __init__(self):
        self.data = {}

    def set(self, key, value, timeout):
        self.data[key] = value

    def delete(self, key):
        self.data.pop(key, None)

    def get_many(self, keys):
        return {k: self.data[k] for k in keys if k in self.data}


def test_driver_is_alive_while_working_and_gone_after():
    beat = runner.Heartbeat(DictStore(), ttl=60)
    release, seen = threading.Event(), []

    def work(arg):
        seen.append((arg, beat.alive(["L1", "L2"])))
        release.wait(5)

    thread = runner.start(beat, "L1", work, "x")
    assert beat.alive(["L1"]) == {"L1"}  # beats before returning
    release.set()
    thread.join(5)
    assert seen == [("x", {"L1"})]
    assert beat.alive(["L1"]) == set()


def test_driver_failure_does_not_leave_it_alive():
    beat = runner.Heartbeat(DictStore(), ttl=60)

    def work():
        raise RuntimeError("boom")

    runner.start(beat, "L1", work).join(5)
    assert beat.alive(["L1"]) == set()


REC = record.LaunchRecord("L1", "vm", 1, 1, "vm", "img", record.CLONING)


def test_progress_states():
    assert progress.instance_state(REC, alive=True, volume_status="creating") == ("cloning", None)
    state, message = progress.instance_state(REC, alive=False, volume_status="creating")
    assert state == "interrupted" and "finish the launch or clean up" in english(message)
    booting = REC.with_(state=record.BOOTING)
    assert progress.instance_state(
        booting, alive=True, server_status="ERROR", server_fault="No valid host"
    ) == ("error", msg("server_error", fault="No valid host"))
    assert progress.instance_state(REC, alive=True, volume_status="error")[0] == "error"
    summary = msg("launched_all", launched=2, total=2)
    done = REC.with_(state=record.ACTIVE, message=summary)
    assert progress.instance_state(done, alive=False) == ("active", summary)
