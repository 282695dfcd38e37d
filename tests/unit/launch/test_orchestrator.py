"""Every branch of the launch orchestrator, against an in-memory cloud."""

import threading

import pytest

from lightbits_dashboard.launch import record
from lightbits_dashboard.launch.orchestrator import Launcher, LaunchPlan, QuotaRefused, summarize
from lightbits_dashboard.message import msg
from tests.unit.english import english
from tests.unit.launch.fake_cloud import FakeClock, FakeCloud


def make_plan(count=1, name="vm", delete_on_terminate=True, user_data=None):
    spec = record.ServerSpec(
        flavor="m1.small",
        networks=("net-1",),
        key_name="kp",
        security_groups=("web",),
        delete_on_terminate=delete_on_terminate,
        user_data=user_data,
    )
    return LaunchPlan(
        name=name,
        count=count,
        image_id="img-1",
        volume_size=20,
        volume_type="lightbits",
        spec=spec,
        vcpus=2,
        ram_mb=2048,
    )


def make_launcher(cloud, **kwargs):
    clock = FakeClock()
    kwargs.setdefault("clone_timeout", 30)
    kwargs.setdefault("boot_timeout", 60)
    kwargs.setdefault("cleanup_timeout", 10)
    return Launcher(cloud, poll_interval=1, clock=clock, sleep=clock.sleep, **kwargs)


def test_success_boots_from_the_cloned_volume_and_keeps_it():
    cloud = FakeCloud()
    outcomes = make_launcher(cloud).run(make_plan(user_data="#cloud-config\n" + "x" * 600))
    (outcome,) = outcomes
    assert outcome.ok and outcome.error is None
    assert cloud.called("create_volume") == [
        ("create_volume", "vm-boot", 20, "lightbits", "img-1")
    ]
    (boot,) = cloud.called("boot_server")
    assert boot[1:3] == ("vm", outcome.volume_id)
    assert cloud.servers[outcome.server_id]["status"] == "ACTIVE"
    metadata = cloud.volumes[outcome.volume_id]["metadata"]
    assert metadata["lightbits_launch_state"] == "active"
    assert metadata["lightbits_launch_server_id"] == outcome.server_id
    # spec and user data are dropped once the server exists
    assert not record.boot_only_keys(metadata)
    assert not cloud.called("delete_volume") and not cloud.called("delete_server")


def run_rolled_back(cloud, plan=None, **launcher_kwargs):
    """The outcome of a one-instance launch that failed and left no volume
    and no server behind."""
    (outcome,) = make_launcher(cloud, **launcher_kwargs).run(plan or make_plan())
    assert not outcome.ok
    assert cloud.volumes == {} and cloud.servers == {}
    return outcome


def test_clone_error_reports_cinders_message_and_deletes_the_volume():
    cloud = FakeCloud(clone={"vm": "error:Volume size exceeds the limit."})
    outcome = run_rolled_back(cloud)
    error = "boot volume vm-boot went to error: Volume size exceeds the limit."
    assert english(outcome.error) == error
    assert not cloud.called("boot_server")
    assert outcome.left_behind == ()


def test_a_failure_is_told_before_its_rollback_deletes_anything():
    cloud = FakeCloud(clone={"vm": "error:No valid backend was found."})
    told = []

    def on_failure(outcome):
        told.append((outcome.error, outcome.volume_id, dict(cloud.volumes)))

    (outcome,) = make_launcher(cloud, on_failure=on_failure).run(make_plan())
    ((error, volume_id, volumes_then),) = told
    assert error == outcome.error and volume_id == outcome.volume_id
    assert volume_id in volumes_then  # not yet rolled back when told
    assert cloud.volumes == {}


def test_clone_refused_by_cinder_creates_nothing():
    cloud = FakeCloud(clone={"vm": "refuse:VolumeLimitExceeded"})
    (outcome,) = make_launcher(cloud).run(make_plan())
    assert not outcome.ok and "Cinder refused the boot volume: VolumeLimitExceeded" in english(
        outcome.error
    )
    assert cloud.volumes == {}


def test_told_once_when_every_boot_volume_was_requested_or_refused():
    """The web request waits for this, so the Launches page lists the launch."""
    cloud = FakeCloud(clone={"vm-2": "refuse:VolumeLimitExceeded"})
    seen = []
    launcher = make_launcher(
        cloud, on_volumes_requested=lambda: seen.append(len(cloud.called("create_volume")))
    )
    launcher.run(make_plan(count=3))
    assert seen == [3]


def test_clone_timeout_waits_for_a_deletable_volume_and_leaves_it_marked():
    cloud = FakeCloud(clone={"vm": "stuck"})
    (outcome,) = make_launcher(cloud, clone_timeout=5).run(make_plan())
    assert not outcome.ok
    assert english(outcome.error) == "boot volume vm-boot not available after 5 s"
    # Cinder refuses to delete a volume still creating: it stays, marked error
    assert outcome.left_behind == (outcome.volume_id,)
    metadata = cloud.volumes[outcome.volume_id]["metadata"]
    assert metadata["lightbits_launch_state"] == "error"
    assert "not available after 5 s" in english(
        record.read_message(metadata["lightbits_launch_message"])
    )
    assert not cloud.called("boot_server")


def test_clone_timeout_deletes_the_volume_once_cinder_allows_it():
    cloud = FakeCloud(clone={"vm": "stuck"})
    launcher = make_launcher(cloud, clone_timeout=3)
    real_get = cloud.get_volume

    def get_volume(volume_id):
        state = real_get(volume_id)
        if state and cloud.called("get_volume")[5:]:  # finishes late, during rollback
            cloud.set_status(volume_id, "available")
        return state

    cloud.get_volume = get_volume
    (outcome,) = launcher.run(make_plan())
    assert not outcome.ok and outcome.left_behind == ()
    assert cloud.volumes == {}


def test_boot_refused_by_nova_rolls_back_the_volume():
    cloud = FakeCloud(boot={"vm": "refuse:Flavor's disk is too small for requested image."})
    outcome = run_rolled_back(cloud)
    error = "Nova refused the server: Flavor's disk is too small for requested image."
    assert english(outcome.error) == error


def test_boot_error_deletes_server_then_volume():
    cloud = FakeCloud(boot={"vm": "ERROR:No valid host was found."})
    outcome = run_rolled_back(cloud, make_plan(delete_on_terminate=False))
    assert english(outcome.error) == "the server went to ERROR: No valid host was found."
    names = [c[0] for c in cloud.calls]
    assert names.index("delete_server") < names.index("delete_volume")


def test_boot_timeout_rolls_back():
    cloud = FakeCloud(boot={"vm": "stuck"})
    outcome = run_rolled_back(cloud, boot_timeout=4)
    assert english(outcome.error) == "the server was not ACTIVE after 4 s"


def test_partial_failure_keeps_active_instances_and_says_so():
    cloud = FakeCloud(boot={"vm-3": "ERROR:No valid host was found."})
    outcomes = make_launcher(cloud).run(make_plan(count=3))
    assert [o.record.server_name for o in outcomes] == ["vm-1", "vm-2", "vm-3"]
    assert [o.ok for o in outcomes] == [True, True, False]
    summary = summarize(outcomes)
    assert (
        english(summary)
        == "2 of 3 launched; vm-3 failed: the server went to ERROR: No valid host was found."
    )
    kept = {v["name"] for v in cloud.volumes.values()}
    assert kept == {"vm-1-boot", "vm-2-boot"}
    assert {s["name"] for s in cloud.servers.values()} == {"vm-1", "vm-2"}
    for volume in cloud.volumes.values():
        assert record.read_message(volume["metadata"]["lightbits_launch_message"]) == summary


def test_volume_creates_are_concurrent():
    cloud = FakeCloud()
    # Each create waits until all three are in flight: a sequential launcher breaks it.
    cloud.create_barrier = threading.Barrier(3)
    outcomes = make_launcher(cloud).run(make_plan(count=3))
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]


def test_quota_refusal_names_the_quota_and_creates_nothing():
    cloud = FakeCloud(usage={"cores": (10, 6), "gigabytes_lightbits": (100, 50)})
    launcher = make_launcher(cloud)
    with pytest.raises(QuotaRefused) as refused:
        launcher.check_quotas(make_plan(count=3))
    message = "; ".join(english(m) for m in refused.value.messages)
    assert "cores: this launch needs 6, 6 of 10 in use (4 available)" in message
    assert "gigabytes_lightbits: this launch needs 60, 50 of 100 in use (50 available)" in message
    assert cloud.called("create_volume") == []


def test_quota_that_fits_passes():
    cloud = FakeCloud(usage={"cores": (10, 4), "instances": (-1, 50)})
    make_launcher(cloud).check_quotas(make_plan(count=3))


def _interrupt_after_clone(cloud, plan):
    """A launch whose driver died after creating the volume (Horizon restarted)."""
    (rec,) = plan.records()
    volume_id = cloud.create_volume("vm-boot", 20, "lightbits", "img-1", record.encode(rec))
    return record.decode(cloud.volumes[volume_id]["metadata"]), volume_id


def test_interrupted_launch_can_be_finished():
    cloud = FakeCloud()
    plan = make_plan()
    rec, volume_id = _interrupt_after_clone(cloud, plan)
    outcome = make_launcher(cloud).finish(rec, volume_id)
    assert outcome.ok
    assert cloud.volumes[volume_id]["metadata"]["lightbits_launch_state"] == "active"
    (boot,) = cloud.called("boot_server")
    assert boot[3] == plan.spec


def test_interrupted_after_boot_is_finished_without_booting_twice():
    cloud = FakeCloud()
    rec, volume_id = _interrupt_after_clone(cloud, make_plan())
    cloud.get_volume(volume_id), cloud.get_volume(volume_id)
    cloud.boot_server("vm", rec.spec, volume_id)  # booted, but the id was never recorded
    outcome = make_launcher(cloud).finish(rec.with_(state=record.BOOTING), volume_id)
    assert outcome.ok
    assert len(cloud.called("boot_server")) == 1


def test_interrupted_launch_can_be_cleaned_up():
    cloud = FakeCloud()
    rec, volume_id = _interrupt_after_clone(cloud, make_plan(delete_on_terminate=False))
    cloud.get_volume(volume_id), cloud.get_volume(volume_id)
    server_id = cloud.boot_server("vm", rec.spec, volume_id)
    cloud.add_volume("vol-other", "keep-me")
    left = make_launcher(cloud).clean_up(rec, volume_id)
    assert left == []
    assert server_id not in cloud.servers and volume_id not in cloud.volumes
    assert "vol-other" in cloud.volumes


def test_summary_single_instance():
    cloud = FakeCloud(boot={"vm": "ERROR:boom"})
    outcomes = make_launcher(cloud).run(make_plan())
    assert english(summarize(outcomes)) == "vm failed: the server went to ERROR: boom"


def test_bookkeeping_failure_never_rolls_back_an_active_server():
    cloud = FakeCloud()
    real_set = cloud.set_metadata

    def set_metadata(volume_id, metadata):
        if metadata.get("lightbits_launch_state") == "active":
            raise RuntimeError("Cinder API unavailable")
        real_set(volume_id, metadata)

    cloud.set_metadata = set_metadata
    (outcome,) = make_launcher(cloud).run(make_plan())
    assert outcome.ok
    assert not cloud.called("delete_server") and not cloud.called("delete_volume")


def test_transient_poll_errors_are_retried():
    cloud = FakeCloud()
    real_get = cloud.get_server
    failures = iter([RuntimeError("503"), RuntimeError("503")])

    def get_server(server_id):
        error = next(failures, None)
        if error:
            raise error
        return real_get(server_id)

    cloud.get_server = get_server
    (outcome,) = make_launcher(cloud).run(make_plan())
    assert outcome.ok


def _interrupted_in_boot(cloud, behaviour="unscheduled:No valid host was found."):
    """Horizon stopped after Nova accepted the boot, before the server id was
    recorded; the server went to ERROR before its volume was attached."""
    cloud.boot["vm"] = behaviour
    rec, volume_id = _interrupt_after_clone(cloud, make_plan())
    cloud.get_volume(volume_id), cloud.get_volume(volume_id)
    server_id = cloud.boot_server("vm", rec.spec, volume_id)
    return rec.with_(state=record.BOOTING), volume_id, server_id


def test_clean_up_finds_an_unrecorded_server_and_deletes_it_then_the_volume():
    cloud = FakeCloud()
    rec, volume_id, server_id = _interrupted_in_boot(cloud)
    assert cloud.volumes[volume_id]["status"] == "reserved"
    left = make_launcher(cloud).clean_up(rec, volume_id)
    assert left == []
    assert cloud.servers == {} and cloud.volumes == {}
    deletes = [c[0] for c in cloud.calls if c[0] in ("delete_server", "delete_volume")]
    assert deletes[0] == "delete_server"


def test_finish_of_an_unrecorded_errored_server_fails_and_rolls_back():
    cloud = FakeCloud()
    rec, volume_id, server_id = _interrupted_in_boot(cloud)
    outcome = make_launcher(cloud).finish(rec, volume_id)
    assert not outcome.ok
    assert english(outcome.error) == "the server went to ERROR: No valid host was found."
    assert outcome.server_id == server_id and outcome.left_behind == ()
    assert len(cloud.called("boot_server")) == 1
    assert cloud.servers == {} and cloud.volumes == {}


def test_clean_up_that_cannot_delete_says_what_is_left_and_why():
    cloud = FakeCloud()
    rec, volume_id, server_id = _interrupted_in_boot(cloud)
    del cloud.servers[server_id]  # deleted elsewhere, but the volume stays reserved
    left = make_launcher(cloud).clean_up(rec, volume_id)
    assert left == [volume_id]
    metadata = cloud.volumes[volume_id]["metadata"]
    assert metadata["lightbits_launch_state"] == "error"
    assert english(record.read_message(metadata["lightbits_launch_message"])) == (
        "Clean up left: the boot volume is reserved and no server of this launch "
        "holds it (an admin can reset its state)"
    )


def test_a_long_multi_instance_summary_is_stored_cut_with_a_mark():
    cloud = FakeCloud(boot={f"{'v' * 60}-{i}": f"ERROR:{'x' * 80}" for i in (1, 2)})
    outcomes = make_launcher(cloud).run(make_plan(count=3, name="v" * 60))
    summary = summarize(outcomes)
    assert len(record.encode_message(summary, limit=10**6)) > record.CHUNK
    (active,) = [o for o in outcomes if o.ok]
    stored = cloud.volumes[active.volume_id]["metadata"]["lightbits_launch_message"]
    assert len(stored) <= record.CHUNK
    # still the summary's code and counts; the clouds' long words are cut, marked
    back = record.read_message(stored)
    assert (back.code, back.params["launched"], back.params["total"]) == ("launched_some", 1, 3)
    text = english(back)
    assert text.startswith("1 of 3 launched; " + "v" * 60 + "-1 failed: ") and "\u2026" in text


def test_no_weighted_backend_says_what_it_usually_means_for_lightbits():
    error = "No valid backend was found. Could not find any available weighted backend."
    cloud = FakeCloud(clone={"vm": f"error:{error}"})
    (outcome,) = make_launcher(cloud).run(make_plan())
    assert english(outcome.error).startswith(f"boot volume vm-boot went to error: {error} (for a ")
    assert "its driver cannot reach the Lightbits cluster" in english(outcome.error)


def test_a_clone_on_a_backend_that_is_down_fails_at_once_with_the_reason():
    cloud = FakeCloud(clone={"vm": "stuck"})  # Cinder's driver retries the cluster
    reason = msg("cluster_down", time="12:00:00")
    down = {"": reason}
    launcher = make_launcher(cloud, clone_timeout=300, backend_down=down.get)
    (outcome,) = launcher.run(make_plan())
    assert not outcome.ok and outcome.error == reason
    assert launcher.clock() < 30  # not the clone time-out
    # its row says so while the rollback waits for Cinder to allow the delete
    (volume_id,) = cloud.volumes
    metadata = cloud.volumes[volume_id]["metadata"]
    assert metadata["lightbits_launch_state"] == "error"
    assert record.read_message(metadata["lightbits_launch_message"]) == reason
    assert outcome.left_behind == (volume_id,)  # still creating after cleanup_timeout


def test_a_clone_on_a_backend_that_answers_is_not_stopped():
    cloud = FakeCloud()
    (outcome,) = make_launcher(cloud, backend_down=lambda volume_type: None).run(make_plan())
    assert outcome.ok
