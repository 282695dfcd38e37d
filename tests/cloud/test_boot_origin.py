"""The admin inventory counts boot volumes cloned and copied from the Lightbits side.

On the real services: a volume from the raw seed image (a clone), one from
the qcow2 seed image (a copy) and one cloned from the first (not made from
the image); the inventory built from the bulk lists the admin panel reads
counts exactly one more clone for the raw image and one more copy for the
qcow2 image than before.
"""

from lightbits_dashboard import inventory
from tests.cloud.conftest import delete_volume_and_wait, wait_volume


def _counts(admin, cloud, lightbits):
    images = [admin.glance.images.get(cloud["images"][k]) for k in ("raw", "qcow2")]
    volumes = admin.cinder.volumes.list(search_opts={"all_tenants": True})
    types = [
        {"name": t.name, "extra_specs": t.get_keys()} for t in admin.cinder.volume_types.list()
    ]
    r = lightbits.get("/api/v2/volumes")
    r.raise_for_status()
    clusters = {"lightbits": {"info": {}, "nodes": [], "volumes": r.json().get("volumes", [])}}
    result = inventory.build(images, volumes, types, [], clusters)
    return {row.image.id: row.boot for row in result.image_rows}


def test_inventory_counts_clones_and_copies(admin, demo, cloud, lightbits):
    before = _counts(admin, cloud, lightbits)
    vtype = cloud["volume_type"]["name"]
    made = []
    try:
        for key in ("raw", "qcow2"):
            vol = demo.cinder.volumes.create(
                1, name=f"ct-origin-{key}", volume_type=vtype, imageRef=cloud["images"][key]
            )
            made.append(vol.id)
            assert wait_volume(demo.cinder, vol.id, timeout=240) == "available"
        of_volume = demo.cinder.volumes.create(1, name="ct-origin-of-volume", source_volid=made[0])
        made.append(of_volume.id)
        assert wait_volume(demo.cinder, of_volume.id, timeout=240) == "available"

        after = _counts(admin, cloud, lightbits)
        raw, qcow2 = cloud["images"]["raw"], cloud["images"]["qcow2"]
        assert after[raw]["cloned"] == before[raw]["cloned"] + 1, (before, after)
        assert after[raw]["copied"] == before[raw]["copied"]
        assert after[qcow2]["copied"] == before[qcow2]["copied"] + 1, (before, after)
        assert after[qcow2]["cloned"] == before[qcow2]["cloned"]
        assert after[raw]["unknown"] == before[raw]["unknown"]
    finally:
        for volume_id in reversed(made):
            delete_volume_and_wait(demo.cinder, volume_id)
