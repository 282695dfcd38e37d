"""A launch from a snapshot image: every volume from its snapshot, Nova's bdm,
quotas for all volumes, verification per volume, rollback of all of them."""

import pytest

from lightbits_dashboard import snapshot_image as si
from lightbits_dashboard import snapshot_path as sp
from lightbits_dashboard.launch import clone_check, record, snapshot_plan
from lightbits_dashboard.launch.orchestrator import LaunchPlan, QuotaRefused, VolumeState
from tests.unit.launch.fake_cloud import FakeCloud
from tests.unit.launch.test_orchestrator import make_launcher

ROOT = si.SnapshotEntry("s-root", 2, "/dev/vda", 0, True, disk_bus="virtio")
DATA = si.SnapshotEntry("s-data", 1, "/dev/vdb", None, False)
LB = {"lightbits"}


def snapshot_path(root_type=None, min_disk=0, root_status="available"):
    snapshots = {
        "s-root": {"id": "s-root", "volume_id": "v1", "status": root_status, "size": 2},
        "s-data": {"id": "s-data", "volume_id": "v2", "status": "available", "size": 1},
    }
    volumes = {
        "v1": {"id": "v1", "volume_type": "lightbits"},
        "v2": {"id": "v2", "volume_type": "lightbits"},
    }
    types = sp.type_facts(
        [{"name": "lightbits", "extra_specs": {"volume_backend_name": "lightbits"}}]
    )
    return sp.snapshot_path(
        [ROOT, DATA], snapshots, volumes, types, LB, root_type=root_type, min_disk=min_disk
    )


def requests(**kwargs):
    found, refusals = snapshot_plan.volume_requests(snapshot_path(), **kwargs)
    assert refusals == []
    return found


class SnapshotCloud(FakeCloud):
    """FakeCloud with creates from snapshots, bdm boots and a Lightbits side.

    lightbits: volume name -> "clone" (default), "copy" or "unseen"."""

    def __init__(self, lightbits=None, **kwargs):
        super().__init__(**kwargs)
        self.lightbits = lightbits or {}

    def create_volume_from_snapshot(self, name, size, volume_type, snapshot_id, metadata):
        volume_id = self.create_volume(name, size, volume_type, None, metadata)
        self.calls[-1] = ("create_from_snapshot", name, size, volume_type, snapshot_id)
        self.volumes[volume_id]["snapshot_id"] = snapshot_id
        return volume_id

    def get_volume(self, volume_id):
        state = super().get_volume(volume_id)
        if state is None:
            return None
        return VolumeState(
            state.status,
            state.error,
            state.metadata,
            snapshot_id=self.volumes[volume_id]["snapshot_id"],
        )

    def boot_server_bdm(self, name, spec, block_device_mapping, boot_volume_id):
        server_id = self.boot_server(name, spec, boot_volume_id)
        self.calls[-1] = ("boot_server_bdm", name, block_device_mapping)
        self.servers[server_id]["bdm"] = block_device_mapping
        for entry in block_device_mapping[1:]:
            self.set_status(entry["uuid"], "in-use")
        return server_id

    def delete_server(self, server_id):
        bdm = self.servers[server_id].get("bdm", [])
        super().delete_server(server_id)
        for entry in bdm[1:]:
            if entry["delete_on_termination"]:
                self.volumes.pop(entry["uuid"], None)
            elif entry["uuid"] in self.volumes:
                self.set_status(entry["uuid"], "available")

    def lightbits_volume(self, volume_id):
        volume = self.volumes.get(volume_id)
        how = self.lightbits.get(volume["name"], "clone")
        if how == "unseen":
            return None
        if how == "copy":
            return {"name": f"volume-{volume_id}"}
        return {
            "name": f"volume-{volume_id}",
            "sourceSnapshotName": f"snapshot-{volume['snapshot_id']}",
        }


def plan(count=1, require_clone=False, **kwargs):
    return LaunchPlan(
        name="vm",
        count=count,
        image_id="golden-1",
        volume_size=0,
        volume_type=None,
        spec=record.ServerSpec(flavor="m1"),
        vcpus=1,
        ram_mb=512,
        require_clone=require_clone,
        volumes=requests(**kwargs),
    )


# -- the plan ------------------------------------------------------------------
def test_requests_follow_the_image_entries_and_sizes():
    root, data = requests()
    assert (
        root.role,
        root.snapshot_id,
        root.size,
        root.boot_index,
        root.delete_on_termination,
    ) == (
        "root",
        "s-root",
        2,
        0,
        True,
    )
    assert (
        data.role,
        data.snapshot_id,
        data.size,
        data.boot_index,
        data.delete_on_termination,
    ) == (
        "data",
        "s-data",
        1,
        None,
        False,
    )
    assert root.volume_name("vm-2") == "vm-2-boot" and data.volume_name("vm-2") == "vm-2-data-1"
    assert root.quota_type == "lightbits" and root.volume_type is None


def test_root_size_min_disk_and_the_users_delete_choice():
    root = requests(root_size=10, root_delete_on_termination=False)[0]
    assert root.size == 10 and not root.delete_on_termination
    found, _ = snapshot_plan.volume_requests(snapshot_path(min_disk=5))
    assert found[0].size == 5


def test_a_size_below_the_snapshot_and_a_blocked_path_are_refused_up_front():
    _, refusals = snapshot_plan.volume_requests(snapshot_path(), root_size=1)
    assert [r.code for r in refusals] == [snapshot_plan.SIZE_BELOW_SNAPSHOT]
    _, refusals = snapshot_plan.volume_requests(snapshot_path(root_status="error"))
    assert [r.code for r in refusals] == [sp.SNAPSHOT_ERROR]


def test_nova_bdm_per_server():
    bdm = snapshot_plan.block_device_mapping(requests(), ["vol-r", "vol-d"])
    assert bdm == [
        {
            "source_type": "volume",
            "destination_type": "volume",
            "uuid": "vol-r",
            "boot_index": 0,
            "delete_on_termination": True,
            "device_name": "/dev/vda",
            "disk_bus": "virtio",
        },
        {
            "source_type": "volume",
            "destination_type": "volume",
            "uuid": "vol-d",
            "boot_index": -1,
            "delete_on_termination": False,
            "device_name": "/dev/vdb",
        },
    ]


def test_quota_demand_counts_every_volume_of_every_instance():
    needs = snapshot_plan.quota_needs(3, requests(root_size=10), vcpus=2, ram_mb=512)
    assert needs["volumes"] == 6 and needs["gigabytes"] == 33
    assert needs["volumes_lightbits"] == 6 and needs["gigabytes_lightbits"] == 33
    assert needs["instances"] == 3 and needs["cores"] == 6


def test_quota_refusal_before_anything_is_made():
    cloud = SnapshotCloud(usage={"volumes": (10, 7)})
    with pytest.raises(QuotaRefused) as refused:
        make_launcher(cloud).check_quotas(plan(count=2))
    assert refused.value.messages[0].params["name"] == "volumes"
    assert refused.value.messages[0].params["needs"] == 4


# -- the launch -----------------------------------------------------------------
def test_every_volume_from_its_snapshot_then_one_server_on_all():
    cloud = SnapshotCloud()
    (outcome,) = make_launcher(cloud).run(plan())
    assert outcome.ok
    creates = cloud.called("create_from_snapshot")
    assert creates == [
        ("create_from_snapshot", "vm-boot", 2, None, "s-root"),
        ("create_from_snapshot", "vm-data-1", 1, None, "s-data"),
    ]
    (boot,) = cloud.called("boot_server_bdm")
    assert [e["uuid"] for e in boot[2]] == [outcome.volume_id, outcome.record.volumes[1].volume_id]
    rec = record.decode(cloud.volumes[outcome.volume_id]["metadata"])
    assert [v.made for v in rec.volumes] == [clone_check.CLONE, clone_check.CLONE]
    assert rec.made == clone_check.CLONE and rec.volumes[1].volume_id
    data_meta = cloud.volumes[rec.volumes[1].volume_id]["metadata"]
    assert record.decode(data_meta) is None  # not a row of its own on the Launches page
    assert data_meta["lightbits_launch_data_of"] == outcome.volume_id


def test_a_data_volume_in_error_rolls_back_every_volume():
    cloud = SnapshotCloud(clone={"vm-data-1": "error:no space"})
    (outcome,) = make_launcher(cloud).run(plan())
    assert not outcome.ok and outcome.error.code == "volume_error"
    assert outcome.error.params["volume"] == "vm-data-1"
    assert cloud.volumes == {} and not cloud.called("boot_server_bdm")


def test_a_refused_data_volume_deletes_the_root_already_made():
    cloud = SnapshotCloud(clone={"vm-data-1": "refuse:over quota"})
    (outcome,) = make_launcher(cloud).run(plan())
    assert not outcome.ok and outcome.error.code == "volume_refused"
    assert cloud.volumes == {} and outcome.left_behind == ()


def test_a_boot_failure_deletes_the_server_and_every_volume():
    cloud = SnapshotCloud(boot={"vm": "ERROR:no host"})
    (outcome,) = make_launcher(cloud).run(plan())
    assert not outcome.ok and cloud.volumes == {} and cloud.servers == {}


def test_require_clone_stops_a_volume_that_is_not_a_lightbits_clone():
    cloud = SnapshotCloud(lightbits={"vm-data-1": "copy"})
    (outcome,) = make_launcher(cloud).run(plan(require_clone=True))
    assert not outcome.ok and outcome.error.code == clone_check.COPY_REFUSED
    assert [v.made for v in outcome.record.volumes] == [clone_check.CLONE, clone_check.COPY]
    assert cloud.volumes == {}


def test_an_unseen_lightbits_side_is_not_verified_nor_refused():
    cloud = SnapshotCloud(lightbits={"vm-boot": "unseen"})
    (outcome,) = make_launcher(cloud).run(plan(require_clone=True))
    assert outcome.ok
    assert [v.made for v in outcome.record.volumes] == ["", clone_check.CLONE]


def test_an_interrupted_snapshot_launch_is_finished_from_its_record():
    cloud = SnapshotCloud()
    launcher = make_launcher(cloud)
    rec = plan().records()[0]
    root = cloud.create_volume_from_snapshot("vm-boot", 2, None, "s-root", record.encode(rec))
    data = cloud.create_volume_from_snapshot("vm-data-1", 1, None, "s-data", {})
    rec = rec.with_(
        volumes=(
            rec.volumes[0],
            rec.volumes[1].__class__(**{**rec.volumes[1].__dict__, "volume_id": data}),
        )
    )
    cloud.set_metadata(root, record.volume_keys(rec))
    stored = record.decode(cloud.volumes[root]["metadata"])
    assert stored.volumes[1].volume_id == data
    outcome = launcher.finish(stored, root)
    assert outcome.ok
    (boot,) = cloud.called("boot_server_bdm")
    assert [e["uuid"] for e in boot[2]] == [root, data]


def test_clean_up_deletes_the_data_volumes_too():
    cloud = SnapshotCloud(boot={"vm": "stuck"})
    launcher = make_launcher(cloud, boot_timeout=1)
    rec = plan().records()[0]
    root = cloud.create_volume_from_snapshot("vm-boot", 2, None, "s-root", record.encode(rec))
    data = cloud.create_volume_from_snapshot("vm-data-1", 1, None, "s-data", {})
    cloud.set_status(root, "available")
    cloud.set_status(data, "available")
    rec = rec.with_(volumes=(rec.volumes[0], record.AttachedVolume("s-data", "data", data)))
    assert launcher.clean_up(rec, root) == []
    assert cloud.volumes == {}


def test_the_volumes_survive_the_metadata_round_trip():
    rec = (
        plan()
        .records()[0]
        .with_(
            volumes=(
                record.AttachedVolume(
                    "s-root", "root", "", "/dev/vda", 0, True, "virtio", "disk", "clone"
                ),
                record.AttachedVolume("s-data", "data", "v-2", "/dev/vdb", None, False),
            )
        )
    )
    metadata = record.encode(rec)
    assert all(len(v) <= record.CHUNK for v in metadata.values())
    assert record.decode(metadata).volumes == rec.volumes
    assert record.decode(record.encode(rec.with_(volumes=()))).volumes == ()


def test_made_from_snapshot_reads_the_lightbits_source():
    assert (
        clone_check.made_from_snapshot({"sourceSnapshotName": "snapshot-s1"}, "s1")
        == clone_check.CLONE
    )
    assert clone_check.made_from_snapshot({"name": "volume-x"}, "s1") == clone_check.COPY
    assert (
        clone_check.made_from_snapshot(
            {"sourceSnapshotName": "for_clone_x", "sourceSnapshotUUID": "u"}, "s1"
        )
        == ""
    )
    assert clone_check.made_from_snapshot(None, "s1") == ""
