"""Policy staff read the profile on a node, in Debian's Chromium.

docs/adr/0016-published-profile-site.md. The real site is built (as by
``make spec-site``), a real node serves it at /spec/, and the browser follows the
reading path of the landing page: the brief, markings, safeguards, withdrawal,
the glossary, the contents and the overview with its diagram, the conformance
checks, a summary in Japanese. Every diagram must be drawn (an SVG in place),
no page may scroll sideways on a laptop screen, no Content-Security-Policy
violation may be logged, and nothing may be fetched from outside the node.
Screenshots of the pages are taken at every run; with INFOSHARE_SCREENSHOTS=1 they
replace docs/screenshots/site-*.png (so a plain test run changes no file of the
repository).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from _browser import CHROMIUM, outside_requests, requested_urls, skip_or_fail_without_browser
from _node import RunningNode, config_text, free_port, running_node

from infoshare.profile import PROFILE_VERSION

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    skip_or_fail_without_browser()
    if importlib.util.find_spec("mkdocs") is None:
        message = "the site extra (mkdocs-material) is not installed; make installs it"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"the site tests must run in CI, but {message}")
        pytest.skip(message)
    from infoshare.spec_site import build_site

    work = tmp_path_factory.mktemp("spec-site-browser")
    site = build_site(work / "site", chromium=str(CHROMIUM)).out
    port = free_port()
    config = config_text(f"sqlite:///{work / 'node.db'}", port)
    config_path = work / "node.toml"
    config_path.write_text(config + f'\n[spec_site]\nfolder = "{site}"\n', encoding="utf-8")
    with running_node(config_path, port, work / "node.log") as running:
        yield running


def _wait_for_diagrams(driver: object) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(  # type: ignore[arg-type]
        lambda d: d.execute_script(
            "return document.documentElement.getAttribute('data-diagrams') === 'done'"
        )
    )


def _diagrams(driver: object) -> list[tuple[str | None, bool]]:
    """(data-rendered, has an SVG) for every diagram of the page."""
    return [
        tuple(item)
        for item in driver.execute_script(  # type: ignore[attr-defined]
            "return Array.from(document.querySelectorAll('div.infoshare-diagram'))"
            ".map(d => [d.getAttribute('data-rendered'), !!d.querySelector('svg g')])"
        )
    ]


def _follow(driver: object, text: str) -> None:
    from selenium.webdriver.common.by import By

    link = driver.find_element(By.PARTIAL_LINK_TEXT, text)  # type: ignore[attr-defined]
    link.click()
    _wait_for_diagrams(driver)


def _h1(driver: object) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, "article h1").text)  # type: ignore[attr-defined]


def _no_sideways_scroll(driver: object) -> None:
    overflow = driver.execute_script(  # type: ignore[attr-defined]
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"


def _shot(driver: object, name: str, folder: Path) -> None:
    """A screenshot into ``folder``; into docs/screenshots/ with INFOSHARE_SCREENSHOTS=1."""
    if os.environ.get("INFOSHARE_SCREENSHOTS", "") not in ("", "0"):
        folder = SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(folder / f"site-{name}.png"))  # type: ignore[attr-defined]


def _console_problems(driver: object) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")  # type: ignore[attr-defined]
        if entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"]
    ]


def test_policy_staff_reading_path(node: RunningNode, browser: object, tmp_path: Path) -> None:
    driver = browser
    origin = node.base_url
    requested_urls(driver)  # start counting from here
    driver.get(node.url("spec/"))  # type: ignore[attr-defined]
    _wait_for_diagrams(driver)
    assert _h1(driver) == "The infoshare FIMI exchange profile"
    body = driver.find_element("tag name", "body").text  # type: ignore[attr-defined]
    assert f"Version {PROFILE_VERSION}" in body and "the infoshare editors" in body
    assert "How to comment" in body
    _no_sideways_scroll(driver)
    _shot(driver, "landing", tmp_path)

    _follow(driver, "The brief")
    assert _h1(driver).startswith("The infoshare profile in two pages")
    assert _diagrams(driver) == [("ok", True)]
    _no_sideways_scroll(driver)
    _shot(driver, "brief", tmp_path)

    for link, heading in (
        ("Markings (§12)", "12 Markings"),
        ("Safeguards (§13)", "13 Safeguards"),
        ("Withdrawal (§20)", "20 Withdrawal"),
        ("The glossary", "Glossary"),
    ):
        driver.get(node.url("spec/"))  # type: ignore[attr-defined]
        _follow(driver, link)
        assert _h1(driver).startswith(heading), (link, _h1(driver))
        _no_sideways_scroll(driver)
    _shot(driver, "glossary", tmp_path)

    driver.get(node.url("spec/"))  # type: ignore[attr-defined]
    _follow(driver, "the contents of the profile")
    _follow(driver, "§2 Overview")
    assert _h1(driver) == "2 Overview"
    diagrams = _diagrams(driver)
    assert diagrams and all(d == ("ok", True) for d in diagrams), diagrams
    # The overview is wider than the column: it scrolls in its box and takes keyboard focus.
    assert driver.execute_script(  # type: ignore[attr-defined]
        "const d = document.querySelector('div.infoshare-diagram');"
        " return d.scrollWidth > d.clientWidth && d.tabIndex === 0"
    )
    driver.execute_script(  # type: ignore[attr-defined]
        "document.querySelector('div.infoshare-diagram').scrollIntoView(); window.scrollBy(0, -80);"
    )
    _shot(driver, "overview-diagram", tmp_path)

    # The widest tables of the profile (§11 vocabularies, §14.5 checks) stay in the column.
    for page in ("spec/profile/11-vocabularies/", "spec/profile/14-conformance/"):
        driver.get(node.url(page))  # type: ignore[attr-defined]
        _wait_for_diagrams(driver)
        _no_sideways_scroll(driver)
    driver.get(node.url("spec/profile/14-conformance/#145-table-of-checks"))  # type: ignore[attr-defined]
    _wait_for_diagrams(driver)
    _shot(driver, "wide-table", tmp_path)

    driver.get(node.url("spec/checks/#is-501"))  # type: ignore[attr-defined]
    _wait_for_diagrams(driver)
    from selenium.webdriver.common.by import By

    fixture = driver.find_element(  # type: ignore[attr-defined]
        By.CSS_SELECTOR, "a[href*='conformance/mandatory/IS-501/']"
    )
    href = fixture.get_attribute("href")
    assert requests.get(href, timeout=10).status_code == 200
    _shot(driver, "checks", tmp_path)

    driver.get(node.url("spec/brief/ja/"))  # type: ignore[attr-defined]
    _wait_for_diagrams(driver)
    assert driver.find_elements(By.CSS_SELECTOR, "div[lang='ja'] h2")  # type: ignore[attr-defined]
    assert "informative translation" in driver.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]

    # The theme's search runs in a worker of the site itself, allowed by the node's CSP.
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(node.url("spec/"))  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, ".md-search__input").send_keys("withdrawal")  # type: ignore[attr-defined]
    WebDriverWait(driver, 20).until(  # type: ignore[arg-type]
        lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item")
    )

    assert _console_problems(driver) == []
    assert outside_requests(driver, origin) == []


def test_the_pdfs_are_offered_and_served(node: RunningNode) -> None:
    for name in ("pdf/infoshare-profile.pdf", "pdf/infoshare-brief.pdf"):
        response = requests.get(node.url(f"spec/{name}"), timeout=30)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
