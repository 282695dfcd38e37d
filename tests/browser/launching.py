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
        on_source()

    pages.show_step(modal, "set_flavor")
    pages.choose(modal, "flavor", "m1.tiny")

    pages.show_step(modal, "set_networks")
    pages.check(modal, "networks", "private")

    pages.show_step(modal, "set_access")
    pages.choose(modal, "key_name", facts["key_pair"]["name"])
    pages.check(modal, "security_groups", facts["security_group"]["name"])


def submit(modal):
    modal.find_element(By.CSS_SELECTOR, ".modal-footer [type='submit']").click()


def launch(driver, base_url, facts, name, count=1, on_source=None):
    """Launch from cirros-raw; returns once the Launches page is shown."""
    modal = open_workflow(driver, base_url, facts["images"]["raw"])
    fill_workflow(driver, modal, facts, name, count=count, on_source=on_source)
    submit(modal)
    pages.wait(driver, 60).until(lambda d: LAUNCHES_URL in d.current_url)
    pages.wait(driver).until(EC.presence_of_element_located((By.ID, "launches")))


def launch_rows(driver, server_names):
    """{server name: row text} for the given servers, from the Launches table."""
    rows = pages.table_rows(driver, "launches")
    found = {}
    for text in rows.values():
        first = text.split("\n", 1)[0].split(" ", 1)[0]
        if first in server_names:
            found[first] = text
    return found


def wait_rows_listed(driver, server_names, timeout=60):
    """Reload the Launches page until every server has a row.

    A launch's rows exist once its boot volumes do; the page shown right
    after the workflow may come before that, and Horizon's ajax updates only
    refresh rows already on the page (see test_rows_listed_without_reload).
    """

    def listed(d):
        rows = launch_rows(d, server_names)
        if len(rows) == len(server_names):
            return rows
        d.refresh()
        pages.wait(d).until(EC.presence_of_element_located((By.ID, "launches")))
        return False

    return pages.wait(driver, timeout).until(listed)


def wait_rows_in_state(driver, server_names, state, timeout=240):
    """Wait (ajax row updates, no reload) until every server's row shows ``state``."""

    def done(d):
        rows = launch_rows(d, server_names)
        if len(rows) == len(server_names) and all(state in t for t in rows.values()):
            return rows
        return False

    return pages.wait(driver, timeout).until(done)
