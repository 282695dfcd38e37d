"""Horizon as operators run it: one port, 2 uwsgi worker processes sharing memcached.

Which process served a request: uwsgi logs every request with the pid of the
worker that served it and its full URI, so a request carrying a unique query
string is found in the log with its pid. A request is sent to the other
process by parallel requests until the other one answered one of them (uwsgi's
workers all accept on the one socket; both answer some of 4 parallel
requests).

A worker killed mid-request fails the browser's row updates it was serving,
and Horizon's own table code then stops updating those rows until the page
is reloaded: the kill test reloads after the kill (the rows' own updates are
checked before the kill and after Finish Launch).
"""

import os
import re
import signal
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from lightbits_dashboard import conf
from lightbits_dashboard.launch import runner
from tests.browser import cloud, launching, pages
from tests.browser.horizon import ROOT, STATE

ADMIN_URL = "/admin/lightbits_image_volumes/"
PID_FILE = os.path.join(STATE, "run", "horizon.pid")
SETTINGS = os.path.join(ROOT, "devcloud", "etc", "horizon_settings.py")
SERVED = re.compile(r"\[pid: (\d+)\|.*\] (GET|POST) (\S+) =>")


def _workers():
    with open(PID_FILE) as f:
        master = int(f.read().split()[0])
    with open(f"/proc/{master}/task/{master}/children") as f:
        workers = [int(p) for p in f.read().split()]
    assert len(workers) >= 2, f"Horizon runs {len(workers)} worker process(es), not 2"
    return workers


def _served(log_file, offset=0):
    """[(pid, method, uri)] of the requests uwsgi logged after ``offset``."""
    with open(log_file, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        return [
            (int(m.group(1)), m.group(2), m.group(3))
            for m in (SERVED.search(line) for line in f)
            if m
        ]


def _pid_of(log_file, marker, timeout=30):
    """The pid of the worker that served the request whose URI holds ``marker``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid, _method, uri in _served(log_file):
            if marker in uri:
                return pid
        time.sleep(0.5)
    raise AssertionError(f"no request {marker} in {log_file}")


def _session(driver):
    """The browser's login (its session cookie) for plain requests."""
    session = requests.Session()
    for cookie in driver.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    return session


def _get_any(session, url, log_file):
    """(pid that served it, page text) of one GET, whatever its status."""
    marker = uuid.uuid4().hex
    sep = "&" if "?" in url else "?"
    resp = session.get(f"{url}{sep}served={marker}", timeout=120)
    return _pid_of(log_file, marker), resp.text


def _get(session, url, log_file):
    marker = uuid.uuid4().hex
    sep = "&" if "?" in url else "?"
    resp = session.get(f"{url}{sep}served={marker}", timeout=120)
    resp.raise_for_status()
    return _pid_of(log_file, marker), resp.text


def _from_another_process(session, url, log_file, not_pid, check, timeout=120):
    """Parallel GETs until a worker other than ``not_pid`` answers one that
    passes ``check``; returns (pid, text)."""
    deadline = time.monotonic() + timeout
    seen = []
    with ThreadPoolExecutor(4) as pool:
        while time.monotonic() < deadline:
            for pid, text in pool.map(lambda _: _get_any(session, url, log_file), range(4)):
                seen.append(pid)
                if pid != not_pid and check(text):
                    return pid, text
    raise AssertionError(f"no answer from a process other than {not_pid}; served by {seen}")


def _flush_memcached(facts):
    host, port = facts["memcached"].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"flush_all\r\n")
        assert s.recv(64).startswith(b"OK")


def _list_calls_left(emulator, rule_id):
    rule = next((r for r in emulator.faults() if r["id"] == rule_id), None)
    return rule["times"] if rule else 0


def _built_page(session, url, log_file, timeout=120):
    """The admin page once its inventory is built (by the build process)."""
    deadline = time.monotonic() + timeout
    while True:
        _pid, text = _get(session, url, log_file)
        if 'data-state="ready"' in text:
            return text
        assert time.monotonic() < deadline, "the inventory was not built"
        time.sleep(1)


def test_cluster_cache_is_shared_by_the_processes(browser, horizon, facts, emulator):
    """The inventory's build process lists the cluster; the row updates of
    both workers (other processes) then read that list from the cache."""
    _workers()
    fresh = conf.DEFAULTS["CLUSTER_CACHE_SECONDS"] - 3  # the first list still cached
    for _attempt in range(3):
        _flush_memcached(facts)  # no cluster list cached by earlier tests
        pages.login(browser, horizon.url, facts["admin"]["username"], facts["admin"]["password"])
        session = _session(browser)
        # a no-op rule counting the cluster's volume list calls
        rule = emulator.add_fault(kind="latency", path="^/api/v2/volumes", seconds=0, times=1000)
        try:
            text = _built_page(session, horizon.url + ADMIN_URL, horizon.log_file)
            listed = time.monotonic()
            after_build = _list_calls_left(emulator, rule["id"])
            assert after_build < 1000, "the build did not list the cluster"
            row = re.search(r'id="images__row__([^"]+)"', text).group(1)
            url = f"{horizon.url}{ADMIN_URL}?action=row_update&table=images&obj_id={row}"
            first, text = _get(session, url, horizon.log_file)
            _other, text = _from_another_process(
                session, url, horizon.log_file, first, lambda t: True
            )
            calls_left = _list_calls_left(emulator, rule["id"])
        finally:
            emulator.clear_faults()
        if time.monotonic() - listed < fresh:
            break  # else the list may have expired: try again
    assert row in text and "did not answer" not in text
    assert calls_left == after_build, "a worker listed the cluster again"


def _jwt(facts):
    with open(facts["emulator"]["admin_jwt_file"], encoding="utf-8") as f:
        return f.read().strip()


def _forged_launch_volume(demo_api):
    """A volume of the demo project whose launch record names a server id
    Nova answers with an error other than 404: its row update fails (500)."""
    volume = demo_api.cinder.volumes.create(
        1,
        name=launching.unique_name("forged"),
        metadata={
            "lightbits_launch_id": "forged",
            "lightbits_launch_state": "booting",
            "lightbits_launch_server": "forged",
            "lightbits_launch_server_id": "../flavors",
        },
    )
    cloud.wait_for(
        "the forged volume available",
        lambda: demo_api.cinder.volumes.get(volume.id).status == "available",
        timeout=120,
    )
    return volume


def test_error_page_without_traceback_and_no_jwt_anywhere(
    browser, horizon, facts, demo_api, emulator
):
    jwt = _jwt(facts)
    volume = _forged_launch_volume(demo_api)
    try:
        pages.login(browser, horizon.url, facts["demo"]["username"], facts["demo"]["password"])
        session = _session(browser)
        url = (
            horizon.url
            + launching.LAUNCHES_URL
            + f"?action=row_update&table=launches&obj_id={volume.id}"
        )
        first, text = _get_any(session, url, horizon.log_file)
        _from_another_process(session, url, horizon.log_file, first, lambda t: True)
        for _ in range(4):  # both processes, most likely
            resp = session.get(url, timeout=120)
            assert resp.status_code == 500, "the forced failure did not fail"
            assert "Traceback" not in resp.text and "DEBUG = True" not in resp.text
            assert "Something went wrong" in resp.text, resp.text[:300]  # Horizon's 500 page
            assert jwt not in resp.text
    finally:
        demo_api.cinder.volumes.delete(volume.id)
    # the admin page (holding the cluster's JWT) under a cluster that fails
    browser.delete_all_cookies()
    pages.login(browser, horizon.url, facts["admin"]["username"], facts["admin"]["password"])
    session = _session(browser)
    emulator.add_fault(kind="status", path="^/api/v2/volumes", status=500, message="boom")
    try:
        for _ in range(4):
            resp = session.get(horizon.url + ADMIN_URL + "?refresh", timeout=120)
            assert "Traceback" not in resp.text and jwt not in resp.text
    finally:
        emulator.clear_faults()
    with open(horizon.log_file, encoding="utf-8", errors="replace") as f:
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


def _launched_by(log_file, offset):
    """The pid of the worker that served the launch workflow's POST."""
    posts = [
        pid
        for pid, method, uri in _served(log_file, offset)
        if method == "POST" and uri.endswith("/launch/")
    ]
    assert posts, "no launch POST in the log"
    return posts[-1]


def _heartbeat_ttl():
    with open(SETTINGS, encoding="utf-8") as f:
        assert "LAUNCH_POLL_INTERVAL" not in f.read()  # the default is what runs
    return runner.heartbeat_ttl(conf.DEFAULTS["LAUNCH_POLL_INTERVAL"])


def test_launch_in_one_process_shown_and_recovered_by_the_other(
    browser, horizon, facts, demo_api, emulator, cleanup
):
    name = launching.unique_name("proc")
    cleanup.append(name)
    names = [f"{name}-1", f"{name}-2"]
    pages.login(browser, horizon.url, facts["demo"]["username"], facts["demo"]["password"])
    session = _session(browser)
    # each clone's snapshot takes 30 s on the cluster: the launch is killed mid-clone
    emulator.add_fault(kind="latency", method="POST", path="/snapshots", seconds=30, times=2)
    try:
        offset = os.path.getsize(horizon.log_file)
        launching.launch(browser, horizon.url, facts, name, count=2)
        driver_pid = _launched_by(horizon.log_file, offset)
        # progressing, in requests served by the other process
        _pid, text = _from_another_process(
            session,
            horizon.url + launching.LAUNCHES_URL,
            horizon.log_file,
            driver_pid,
            lambda t: all(n in t for n in names) and "Cloning" in t,
        )
        rows = launching.wait_rows(browser, names, "Cloning", timeout=60, reload=True)
        # the worker driving the launch dies mid-clone
        os.kill(driver_pid, signal.SIGKILL)
        killed = time.monotonic()
        # A row update in flight to the killed worker fails, and Horizon's
        # table then stops updating that row (horizon.tables.js drops a row's
        # ajax-update on any error but 404): reload, as its user would.
        ttl = _heartbeat_ttl()
        rows = launching.wait_rows(browser, names, "Interrupted", timeout=ttl + 60, reload=True)
        took = time.monotonic() - killed
    finally:
        emulator.clear_faults()
    assert took <= _heartbeat_ttl() + 30, f"Interrupted {took:.0f} s after the kill"
    assert len(rows) == 2
    browser.refresh()
    launching.wait_rows(browser, names, "Interrupted", timeout=30)
    offset = os.path.getsize(horizon.log_file)
    _row_action(browser, names[0], "finish")
    assert _launched_by_action(horizon.log_file, offset) != driver_pid
    # finished by another process, its row updates itself until Active
    launching.wait_rows(browser, [names[0]], "Active", timeout=240)
    _row_action(browser, names[1], "clean_up")

    def cleaned():
        servers = [s for s in demo_api.nova.servers.list() if s.name == names[1]]
        volumes = [
            v for v in demo_api.cinder.volumes.list() if (v.name or "").startswith(names[1])
        ]
        return not servers and not volumes

    cloud.wait_for(f"Clean up deleted {names[1]}'s server and volume", cleaned, timeout=180)
    server = next(s for s in demo_api.nova.servers.list() if s.name == names[0])
    assert server.status == "ACTIVE"


def _launched_by_action(log_file, offset):
    posts = [pid for pid, method, _uri in _served(log_file, offset) if method == "POST"]
    assert posts, "no row action POST in the log"
    return posts[0]


def test_failure_written_by_one_process_shown_by_the_other(
    browser, horizon, facts, demo_api, emulator, cleanup
):
    """The cluster goes down mid-clone: the launch fails at once with that
    reason (not after LAUNCH_CLONE_TIMEOUT), its rollback completes once the
    cluster is back, and the failure row (the failure log, written by the
    driving process) is shown by requests served by the other process."""
    name = launching.unique_name("proc-fail")
    cleanup.append(name)
    pages.login(browser, horizon.url, facts["demo"]["username"], facts["demo"]["password"])
    session = _session(browser)
    emulator.add_fault(kind="latency", method="POST", path="/snapshots", seconds=30, times=1)
    try:
        offset = os.path.getsize(horizon.log_file)
        launching.launch(browser, horizon.url, facts, name)
        driver_pid = _launched_by(horizon.log_file, offset)
        launching.wait_rows(browser, [name], "Cloning", timeout=60, reload=True)
        emulator.add_fault(kind="drop", path=".*")  # the cluster is down
        down = time.monotonic()
        rows = launching.wait_rows(browser, [name], "does not answer", timeout=120)
        took = time.monotonic() - down
    finally:
        emulator.clear_faults()
    bound = conf.DEFAULTS["CLUSTER_CACHE_SECONDS"] + 30
    assert took <= bound, f"the launch failed {took:.0f} s after the cluster went down"
    assert " Error " in rows[name], rows[name]
    cloud.wait_for(
        "the failed launch's boot volume deleted",
        lambda: not [v for v in demo_api.cinder.volumes.list() if v.name.startswith(name)],
        timeout=240,
    )
    _pid, text = _from_another_process(
        session,
        horizon.url + launching.LAUNCHES_URL,
        horizon.log_file,
        driver_pid,
        lambda t: name in t and "does not answer" in t,
    )
    assert not [s for s in demo_api.nova.servers.list() if s.name.startswith(name)]
    browser.get(horizon.url + launching.LAUNCHES_URL)
    launching.wait_rows(browser, [name], "does not answer", timeout=60)
    launching.dismiss(browser, name)

    # the cluster's probe forgets the failure: later tests see the clone path
    def clone_path_again(d):
        d.get(horizon.url + launching.IMAGES_URL)
        return ">Fast clone<" in d.page_source  # a row's, not the column's help

    WebDriverWait(browser, 120, poll_frequency=3).until(clone_path_again)
