"""Snapshot images in the admin inventory: broken ones, orphan snapshots,
placeholders and min_disk, only when Cinder's snapshot list is given."""

import datetime
import json

from lightbits_dashboard import inventory as inv
from tests.unit.test_inventory import build, image, image_volume, uid, volume

NOW = datetime.datetime(2026, 12, 1, 12, 0, 0)


def entry(sid, boot_index, device, size):
    return {
        "source_type": "snapshot",
        "destination_type": "volume",
        "snapshot_id": sid,
        "volume_size": size,
        "boot_index": boot_index,
        "device_name": device,
        "delete_on_termination": False,
    }


def golden(root_sid, data_sid=None, min_disk=0):
    mapping = [entry(root_sid, 0, "/dev/vda", 2)]
    if data_sid:
        mapping.append(entry(data_sid, None, "/dev/vdb", 1))
    return image(
        size=0,
        min_disk=min_disk,
        block_device_mapping=json.dumps(mapping),
        bdm_v2="True",
        root_device_name="/dev/vda",
    )


def snapshot(
    sid=None,
    status="available",
    name="snapshot for golden",
    created="2026-11-30T10:00:00Z",
    **extra,
):
    return {
        "id": sid or uid(),
        "status": status,
        "name": name,
        "volume_id": "v-src",
        "size": 2,
        "created_at": created,
        **extra,
    }


def test_without_the_snapshot_list_nothing_changes():
    img = golden("s-gone")
    result = build([img], [image_volume(img)])
    assert not any(
        f.code in inv.SNAPSHOT_FINDING_CODES for r in result.image_rows for f in r.findings
    )
    assert result.snapshot_rows == [] and result.image_rows[0].snapshot_image is None


def test_a_healthy_snapshot_image_is_mapped_to_its_snapshots_and_its_placeholder_named():
    root, data = snapshot("s-root"), snapshot("s-data")
    img = golden("s-root", "s-data")
    placeholder = image_volume(img)
    (row,) = build([img], [placeholder], snapshots=[root, data], now=NOW).image_rows
    assert row.snapshot_image.snapshot_ids == ["s-root", "s-data"]
    assert [(e.snapshot_id, s) for e, s in row.snapshots] == [("s-root", root), ("s-data", data)]
    golden_findings = [f for f in row.findings if f.code in inv.SNAPSHOT_FINDING_CODES]
    assert [f.code for f in golden_findings] == [inv.SNAPSHOT_PLACEHOLDER]
    placeholder_finding = golden_findings[0]
    assert placeholder_finding.params == {"image_id": img["id"], "size": 1}


def test_a_snapshot_gone_or_in_error_makes_the_image_unbootable():
    img = golden("s-root", "s-data")
    result = build([img], [], snapshots=[snapshot("s-root", status="error")], now=NOW)
    (row,) = result.image_rows
    (finding,) = [f for f in row.findings if f.code == inv.SNAPSHOT_IMAGE_BROKEN]
    assert finding.action == inv.ACTION_DELETE_IMAGE
    assert finding.params["snapshots"] == [
        {"snapshot": "s-root", "role": "root", "status": "error"},
        {"snapshot": "s-data", "role": "data", "status": "missing"},
    ]
    assert result.counts[inv.SNAPSHOT_IMAGE_BROKEN] == 1


def test_an_inherited_min_disk_above_the_root_snapshot():
    img = golden("s-root", min_disk=10)
    (row,) = build([img], [], snapshots=[snapshot("s-root")], now=NOW).image_rows
    (finding,) = [f for f in row.findings if f.code == inv.SNAPSHOT_MIN_DISK]
    assert finding.params == {"min_disk": 10, "size": 2}
    (row,) = build([golden("s-root", min_disk=2)], [], snapshots=[snapshot("s-root")]).image_rows
    assert not [f for f in row.findings if f.code in inv.SNAPSHOT_FINDING_CODES]


def test_nova_snapshots_of_a_deleted_snapshot_image_are_orphans():
    src = volume(vid="v-src")
    kept = snapshot("s-kept")
    orphan = snapshot("s-orphan")
    by_hand = snapshot("s-hand", name="before upgrade")
    young = snapshot("s-young", created="2026-12-01T11:59:00Z")
    creating = snapshot("s-creating", status="creating")
    busy = snapshot("s-busy", status="error_deleting")
    result = build(
        [golden("s-kept")],
        [src],
        snapshots=[kept, orphan, by_hand, young, creating, busy],
        now=NOW,
    )
    rows = {r.id: r for r in result.snapshot_rows}
    assert sorted(rows) == ["s-busy", "s-orphan"]
    finding = rows["s-orphan"].findings[0]
    assert finding.code == inv.SNAPSHOT_ORPHAN and finding.action == inv.ACTION_DELETE_SNAPSHOT
    assert finding.params == {"image_name": "golden", "volume_id": "v-src", "status": "available"}
    assert rows["s-orphan"].volume == src
    assert result.counts[inv.SNAPSHOT_ORPHAN] == 2


def test_no_orphan_when_the_image_list_is_not_known():
    result = build([], [], snapshots=[snapshot("s-orphan")], images_known=False, now=NOW)
    assert result.snapshot_rows == []


def test_the_new_codes_are_apart_from_the_worded_ones():
    assert not set(inv.SNAPSHOT_FINDING_CODES) & set(inv.FINDING_CODES)
