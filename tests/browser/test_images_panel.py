"""Project > Compute > Lightbits Images, as the demo user."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from tests.browser import pages

URL = "/project/lightbits_images/"


def test_lists_lightbits_images_with_their_clone_path(as_demo, horizon, facts):
    as_demo.get(horizon.url + URL)
    pages.wait(as_demo).until(EC.presence_of_element_located((By.ID, "lightbits_images")))
    rows = pages.table_rows(as_demo, "lightbits_images")
    images = facts["images"]

    assert images["raw"] in rows, rows
    assert "cirros-raw" in rows[images["raw"]]
    assert "Fast clone" in rows[images["raw"]]

    assert images["qcow2"] in rows, rows
    qcow2 = rows[images["qcow2"]]
    assert "cirros-qcow2" in qcow2
    assert "Copy: qcow2" in qcow2, qcow2
    pages.assert_rows_one_line(as_demo, "lightbits_images")

    assert images["file"] not in rows
    assert "cirros-file" not in pages.page_text(as_demo)
    pages.screenshot(as_demo, "lightbits-images-panel")
    pages.narrow_screenshot(as_demo, "lightbits-images-panel-narrow")
