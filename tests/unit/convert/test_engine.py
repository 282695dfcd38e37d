"""Each stage's success, failure and rollback, against a scripted cloud."""

import types

import pytest

from lightbits_dashboard.convert import client_ops, engine, record
from lightbits_dashboard.launch.orchestrator import VolumeState
from tests.unit.convert.fake_cloud import FakeCloud, source
from tests.unit.launch.fake_cloud import FakeClock

SOURCE = source(
    id="src",
    visibility="shared",
    size=10,
    virtual_size=2 * 1024**3,
    min_disk=1,
    min_ram=64,
    protected=True,
    tags=("gold",),
    properties={"hw_disk_bus": "scsi", "owner_specified.openstack.md5": "x", "os_hidden": False},
    members=("p9",),
)


def plan(replace=False):
    rec = record.ConversionRecord("c1", "src", "cirros", "cirros-raw", replace)
    return engine.Plan(rec, SOURCE, "lightbits", 2, ("lightbits",))


def convert(cloud, replace=False, **kw):
    clock = FakeClock()
    stages = []
    conv = engine.Converter(
        cloud,
        copy_timeout=30,
        upload_timeout=30,
        cleanup_timeout=10,
        poll_interval=1,
        clock=clock,
        sleep=clock.sleep,
        on_stage=lambda rec: stages.append(rec.stage),
        **kw,
    )
    return conv.run(plan(replace)), stages, conv


def test_stages_to_active_carry_metadata_and_delete_the_temporary_volume():
    cloud = FakeCloud()
    outcome, stages, _ = convert(cloud, replace=True)
    assert outcome.ok and outcome.left_behind == () and outcome.warning == ""
    assert stages == ["copying", "converting", "converting", "registering", "registering"]
    new = outcome.record.image_id
    assert cloud.calls[0] == ("create_volume", "lb-convert-src", 2, "lightbits", "src")
    assert ("upload_to_image", "vol-1", "cirros-raw", "shared") in cloud.calls
    props = cloud.images[new]["props"]
    assert props["min_disk"] == 1 and props["min_ram"] == 64 and props["hw_disk_bus"] == "scsi"
    assert "owner_specified.openstack.md5" not in props and "os_hidden" not in props
    assert props[record.CONVERTED_FROM] == "src" and props[record.IMAGE_STATE] == "active"
    assert props[record.IMAGE_ROUTE] == "clone"
    assert cloud.images[new]["protected"] is True
    assert ("add_tags", new, ("gold",)) in cloud.calls
    assert ("add_members", new, ("p9",)) in cloud.calls
    assert cloud.images["src"]["props"] == {record.CONVERTED_TO: new, "os_hidden": True}
    assert cloud.volumes == {}  # the temporary volume is gone
    assert set(cloud.images) == {"src", new}  # the source is never deleted


def test_the_new_image_volume_keeps_none_of_the_conversions_working_metadata():
    """Cinder's clone of the temporary volume copies its metadata (stage
    converting and the rest): the conversion removes it there."""
    cloud = FakeCloud()
    outcome, _, _ = convert(cloud)
    assert outcome.ok
    image_volume = cloud.image_volumes[f"image-{outcome.record.image_id}"]
    assert not [k for k in image_volume["metadata"] if k.startswith(record.PREFIX)]


def test_the_new_image_carries_its_sources_virtual_size():
    """Glance's virtual_size is read-only: the source's is kept in a property."""
    cloud = FakeCloud()
    outcome, _, _ = convert(cloud)
    props = cloud.images[outcome.record.image_id]["props"]
    assert record.source_virtual_size(props) == SOURCE.virtual_size


def test_no_metadata_written_while_the_volume_uploads():
    cloud = FakeCloud()
    outcome, _, _ = convert(cloud)
    assert outcome.ok
    writes = [c for c in cloud.calls if c[0] == "set_volume_metadata"]
    # converting (before the upload), then registering with the image id, the route
    stages = [c[2]["lightbits_convert_stage"] for c in writes]
    assert stages == ["converting", "registering", "registering"]
    assert writes[1][2]["lightbits_convert_image_id"] == outcome.record.image_id


def test_without_replace_the_source_is_not_hidden():
    cloud = FakeCloud()
    outcome, _, _ = convert(cloud)
    assert cloud.images["src"]["props"] == {record.CONVERTED_TO: outcome.record.image_id}


def test_upload_through_glance_is_said():
    outcome, _, _ = convert(FakeCloud(route="glance"))
    assert outcome.ok and outcome.warning == engine.THROUGH_GLANCE
    assert outcome.record.route == record.ROUTE_GLANCE


def test_an_image_glance_never_hashes_is_active_with_a_warning():
    """Boot volumes clone only once Glance stopped reading the image volume."""
    outcome, _, _ = convert(FakeCloud(unhashed=True), hash_timeout=5)
    assert outcome.ok and outcome.warning == engine.NOT_HASHED


def test_a_glance_that_does_not_hash_locations_is_not_waited_for():
    """Glance 28 (2024.1) never hashes a location Cinder registers: no wait
    (which would end in NOT_HASHED for this never-hashed image), no warning."""
    outcome, _, _ = convert(FakeCloud(unhashed=True, glance_hashes=False), hash_timeout=30)
    assert outcome.ok and not outcome.warning, outcome


@pytest.mark.parametrize(
    "versions,hashes",
    [(["v2.16", "v2.15"], False), (["v2.18", "v2.17", "v2.16"], True), (None, True)],
)
def test_glance_hashes_locations_from_its_versions(versions, hashes):
    class Http:
        def get(self, url):
            assert url == "/versions"
            if versions is None:
                raise OSError("no answer")
            return None, {"versions": [{"id": v} for v in versions]}

    glance = types.SimpleNamespace(http_client=Http())
    ops = client_ops.ClientCloudOps(None, glance, "p1")
    assert ops.glance_hashes_locations() is hashes
    assert ops.glance_hashes_locations() is hashes  # asked once


def failed(outcome, stage, code):
    assert not outcome.ok
    assert (outcome.record.failed_stage, outcome.record.error) == (stage, code)
    assert outcome.record.stage == record.ERROR


@pytest.mark.parametrize(
    "script,stage,code,reason",
    [
        ({"create": "refuse"}, "copying", engine.CREATE_REFUSED, "VolumeLimitExceeded"),
        ({"copy": "error"}, "copying", engine.VOLUME_ERROR, "qemu-img failed"),
        ({"copy": "vanish"}, "copying", engine.VOLUME_GONE, ""),
        ({"upload": "refuse"}, "converting", engine.UPLOAD_REFUSED, "Invalid volume"),
        ({"upload": "error"}, "converting", engine.VOLUME_ERROR, "qemu-img failed"),
        ({"image": "killed"}, "registering", engine.IMAGE_FAILED, "killed"),
        ({"image": "stuck"}, "registering", engine.TIMEOUT, "30"),
        ({"stores": ("file",)}, "registering", engine.NOT_ON_LIGHTBITS, "file"),
        ({"fail_update": "new"}, "registering", engine.METADATA_REFUSED, "403 Forbidden"),
        ({"fail_update": "source"}, "registering", engine.METADATA_REFUSED, "403 Forbidden"),
        ({"fail_update": "protect"}, "registering", engine.METADATA_REFUSED, "403 Forbidden"),
    ],
)
def test_each_stage_failure_says_where_and_why_and_leaves_nothing(script, stage, code, reason):
    cloud = FakeCloud(**script)
    outcome, stages, _ = convert(cloud, replace=True)
    failed(outcome, stage, code)
    assert outcome.record.reason == reason
    assert stages[-1] == record.ERROR
    assert outcome.left_behind == ()
    assert cloud.volumes == {}
    assert set(cloud.images) == {"src"}
    # the source's pointer and hiding are undone
    assert record.CONVERTED_TO not in cloud.images["src"]["props"]
    assert cloud.images["src"]["props"].get("os_hidden") in (None, False)


def test_a_copy_that_never_ends_is_left_marked_failed():
    """Cinder does not delete a volume still creating: it stays, its record says why."""
    cloud = FakeCloud(copy="stuck")
    outcome, _, _ = convert(cloud)
    failed(outcome, "copying", engine.TIMEOUT)
    assert outcome.left_behind == ("vol-1",)
    left = record.decode(cloud.volumes["vol-1"]["metadata"])
    assert (left.stage, left.error, left.failed_stage) == ("error", "timeout", "copying")


def test_rollback_deletes_a_clone_cinder_left_and_retries_a_busy_image_delete():
    cloud = FakeCloud(image="killed", orphan=True, delete_image_refusals=2)
    outcome, _, _ = convert(cloud)
    failed(outcome, "registering", engine.IMAGE_FAILED)
    assert outcome.left_behind == ()
    assert cloud.names().count("delete_image") == 3
    assert "orphan" not in cloud.volumes and set(cloud.images) == {"src"}


def test_what_rollback_cannot_delete_is_reported_and_recorded():
    cloud = FakeCloud(image="killed", delete_image_refusals=99)
    outcome, _, _ = convert(cloud)
    assert outcome.left_behind == (outcome.record.image_id,)


def test_an_interrupted_conversion_is_cleaned_up_from_its_record():
    cloud = FakeCloud()
    vid = cloud.create_volume("lb-convert-src", 2, "lightbits", "src", {})
    cloud.set_status(vid, "available")
    image_id = cloud.upload_to_image(vid, "cirros-raw", "private")
    cloud.set_status(vid, "available")
    cloud.images["src"]["props"][record.CONVERTED_TO] = image_id
    _, _, conv = convert(FakeCloud())
    conv.ops = cloud
    rec = plan().record.with_(stage=record.REGISTERING, image_id=image_id)
    assert conv.clean_up(rec, vid) == []
    assert cloud.volumes == {} and set(cloud.images) == {"src"}
    assert record.CONVERTED_TO not in cloud.images["src"]["props"]


def test_interrupted_while_uploading_finds_the_half_made_image_by_name():
    cloud = FakeCloud(image="stuck")
    vid = cloud.create_volume("lb-convert-src", 2, "lightbits", "src", {})
    cloud.upload_to_image(vid, "cirros-raw", "private")
    cloud.set_status(vid, "available")
    _, _, conv = convert(FakeCloud())
    conv.ops = cloud
    rec = plan().record.with_(stage=record.CONVERTING)
    assert conv.clean_up(rec, vid) == []
    assert cloud.volumes == {} and set(cloud.images) == {"src"}


# -- Finish: resuming an interrupted conversion from its recorded stage ----------


def interrupted(cloud, stage, volume_status="available", **rec_changes):
    """A conversion whose driver stopped at ``stage``: its temporary volume in
    ``volume_status``; the converter over ``cloud``."""
    vid = cloud.create_volume("lb-convert-src", 2, "lightbits", "src", {})
    cloud.set_status(vid, volume_status, ["available"] if volume_status == "downloading" else [])
    _, _, conv = convert(FakeCloud())
    conv.ops = cloud
    return conv, vid, plan(replace=True).record.with_(stage=stage, **rec_changes)


def finish(conv, rec, vid):
    step, refusal = conv.resume_point(rec, vid)
    assert refusal is None, refusal
    return step, conv.finish(engine.Plan(rec, SOURCE, "lightbits", 2, ("lightbits",)), vid, step)


@pytest.mark.parametrize("status", ["downloading", "available"])
def test_finish_while_copying_waits_for_the_copy_then_uploads(status):
    cloud = FakeCloud()
    conv, vid, rec = interrupted(cloud, record.COPYING, status)
    step, outcome = finish(conv, rec, vid)
    assert step == engine.STEP_COPY
    assert outcome.ok and outcome.record.stage == record.ACTIVE, outcome
    assert [c for c in cloud.names() if c == "create_volume"] == ["create_volume"]  # not twice
    assert ("upload_to_image", vid, "cirros-raw", "shared") in cloud.calls
    assert cloud.volumes == {}  # the temporary volume is deleted once done
    new = outcome.record.image_id
    assert cloud.images["src"]["props"] == {record.CONVERTED_TO: new, "os_hidden": True}


def test_finish_while_converting_uploads_when_no_upload_began():
    cloud = FakeCloud()
    conv, vid, rec = interrupted(cloud, record.CONVERTING)
    step, outcome = finish(conv, rec, vid)
    assert step == engine.STEP_UPLOAD
    assert outcome.ok and cloud.names().count("upload_to_image") == 1
    assert set(cloud.images) == {"src", outcome.record.image_id}


def test_finish_when_the_image_is_registered_carries_the_metadata():
    cloud = FakeCloud()
    conv, vid, rec = interrupted(cloud, record.REGISTERING)
    image_id = cloud.upload_to_image(vid, "cirros-raw", "shared")
    cloud.set_status(vid, "available")
    rec = rec.with_(image_id=image_id)
    step, outcome = finish(conv, rec, vid)
    assert step == engine.STEP_REGISTER
    assert outcome.ok and outcome.record.image_id == image_id
    assert cloud.names().count("upload_to_image") == 1  # the test's own: none again
    props = cloud.images[image_id]["props"]
    assert props["min_disk"] == 1 and props[record.IMAGE_STATE] == record.ACTIVE
    assert ("add_members", image_id, ("p9",)) in cloud.calls
    assert cloud.volumes == {}


def test_finish_that_fails_rolls_back_as_a_run_does():
    cloud = FakeCloud(image="killed")
    conv, vid, rec = interrupted(cloud, record.REGISTERING)
    image_id = cloud.upload_to_image(vid, "cirros-raw", "shared")
    cloud.set_status(vid, "available")
    cloud.images["src"]["props"].update({record.CONVERTED_TO: image_id, "os_hidden": True})
    step, outcome = finish(conv, rec.with_(image_id=image_id), vid)
    assert not outcome.ok and outcome.record.error == engine.IMAGE_FAILED
    assert outcome.record.failed_stage == record.REGISTERING
    assert cloud.volumes == {} and set(cloud.images) == {"src"}
    assert cloud.images["src"]["props"] == {"os_hidden": False}  # pointer and hiding undone


@pytest.mark.parametrize(
    ("stage", "status", "setup", "code"),
    [
        (record.ACTIVE, "available", None, engine.FINISH_NOT_INTERRUPTED),
        (record.ERROR, "available", None, engine.FINISH_NOT_INTERRUPTED),
        (record.COPYING, "error", None, engine.FINISH_VOLUME_FAILED),
        (record.COPYING, None, None, engine.FINISH_VOLUME_GONE),
        (record.CONVERTING, "uploading", None, engine.FINISH_UPLOAD_UNKNOWN),
        (record.CONVERTING, "available", "half-made", engine.FINISH_UPLOAD_UNKNOWN),
        (record.CONVERTING, "error", None, engine.FINISH_VOLUME_FAILED),
        (record.REGISTERING, "available", "no-image-id", engine.FINISH_UPLOAD_UNKNOWN),
        (record.REGISTERING, "error", None, engine.FINISH_VOLUME_FAILED),
    ],
)
def test_finish_refuses_what_it_cannot_resume_safely(stage, status, setup, code):
    cloud = FakeCloud(image="stuck")
    conv, vid, rec = interrupted(cloud, stage, status or "available")
    if status is None:
        del cloud.volumes[vid]
    if status == "uploading":  # the fake moves an upload on when polled: held here
        cloud.get_volume = lambda volume_id: VolumeState("uploading", "", {})
    if setup == "half-made":
        cloud.images["img-x"] = {"status": "queued", "props": {}, "protected": False}
    if stage == record.REGISTERING and setup != "no-image-id":
        rec = rec.with_(image_id="img-x")
    step, refusal = conv.resume_point(rec, vid)
    assert step is None and refusal[0] == code
    assert cloud.names() == ["create_volume"]  # nothing done but the test's own
