"""Selenium helpers for Horizon pages: log in, pick from Horizon's themable
widgets, wait for table rows, save screenshots. Explicit bounded waits only."""

import os

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCREENSHOTS = os.path.join(ROOT, "test-artifacts", "screenshots")
WAIT = 30  # seconds for a page or a modal


def wait(driver, timeout=WAIT):
    return WebDriverWait(
        driver, timeout, poll_frequency=0.5, ignored_exceptions=(StaleElementReferenceException,)
    )


def xpath_literal(text):
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{p}'" for p in parts) + ")"


def login(driver, base_url, user, password):
    driver.get(base_url + "/auth/login/")
    wait(driver).until(EC.presence_of_element_located((By.ID, "id_username")))
    driver.find_element(By.ID, "id_username").send_keys(user)
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.ID, "loginBtn").click()
    wait(driver, 60).until(lambda d: "/auth/login" not in d.current_url)
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#navbar-collapse")))


def screenshot(driver, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, name + ".png")
    driver.save_screenshot(path)
    return path


def full_page_screenshot(driver, name, max_height=3000):
    """The whole page, not just the window (tall admin tables)."""
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(size["width"], min(max(height, size["height"]), max_height))
    try:
        return screenshot(driver, name)
    finally:
        driver.set_window_size(size["width"], size["height"])


def narrow_screenshot(driver, name, width=600):
    """The page at a narrow window (a phone, a split screen), then back."""
    size = driver.get_window_size()
    driver.set_window_size(width, size["height"])
    try:
        return screenshot(driver, name)
    finally:
        driver.set_window_size(size["width"], size["height"])


# The tallest a table row may be at 1400 px: one line, as Horizon's own tables
# (theirs measure 37 to 50 px with a row's action button).
ROW_HEIGHT_MAX = 80


def row_heights(driver, table):
    """{row id: height in px} of a Horizon table's rows as laid out now."""
    return driver.execute_script(
        "return Object.fromEntries(Array.from(document.querySelectorAll("
        "'table#' + arguments[0] + ' > tbody > tr[id^=\"' + arguments[0] + '__row__\"]'))"
        ".map(r => [r.id, r.getBoundingClientRect().height]));",
        table,
    )


def assert_rows_one_line(driver, table, limit=ROW_HEIGHT_MAX):
    """Every row of ``table`` at most ``limit`` px tall; returns the heights."""
    heights = row_heights(driver, table)
    assert heights, f"no row in table {table}"
    tall = {row: height for row, height in heights.items() if height > limit}
    assert not tall, f"rows of {table} taller than {limit} px: {tall}"
    return heights


def page_text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def table_rows(driver, table, titles=False):
    """{row id: row text} of a Horizon table (``<table id=table>``); with
    ``titles``, followed by its cells' titles (a value cut to one line is
    whole there), one a line."""
    rows = driver.find_elements(
        By.CSS_SELECTOR, f"table#{table} > tbody > tr[id^='{table}__row__']"
    )
    return {r.get_attribute("id")[len(table) + 7 :]: _row_text(r, titles) for r in rows}


def _row_text(row, titles):
    if not titles:
        return row.text
    hover = [e.get_attribute("title") for e in row.find_elements(By.CSS_SELECTOR, "td [title]")]
    hover += [e.get_attribute("title") for e in row.find_elements(By.CSS_SELECTOR, "td[title]")]
    return "\n".join([row.text] + [t for t in hover if t])


def open_modal(driver, link):
    """Click a link that opens an ajax modal; return the modal's form."""
    link.click()
    return wait(driver).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".modal.in form, .modal.show form"))
    )


def show_step(modal, step_slug):
    """Open a workflow step's tab (by its slug)."""
    tab = modal.find_element(By.CSS_SELECTOR, f"a[href$='__{step_slug}']")
    item = tab.find_element(By.XPATH, "..")
    tab.click()
    wait(modal.parent, 10).until(lambda d: "active" in (item.get_attribute("class") or ""))


def choose(modal, field_name, label_prefix):
    """Pick an option of a themable select by its visible label (prefix)."""
    select = modal.find_element(By.CSS_SELECTOR, f"select[name='{field_name}']")
    box = select.find_element(By.XPATH, "./ancestor::div[contains(@class, 'themable-select')]")
    box.find_element(By.CSS_SELECTOR, "button.dropdown-toggle").click()
    option = wait(modal.parent, 10).until(
        EC.element_to_be_clickable(
            (
                By.XPATH,
                f"//select[@name='{field_name}']/ancestor::div[contains(@class,"
                f" 'themable-select')]//ul/li/a[starts-with(normalize-space(),"
                f" {xpath_literal(label_prefix)})]",
            )
        )
    )
    option.click()
    value = option.get_attribute("data-select-value")
    wait(modal.parent, 10).until(lambda d: select.get_attribute("value") == value)
    return value


def check(modal, field_name, label):
    """Tick a multiple-choice field's checkbox by its label, as a user clicks it."""
    label_el = modal.find_element(
        By.XPATH,
        f".//input[@type='checkbox' and @name='{field_name}']"
        f"/following-sibling::label[normalize-space()={xpath_literal(label)}]",
    )
    box = label_el.find_element(By.XPATH, "preceding-sibling::input")
    label_el.click()
    wait(modal.parent, 10).until(lambda d: box.is_selected())


def set_text(modal, field_name, value):
    field = modal.find_element(By.NAME, field_name)
    field.clear()
    field.send_keys(str(value))


def open_inventory_page(driver, url, timeout=120):
    """Open the admin page and wait until it shows a built inventory: the
    first view starts the build in the background and reloads itself when
    the inventory is stored."""
    driver.get(url)
    wait(driver, timeout).until(
        EC.presence_of_element_located(
            (By.CSS_SELECTOR, '#lightbits_inventory_age[data-state="ready"]')
        )
    )
    wait(driver).until(EC.presence_of_element_located((By.ID, "images")))


def show_tab(driver, tab_id):
    """Open a Horizon tab (``<group slug>__<tab slug>``) and wait until it shows."""
    driver.find_element(By.CSS_SELECTOR, f"a[data-target='#{tab_id}']").click()
    wait(driver, 10).until(EC.visibility_of_element_located((By.ID, tab_id)))


def screenshot_at(driver, name, width, height=1000):
    """A full-page screenshot at the given window width (then back to 1400 px)."""
    size = driver.get_window_size()
    driver.set_window_size(width, height)
    try:
        return full_page_screenshot(driver, name)
    finally:
        driver.set_window_size(size["width"], size["height"])
