"""The case viewer in a real browser: Debian's Chromium against the real node.

docs/adr/0015-case-viewer.md. The node runs as an HTTP process with every
example case ingested (``_viewer_data``); Chromium (``_browser``) signs in
with the keyboard, reads the list and the case page, filters, switches the
language, downloads the exports and tries a forged form, and every page must
fetch nothing from outside the node. With ``INFOSHARE_SCREENSHOTS=<folder>``
the tests also save the screenshots of docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _access import OPERATOR, password_of
from _browser import outside_requests
from _node import PROFILE_COLLECTION
from _viewer_data import GREEN_INCIDENT, SEAFOOD_INCIDENT, ViewerNode, viewer_node

from infoshare.profile import TLP_AMBER

CASE_PATH = f"/viewer/cases/fimi/{PROFILE_COLLECTION}/"
SHOTS = os.environ.get("INFOSHARE_SCREENSHOTS")


@pytest.fixture(scope="module")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ViewerNode]:
    from _browser import browser_missing

    if browser_missing() is not None:
        from _browser import skip_or_fail_without_browser

        skip_or_fail_without_browser()
    with viewer_node("sqlite", tmp_path_factory.mktemp("viewer-browser")) as node:
        yield node


def _by(kind: str) -> Any:
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def _shot(driver: Any, name: str, height: int | None = None) -> None:
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    if height is not None:
        driver.set_window_size(1280, height)
    driver.save_screenshot(str(folder / f"viewer-{name}.png"))
    driver.set_window_size(1280, 900)


def _sign_in(driver: Any, viewer: ViewerNode, account: str, *, shot: bool = False) -> None:
    """Sign in with the keyboard only: Tab to the fields, type, Enter."""
    from selenium.webdriver.common.keys import Keys

    node = viewer.node.node
    driver.get(node.url("/"))
    assert "/viewer/sign-in" in driver.current_url
    field = driver.find_element(_by("ID"), "account")
    field.click()
    field.send_keys(account)
    if shot:
        _shot(driver, "sign-in")
    field.send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.get_attribute("id") == "password"
    active.send_keys(password_of(account), Keys.ENTER)
    _wait_for(driver, lambda: driver.find_elements(_by("ID"), "sign-out"))


def _wait_for(driver: Any, condition: Any, seconds: float = 20) -> Any:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = condition()
        except (StaleElementReferenceException, NoSuchElementException):
            found = None  # the page is being replaced
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out on {driver.current_url}:\n{driver.page_source[:3000]}")


def _rows(driver: Any) -> list[str]:
    return [
        row.get_attribute("data-incident")
        for row in driver.find_elements(_by("CSS_SELECTOR"), "#case-table tbody tr")
    ]


def test_sign_in_and_sign_out_with_the_keyboard(browser: Any, viewer: ViewerNode) -> None:
    from selenium.webdriver.common.keys import Keys

    node = viewer.node.node
    _sign_in(browser, viewer, "green-reader", shot=True)
    assert browser.find_element(_by("TAG_NAME"), "h1").text == "Cases"
    assert _rows(browser)
    # The first Tab reaches the skip link, which moves the focus to the content.
    browser.find_element(_by("TAG_NAME"), "body").send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.get_attribute("class") == "skip" and skip.is_displayed()
    skip.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    browser.find_element(_by("ID"), "sign-out").click()
    _wait_for(browser, lambda: "signed-out" in browser.current_url)
    assert "You are signed out." in browser.page_source
    browser.get(node.url("/"))
    assert "/viewer/sign-in" in browser.current_url
    assert outside_requests(browser, node.base_url) == []


def test_a_green_reader_never_sees_amber_anywhere(
    browser: Any, viewer: ViewerNode, tmp_path: Path
) -> None:
    node = viewer.node.node
    _sign_in(browser, viewer, "green-reader")
    browser.get(node.url("/?limit=100"))
    rows = _rows(browser)
    assert GREEN_INCIDENT in rows and SEAFOOD_INCIDENT not in rows
    assert viewer.own_incident not in rows
    badges = {b.text for b in browser.find_elements(_by("CSS_SELECTOR"), "#case-table .tlp")}
    assert badges and not any("AMBER" in badge for badge in badges)
    browser.get(node.url(CASE_PATH + SEAFOOD_INCIDENT))
    assert "There is no such case, or you may not see it." in browser.page_source
    browser.get(node.url(CASE_PATH + GREEN_INCIDENT))
    drawn = {
        g.get_attribute("data-id")
        for g in browser.find_elements(_by("CSS_SELECTOR"), "#graph-svg g.node")
    }
    assert GREEN_INCIDENT in drawn
    bundle = _download(browser, tmp_path, "export-bundle", ".json")
    data = json.loads(bundle.read_text(encoding="utf-8"))
    visible = {obj["id"] for obj in data["objects"]}
    assert drawn <= visible  # the graph draws only objects the export holds
    assert TLP_AMBER not in bundle.read_text(encoding="utf-8")
    assert TLP_AMBER not in browser.page_source
    assert "TLP:AMBER" not in browser.page_source
    assert outside_requests(browser, node.base_url) == []


def test_the_filters(browser: Any, viewer: ViewerNode) -> None:
    from selenium.webdriver.support.select import Select

    node = viewer.node.node
    _sign_in(browser, viewer, OPERATOR)
    browser.get(node.url("/?limit=100"))
    everything = _rows(browser)
    Select(browser.find_element(_by("ID"), "f-tlp")).select_by_value("green")
    browser.find_element(_by("ID"), "apply-filters").click()
    _wait_for(browser, lambda: "tlp=green" in browser.current_url)
    green = _rows(browser)
    assert green and set(green) < set(everything) and GREEN_INCIDENT in green
    badges = {b.text for b in browser.find_elements(_by("CSS_SELECTOR"), "#case-table .tlp")}
    assert badges == {"TLP:GREEN"}
    selected = Select(browser.find_element(_by("ID"), "f-tlp")).first_selected_option
    assert selected.get_attribute("value") == "green"
    date_field = browser.find_element(_by("ID"), "f-until")
    browser.execute_script("arguments[0].value = '2000-01-01'", date_field)
    browser.find_element(_by("ID"), "apply-filters").click()
    _wait_for(browser, lambda: browser.find_elements(_by("ID"), "no-cases"))
    browser.get(node.url("/?limit=100"))
    _shot(browser, "case-list", 1000)
    assert outside_requests(browser, node.base_url) == []


def test_the_language_switch(browser: Any, viewer: ViewerNode) -> None:
    node = viewer.node.node
    _sign_in(browser, viewer, "amber-reader")
    browser.find_element(_by("CSS_SELECTOR"), "button[name=lang][value=ja]").click()
    _wait_for(browser, lambda: browser.find_element(_by("TAG_NAME"), "h1").text == "事案一覧")
    assert browser.find_element(_by("TAG_NAME"), "html").get_attribute("lang") == "ja"
    browser.get(node.url(CASE_PATH + SEAFOOD_INCIDENT))
    assert "関係グラフ" in browser.page_source
    _shot(browser, "case-ja", 1400)
    browser.find_element(_by("CSS_SELECTOR"), "button[name=lang][value=en]").click()
    _wait_for(browser, lambda: "Relationship graph" in browser.page_source)
    assert "/viewer/cases/" in browser.current_url  # the switch stays on the page
    assert outside_requests(browser, node.base_url) == []


def _download(driver: Any, folder: Path, link_id: str, suffix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    before = set(folder.iterdir())
    driver.find_element(_by("ID"), link_id).click()

    def arrived() -> Path | None:
        new = [p for p in set(folder.iterdir()) - before if p.suffix == suffix]
        return new[0] if new and new[0].stat().st_size > 0 else None

    found = _wait_for(driver, arrived, 60)
    assert isinstance(found, Path)
    return found


def test_the_case_page_and_its_exports(browser: Any, viewer: ViewerNode, tmp_path: Path) -> None:
    node = viewer.node.node
    _sign_in(browser, viewer, OPERATOR)
    browser.get(node.url(CASE_PATH + SEAFOOD_INCIDENT))
    assert browser.find_element(_by("ID"), "graph-svg").is_displayed()
    assert len(browser.find_elements(_by("CSS_SELECTOR"), "#heat-map tbody tr")) == 16
    _shot(browser, "case", 2600)
    if SHOTS:
        browser.set_window_size(1280, 1100)
        browser.get(node.url(CASE_PATH + SEAFOOD_INCIDENT + "#techniques"))
        _shot(browser, "heat-map")
    details = browser.find_element(_by("ID"), "graph-table-details")
    details.find_element(_by("TAG_NAME"), "summary").click()
    assert browser.find_element(_by("ID"), "graph-table").is_displayed()
    bundle = json.loads(_download(browser, tmp_path / "b", "export-bundle", ".json").read_text())
    assert bundle["type"] == "bundle"
    assert SEAFOOD_INCIDENT in {o["id"] for o in bundle["objects"]}
    layer = json.loads(_download(browser, tmp_path / "l", "export-layer", ".json").read_text())
    assert "techniques" in layer
    brief = _download(browser, tmp_path / "p", "export-brief", ".pdf")
    assert brief.read_bytes().startswith(b"%PDF")
    assert outside_requests(browser, node.base_url) == []


def test_a_forged_form_is_refused(browser: Any, viewer: ViewerNode) -> None:
    node = viewer.node.node
    _sign_in(browser, viewer, "green-reader")
    # Tamper with the sign-out form's token, as a forged form without it would be.
    field = browser.find_element(_by("CSS_SELECTOR"), "form[action='/viewer/sign-out'] [name=csrf]")
    browser.execute_script("arguments[0].value = 'forged'", field)
    browser.find_element(_by("ID"), "sign-out").click()
    _wait_for(browser, lambda: browser.find_elements(_by("ID"), "error-message"))
    assert "security token" in browser.find_element(_by("ID"), "error-message").text
    _shot(browser, "csrf-refused")
    browser.get(node.url("/"))
    assert browser.find_elements(_by("ID"), "sign-out")  # still signed in
    # A page of another origin posting to the node: SameSite=Strict keeps the session
    # cookie off the request, and the form token is missing, so nothing happens.
    browser.get(
        "data:text/html,<form id=f method=post action='"
        + node.url("/viewer/sign-out")
        + "'><button id=go>go</button></form>"
    )
    browser.find_element(_by("ID"), "go").click()
    _wait_for(browser, lambda: browser.current_url.startswith(node.base_url))
    browser.get(node.url("/"))
    assert browser.find_elements(_by("ID"), "sign-out")
