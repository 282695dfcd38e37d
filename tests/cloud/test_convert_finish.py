"""Finish an interrupted conversion on the real services: the driver "died"
right after Cinder accepted the temporary volume (stage copying, recorded in
its metadata); Finish resumes there: Cinder's copy, the upload (a clone),
Glance's registration, the metadata; nothing left behind."""

import dataclasses

from lightbits_dashboard.convert import client_ops, engine, record
from tests.cloud.conftest import volume_status, wait_for
from tests.cloud.test_convert import (  # noqa: F401 (the fixture)
    converter,
    delete_image_and_wait,
    leftovers,
    plan_for,
    qcow2_source,
)


def test_finish_resumes_a_conversion_interrupted_while_copying(
    cloud,
    admin,
    qcow2_source,  # noqa: F811 (the fixture imported above)
    cleanup,
):
    source, _member = qcow2_source
    plan = plan_for(cloud, admin, source.id)
    ops = client_ops.ClientCloudOps(admin.cinder, admin.glance, admin.project_id)
    rec = plan.record.with_(stage=record.COPYING)
    # what run() does first, then its thread is gone
    volume_id = ops.create_volume(
        record.temporary_volume_name(source.id),
        plan.volume_size,
        plan.volume_type,
        source.id,
        record.encode(rec),
    )
    cleanup.add(admin.cinder.volumes.delete, volume_id)
    read = record.decode(admin.cinder.volumes.get(volume_id).metadata)
    assert read.stage == record.COPYING
    conv = converter(ops)
    step, refusal = conv.resume_point(read, volume_id)
    assert (step, refusal) == (engine.STEP_COPY, None)

    outcome = conv.finish(dataclasses.replace(plan, record=read), volume_id, step)
    if outcome.record.image_id:
        cleanup.add(delete_image_and_wait, admin.glance, outcome.record.image_id)
    assert outcome.ok, outcome
    assert outcome.record.route == record.ROUTE_CLONE and outcome.left_behind == ()
    new = admin.glance.images.get(outcome.record.image_id)
    assert (new.disk_format, new.status, new.min_ram) == ("raw", "active", 64)
    assert admin.glance.images.get(source.id)[record.CONVERTED_TO] == new.id
    wait_for("temporary volume gone", lambda: volume_status(admin.cinder, volume_id) is None)
    assert leftovers(admin, plan) == [new.id]  # only the new image
    # a second Finish is refused: nothing is interrupted any more
    step, refusal = conv.resume_point(outcome.record, volume_id)
    assert step is None and refusal[0] == engine.FINISH_NOT_INTERRUPTED
