"""Admin > Volume > Lightbits Image Volumes: the chain and the seeded findings,
one line per row in every tab, and an image's detail page."""

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from tests.browser import pages

URL = "/admin/lightbits_image_volumes/"
TABS = "lightbits_inventory__"
MAX_ROW_HEIGHT = 80  # px at 1400 px: one line, as Horizon's admin Volumes and Images rows
NARROW = 600  # px: the screenshots of a narrow window


def _image_volume(admin_api, image_id):
    volumes = admin_api.cinder.volumes.list(
        search_opts={"all_tenants": 1, "name": f"image-{image_id}"}
    )
    assert len(volumes) == 1, [v.id for v in volumes]
    return volumes[0]


def _row_id(rows, prefix):
    found = [row_id for row_id in rows if row_id.startswith(prefix)]
    assert len(found) == 1, (prefix, list(rows))
    return found[0]


def _row(driver, table, row_id):
    return driver.find_element(By.ID, f"{table}__row__{row_id}")


def _titles(element):
    """The hovers (title attributes) inside an element."""
    return [e.get_attribute("title") for e in element.find_elements(By.CSS_SELECTOR, "[title]")]


def _open(driver, horizon, query=""):
    pages.open_inventory_page(driver, horizon.url + URL + query)


def _assert_one_line_rows(driver, table):
    return max(pages.assert_rows_one_line(driver, table, MAX_ROW_HEIGHT).values())


def test_chain_and_findings_of_the_seeded_images(as_admin, horizon, facts, admin_api, emulator):
    _open(as_admin, horizon)
    images = pages.table_rows(as_admin, "images")

    # image -> image volume -> Lightbits volume, for both Lightbits images
    for key, name in (("raw", "cirros-raw"), ("qcow2", "cirros-qcow2")):
        image_id = facts["images"][key]
        volume = _image_volume(admin_api, image_id)
        lvol = emulator.volume_by_name(f"volume-{volume.id}")
        assert lvol is not None
        row_id = _row_id(images, image_id)
        assert row_id == f"{image_id}:{volume.id}"
        text = images[row_id]
        assert name in text
        assert "available" in text
        assert lvol["protectionState"] in text
        assert lvol["state"] == "Available"  # shown in the hover only
        # boot volumes from it, cloned / copied (from the Lightbits side)
        assert re.search(r"\b\d+ / \d+\b", text), text
        row = _row(as_admin, "images", row_id)
        assert row.find_elements(By.CSS_SELECTOR, f"a[href$='/admin/volumes/{volume.id}/']")
        assert row.find_elements(By.CSS_SELECTOR, ".fa-lock[title='read-only']")
        assert f"{lvol['UUID']}: Available · {lvol['protectionState']}" in _titles(row)
        assert any(re.fullmatch(r"\d+ cloned, \d+ copied.*", t) for t in _titles(row))
        # Glance made it in project service (SERVICE_PROJECTS), read from Keystone
        assert not [t for t in [text, *_titles(row)] if "user project" in t], text

    qcow2_id = _row_id(images, facts["images"]["qcow2"])
    assert "Never clones" in images[qcow2_id]
    assert any(
        "qcow2/bare, not raw/bare" in t for t in _titles(_row(as_admin, "images", qcow2_id))
    )
    raw = images[_row_id(images, facts["images"]["raw"])]
    assert "Never clones" not in raw and "Not on Lightbits" not in raw

    file_only = images[_row_id(images, facts["images"]["file"])]
    assert "cirros-file" in file_only
    assert "Not on Lightbits" in file_only
    assert "Copy to Lightbits" in file_only

    pages.show_tab(as_admin, TABS + "volumes")
    volumes = pages.table_rows(as_admin, "volumes")
    orphan = volumes[_row_id(volumes, facts["orphan_volume"])]
    assert "Orphan" in orphan
    assert "gone" in orphan
    assert "Delete orphan" in orphan

    pages.show_tab(as_admin, TABS + "config")
    config = pages.table_rows(as_admin, "config")
    lightbits_id = _row_id(config, "store:lightbits")
    assert facts["volume_type"]["name"] in config[lightbits_id]
    cluster = emulator.cluster_info()
    assert cluster["UUID"] in _titles(_row(as_admin, "config", lightbits_id))

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


def test_rows_are_one_line_in_every_tab(as_admin, horizon):
    """At 1400 px every row of every tab is one line (measured in Chromium);
    screenshots of each tab at 1400 px and at a narrow width."""
    _open(as_admin, horizon)
    tallest = {}
    for table in ("images", "volumes", "config", "clusters"):
        pages.show_tab(as_admin, TABS + table)
        tallest[table] = _assert_one_line_rows(as_admin, table)
        # the inventory's age and being-built notice stays in view above the tabs
        assert as_admin.find_element(By.ID, "lightbits_inventory_age").is_displayed()
        pages.full_page_screenshot(as_admin, f"admin-image-volumes-{table}")
        pages.screenshot_at(as_admin, f"admin-image-volumes-{table}-narrow", NARROW)
    print("tallest rows (px):", tallest)


def test_refresh_is_a_table_action_that_keeps_the_tab(as_admin, horizon):
    _open(as_admin, horizon, "?tab=" + TABS + "volumes")
    generation = as_admin.find_element(By.ID, "lightbits_inventory_age").get_attribute(
        "data-generation"
    )
    button = as_admin.find_element(By.ID, "volumes__action_refresh")
    button.click()
    pages.wait(as_admin, 120).until(EC.staleness_of(button))
    pages.wait(as_admin, 120).until(
        lambda d: (
            d.find_element(By.ID, "lightbits_inventory_age").get_attribute("data-generation")
            != generation
        )
    )
    assert f"tab={TABS}volumes" in as_admin.current_url
    assert "refresh" not in as_admin.current_url
    assert as_admin.find_element(By.ID, TABS + "volumes").is_displayed()


def test_detail_page_of_an_image(as_admin, horizon, facts, admin_api, emulator):
    _open(as_admin, horizon)
    image_id = facts["images"]["qcow2"]
    volume = _image_volume(admin_api, image_id)
    row = _row(as_admin, "images", f"{image_id}:{volume.id}")
    row.find_element(By.CSS_SELECTOR, "td:first-child a").click()
    pages.wait(as_admin).until(EC.presence_of_element_located((By.ID, "lightbits_image")))
    assert f"/admin/lightbits_image_volumes/images/{image_id}/" in as_admin.current_url
    header = as_admin.find_element(By.CSS_SELECTOR, ".detail-header")
    assert "cirros-qcow2" in header.text
    assert "Make fast-clonable" in header.text  # the images table's row actions
    overview = as_admin.find_element(By.ID, "lightbits_image__overview")
    assert image_id in overview.text and "qcow2/bare" in overview.text
    pages.screenshot_at(as_admin, "admin-image-detail", 1400)
    pages.screenshot_at(as_admin, "admin-image-detail-narrow", NARROW)

    pages.show_tab(as_admin, "lightbits_image__image_volume")
    assert volume.id in as_admin.find_element(By.ID, "lightbits_image__image_volume").text
    pages.show_tab(as_admin, "lightbits_image__lightbits")
    lvol = emulator.volume_by_name(f"volume-{volume.id}")
    assert lvol["UUID"] in as_admin.find_element(By.ID, "lightbits_image__lightbits").text
    pages.show_tab(as_admin, "lightbits_image__boot_volumes")
    assert "Cloned" in as_admin.find_element(By.ID, "lightbits_image__boot_volumes").text
    pages.show_tab(as_admin, "lightbits_image__findings")
    findings = as_admin.find_element(By.ID, "lightbits_image__findings").text
    assert "Never fast-clones" in findings and "qcow2/bare, not raw/bare" in findings
    pages.screenshot_at(as_admin, "admin-image-detail-findings", 1400)


def test_demo_user_is_refused(as_demo, horizon):
    as_demo.get(horizon.url + URL)
    pages.wait(as_demo).until(EC.presence_of_element_located((By.TAG_NAME, "body")))
    pages.screenshot(as_demo, "admin-panel-as-demo")
    assert not as_demo.find_elements(By.ID, "images")
    assert "You are not authorized to access this page" in pages.page_text(as_demo)
    assert "Lightbits Image Volumes" not in pages.page_text(as_demo)
