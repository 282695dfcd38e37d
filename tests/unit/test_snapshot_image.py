"""Snapshot images told apart from their block_device_mapping (as Nova writes it)."""

import json

import pytest

from lightbits_dashboard import snapshot_image as si

ROOT_SNAP = "11111111-1111-1111-1111-111111111111"
DATA_SNAP = "22222222-2222-2222-2222-222222222222"


def nova_entry(snapshot_id, boot_index, device, size, delete=False, **extra):
    """An entry as nova's snapshot_from_bdm + BlockDeviceDict leave it (every field)."""
    entry = {
        "source_type": "snapshot",
        "destination_type": "volume",
        "snapshot_id": snapshot_id,
        "volume_size": size,
        "boot_index": boot_index,
        "delete_on_termination": delete,
        "device_name": device,
        "disk_bus": "virtio",
        "device_type": "disk",
        "volume_type": None,
        "image_id": None,
        "volume_id": None,
        "guest_format": None,
        "no_device": None,
        "tag": None,
        "encrypted": None,
    }
    entry.update(extra)
    return entry


SWAP = {
    "source_type": "blank",
    "destination_type": "local",
    "guest_format": "swap",
    "boot_index": -1,
    "device_name": "/dev/vdc",
    "volume_size": 1,
}


def golden(mapping=None, **props):
    mapping = (
        [
            SWAP,
            nova_entry(ROOT_SNAP, 0, "/dev/vda", 2, True),
            nova_entry(DATA_SNAP, None, "/dev/vdb", 1),
        ]
        if mapping is None
        else mapping
    )
    image = {
        "id": "img-1",
        "name": "golden",
        "size": 0,
        "min_disk": 1,
        "disk_format": "raw",
        "container_format": "bare",
        "stores": "lightbits",
        "block_device_mapping": json.dumps(mapping),
        "bdm_v2": "True",
        "root_device_name": "/dev/vda",
    }
    image.update(props)
    return image


def test_a_nova_instance_snapshot_is_a_snapshot_image_with_root_and_data():
    found = si.snapshot_image(golden())
    assert found.root == si.SnapshotEntry(
        ROOT_SNAP, 2, "/dev/vda", 0, True, None, "virtio", "disk"
    )
    assert found.data == (
        si.SnapshotEntry(DATA_SNAP, 1, "/dev/vdb", None, False, None, "virtio", "disk"),
    )
    assert found.snapshot_ids == [ROOT_SNAP, DATA_SNAP]
    assert found.other_entries == 1  # the swap entry before the volumes
    assert found.root.role == si.ROOT and found.data[0].role == si.DATA
    assert found.placeholder_name == "image-img-1"
    assert found.min_disk == 1 and found.root_device_name == "/dev/vda"


def test_entries_as_a_list_a_string_boot_index_and_string_flags():
    mapping = [
        nova_entry(DATA_SNAP, "-1", "/dev/vdb", "3", delete="false"),
        nova_entry(ROOT_SNAP, "0", "/dev/vda", "2", delete="True"),
    ]
    found = si.snapshot_image(golden(mapping=mapping))
    assert found.root.snapshot_id == ROOT_SNAP and found.root.delete_on_termination
    assert found.root.volume_size == 2
    assert found.data[0].boot_index is None and found.data[0].volume_size == 3


def test_properties_under_properties_and_volume_type_when_given():
    image = {
        "id": "i",
        "properties": golden(mapping=[nova_entry(ROOT_SNAP, 0, None, 2, volume_type="lb")]),
    }
    assert si.snapshot_image(image).root.volume_type == "lb"


@pytest.mark.parametrize(
    "mapping",
    [
        None,
        "not json",
        "{}",
        json.dumps([SWAP]),
        json.dumps([nova_entry(ROOT_SNAP, -1, "/dev/vda", 2)]),  # no boot entry
        json.dumps([nova_entry(ROOT_SNAP, None, "/dev/vda", 2)]),
        json.dumps([{**nova_entry(ROOT_SNAP, 0, "/dev/vda", 2), "source_type": "volume"}]),
        json.dumps([{**nova_entry(ROOT_SNAP, 0, "/dev/vda", 2), "destination_type": "local"}]),
        json.dumps([{**nova_entry(ROOT_SNAP, 0, "/dev/vda", 2), "snapshot_id": None}]),
        json.dumps(["junk", 3]),
    ],
)
def test_not_a_snapshot_image(mapping):
    image = golden()
    if mapping is None:
        del image["block_device_mapping"]
    else:
        image["block_device_mapping"] = mapping
    assert si.snapshot_image(image) is None
    assert not si.is_snapshot_image(image)


def test_a_plain_store_image_is_not_one():
    assert si.snapshot_image({"id": "x", "disk_format": "raw", "stores": "lightbits"}) is None


def test_legacy_mapping_root_by_root_device_name():
    legacy = [
        {"device_name": "vdb", "snapshot_id": DATA_SNAP, "volume_size": 1},
        {
            "device_name": "/dev/vda",
            "snapshot_id": ROOT_SNAP,
            "volume_size": 2,
            "delete_on_termination": True,
        },
    ]
    image = golden(mapping=legacy)
    del image["bdm_v2"]
    found = si.snapshot_image(image)
    assert found.root.snapshot_id == ROOT_SNAP and found.root.delete_on_termination
    assert [e.snapshot_id for e in found.data] == [DATA_SNAP]


def test_legacy_mapping_without_root_device_name_boots_the_first_non_blank():
    legacy = [
        {"virtual_name": "swap", "device_name": "vdc"},
        {"device_name": "vda", "snapshot_id": ROOT_SNAP, "volume_size": 2},
        {"device_name": "vdb", "snapshot_id": DATA_SNAP, "volume_size": 1},
    ]
    image = golden(mapping=legacy, bdm_v2="False")
    del image["root_device_name"]
    found = si.snapshot_image(image)
    assert found.root.snapshot_id == ROOT_SNAP and found.other_entries == 1


def test_bdm_v2_as_nova_reads_it():
    assert si.is_bdm_v2({"bdm_v2": True}) and si.is_bdm_v2({"bdm_v2": "True"})
    assert not si.is_bdm_v2({}) and not si.is_bdm_v2({"bdm_v2": "false"})


def test_placeholder_and_nova_snapshot_name():
    found = si.snapshot_image(golden())
    by_id = {found.image_id: found}
    placeholder = {"name": "image-img-1", "metadata": {"glance_image_id": "img-1"}}
    other = {"name": "image-img-2", "metadata": {"glance_image_id": "img-2"}}
    assert si.is_placeholder(placeholder, by_id) and not si.is_placeholder(other, by_id)
    assert si.nova_snapshot_name({"name": "snapshot for golden"}) == "golden"
    assert si.nova_snapshot_name({"name": "my snap"}) is None


def test_source_server_from_the_root_snapshots_volume_not_instance_uuid():
    image = golden(instance_uuid="inherited-from-an-older-image")
    snap = {"id": ROOT_SNAP, "volume_id": "v-root"}
    volumes = {"v-root": {"id": "v-root", "attachments": [{"server_id": "srv-9"}]}}
    assert si.snapshot_image(image) is not None
    assert si.source_server_id(snap, volumes) == "srv-9"
    assert si.source_server_id(snap, {}) is None


def test_a_volume_snapshot_launched_as_an_instance_is_one_root_entry():
    entry = si.volume_snapshot_entry({"id": "s-1", "size": 5, "volume_id": "v"})
    assert entry == si.SnapshotEntry("s-1", 5, boot_index=0)
