"""Which images are Lightbits images, and where their image volume is (plain Python)."""

from lightbits_dashboard import model

STORES = {"lightbits": ["lightbits"], "lightbits-ssd": ["lightbits-ssd"]}


def test_store_from_the_stores_field():
    assert model.lightbits_store({"stores": "file,lightbits-ssd"}, STORES) == "lightbits-ssd"
    assert model.lightbits_store({"stores": "file"}, STORES) is None
    assert model.lightbits_store({}, STORES) is None


def test_store_from_a_cinder_location():
    image = {"locations": [{"url": "file:///x"}, {"url": "cinder://lightbits/vol-1"}]}
    assert model.lightbits_store(image, STORES) == "lightbits"
    assert (
        model.lightbits_store({"direct_url": "cinder://lightbits-ssd/v"}, STORES)
        == "lightbits-ssd"
    )
    assert model.lightbits_store({"locations": [{"url": "cinder://other/v"}]}, STORES) is None


def test_location_without_store_counts_only_with_one_lightbits_store():
    image = {"locations": [{"url": "cinder://vol-1"}]}
    assert model.lightbits_store(image, STORES) is None
    assert model.lightbits_store(image, {"lightbits": ["lightbits"]}) == "lightbits"


def test_image_volume_by_location_id_then_by_name():
    by_id = {"id": "vol-1", "name": "whatever"}
    by_name = {"id": "vol-2", "name": "image-img-1"}
    index = model.VolumeIndex([by_name, by_id])
    located = {"id": "img-1", "locations": [{"url": "cinder://lightbits/vol-1"}]}
    assert index.image_volume(located) is by_id
    assert index.image_volume({"id": "img-1"}) is by_name
    assert index.image_volume({"id": "img-2"}) is None


def test_lightbits_images_keeps_order_and_store():
    images = [{"id": "a", "stores": "lightbits"}, {"id": "b", "stores": "file"}]
    assert model.lightbits_images(images, STORES) == [(images[0], "lightbits")]


def test_one_home_for_the_small_rules():
    assert model.split_commas(" file, lightbits,,") == ["file", "lightbits"]
    assert model.image_volume_name("abc") == "image-abc"
    assert model.volume_project({"os-vol-tenant-attr:tenant_id": "p1"}) == "p1"
    assert model.volume_project({}) is None
    # Cinder deletes a volume in error_managing too (cinder/volume/api.py)
    assert "error_managing" in model.VOLUME_DELETABLE


def test_the_image_of_an_image_volume_by_metadata_then_by_name():
    uid = "11111111-2222-3333-4444-555555555555"
    assert model.named_image_id({"name": f"image-{uid}"}) == uid
    assert model.named_image_id({"name": "image-not-a-uuid"}) is None
    assert model.image_id_of({"name": f"image-{uid}"}) == uid
    assert model.image_id_of({"name": "x", "metadata": {"glance_image_id": "g"}}) == "g"
