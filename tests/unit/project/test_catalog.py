"""Which images are Lightbits images, and where their image volume is (plain Python)."""

from lightbits_dashboard.dashboards.project.lightbits_images import catalog

STORES = {"lightbits": ["lightbits"], "lightbits-ssd": ["lightbits-ssd"]}


def test_store_from_the_stores_field():
    assert catalog.image_store({"stores": "file,lightbits-ssd"}, STORES) == "lightbits-ssd"
    assert catalog.image_store({"stores": "file"}, STORES) is None
    assert catalog.image_store({}, STORES) is None


def test_store_from_a_cinder_location():
    image = {"locations": [{"url": "file:///x"}, {"url": "cinder://lightbits/vol-1"}]}
    assert catalog.image_store(image, STORES) == "lightbits"
    assert (
        catalog.image_store({"direct_url": "cinder://lightbits-ssd/v"}, STORES) == "lightbits-ssd"
    )
    assert catalog.image_store({"locations": [{"url": "cinder://other/v"}]}, STORES) is None


def test_location_without_store_counts_only_with_one_lightbits_store():
    image = {"locations": [{"url": "cinder://vol-1"}]}
    assert catalog.image_store(image, STORES) is None
    assert catalog.image_store(image, {"lightbits": ["lightbits"]}) == "lightbits"


def test_image_volume_by_location_id_then_by_name():
    by_id = {"id": "vol-1", "name": "whatever"}
    by_name = {"id": "vol-2", "name": "image-img-1"}
    index = catalog.VolumeIndex([by_name, by_id])
    located = {"id": "img-1", "locations": [{"url": "cinder://lightbits/vol-1"}]}
    assert index.image_volume(located) is by_id
    assert index.image_volume({"id": "img-1"}) is by_name
    assert index.image_volume({"id": "img-2"}) is None


def test_lightbits_images_keeps_order_and_store():
    images = [{"id": "a", "stores": "lightbits"}, {"id": "b", "stores": "file"}]
    assert catalog.lightbits_images(images, STORES) == [(images[0], "lightbits")]
