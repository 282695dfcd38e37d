"""Launches that must not happen or must fail cleanly."""

import os
import time

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from lightbits_dashboard import conf
from lightbits_dashboard.api.lightbits import PROBE_RETRY_SECONDS as PROBE_RETRY
from tests.browser import cloud, launching, pages


def _failed_lightbits_volumes(emulator, before):
    return [
        v["name"] for v in emulator.volumes() if v["name"] not in before and v["state"] == "Failed"
    ]


def _error_or_gone(driver, name, last):
    text = launching.launch_rows(driver, [name]).get(name)
    last[:] = [text]
    if text is None:
        return "gone"
    return "shown" if "went to error" in text else False


def test_failed_clone_shows_the_error_and_leaves_nothing(
    as_demo, horizon, facts, demo_api, emulator, cleanup
):
    name = launching.unique_name("bt-fail")
    cleanup.append(name)
    before = {v["name"] for v in emulator.volumes()}

    modal = launching.open_workflow(as_demo, horizon.url, facts["images"]["raw"])
    launching.fill_workflow(as_demo, modal, facts, name)
    # Every Lightbits volume created while this test runs ends Failed: on each
    # of Cinder's scheduling attempts this launch's clone, and the volume of
    # Cinder's silent download fallback (which works now that the local cloud
    # has a data path). Unbounded, so no count of Cinder's attempts can let a
    # late one succeed; the rule is cleared below.
    rule = emulator.add_fault(kind="fail_create", name="^volume-", times=None)
    try:
        launching.submit(modal)
        pages.wait(as_demo, 60).until(lambda d: launching.LAUNCHES_URL in d.current_url)
        # On the page shown after the workflow, without reloading, the row
        # shows the launch's own error, also once the rollback deleted the
        # boot volume (the row update answers with the failure row).
        last = [None]
        try:
            seen = pages.wait(as_demo, 300).until(lambda d: _error_or_gone(d, name, last))
        except TimeoutException:
            raise AssertionError(f"the row never showed the error; last seen: {last[0]!r}")
        assert seen == "shown", "the rolled-back instance's row vanished from the page"
        rows = launching.wait_rows(as_demo, [name], "went to error", reload=True, timeout=60)
    finally:
        if any(r["id"] == rule["id"] for r in emulator.faults()):
            emulator.clear_faults()
    pages.assert_rows_one_line(as_demo, "launches")
    pages.screenshot(as_demo, "launches-failed")
    assert " Error " in rows[name], rows[name]
    assert f"{name}-boot" in rows[name]
    launching.dismiss(as_demo, name)

    cloud.wait_for(
        "the failed launch's boot volume deleted",
        lambda: not [v for v in demo_api.cinder.volumes.list() if v.name.startswith(name)],
        timeout=120,
    )
    assert not [s for s in demo_api.nova.servers.list() if s.name.startswith(name)]
    cloud.wait_for(
        "no Failed Lightbits volume left by the launch",
        lambda: not _failed_lightbits_volumes(emulator, before),
        timeout=60,
    )


def test_quota_refusal_is_shown_and_nothing_created(
    as_demo, horizon, facts, demo_api, admin_api, cleanup
):
    name = launching.unique_name("bt-quota")
    cleanup.append(name)
    limit = admin_api.cinder.quotas.get(demo_api.project_id).gigabytes
    assert limit > 0, "the demo project has no gigabytes quota to exceed"

    modal = launching.open_workflow(as_demo, horizon.url, facts["images"]["raw"])
    launching.fill_workflow(as_demo, modal, facts, name, count=2, volume_size=limit // 2 + 1)
    launching.submit(modal)
    message = pages.wait(as_demo).until(
        EC.visibility_of_element_located(
            (By.XPATH, "//div[contains(@class, 'modal')]//*[contains(text(), 'Quota exceeded')]")
        )
    )
    pages.screenshot(as_demo, "launch-quota-refused")
    assert "Quota exceeded for gigabytes" in message.text, message.text
    assert launching.LAUNCHES_URL not in as_demo.current_url
    assert not [v for v in demo_api.cinder.volumes.list() if v.name.startswith(name)]


def _images_page_row(driver, base_url, image_id):
    driver.get(base_url + launching.IMAGES_URL)
    return (
        pages.wait(driver)
        .until(EC.presence_of_element_located((By.ID, f"lightbits_images__row__{image_id}")))
        .text
    )


def test_cluster_down_is_said_and_the_launch_refused_with_nothing_created(
    as_demo, horizon, facts, demo_api, emulator, cleanup
):
    """Cinder cannot tell: the LightOS driver reports its pool and its service
    stays up while the cluster is unreachable, and a clone then sits
    "creating" while the driver retries. The plugin's own probe of the
    cluster (cached CLUSTER_CACHE_SECONDS) tells the project member."""
    name = launching.unique_name("bt-down")
    cleanup.append(name)
    image_id = facts["images"]["raw"]
    assert "Fast clone" in _images_page_row(as_demo, horizon.url, image_id)  # it answers
    # every cluster request loses its connection: the cluster is down
    emulator.add_fault(kind="drop", path=".*")
    try:
        slow = WebDriverWait(as_demo, 120, poll_frequency=3)  # reloads: one per 3 s
        slow.until(lambda d: "Unavailable now" in _images_page_row(d, horizon.url, image_id))
        row = _images_page_row(as_demo, horizon.url, image_id)
        assert "Fast clone" not in row, row
        # when it last answered (the view above, before the fault)
        assert "does not answer (last answered at" in pages.page_text(as_demo)
        pages.screenshot(as_demo, "images-cluster-down")

        modal = launching.open_workflow(as_demo, horizon.url, image_id)
        launching.fill_workflow(as_demo, modal, facts, name)
        launching.submit(modal)
        # the workflow comes back with its Source step marked at fault
        marked = ".modal li.error a[href$='__set_source']"
        pages.wait(as_demo, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, marked)))
        refused = "//div[contains(@class, 'modal')]//*[contains(text(), 'does not answer')]"
        modal = pages.wait(as_demo).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, ".modal.in form, .modal.show form"))
        )
        pages.show_step(modal, "set_source")
        message = pages.wait(as_demo).until(EC.visibility_of_element_located((By.XPATH, refused)))
        assert "cannot take new volumes" in message.text, message.text
        assert launching.LAUNCHES_URL not in as_demo.current_url
        assert not [v for v in demo_api.cinder.volumes.list() if v.name.startswith(name)]
    finally:
        emulator.clear_faults()
    # once the cluster answers again (after the cached probe expires) the
    # panel says the clone path again: later tests launch normally
    slow = WebDriverWait(as_demo, 120, poll_frequency=3)
    slow.until(lambda d: "Fast clone" in _images_page_row(d, horizon.url, image_id))


def test_one_slow_cluster_answer_does_not_say_the_cluster_is_down(
    as_demo, horizon, facts, emulator
):
    """A busy moment (one cluster info call slower than CLUSTER_TIMEOUT) is
    tried again after PROBE_RETRY_SECONDS: the clone path is never
    "Unavailable now", so no launch is refused or stopped for it."""
    image_id = facts["images"]["raw"]
    slow = conf.DEFAULTS["CLUSTER_TIMEOUT"] + 2
    offset = os.path.getsize(horizon.log_file)
    rule = emulator.add_fault(kind="latency", path="/clusterinfo$", seconds=slow, times=1)
    met = []  # when the probe met the slow answer (Horizon logs the time-out)

    def retried_without_saying_down(d):
        row = _images_page_row(d, horizon.url, image_id)
        assert "Unavailable now" not in row, row
        if not met and "gave no answer (timed out)" in _log_since(horizon.log_file, offset):
            met.append(time.monotonic())
        return bool(met) and time.monotonic() - met[0] > 2 * PROBE_RETRY + 1

    try:
        WebDriverWait(as_demo, 120, poll_frequency=2).until(retried_without_saying_down)
    finally:
        if any(r["id"] == rule["id"] for r in emulator.faults()):
            emulator.clear_faults()
    assert "Fast clone" in _images_page_row(as_demo, horizon.url, image_id)


def _log_since(path, offset):
    with open(path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        return log.read()


def test_an_invalid_size_on_a_hidden_step_marks_the_step_and_creates_nothing(
    as_demo, horizon, facts, demo_api, cleanup
):
    """Issue 10.6: 0 in Boot Volume Size, then the other steps, then Launch.
    The browser's own validation blocked the submit on the hidden field (no
    step marked, no message); the server must mark the Source step and say why."""
    name = launching.unique_name("bt-size0")
    cleanup.append(name)
    modal = launching.open_workflow(as_demo, horizon.url, facts["images"]["raw"])
    # fill_workflow leaves the Source step for Flavor, Networks and Access
    launching.fill_workflow(as_demo, modal, facts, name, volume_size=0)
    launching.submit(modal)
    marked = ".modal li.error a[href$='__set_source']"
    pages.wait(as_demo, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, marked)))
    modal = pages.wait(as_demo).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".modal.in form, .modal.show form"))
    )
    pages.show_step(modal, "set_source")
    refused = (
        "//div[contains(@class, 'modal')]"
        "//*[contains(text(), 'Ensure this value is greater than or equal to 1')]"
    )
    pages.wait(as_demo).until(EC.visibility_of_element_located((By.XPATH, refused)))
    pages.screenshot(as_demo, "launch-size-zero-refused")
    assert launching.LAUNCHES_URL not in as_demo.current_url
    assert not [v for v in demo_api.cinder.volumes.list() if v.name.startswith(name)]
    assert not [s for s in demo_api.nova.servers.list() if s.name.startswith(name)]
