"""Make fast-clonable from the panel: the admin (owner of the seeded images)
converts cirros-qcow2 and watches the stages to Active on the Conversions
page, refreshed by ajax only; the new image is raw on Lightbits."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from tests.browser import cloud, pages
from tests.cloud_access import delete_image_and_wait, glance_hashes_locations

IMAGES_URL = "/project/lightbits_images/"
STAGES = ("Copying", "Converting", "Registering", "Active")
CONVERTED_TO = "lightbits_converted_to"


def _new_images(admin_api, source_id):
    return [
        i.id
        for i in admin_api.glance.images.list(filters={"owner": admin_api.project_id})
        if i.get("lightbits_converted_from") == source_id
    ]


def test_convert_cirros_qcow2_and_watch_the_stages(as_admin, horizon, facts, admin_api):
    source_id = facts["images"]["qcow2"]
    driver = as_admin
    try:
        driver.get(horizon.url + IMAGES_URL)
        row = pages.wait(driver, 60).until(
            EC.presence_of_element_located((By.ID, f"lightbits_images__row__{source_id}"))
        )
        row.find_element(By.CSS_SELECTOR, ".btn-group .dropdown-toggle").click()  # more actions
        link = pages.wait(driver).until(
            EC.element_to_be_clickable(
                (By.ID, f"lightbits_images__row_{source_id}__action_make_fast_clonable")
            )
        )
        modal = pages.open_modal(driver, link)
        assert modal.find_element(By.NAME, "new_name").get_attribute("value") == "cirros-qcow2-raw"
        assert not modal.find_elements(By.CSS_SELECTOR, ".preflight-problems")
        pages.screenshot(driver, "make-fast-clonable")
        modal.find_element(By.CSS_SELECTOR, "[type=submit]").click()

        pages.wait(driver, 90).until(EC.presence_of_element_located((By.ID, "conversions")))
        assert "/conversions/" in driver.current_url
        seen = []

        def active(d):
            rows = [t for t in pages.table_rows(d, "conversions").values() if "cirros-qcow2" in t]
            stage = next((s for s in STAGES + ("Error",) if rows and s in rows[0]), None)
            if stage and (not seen or seen[-1] != stage):
                seen.append(stage)
            if stage == "Error":
                raise AssertionError(f"conversion failed: {rows[0]}")
            return stage == "Active" and rows[0]

        row = pages.wait(driver, 600).until(active)  # ajax only: no reload
        pages.assert_rows_one_line(driver, "conversions")
        pages.screenshot(driver, "conversions-active")
        pages.narrow_screenshot(driver, "conversions-active-narrow")
        assert seen[-1] == "Active" and len(seen) >= 2, seen  # a stage before Active
        assert [STAGES.index(s) for s in seen] == sorted(STAGES.index(s) for s in seen), seen
        assert "clone" in row, row  # the route: Cinder's clone

        [new_id] = _new_images(admin_api, source_id)
        new = admin_api.glance.images.get(new_id)
        assert (new.disk_format, new.container_format) == ("raw", "bare")
        assert new.stores == facts["stores"]["lightbits"] and new.name == "cirros-qcow2-raw"
        assert admin_api.glance.images.get(source_id)[CONVERTED_TO] == new_id
        driver.refresh()  # the finished row survives a reload
        pages.wait(driver, 60).until(
            lambda d: any("Active" in t for t in pages.table_rows(d, "conversions").values())
        )
    finally:
        for image_id in _new_images(admin_api, source_id):
            if glance_hashes_locations(facts):  # deleting while Glance hashes fails
                cloud.wait_for(
                    "new image hashed",
                    lambda i=image_id: admin_api.glance.images.get(i).os_hash_value,
                )
            delete_image_and_wait(admin_api.glance, image_id)
        source = admin_api.glance.images.get(source_id)
        if CONVERTED_TO in source:
            admin_api.glance.images.update(source_id, remove_props=[CONVERTED_TO])
