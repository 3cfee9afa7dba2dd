"""The HTML stepper in a real headless Chromium: Next moves the highlight, and nothing leaves the page."""

from __future__ import annotations

import json
import shutil

import pytest

from autograd_lite import backward_order
from autograd_lite._graph import nodes_of
from autograd_lite.examples import lecture_network
from autograd_lite.steps import render_steps

pytestmark = [pytest.mark.needs_browser, pytest.mark.needs_dot]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--window-size=1280,900",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                              options=opts)
    try:
        yield driver
    finally:
        driver.quit()


def _current(driver) -> str | None:
    """The DOT name of the highlighted node in the visible frame (None if no node is current)."""
    return driver.execute_script("""
        const f = document.querySelector('#frames > .frame:not([hidden])');
        const n = f.querySelector('g.node.current > title');
        return n ? n.textContent : null;""")


def test_next_previous_slider_and_keys_move_the_highlight(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    L, _ = lecture_network()
    page = render_steps(L, tmp_path / "steps.html")
    nodes = nodes_of(L)
    ids = {v: f"n{k}" for k, v in enumerate(nodes)}
    order = [ids[v] for v in backward_order([L]) if v.primitive is not None]
    url = page.path.resolve().as_uri()
    browser.get_log("performance")                     # drop anything logged before this page
    browser.get(url)

    assert _current(browser) is None                   # the start frame: nothing visited yet
    nxt, prev = browser.find_element(By.ID, "next"), browser.find_element(By.ID, "prev")
    assert prev.get_attribute("disabled") is not None
    nxt.click()
    assert _current(browser) == order[0] == ids[L]     # the root comes first
    nxt.click()
    assert _current(browser) == order[1] != order[0]
    assert "Step 2 of" in browser.find_element(By.ID, "caption").text
    prev.click()
    assert _current(browser) == order[0]
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert _current(browser) == order[2]
    # the slider jumps anywhere
    browser.execute_script("""const s = document.getElementById('slider'); s.value = arguments[0];
                              s.dispatchEvent(new Event('input'));""", len(order))
    assert _current(browser) == order[-1]
    assert browser.find_element(By.ID, "counter").text == f"{len(order) + 1} / {page.frames}"
    nxt.click()
    assert _current(browser) is None and nxt.get_attribute("disabled") is not None   # "done" frame
    assert "Done" in browser.find_element(By.ID, "caption").text

    # no request left the page: the only request is the file itself, no resource was fetched
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    requested = _requests(browser)
    assert requested and set(requested) == {url}, requested


def _requests(driver) -> list[str]:
    out = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            out.append(msg["params"]["request"]["url"])
    return out


def test_the_request_check_sees_an_outside_request(browser, tmp_path):
    # control: the same check catches a page that fetches something (port 9 on localhost: nothing leaves)
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>')
    browser.get_log("performance")
    browser.get(leaky.resolve().as_uri())
    assert "http://127.0.0.1:9/x.png" in _requests(browser)
