"""A real browser for the suite: Debian's Chromium driven by Selenium through ChromeDriver.

Chromium and ChromeDriver come from Debian (``apt-get install chromium
chromium-driver``; ``make test`` installs them when it runs as root). Nothing
downloads a browser of its own. Without them the browser tests are skipped
locally and FAIL in CI (``CI=true``), like the PostgreSQL tests.

The browser starts headless, with a new empty profile and with Chromium's own
background traffic turned off, so that every request it makes comes from the
page under test; :func:`requested_urls` lists them (from the DevTools
performance log) for the tests that prove a page fetched nothing from outside.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("INFOSHARE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("INFOSHARE_CHROMEDRIVER", "/usr/bin/chromedriver"))

#: Chromium's own connections (updates, sync, safe browsing) are refused on a closed
#: network and would show up as requests the page never made.
_QUIET_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--window-size=1280,900",
)


def browser_missing() -> str | None:
    """Why no browser test can run here, or None when Chromium and ChromeDriver are present."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (make test installs it)"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return f"{path} is missing: install Debian's {package} (apt-get install {package})"
    return None


def skip_or_fail_without_browser() -> None:
    """Skip the calling test when there is no browser; in CI, fail it instead."""
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"browser tests must run in CI, but {reason}")
    pytest.skip(reason)


@contextmanager
def chromium(language: str = "en-GB") -> Iterator[object]:
    """A headless Chromium session (a Selenium ``WebDriver``), closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="infoshare-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in _QUIET_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--lang={language}")
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver: object) -> list[str]:
    """Every URL the browser requested since the last call (DevTools performance log)."""
    urls: list[str] = []
    for entry in driver.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def outside_requests(driver: object, origin: str) -> list[str]:
    """The requested URLs that left ``origin`` (scheme://host:port).

    data: and blob: URLs stay in the page; chrome:// ones are the browser's own start
    page, loaded before the test opens anything."""
    allowed = urlsplit(origin)
    outside = []
    for url in requested_urls(driver):
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about", "chrome", "chrome-untrusted", "devtools"}:
            continue
        if (parts.scheme, parts.netloc) != (allowed.scheme, allowed.netloc):
            outside.append(url)
    return outside
