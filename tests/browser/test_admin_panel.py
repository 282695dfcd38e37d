"""Admin > Volume > Lightbits Image Volumes: the chain and the seeded findings."""

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from tests.browser import pages

URL = "/admin/lightbits_image_volumes/"


def _image_volume(admin_api, image_id):
    volumes = admin_api.cinder.volumes.list(
        search_opts={"all_tenants": 1, "name": f"image-{image_id}"}
    )
    assert len(volumes) == 1, [v.id for v in volumes]
    return volumes[0]


def _row(rows, prefix):
    found = [text for row_id, text in rows.items() if row_id.startswith(prefix)]
    assert len(found) == 1, (prefix, list(rows))
    return found[0]


def _open(driver, horizon):
    pages.open_inventory_page(driver, horizon.url + URL)


def test_chain_and_findings_of_the_seeded_images(as_admin, horizon, facts, admin_api, emulator):
    _open(as_admin, horizon)
    images = pages.table_rows(as_admin, "images")
    pages.full_page_screenshot(as_admin, "admin-lightbits-image-volumes")

    # image -> image volume -> Lightbits volume, for both Lightbits images
    for key, name in (("raw", "cirros-raw"), ("qcow2", "cirros-qcow2")):
        image_id = facts["images"][key]
        volume = _image_volume(admin_api, image_id)
        lvol = emulator.volume_by_name(f"volume-{volume.id}")
        assert lvol is not None
        row = _row(images, image_id)
        assert name in row
        assert volume.id in row
        assert f"Name: image-{image_id}" in row
        assert f"UUID: {lvol['UUID']}" in row
        assert f"Name: volume-{volume.id}" in row
        assert f"State: {lvol['state']}" in row
        assert f"Protection: {lvol['protectionState']}" in row
        # boot volumes from it, cloned / copied (from the Lightbits side)
        assert re.search(r"\b\d+ cloned, \d+ copied\b", row), row
        # Glance made it in project service (SERVICE_PROJECTS), read from Keystone
        assert "Image volume in a user project" not in row, row

    qcow2 = _row(images, facts["images"]["qcow2"])
    assert "Never fast-clones" in qcow2 and "qcow2/bare, not raw/bare" in qcow2
    raw = _row(images, facts["images"]["raw"])
    assert "Never fast-clones" not in raw and "Not on Lightbits" not in raw

    file_only = _row(images, facts["images"]["file"])
    assert "cirros-file" in file_only
    assert "Not on Lightbits" in file_only
    assert "Copy to Lightbits" in file_only

    volumes = pages.table_rows(as_admin, "volumes")
    orphan = _row(volumes, facts["orphan_volume"])
    assert "Orphaned image volume" in orphan
    assert "(gone)" in orphan
    assert "Delete orphan" in orphan

    config = pages.table_rows(as_admin, "config")
    lightbits = _row(config, "store:lightbits")
    cluster = emulator.cluster_info()
    assert facts["volume_type"]["name"] in lightbits
    assert cluster["UUID"] in lightbits

    counts = dict(
        a.text.rsplit(": ", 1)
        for a in as_admin.find_elements(By.CSS_SELECTOR, ".lightbits-findings ul li a")
    )
    for label in ("Not on Lightbits", "Never fast-clones", "Orphaned image volume"):
        assert int(counts[label]) >= 1, counts
    assert int(counts.get("Image volume in a user project", 0)) == 0, counts
    # Every list was read, Keystone's projects too (the filter offers them).
    assert "Not read when the inventory was built" not in pages.page_text(as_admin)
    projects = Select(as_admin.find_element(By.NAME, "project"))
    assert "service" in [o.text for o in projects.options]


def test_demo_user_is_refused(as_demo, horizon):
    as_demo.get(horizon.url + URL)
    pages.wait(as_demo).until(EC.presence_of_element_located((By.TAG_NAME, "body")))
    pages.screenshot(as_demo, "admin-panel-as-demo")
    assert not as_demo.find_elements(By.ID, "images")
    assert "You are not authorized to access this page" in pages.page_text(as_demo)
    assert "Lightbits Image Volumes" not in pages.page_text(as_demo)
