"""Clone or copy, told from the statuses the launch polls; "Require fast clone"."""

import dataclasses

from lightbits_dashboard.launch import clone_check, record
from lightbits_dashboard.message import msg
from tests.unit.launch.fake_cloud import FakeCloud
from tests.unit.launch.test_orchestrator import make_launcher, make_plan


def plan(**changes):
    return dataclasses.replace(make_plan(), **changes)


def test_a_clone_is_recorded_with_its_time_before_the_boot():
    cloud = FakeCloud()
    (outcome,) = make_launcher(cloud).run(plan(expected=clone_check.CLONE))
    assert outcome.ok
    assert outcome.record.made == clone_check.CLONE
    assert outcome.record.made_seconds is not None and outcome.record.made_seconds >= 1
    metadata = cloud.volumes[outcome.volume_id]["metadata"]
    assert metadata["lightbits_launch_made"] == "clone"
    assert float(metadata["lightbits_launch_made_s"]) == outcome.record.made_seconds
    assert metadata["lightbits_launch_expected"] == "clone"
    # recorded with the BOOTING state: no extra metadata call for it
    booting = [
        c for c in cloud.called("set_metadata") if c[2].get("lightbits_launch_state") == "booting"
    ]
    assert booting and booting[0][2]["lightbits_launch_made"] == "clone"


def test_a_volume_that_passes_through_downloading_is_recorded_as_a_copy():
    cloud = FakeCloud(clone={"vm": "copy"})
    (outcome,) = make_launcher(cloud).run(plan(expected=clone_check.CLONE))
    assert outcome.ok
    rec = record.decode(cloud.volumes[outcome.volume_id]["metadata"])
    assert rec.made == clone_check.COPY and rec.made_seconds >= 2
    made = clone_check.Made(rec.made, rec.made_seconds, rec.expected)
    assert made.unexpected_copy and clone_check.REASON_DIRECT_URL in made.reasons


def test_a_copy_the_clone_path_announced_is_no_warning():
    made = clone_check.Made(clone_check.COPY, 8.0, clone_check.COPY)
    assert not made.unexpected_copy and made.reasons == ()
    assert not clone_check.Made(clone_check.CLONE, 3.0, clone_check.CLONE).unexpected_copy


def test_require_fast_clone_stops_the_copy_and_deletes_its_volume():
    cloud = FakeCloud(clone={"vm": "copy"})
    failed = []
    launcher = make_launcher(cloud, on_failure=failed.append)
    (outcome,) = launcher.run(plan(require_clone=True, expected=clone_check.COPY))
    assert not outcome.ok
    assert outcome.error == msg(clone_check.COPY_REFUSED)
    assert outcome.record.made == clone_check.COPY
    assert failed and failed[0].record.made == clone_check.COPY
    assert not cloud.called("boot_server")
    # its row said why before the rollback (Cinder deletes only once the copy ends)
    said = [c for c in cloud.calls if c[0] in ("set_metadata", "delete_volume")][-2:]
    assert said[0][0] == "set_metadata" and said[1][0] == "delete_volume", said
    assert said[0][2]["lightbits_launch_state"] == "error"
    assert record.read_message(said[0][2]["lightbits_launch_message"]) == msg(
        clone_check.COPY_REFUSED
    )
    assert said[0][2]["lightbits_launch_made"] == "copy"
    # Cinder deletes a volume only once it is available: the rollback waited for it
    assert len(cloud.called("delete_volume")) == 1
    assert cloud.volumes == {} and outcome.left_behind == ()


def test_require_fast_clone_lets_a_clone_boot():
    cloud = FakeCloud()
    (outcome,) = make_launcher(cloud).run(plan(require_clone=True))
    assert outcome.ok and outcome.record.made == clone_check.CLONE
    assert cloud.volumes[outcome.volume_id]["metadata"]["lightbits_launch_require_clone"] == "1"


def test_require_fast_clone_in_a_batch_stops_only_the_copied_instance():
    cloud = FakeCloud(clone={"vm-2": "copy"})
    outcomes = make_launcher(cloud).run(plan(count=2, require_clone=True))
    by_name = {o.record.server_name: o for o in outcomes}
    assert by_name["vm-1"].ok and not by_name["vm-2"].ok
    assert by_name["vm-2"].error == msg(clone_check.COPY_REFUSED)
    assert [c[1] for c in cloud.called("boot_server")] == ["vm-1"]


def test_boot_volumes_are_polled_at_the_volume_interval():
    cloud = FakeCloud(clone={"vm": "copy"})
    slept = []
    launcher = make_launcher(cloud, volume_poll_interval=0.25)
    real_sleep = launcher.sleep
    launcher.sleep = lambda s: (slept.append(s), real_sleep(s))
    launcher.run(plan())
    assert slept[0] == 0.25  # while the volume is made
    assert 1 in slept  # the server waits use the normal interval


def test_the_default_volume_interval_is_at_most_half_a_second():
    assert make_launcher(FakeCloud()).volume_poll_interval == 0.5


def test_a_re_driven_launch_that_finds_its_volume_made_cannot_tell():
    watch = clone_check.Watch(started=None)
    watch.see("available")
    assert watch.result(10) == ("", None)
    watch = clone_check.Watch(started=None)
    watch.see("creating")
    watch.see("available")
    assert watch.result(10) == (clone_check.CLONE, None)
    watch = clone_check.Watch(started=None)
    watch.see("downloading")
    assert watch.result(10) == (clone_check.COPY, None)


def test_finish_of_an_interrupted_copy_records_the_copy():
    cloud = FakeCloud(clone={"vm": "copy"})
    rec = make_plan().records()[0]
    volume_id = cloud.create_volume("vm-boot", 20, "lightbits", "img-1", record.encode(rec))
    outcome = make_launcher(cloud).finish(rec, volume_id)
    assert outcome.ok and outcome.record.made == clone_check.COPY
    assert outcome.record.made_seconds is None  # its start was not seen


def test_the_record_keeps_how_the_volume_was_made():
    rec = (
        make_plan()
        .records()[0]
        .with_(
            made=clone_check.COPY,
            made_seconds=8.25,
            expected=clone_check.CLONE,
            require_clone=True,
        )
    )
    metadata = record.encode(rec)
    assert all(len(v) <= record.CHUNK for v in metadata.values())
    back = record.decode(metadata)
    assert (back.made, back.made_seconds, back.expected, back.require_clone) == (
        "copy",
        8.2,
        "clone",
        True,
    )
    plain = record.decode(record.encode(make_plan().records()[0]))
    assert (plain.made, plain.made_seconds, plain.expected, plain.require_clone) == (
        "",
        None,
        "",
        False,
    )


def test_expected_kind_from_the_clone_path():
    fast = ("Fast clone", "Fast clone (from cache)")
    assert clone_check.expected_kind("Fast clone", fast) == clone_check.CLONE
    assert clone_check.expected_kind("Fast clone (from cache)", fast) == clone_check.CLONE
    assert clone_check.expected_kind("Copy", fast) == clone_check.COPY
    assert clone_check.expected_kind("", fast) == ""
