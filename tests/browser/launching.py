"""Drive the "Launch from Lightbits image" workflow and the Launches table."""

import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from tests.browser import pages

IMAGES_URL = "/project/lightbits_images/"
LAUNCHES_URL = "/project/lightbits_images/launches/"
WORKFLOW = "launch_from_lightbits_image"


def unique_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def open_workflow(driver, base_url, image_id):
    """Open the workflow from the image's row action in the Lightbits Images table."""
    driver.get(base_url + IMAGES_URL)
    link = pages.wait(driver).until(
        EC.element_to_be_clickable((By.ID, f"lightbits_images__row_{image_id}__action_launch"))
    )
    return pages.open_modal(driver, link)


def fill_workflow(driver, modal, facts, name, count=1, volume_size=None, on_source=None):
    """Every step as a user would: flavor, network private, group web, key pair."""
    pages.set_text(modal, "name", name)
    pages.set_text(modal, "count", count)

    pages.show_step(modal, "set_source")
    pages.choose(modal, "volume_type", facts["volume_type"]["name"])
    if volume_size is not None:
        pages.set_text(modal, "volume_size", volume_size)
    dot = modal.find_element(By.NAME, "delete_on_terminate")
    assert dot.is_selected(), "delete-on-terminate should default to Yes"
    if on_source:
        on_source(modal)

    pages.show_step(modal, "set_flavor")
    pages.choose(modal, "flavor", "m1.tiny")

    pages.show_step(modal, "set_networks")
    pages.check(modal, "networks", "private")

    pages.show_step(modal, "set_access")
    pages.choose(modal, "key_name", facts["key_pair"]["name"])
    pages.check(modal, "security_groups", facts["security_group"]["name"])


def submit(modal):
    modal.find_element(By.CSS_SELECTOR, ".modal-footer [type='submit']").click()


def launch(driver, base_url, facts, name, count=1, on_source=None, image="raw"):
    """Launch from a seeded image (cirros-raw unless ``image="qcow2"``); returns
    once the Launches page is shown."""
    modal = open_workflow(driver, base_url, facts["images"][image])
    fill_workflow(driver, modal, facts, name, count=count, on_source=on_source)
    submit(modal)
    pages.wait(driver, 60).until(lambda d: LAUNCHES_URL in d.current_url)
    pages.wait(driver).until(EC.presence_of_element_located((By.ID, "launches")))


def launch_rows(driver, server_names):
    """{server name: row text and its cells' titles (the whole of a cut
    message)} for the given servers, from the Launches table."""
    rows = pages.table_rows(driver, "launches", titles=True)
    found = {}
    for text in rows.values():
        first = text.split("\n", 1)[0].split(" ", 1)[0]
        if first in server_names:
            found[first] = text
    return found


def wait_rows(driver, server_names, state=None, timeout=240, reload=False):
    """Wait until every server has a row (showing ``state`` if given).

    Without ``reload`` only Horizon's ajax row updates change the page. With
    it the page is reloaded while the condition does not hold: a launch's
    rows exist once its boot volumes do (the page shown right after the
    workflow may come before that), a rolled-back instance's row is replaced
    by a new error row, and ajax updates only refresh rows already on the
    page (see test_rows_listed_without_reload).
    """

    def ready(d):
        rows = launch_rows(d, server_names)
        if len(rows) == len(server_names) and all(
            state is None or state in text for text in rows.values()
        ):
            return rows
        if reload:
            d.refresh()
            pages.wait(d).until(EC.presence_of_element_located((By.ID, "launches")))
        return False

    return pages.wait(driver, timeout).until(ready)


def dismiss(driver, server_name):
    """Dismiss a server's row through its row action (and Horizon's confirmation)."""
    row = (
        f"//table[@id='launches']//tr[starts-with(@id, 'launches__row__')]"
        f"[td[1][normalize-space()={pages.xpath_literal(server_name)}]]"
    )
    driver.find_element(By.XPATH, row + "//*[contains(@id, '__action_dismiss')]").click()
    confirm = ".modal.in .modal-footer .btn-primary, .modal.in .modal-footer .btn-danger"

    def gone(d):
        buttons = d.find_elements(By.CSS_SELECTOR, confirm)  # if Horizon asks to confirm
        if buttons and buttons[0].is_displayed():
            buttons[0].click()
        return not d.find_elements(By.XPATH, row)

    pages.wait(driver).until(gone)
