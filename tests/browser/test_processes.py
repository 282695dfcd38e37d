"""Horizon as operators run it: several processes sharing memcached.

A second uwsgi instance of the same Horizon (same settings, same memcached,
one process, its own port) stands for "the other worker": a request sent to
it is served by another process than one sent to the main Horizon. Sessions
live in memcached and cookies do not depend on the port, so one login works
on both.
"""

import os
import signal
import socket
import subprocess
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from tests.browser import launching, pages
from tests.browser.horizon import ROOT, answers, free_port

UWSGI = os.path.join(ROOT, ".venv", "bin", "uwsgi")
INI = os.path.join(ROOT, ".devcloud", "horizon", "uwsgi.ini")
ADMIN_URL = "/admin/lightbits_image_volumes/"
LOG = os.path.join(ROOT, ".devcloud", "log", "horizon-second.log")


@pytest.fixture(scope="module")
def other(horizon):
    """The second Horizon instance: {"url", "master" pid}."""
    port = free_port(0)
    env = dict(os.environ, HORIZON_PORT=str(port), HORIZON_PROCESSES="1")
    with open(LOG, "ab") as log:
        proc = subprocess.Popen(
            [UWSGI, "--ini", INI],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while not answers(url, timeout=10):
        assert proc.poll() is None and time.monotonic() < deadline, f"see {LOG}"
        time.sleep(1)
    yield {"url": url, "master": proc.pid}
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(30)


def _workers(master):
    with open(f"/proc/{master}/task/{master}/children") as f:
        return [int(p) for p in f.read().split()]


def _flush_memcached(facts):
    host, port = facts["memcached"].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"flush_all\r\n")
        assert s.recv(64).startswith(b"OK")


def _list_calls_left(emulator, rule_id):
    rule = next((r for r in emulator.faults() if r["id"] == rule_id), None)
    return rule["times"] if rule else 0


def test_cluster_cache_is_shared_by_the_processes(browser, horizon, other, facts, emulator):
    _flush_memcached(facts)  # no cluster list cached by earlier tests
    # a no-op rule counting the cluster's volume list calls
    rule = emulator.add_fault(kind="latency", path="^/api/v2/volumes", seconds=0, times=1000)
    try:
        pages.login(browser, horizon.url, facts["admin"]["username"], facts["admin"]["password"])
        browser.get(other["url"] + ADMIN_URL)
        pages.wait(browser).until(EC.presence_of_element_located((By.ID, "images")))
        after_other = _list_calls_left(emulator, rule["id"])
        assert after_other < 1000, "the other process did not list the cluster"
        browser.get(horizon.url + ADMIN_URL)  # within CLUSTER_CACHE_SECONDS
        pages.wait(browser).until(EC.presence_of_element_located((By.ID, "images")))
        assert _list_calls_left(emulator, rule["id"]) == after_other
        text = pages.page_text(browser)
        assert "did not answer" not in text
    finally:
        emulator.clear_faults()


def test_error_page_without_traceback_and_no_jwt_anywhere(browser, horizon, other, facts):
    pages.login(browser, horizon.url, facts["admin"]["username"], facts["admin"]["password"])
    with open(facts["emulator"]["admin_jwt_file"], encoding="utf-8") as f:
        jwt = f.read().strip()
    for base in (horizon.url, other["url"]):
        browser.get(base + "/admin/lightbits_image_volumes/no-such-page/")
        source = browser.page_source
        assert "Traceback" not in source and "DEBUG = True" not in source
        browser.get(base + ADMIN_URL)
        assert jwt not in browser.page_source
    for log in (horizon.log_file, LOG):
        with open(log, encoding="utf-8", errors="replace") as f:
            assert jwt not in f.read()


def _row_action(driver, server_name, action):
    row = (
        f"//table[@id='launches']//tr[starts-with(@id, 'launches__row__')]"
        f"[td[1][normalize-space()={pages.xpath_literal(server_name)}]]"
    )
    button = driver.find_element(By.XPATH, row + f"//*[contains(@id, '__action_{action}')]")
    driver.execute_script("arguments[0].click()", button)
    confirm = ".modal.in .modal-footer .btn-primary, .modal.in .modal-footer .btn-danger"

    def submitted(d):
        buttons = d.find_elements(By.CSS_SELECTOR, confirm)  # if Horizon asks to confirm
        if buttons and buttons[0].is_displayed():
            buttons[0].click()
        return EC.staleness_of(button)(d)  # the action's POST reloaded the page

    pages.wait(driver).until(submitted)


def test_launch_in_one_process_shown_and_recovered_by_the_other(
    browser, horizon, other, facts, demo_api, cleanup
):
    name = launching.unique_name("proc")
    cleanup.append(name)
    names = [f"{name}-1", f"{name}-2"]
    pages.login(browser, horizon.url, facts["demo"]["username"], facts["demo"]["password"])
    # started by the other process ...
    launching.launch(browser, other["url"], facts, name, count=2)
    (worker,) = _workers(other["master"])
    # ... shown progressing by this one, without reload
    browser.get(horizon.url + launching.LAUNCHES_URL)
    launching.wait_rows(browser, names, timeout=60, reload=True)
    # the worker driving the launch dies mid-launch
    os.kill(worker, signal.SIGKILL)
    rows = launching.wait_rows(browser, names, "Interrupted", timeout=150)
    assert len(rows) == 2
    browser.refresh()
    launching.wait_rows(browser, names, "Interrupted", timeout=30)
    _row_action(browser, names[0], "finish")
    launching.wait_rows(browser, [names[0]], "Active", timeout=240, reload=True)
    _row_action(browser, names[1], "clean_up")

    def cleaned():
        servers = [s for s in demo_api.nova.servers.list() if s.name == names[1]]
        volumes = [
            v for v in demo_api.cinder.volumes.list() if (v.name or "").startswith(names[1])
        ]
        return not servers and not volumes

    deadline = time.monotonic() + 180
    while not cleaned():
        assert time.monotonic() < deadline, f"Clean up left {names[1]}'s server or volume"
        time.sleep(3)
    server = next(s for s in demo_api.nova.servers.list() if s.name == names[0])
    assert server.status == "ACTIVE"
