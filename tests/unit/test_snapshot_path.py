"""The clone path of snapshot images and volume snapshots, from their Cinder snapshots."""

import pytest

from lightbits_dashboard import snapshot_image as si
from lightbits_dashboard import snapshot_path as sp

LB = {"lightbits": {"volume_types": ["lightbits"]}}
TYPES_ADMIN = [
    {"name": "lightbits", "extra_specs": {"volume_backend_name": "lightbits"}},
    {"name": "lb-fast", "extra_specs": {"volume_backend_name": "lightbits"}},
    {
        "name": "lb-other-project",
        "extra_specs": {"volume_backend_name": "lightbits", "lightos:project_name": "p2"},
    },
    {"name": "lb-encrypted", "extra_specs": {"volume_backend_name": "lightbits"}},
    {"name": "ceph", "extra_specs": {"volume_backend_name": "ceph"}},
]
ROOT = si.SnapshotEntry("s-root", 2, "/dev/vda", 0, True)
DATA = si.SnapshotEntry("s-data", 1, "/dev/vdb", None, False)


def snap(sid, volume_id, status="available", size=2):
    return {"id": sid, "volume_id": volume_id, "status": status, "size": size}


def volume(vid, vtype="lightbits", **extra):
    return {"id": vid, "volume_type": vtype, "attachments": [], **extra}


def cloud(root_status="available", data_vtype="lightbits", encrypted=frozenset({"lb-encrypted"})):
    snapshots = {
        "s-root": snap("s-root", "v-root", root_status),
        "s-data": snap("s-data", "v-data", size=1),
    }
    volumes = {"v-root": volume("v-root"), "v-data": volume("v-data", data_vtype)}
    types = sp.type_facts(TYPES_ADMIN, LB, encrypted)
    return snapshots, volumes, types


def path(entries=(ROOT, DATA), snapshots=None, volumes=None, types=None, **kwargs):
    default = cloud()
    return sp.snapshot_path(
        list(entries),
        default[0] if snapshots is None else snapshots,
        default[1] if volumes is None else volumes,
        default[2] if types is None else types,
        set(LB),
        **kwargs,
    )


def codes(result):
    return [r.code for r in result.reasons]


def test_every_snapshot_on_lightbits_is_a_fast_clone():
    result = path()
    assert result.verdict == sp.FAST_CLONE and result.reasons == ()
    assert [v.entry for v in result.volumes] == [ROOT, DATA]
    assert sp.root_on_lightbits(result, set(LB))


def test_a_missing_snapshot_blocks_and_says_which():
    snapshots, volumes, types = cloud()
    del snapshots["s-data"]
    result = path(snapshots=snapshots)
    assert result.verdict == sp.UNAVAILABLE
    (reason,) = result.refusals
    assert reason.code == sp.SNAPSHOT_MISSING
    assert reason.params == {"role": "data", "snapshot": "s-data", "device": "/dev/vdb"}


@pytest.mark.parametrize(
    "status, code",
    [
        ("error", sp.SNAPSHOT_ERROR),
        ("error_deleting", sp.SNAPSHOT_ERROR),
        ("creating", sp.SNAPSHOT_NOT_AVAILABLE),
        ("deleting", sp.SNAPSHOT_NOT_AVAILABLE),
    ],
)
def test_a_snapshot_not_available_blocks(status, code):
    snapshots, volumes, types = cloud(root_status=status)
    result = path(snapshots=snapshots)
    assert result.verdict == sp.UNAVAILABLE
    assert codes(result) == [code] and result.reasons[0].params["status"] == status


def test_a_data_snapshot_on_another_backend_is_not_a_lightbits_clone():
    snapshots, volumes, types = cloud(data_vtype="ceph")
    result = path(snapshots=snapshots, volumes=volumes)
    assert result.verdict == sp.NOT_LIGHTBITS
    assert codes(result) == [sp.SNAPSHOT_OTHER_BACKEND]
    assert result.reasons[0].params["backend"] == "ceph"
    assert sp.root_on_lightbits(result, set(LB))


def test_the_backend_from_an_admins_host_when_the_type_is_unknown():
    snapshots, volumes, types = cloud()
    volumes["v-root"] = volume(
        "v-root", "gone-type", **{"os-vol-host-attr:host": "c@lightbits#lightbits"}
    )
    volumes["v-data"] = volume("v-data", None, **{"os-vol-host-attr:host": "c@lvm#pool1"})
    result = path(volumes=volumes)
    assert [v.source.backend for v in result.volumes] == ["lightbits", "pool1"]
    assert codes(result) == [sp.SNAPSHOT_OTHER_BACKEND]


def test_an_unseen_source_volume_is_said_not_refused():
    result = path(volumes={})
    assert result.verdict == sp.FAST_CLONE
    assert codes(result) == [sp.SNAPSHOT_BACKEND_UNKNOWN] * 2
    assert not sp.root_on_lightbits(result, set(LB))


def test_the_same_or_no_type_needs_no_check():
    assert path(root_type="lightbits").reasons == ()
    assert path(root_type=None, data_type=None).reasons == ()


def test_a_type_on_the_same_backend_and_project_is_accepted():
    result = path(root_type="lb-fast")
    assert result.verdict == sp.FAST_CLONE and result.reasons == ()
    assert result.volumes[0].volume_type == "lb-fast" and result.volumes[1].volume_type is None


@pytest.mark.parametrize(
    "vtype, code, params",
    [
        ("ceph", sp.TYPE_OTHER_BACKEND, {"backend": "ceph", "snapshot_backend": "lightbits"}),
        (
            "lb-other-project",
            sp.TYPE_OTHER_PROJECT,
            {"project": "p2", "snapshot_project": "default"},
        ),
        ("lb-encrypted", sp.TYPE_ENCRYPTION_DIFFERS, {"encrypted": True}),
        ("no-such-type", sp.TYPE_MISSING, {}),
    ],
)
def test_a_type_cinder_or_the_lightos_driver_refuses_blocks(vtype, code, params):
    result = path(root_type=vtype)
    assert result.verdict == sp.UNAVAILABLE
    (reason,) = result.refusals
    assert reason.code == code
    assert reason.params == {
        "role": "root",
        "snapshot": "s-root",
        "device": "/dev/vda",
        "type": vtype,
        **params,
    }


def test_the_entrys_own_volume_type_wins_over_the_chosen_one():
    entry = si.SnapshotEntry("s-root", 2, "/dev/vda", 0, volume_type="ceph")
    result = path(entries=[entry], root_type="lb-fast")
    assert result.volumes[0].volume_type == "ceph"
    assert codes(result) == [sp.TYPE_OTHER_BACKEND]


def test_a_member_who_cannot_read_extra_specs_or_encryption():
    member_types = [{"name": n["name"]} for n in TYPES_ADMIN]
    types = sp.type_facts(member_types, LB, None)
    assert types["lightbits"] == sp.TypeFacts("lightbits", "lightbits", None, None)
    assert types["ceph"].backend is None
    result = path(types=types, root_type="lb-fast")
    assert result.verdict == sp.FAST_CLONE
    assert codes(result) == [sp.TYPE_NOT_CHECKED]


def test_an_inherited_min_disk_above_the_root_is_a_note_not_a_refusal():
    result = path(min_disk=10)
    assert result.verdict == sp.FAST_CLONE
    (reason,) = result.reasons
    assert reason.code == sp.MIN_DISK_ABOVE_SNAPSHOT and reason.params["min_disk"] == 10
    assert path(min_disk=2).reasons == ()


def test_a_volume_snapshot_of_a_bootable_lightbits_volume():
    snapshots, volumes, types = cloud()
    entry = si.volume_snapshot_entry(snapshots["s-root"])
    result = sp.snapshot_path(
        [entry], snapshots, volumes, types, set(LB), root_type="lb-other-project"
    )
    assert result.verdict == sp.UNAVAILABLE and codes(result) == [sp.TYPE_OTHER_PROJECT]
    assert sp.snapshot_path([entry], snapshots, volumes, types, set(LB)).verdict == sp.FAST_CLONE


def test_every_reason_code_is_listed():
    assert set(sp.BLOCKING) <= set(sp.SNAPSHOT_REASONS)
