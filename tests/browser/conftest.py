"""Fixtures of the browser tests: the local cloud's facts and APIs, one
Horizon for the session, and a fresh headless Chromium per test.

The local cloud must be running (``devcloud/devcloud start``): without its
facts file the tests fail, they are not skipped.
"""

import os
import shutil
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.browser import cloud, pages
from tests.browser.horizon import DevcloudHorizon as Horizon

CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


def pytest_collection_modifyitems(items):
    """Every test here is marked browser and cloud (pytest -m 'not browser' skips them)."""
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.cloud)


@pytest.fixture(scope="session")
def facts():
    if not os.path.exists(cloud.CLOUD_JSON):
        pytest.fail(f"{cloud.CLOUD_JSON} is missing: run devcloud/devcloud start first")
    data = cloud.load_facts()
    missing = [k for k in ("images", "networks", "security_group", "key_pair") if k not in data]
    if missing:
        pytest.fail(f"the local cloud is not seeded ({', '.join(missing)} missing)")
    return data


@pytest.fixture(scope="session")
def horizon(facts):
    """Horizon with the plugin, started once, stopped at the end of the session."""
    server = Horizon().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo_api(facts):
    return cloud.Clients(facts, "demo")


@pytest.fixture(scope="session")
def admin_api(facts):
    return cloud.Clients(facts, "admin")


@pytest.fixture(scope="session")
def emulator(facts):
    return cloud.Emulator(facts)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def browser(request):
    profile = tempfile.mkdtemp(prefix="lb-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(90)
    try:
        yield driver
        if getattr(request.node, "call_failed", False):
            pages.screenshot(driver, "FAILED-" + request.node.name)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def cleanup(demo_api):
    """Name prefixes whose servers and volumes are deleted after the test, pass or fail."""
    prefixes = []
    yield prefixes
    for prefix in prefixes:
        demo_api.delete_servers_named(prefix)
        demo_api.delete_volumes_named(prefix)


@pytest.fixture
def as_demo(browser, horizon, facts):
    pages.login(browser, horizon.url, facts["demo"]["username"], facts["demo"]["password"])
    return browser


@pytest.fixture
def as_admin(browser, horizon, facts):
    pages.login(browser, horizon.url, facts["admin"]["username"], facts["admin"]["password"])
    return browser
