"""Admin > Lightbits Image Volumes > Copy to Lightbits: Glance's copy-image, for real.

A file-store image of its own is copied into the Lightbits store through the
row action; the page shows the copy in progress (the emulator's volume create
is slowed down so that the copy lasts a few seconds), then the image volume
in the chain; Glance lists both stores.
"""

import io
import os
import uuid

from tests.browser import cloud, pages
from tests.browser.test_admin_actions import (
    CLUSTER_CACHE_SECONDS,
    _confirm,
    _open,
    _row_text,
    _success_message,
    made,  # noqa: F401  (fixture)
)


def _rows_of(driver, horizon, image_id):
    """{row id: text} of the image's rows on the unfiltered page."""
    _open(driver, horizon)
    rows = pages.table_rows(driver, "images")
    return {k: v for k, v in rows.items() if k.split(":", 1)[0] == image_id}


def test_copy_to_lightbits_shows_progress_and_finishes(
    as_admin,
    horizon,
    facts,
    admin_api,
    emulator,
    made,  # noqa: F811
):
    image = admin_api.glance.images.create(
        name=f"bt-copy-{uuid.uuid4().hex[:6]}", disk_format="raw", container_format="bare"
    )
    made["images"].append(image.id)
    made["volumes"].append(f"image-{image.id}")
    data = os.urandom(8 * 1024 * 1024)
    admin_api.glance.images.upload(image.id, io.BytesIO(data), backend=facts["stores"]["file"])
    cloud.wait_for(
        "image active", lambda: admin_api.glance.images.get(image.id).status == "active"
    )
    row = _row_text(
        as_admin,
        horizon,
        "images",
        image.id,
        "not-on-lightbits",
        lambda text: "Copy to Lightbits" in text,
        timeout=pages.WAIT,
    )
    assert "Not on Lightbits" in row

    # The Lightbits volume's create answers 8 s late: the copy is seen running.
    emulator.add_fault(
        kind="latency", method="POST", path="/projects/[^/]+/volumes$", seconds=8, times=1
    )
    try:
        _confirm(as_admin, "images", image.id, "copy", (image.name,))
        _success_message(as_admin, f"Copying image {image.name} to store")
        # The image's rows (image-<id> exists as soon as Cinder creates it)
        # say the copy is running.
        pages.wait(as_admin, 20).until(
            lambda d: any("Copying" in text for text in _rows_of(d, horizon, image.id).values())
        )
        pages.screenshot(as_admin, "admin-copy-in-progress")
    finally:
        emulator.clear_faults()

    stores = {facts["stores"]["file"], facts["stores"]["lightbits"]}
    cloud.wait_for(
        "copy-image finished",
        lambda: set(admin_api.glance.images.get(image.id).stores.split(",")) == stores,
        timeout=120,
    )
    [volume] = [
        v
        for v in admin_api.cinder.volumes.list(search_opts={"all_tenants": True})
        if v.name == f"image-{image.id}"
    ]
    row = _row_text(
        as_admin,
        horizon,
        "images",
        f"{image.id}:{volume.id}",
        None,
        lambda text: "FullyProtected" in text,  # its Lightbits volume listed
        timeout=CLUSTER_CACHE_SECONDS * 3,
    )
    assert "Not on Lightbits" not in row
    pages.screenshot(as_admin, "admin-copy-finished")
