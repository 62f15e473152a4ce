"""The node serves the profile's site at /spec/ (docs/adr/0016-published-profile-site.md).

A real node process over HTTP, with a small site folder written by the test (the
real build is tested in tests/test_spec_site.py and in the browser test): the
site is public, carries security headers, is served only when its build-info
names the profile version the node enforces, and no path reads a file outside it.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from _node import RunningNode, config_text, free_port, running_node
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare.profile import PROFILE_VERSION

SECRET_TEXT = "this-must-never-be-served"


def _site(folder: Path, version: str = PROFILE_VERSION) -> Path:
    site = folder / "site"
    (site / "profile" / "01-scope").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "index.html").write_text(
        "<!doctype html><html><head><script>var a=1;</script></head>"
        "<body><h1>Profile home</h1></body></html>",
        encoding="utf-8",
    )
    (site / "profile" / "01-scope" / "index.html").write_text("<h1>1 Scope</h1>", "utf-8")
    (site / "assets" / "site.css").write_text("body { color: black; }", encoding="utf-8")
    (site / "build-info.json").write_text(
        json.dumps(
            {
                "profile_version": version,
                "csp_script_hashes": ["sha256-" + "A" * 43 + "="],
            }
        ),
        encoding="utf-8",
    )
    (site / ".hidden").write_text(SECRET_TEXT, encoding="utf-8")
    (folder / "secret.txt").write_text(SECRET_TEXT, encoding="utf-8")
    (site / "link-out").symlink_to(folder / "secret.txt")
    return site


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spec-site-http")


def _node(folder: Path, name: str, site_line: str) -> Iterator[RunningNode]:
    port = free_port()
    work = folder / name
    work.mkdir()
    config = config_text(f"sqlite:///{work / 'node.db'}", port) + site_line
    config_path = work / "node.toml"
    config_path.write_text(config, encoding="utf-8")
    with running_node(config_path, port, work / "node.log") as node:
        yield node


@pytest.fixture(scope="module")
def node(folder: Path) -> Iterator[RunningNode]:
    site = _site(folder / "good")
    yield from _node(folder, "served", f'\n[spec_site]\nfolder = "{site}"\n')


def _raw_get(node: RunningNode, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` exactly as written (no client-side normalisation of dots)."""
    host, port = node.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_the_site_is_public_with_security_headers(node: RunningNode) -> None:
    response = requests.get(node.url("spec/"), timeout=10)
    assert response.status_code == 200
    assert "Profile home" in response.text
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'sha256-" + "A" * 43 + "='" in csp
    assert "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    css = requests.get(node.url("spec/assets/site.css"), timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")


def test_folders_are_served_with_their_slash(node: RunningNode) -> None:
    for path, location in (
        ("spec", "/spec/"),
        ("spec/profile/01-scope", "/spec/profile/01-scope/"),
    ):
        response = requests.get(node.url(path), timeout=10, allow_redirects=False)
        assert response.status_code == 308, path
        assert response.headers["Location"] == location
    page = requests.get(node.url("spec/profile/01-scope/"), timeout=10)
    assert page.status_code == 200 and "1 Scope" in page.text


def test_head_is_answered_and_writes_are_refused(node: RunningNode) -> None:
    head = requests.head(node.url("spec/"), timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert "Content-Security-Policy" in head.headers
    for method in ("POST", "PUT", "DELETE"):
        response = requests.request(method, node.url("spec/"), data=b"x", timeout=10)
        assert response.status_code == 405, method
    assert "Traceback" not in node.log()


def test_taxii_still_needs_credentials(node: RunningNode) -> None:
    response = requests.get(
        node.url("taxii2/"),
        headers={"Accept": "application/taxii+json;version=2.1"},
        timeout=10,
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/spec/../secret.txt",
        "/spec/%2e%2e/secret.txt",
        "/spec/..%2fsecret.txt",
        "/spec/%2e%2e%2fsecret.txt",
        "/spec/profile/../../secret.txt",
        "/spec/.hidden",
        "/spec/link-out",
        "/spec/build-info.json/..",
        "/spec/%00",
        "/spec/profile%5c..%5c..%5csecret.txt",
        "/spec//etc/passwd",
        "/spec/" + "a/" * 600,
        "/spec/no-such-page/",
    ],
)
def test_no_path_leaves_the_site(node: RunningNode, path: str) -> None:
    status, headers, body = _raw_get(node, path)
    assert status in (404, 308, 400), (path, status)
    assert SECRET_TEXT.encode() not in body
    if status == 404 and path.startswith("/spec/"):
        assert headers["Content-Type"].startswith("text/html")
        assert b"Page not found" in body or b"not found" in body.lower()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4))
def test_hostile_paths_never_fail_or_leak(node: RunningNode, segments: list[str]) -> None:
    path = "/spec/" + "/".join(quote(segment, safe="") for segment in segments)
    status, _headers, body = _raw_get(node, path)
    assert status in (200, 308, 400, 404), (path, status)
    assert SECRET_TEXT.encode() not in body


def test_a_site_of_another_profile_version_is_not_served(folder: Path) -> None:
    site = _site(folder / "old", version="0.9.0")
    for node in _node(folder, "old-version", f'\n[spec_site]\nfolder = "{site}"\n'):
        response = requests.get(node.url("spec/"), timeout=10)
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("text/html")
        assert "version 0.9.0" in response.text
        assert f"enforces version {PROFILE_VERSION}" in response.text
        assert "infoshare spec-site build" in response.text
        assert "Profile home" not in response.text
        assert requests.get(node.url("spec/profile/01-scope/"), timeout=10).status_code == 404
        assert requests.get(node.url("healthz"), timeout=10).status_code == 200
        assert "the profile site is not served at /spec/" in node.log()


def test_without_a_site_the_node_says_how_to_build_one(folder: Path) -> None:
    for node in _node(folder, "no-site", ""):
        response = requests.get(node.url("spec/"), timeout=10)
        assert response.status_code == 404
        assert "[spec_site] folder" in response.text
        assert "make spec-site" in response.text
        assert requests.get(node.url("healthz"), timeout=10).status_code == 200


def test_a_folder_without_build_info_is_not_served(folder: Path) -> None:
    site = _site(folder / "unfinished")
    (site / "build-info.json").unlink()
    for node in _node(folder, "unfinished-site", f'\n[spec_site]\nfolder = "{site}"\n'):
        response = requests.get(node.url("spec/"), timeout=10)
        assert response.status_code == 404
        assert "build-info.json is missing" in response.text


def test_no_api_root_may_be_called_spec(folder: Path) -> None:
    import tomllib

    from infoshare_server.config import ConfigError, parse_config

    data = tomllib.loads(
        config_text("sqlite:///x.db", 6100).replace('name = "fimi"', 'name = "spec"')
    )
    with pytest.raises(ConfigError, match="cannot be called spec"):
        parse_config(data)


def test_a_relative_site_folder_is_read_from_the_configuration_folder(folder: Path) -> None:
    import tomllib

    from infoshare_server.config import parse_config

    data = tomllib.loads(config_text("sqlite:///x.db", 6100) + '\n[spec_site]\nfolder = "site"\n')
    config = parse_config(data, folder / "node.toml")
    assert config.spec_site_folder() == (folder / "site").resolve()


def test_the_demo_serves_the_site_it_is_given_and_says_when_there_is_none(folder: Path) -> None:
    import tomllib

    from infoshare_server.config import parse_config
    from infoshare_server.demo import _site_note, demo_config_text

    site = _site(folder / "demo")
    text = demo_config_text(6100, "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", site)
    config = parse_config(tomllib.loads(text), folder / "node.toml")
    assert config.spec_site_folder() == site
    assert _site_note(site) == ""
    assert "make spec-site" in _site_note(None)
    assert "version 0.9.0" in _site_note(_site(folder / "demo-old", version="0.9.0"))
