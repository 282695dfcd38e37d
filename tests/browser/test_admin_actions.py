"""Admin > Volume > Lightbits Image Volumes: the fix actions, for real.

Each test makes its own image volume (and image), drives the row action and
its confirmation in the browser, then checks Cinder, Glance and the emulator
through their APIs. The seeded orphan and images are never touched.
"""

import uuid

import pytest
from glanceclient import exc as glance_exc
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from tests.browser import cloud, launching, pages

URL = "/admin/lightbits_image_volumes/"
# The panel caches each Lightbits cluster's lists this long (CLUSTER_CACHE_SECONDS).
CLUSTER_CACHE_SECONDS = 15
IMAGE_SIZE = str(1024 * 1024)


@pytest.fixture
def made(admin_api):
    """Volume names and image ids this test made, deleted after it, pass or fail."""
    objects = {"volumes": [], "images": []}
    yield objects
    try:
        for name in objects["volumes"]:
            admin_api.delete_volumes_named(name)
    finally:
        for image_id in objects["images"]:
            try:
                admin_api.glance.images.delete(image_id)
            except glance_exc.HTTPNotFound:
                pass


def _image_volume(admin_api, made, image_id):
    """An available 1 GiB Lightbits volume image-<image_id>, as Glance's cinder
    store makes them (glance_image_id and image_size metadata), not read-only."""
    name = f"image-{image_id}"
    made["volumes"].append(name)
    volume = admin_api.cinder.volumes.create(
        size=1,
        name=name,
        volume_type="lightbits",
        metadata={"glance_image_id": image_id, "image_size": IMAGE_SIZE},
    )
    cloud.wait_for(
        f"volume {name} available",
        lambda: admin_api.cinder.volumes.get(volume.id).status in ("available", "error"),
        timeout=120,
    )
    volume = admin_api.cinder.volumes.get(volume.id)
    assert volume.status == "available", volume.status
    return volume


# The findings shown in the volumes table (the others: in the images table).
VOLUME_FINDINGS = ("orphan",)


def _open(driver, horizon, finding=None):
    """The page (filtered by a finding), on the tab of the finding's table."""
    query = f"?finding={finding}" if finding else ""
    if finding in VOLUME_FINDINGS:
        query += "&tab=lightbits_inventory__volumes"
    pages.open_inventory_page(driver, horizon.url + URL + query)


def _row_text(driver, horizon, table, row_id, finding, until, timeout):
    """The row's text once until(text) holds, reloading the filtered page:
    Lightbits columns come from a list cached for CLUSTER_CACHE_SECONDS."""
    found = {}

    def shown(d):
        _open(d, horizon, finding)
        text = pages.table_rows(d, table).get(row_id)
        found["text"] = text
        return text if text is not None and until(text) else False

    try:
        return pages.wait(driver, timeout).until(shown)
    except TimeoutException:
        pytest.fail(f"row {row_id} of table {table}: {found.get('text')!r}")


def _confirm(driver, table, row_id, action, expected):
    """Click the row's action, check the confirmation names the volume, confirm."""
    link = pages.wait(driver).until(
        EC.element_to_be_clickable((By.ID, f"{table}__row_{row_id}__action_{action}"))
    )
    modal = pages.open_modal(driver, link)
    for text in expected:
        assert text in modal.text, modal.text
    launching.submit(modal)
    pages.wait(driver, 60).until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".modal")))


def _success_message(driver, text):
    return pages.wait(driver).until(
        EC.visibility_of_element_located(
            (
                By.XPATH,
                "//div[contains(@class, 'alert-success')]"
                f"[contains(normalize-space(), {pages.xpath_literal(text)})]",
            )
        )
    )


def test_delete_orphan_deletes_the_volume_and_its_lightbits_volume(
    as_admin, horizon, facts, admin_api, emulator, made
):
    gone_image = str(uuid.uuid4())
    with pytest.raises(glance_exc.HTTPNotFound):
        admin_api.glance.images.get(gone_image)
    volume = _image_volume(admin_api, made, gone_image)
    lightbits_name = f"volume-{volume.id}"
    assert emulator.volume_by_name(lightbits_name) is not None

    row = _row_text(
        as_admin,
        horizon,
        "volumes",
        volume.id,
        "orphan",
        lambda text: "FullyProtected" in text,  # its Lightbits volume listed
        timeout=CLUSTER_CACHE_SECONDS * 3,
    )
    assert "Orphan" in row
    assert f"{gone_image[:12]}…" in row and "gone" in row
    assert "Delete orphan" in row
    assert "Lightbits missing" not in row
    pages.screenshot(as_admin, "admin-delete-orphan-row")

    _confirm(as_admin, "volumes", volume.id, "delete_orphan", (f"image-{gone_image}", volume.id))
    _success_message(as_admin, f"Deleting orphaned image volume image-{gone_image}")

    cloud.wait_for(
        f"volume {volume.id} deleted",
        lambda: admin_api.volume_or_none(volume.id) is None,
        timeout=120,
    )
    cloud.wait_for(
        f"Lightbits volume {lightbits_name} deleted",
        lambda: emulator.volume_by_name(lightbits_name) is None,
        timeout=60,
    )
    # The seeded orphan is still there for the other tests.
    assert admin_api.volume_or_none(facts["orphan_volume"]) is not None


def test_make_read_only_sets_the_flag(as_admin, horizon, admin_api, made):
    image = admin_api.glance.images.create(
        name=f"bt-readonly-{uuid.uuid4().hex[:6]}", disk_format="raw", container_format="bare"
    )
    made["images"].append(image.id)
    volume = _image_volume(admin_api, made, image.id)
    assert "readonly" not in volume.metadata or volume.metadata["readonly"].lower() != "true"

    row_id = f"{image.id}:{volume.id}"
    row = _row_text(
        as_admin,
        horizon,
        "images",
        row_id,
        "not-read-only",
        lambda text: "Make read-only" in text,
        timeout=pages.WAIT,
    )
    assert "Writable" in row
    pages.screenshot(as_admin, "admin-make-read-only-row")

    _confirm(as_admin, "images", row_id, "make_read_only", (f"image-{image.id}", volume.id))
    _success_message(as_admin, f"Image volume image-{image.id} is now read-only")

    metadata = admin_api.cinder.volumes.get(volume.id).metadata
    assert str(metadata.get("readonly")).lower() == "true", metadata

    # Unfiltered, the row now says read-only and offers the action no more.
    _open(as_admin, horizon)
    rows = pages.table_rows(as_admin, "images")
    if row_id in rows:  # else on a later page of the table
        assert "Writable" not in rows[row_id], rows[row_id]
    _open(as_admin, horizon, "not-read-only")
    assert row_id not in pages.table_rows(as_admin, "images")
