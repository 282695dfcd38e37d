"""The seeded images and volumes are in the states the panels show."""

import pytest
from glanceclient import exc as glance_exc


def _image(admin, image_id):
    return admin.glance.images.get(image_id)


@pytest.mark.parametrize("key,disk_format", [("raw", "raw"), ("qcow2", "qcow2")])
def test_lightbits_images_live_in_an_image_volume(admin, cloud, key, disk_format):
    image = _image(admin, cloud["images"][key])
    assert image.status == "active"
    assert image.disk_format == disk_format
    assert image.visibility == "public"
    assert image.stores == cloud["stores"]["lightbits"]
    [location] = image.locations
    prefix = f"cinder://{cloud['stores']['lightbits']}/"
    assert location["url"].startswith(prefix)
    volume = admin.cinder.volumes.get(location["url"][len(prefix) :])
    assert volume.name == f"image-{image.id}"
    assert volume.volume_type == cloud["volume_type"]["name"]
    assert volume.metadata["glance_image_id"] == image.id
    assert volume.metadata["readonly"] == "True"


def test_file_image_lives_in_the_file_store(admin, cloud):
    image = _image(admin, cloud["images"]["file"])
    assert image.status == "active"
    assert image.stores == cloud["stores"]["file"]
    assert image.size == 1024 * 1024


def test_orphaned_image_volume_has_no_image(admin, cloud):
    volume = admin.cinder.volumes.get(cloud["orphan_volume"])
    assert volume.name.startswith("image-")
    image_id = volume.metadata["glance_image_id"]
    assert volume.name == f"image-{image_id}"
    with pytest.raises(glance_exc.HTTPNotFound):
        admin.glance.images.get(image_id)


def test_demo_sees_the_public_images_networks_and_group(demo, cloud):
    names = {i.name for i in demo.glance.images.list()}
    assert {"cirros-raw", "cirros-qcow2", "cirros-file"} <= names
    networks = {n["id"] for n in demo.neutron.list_networks()["networks"]}
    assert {cloud["networks"]["private"], cloud["networks"]["public"]} <= networks
    groups = demo.neutron.list_security_groups(name="web")["security_groups"]
    assert [g["id"] for g in groups] == [cloud["security_group"]["id"]]
    assert cloud["key_pair"]["name"] in [k.name for k in demo.nova.keypairs.list()]
