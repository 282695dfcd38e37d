"""Cinder's clone fast path from a Lightbits image, seen from Cinder and from the cluster."""

from tests.cloud.conftest import delete_volume_and_wait, wait_volume


def _create_from_image(demo, cloud, cleanup, image_key, name, size=2):
    volume = demo.cinder.volumes.create(
        size,
        name=name,
        imageRef=cloud["images"][image_key],
        volume_type=cloud["volume_type"]["name"],
    )
    cleanup.add(delete_volume_and_wait, demo.cinder, volume.id)
    return volume


def test_raw_image_volume_is_a_lightbits_clone(demo, cloud, cleanup, lightbits):
    volume = _create_from_image(demo, cloud, cleanup, "raw", "test-clone-raw")

    assert wait_volume(demo.cinder, volume.id) == "available"
    volume = demo.cinder.volumes.get(volume.id)
    assert volume.bootable == "true"
    assert volume.volume_image_metadata["image_id"] == cloud["images"]["raw"]

    backing = lightbits.volume_of(volume.id)
    assert backing is not None, "no Lightbits volume behind the Cinder volume"
    # LightOS clones through a temporary snapshot named after the new volume...
    assert backing["sourceSnapshotName"] == f"for_clone_{volume.id}"
    assert int(backing["size"]) == 2 * 1024**3
    # ...and deletes it once the clone exists.
    assert lightbits.snapshot(f"for_clone_{volume.id}") is None
    assert not [s for s in lightbits.snapshots() if s["name"] == f"for_clone_{volume.id}"]


def test_qcow2_image_does_not_clone(demo, cloud, cleanup, lightbits):
    volume = _create_from_image(demo, cloud, cleanup, "qcow2", "test-clone-qcow2")

    # Cinder refuses the clone path for non-raw images and falls back to
    # downloading and converting the data (through the devcloud's data path).
    status = wait_volume(demo.cinder, volume.id, statuses=("available", "error"))
    backing = lightbits.volume_of(volume.id)
    assert backing is None or not backing.get("sourceSnapshotName"), backing
    assert lightbits.snapshot(f"for_clone_{volume.id}") is None
    assert status == "available"
