"""The launch engine tells clone from copy on the real services.

The plugin's Launcher (its default volume poll interval) drives real launches
through a small CloudOps over the demo user's official clients: from the
raw seed image it records "clone", from the qcow2 seed image "copy" (Cinder's
download path), each checked against the Lightbits side (a clone has a
source snapshot); "Require fast clone" stops the qcow2 launch and deletes
its boot volume.
"""

import pytest
import requests
from cinderclient import exceptions as cinder_exc
from novaclient import exceptions as nova_exc

from lightbits_dashboard.launch import clone_check, record
from lightbits_dashboard.launch.orchestrator import Launcher, LaunchPlan, ServerState, VolumeState
from lightbits_dashboard.message import msg
from tests.cloud.conftest import (
    delete_server_and_wait,
    delete_volume_and_wait,
    volume_status,
    wait_for,
)


class ClientOps:
    """orchestrator.CloudOps over cinderclient/novaclient (as the demo user)."""

    def __init__(self, os_):
        self.cinder, self.nova = os_.cinder, os_.nova
        self.created_volumes, self.created_servers = [], []

    def quota_usage(self, volume_type):
        return {}

    def create_volume(self, name, size, volume_type, image_id, metadata):
        volume = self.cinder.volumes.create(
            size, name=name, volume_type=volume_type, imageRef=image_id, metadata=metadata
        )
        self.created_volumes.append(volume.id)
        return volume.id

    def get_volume(self, volume_id):
        try:
            volume = self.cinder.volumes.get(volume_id)
        except cinder_exc.NotFound:
            return None
        return VolumeState(volume.status, "", dict(volume.metadata or {}))

    def delete_volume(self, volume_id):
        self.cinder.volumes.delete(volume_id)

    def set_metadata(self, volume_id, metadata):
        self.cinder.volumes.set_metadata(volume_id, metadata)

    def delete_metadata(self, volume_id, keys):
        self.cinder.volumes.delete_metadata(volume_id, list(keys))

    def boot_server(self, name, spec, volume_id):
        server = self.nova.servers.create(
            name,
            image=None,
            flavor=spec.flavor,
            block_device_mapping_v2=[
                {
                    "source_type": "volume",
                    "destination_type": "volume",
                    "uuid": volume_id,
                    "boot_index": 0,
                    "delete_on_termination": True,
                }
            ],
            nics=[{"net-id": n} for n in spec.networks],
            meta={record.SERVER_MARK: volume_id},
        )
        self.created_servers.append(server.id)
        return server.id

    def get_server(self, server_id):
        try:
            server = self.nova.servers.get(server_id)
        except nova_exc.NotFound:
            return None
        return ServerState(server.status, str(getattr(server, "fault", "") or ""))

    def delete_server(self, server_id):
        self.nova.servers.delete(server_id)

    def find_server(self, volume_id, server_name):
        return None


@pytest.fixture
def ops(demo):
    ops = ClientOps(demo)
    yield ops
    for server_id in ops.created_servers:
        delete_server_and_wait(demo.nova, server_id)
    for volume_id in ops.created_volumes:
        delete_volume_and_wait(demo.cinder, volume_id)


def launch(ops, cloud, image, name, **plan_fields):
    plan = LaunchPlan(
        name=name,
        count=1,
        image_id=cloud["images"][image],
        volume_size=1,
        volume_type=cloud["volume_type"]["name"],
        spec=record.ServerSpec(
            flavor=cloud["flavors"]["m1.tiny"], networks=(cloud["networks"]["private"],)
        ),
        **plan_fields,
    )
    launcher = Launcher(ops, clone_timeout=240, boot_timeout=240, cleanup_timeout=240)
    assert launcher.volume_poll_interval == 0.5  # the default the product runs with
    (outcome,) = launcher.run(plan)
    return outcome


def test_a_raw_launch_is_recorded_clone_and_a_qcow2_launch_copy(ops, cloud, demo, lightbits):
    raw = launch(ops, cloud, "raw", "ct-made-raw", expected=clone_check.CLONE)
    assert raw.ok, raw.error
    qcow2 = launch(ops, cloud, "qcow2", "ct-made-qcow2", expected=clone_check.COPY)
    assert qcow2.ok, qcow2.error

    for outcome, kind in ((raw, clone_check.CLONE), (qcow2, clone_check.COPY)):
        rec = record.decode(demo.cinder.volumes.get(outcome.volume_id).metadata)
        assert (rec.made, rec.state) == (kind, record.ACTIVE), rec
        assert rec.made_seconds is not None and rec.made_seconds > 0
    # the Lightbits side agrees: a clone has a source snapshot, a copy none
    assert lightbits.volume_of(raw.volume_id)["sourceSnapshotName"]
    assert not lightbits.volume_of(qcow2.volume_id)["sourceSnapshotName"]


def test_a_clone_the_driver_fails_is_a_silent_copy_the_launch_sees(ops, cloud, lightbits):
    """The LightOS driver's clone fails (its snapshot create is refused with a
    409, which it does not retry): Cinder
    falls back to a download without a word (create_volume.py 783-786); the
    launch records the copy, which the Launches page warns about."""
    faults = lightbits.base + "/_emulator/faults"
    rule = {"kind": "status", "method": "POST", "path": "/snapshots", "status": 409}
    requests.post(
        faults, json=rule, headers=lightbits._headers, verify=lightbits.ca_file, timeout=10
    ).raise_for_status()
    try:
        outcome = launch(ops, cloud, "raw", "ct-silent-copy", expected=clone_check.CLONE)
    finally:
        requests.delete(faults, headers=lightbits._headers, verify=lightbits.ca_file, timeout=10)
    assert outcome.ok, outcome.error
    rec = outcome.record
    assert rec.made == clone_check.COPY, rec
    assert clone_check.Made(rec.made, rec.made_seconds, rec.expected).unexpected_copy
    assert not lightbits.volume_of(outcome.volume_id)["sourceSnapshotName"]


def test_require_fast_clone_stops_the_qcow2_launch_and_deletes_its_volume(ops, cloud, demo):
    outcome = launch(ops, cloud, "qcow2", "ct-refuse-qcow2", require_clone=True)
    assert not outcome.ok
    assert outcome.error == msg(clone_check.COPY_REFUSED)
    assert outcome.record.made == clone_check.COPY
    assert outcome.left_behind == ()
    assert not ops.created_servers
    (volume_id,) = ops.created_volumes
    # the rollback asked Cinder to delete it (done once it is "deleting")
    wait_for(
        "the refused boot volume deleted", lambda: volume_status(demo.cinder, volume_id) is None
    )


class ProbeOps:
    """clone_probe's ops over the admin's cinderclient and the Lightbits API."""

    def __init__(self, os_, lightbits):
        self.cinder, self.lightbits, self.created = os_.cinder, lightbits, []

    def create_volume(self, name, size, volume_type, image_id, metadata):
        volume = self.cinder.volumes.create(
            size, name=name, volume_type=volume_type, imageRef=image_id, metadata=metadata
        )
        self.created.append(volume.id)
        return volume.id

    def volume_status(self, volume_id):
        return volume_status(self.cinder, volume_id)

    def delete_volume(self, volume_id):
        self.cinder.volumes.delete(volume_id)

    def lightbits_source(self, volume_id):
        found = self.lightbits.volume_of(volume_id)
        return None if found is None else bool(found["sourceSnapshotName"])


@pytest.mark.parametrize(("image", "kind"), [("raw", "clone"), ("qcow2", "copy")])
def test_the_probe_tells_clone_from_copy_and_leaves_nothing(admin, cloud, lightbits, image, kind):
    from lightbits_dashboard import clone_probe

    ops = ProbeOps(admin, lightbits)
    try:
        result = clone_probe.Prober(ops, timeout=180).run(
            cloud["images"][image], cloud["volume_type"]["name"], 1, f"ct-probe-{image}"
        )
        assert (result.kind, result.error) == (kind, ""), result
        assert result.lightbits_clone is (True if kind == "clone" else None)
        assert result.deleting_later is (kind == "copy") and not result.left_behind
        (volume_id,) = ops.created
        wait_for(
            "the probe volume deleted", lambda: volume_status(admin.cinder, volume_id) is None
        )
        assert lightbits.volume_of(volume_id) is None
    finally:
        for volume_id in ops.created:
            delete_volume_and_wait(admin.cinder, volume_id)
