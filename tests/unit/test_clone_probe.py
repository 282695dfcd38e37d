"""Probe clone path: clone or copy of one minimal volume, deleted in every case."""

from types import SimpleNamespace

from lightbits_dashboard import clone_probe
from lightbits_dashboard.launch import clone_check
from tests.unit.launch.fake_cloud import FakeClock


class Ops:
    """Statuses scripted per poll; deletes allowed only when available/error."""

    def __init__(self, statuses, lightbits=True, refuse=None):
        self.statuses, self.lightbits, self.refuse = list(statuses), lightbits, refuse
        self.status, self.deleted, self.created = None, [], []

    def create_volume(self, name, size, volume_type, image_id, metadata):
        if self.refuse:
            raise RuntimeError(self.refuse)
        self.created.append((name, size, volume_type, image_id, metadata))
        return "vol-1"

    def volume_status(self, volume_id):
        if self.deleted:
            return None
        if self.statuses:
            self.status = self.statuses.pop(0)
        return self.status

    def delete_volume(self, volume_id):
        assert self.status in ("available", "error"), f"deleted while {self.status}"
        self.deleted.append(volume_id)

    def lightbits_source(self, volume_id):
        if isinstance(self.lightbits, Exception):
            raise self.lightbits
        return self.lightbits


def prober(ops, **kwargs):
    clock = FakeClock()
    return clone_probe.Prober(ops, clock=clock, sleep=clock.sleep, **kwargs)


def test_a_clone_is_reported_with_the_lightbits_side_and_deleted():
    ops = Ops(["creating", "creating", "available"])
    result = prober(ops).run("img-1", "lightbits", 1, "lightbits-probe")
    assert (result.kind, result.lightbits_clone, result.error) == (clone_check.CLONE, True, "")
    assert result.seconds == 2
    assert ops.created == [
        ("lightbits-probe", 1, "lightbits", "img-1", {"lightbits_probe": "img-1"})
    ]
    assert ops.deleted == ["vol-1"] and not result.left_behind and not result.deleting_later


def test_a_copy_is_reported_at_once_and_deleted_when_cinder_is_done():
    ops = Ops(["creating", "downloading", "downloading", "downloading", "available"])
    later = []
    result = prober(ops, later=later.append).run("img-1", "lightbits", 1, "p")
    assert result.kind == clone_check.COPY and result.lightbits_clone is None
    assert result.deleting_later and not ops.deleted
    (work,) = later
    assert work() is True and ops.deleted == ["vol-1"]


def test_a_clone_that_lightbits_shows_without_source_snapshot_is_said():
    result = prober(Ops(["available"], lightbits=False)).run("i", "t", 1, "p")
    assert result.kind == clone_check.CLONE and result.lightbits_clone is False


def test_an_unreadable_cluster_is_not_a_failure():
    result = prober(Ops(["available"], lightbits=RuntimeError("down"))).run("i", "t", 1, "p")
    assert result.kind == clone_check.CLONE and result.lightbits_clone is None


def test_a_refused_create_leaves_nothing():
    ops = Ops([], refuse="VolumeLimitExceeded")
    result = prober(ops).run("i", "t", 1, "p")
    assert (result.error, result.detail, result.volume_id) == (
        clone_probe.CREATE_REFUSED,
        "VolumeLimitExceeded",
        None,
    )


def test_an_error_volume_is_reported_and_deleted():
    ops = Ops(["creating", "error"])
    result = prober(ops).run("i", "t", 1, "p")
    assert result.error == clone_probe.VOLUME_ERROR and ops.deleted == ["vol-1"]


def test_a_time_out_hands_the_delete_to_later():
    ops = Ops(["creating"] * 20 + ["available"])
    later = []
    result = prober(ops, timeout=5, later=later.append).run("i", "t", 1, "p")
    assert result.error == clone_probe.TIMED_OUT and result.deleting_later
    assert later[0]() is True and ops.deleted


def test_a_volume_that_cannot_be_deleted_is_said():
    ops = Ops(["available"])
    ops.delete_volume = lambda volume_id: (_ for _ in ()).throw(RuntimeError("409"))
    result = prober(ops).run("i", "t", 1, "p")
    assert result.left_behind and result.volume_id == "vol-1"


def test_the_probe_volume_is_as_small_as_the_image_allows():
    gib = clone_probe.GIB
    assert clone_probe.probe_size_gib(SimpleNamespace(virtual_size=16 * 1024**2, size=4)) == 1
    image = SimpleNamespace(virtual_size=None, size=3 * gib + 1, min_disk=0)
    assert clone_probe.probe_size_gib(image) == 4
    assert clone_probe.probe_size_gib(SimpleNamespace(virtual_size=gib, min_disk=10)) == 10
