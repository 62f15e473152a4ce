"""Requests that used to answer 500 or an HTML page now answer in TAXII JSON.

Over real HTTP (gunicorn, the production server) on SQLite and PostgreSQL,
each case asserts the exact response:

* a ``limit`` longer than Python converts to a number, and an ``added_after``
  whose UTC offset moves it outside the years 1 to 9999: 400;
* ``HEAD`` on every endpoint: the GET's status and headers, no body;
* a URL without its trailing slash: 308 to the canonical URL, TAXII JSON body;
* gunicorn's own refusals (malformed request line, request line too long,
  too many headers): TAXII JSON, not gunicorn's HTML page.

The node's log must show no request that reached the catch-all for
unexpected errors.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from _cases import envelope, identity
from _databases import BACKENDS, storage_url
from _http import TAXII, TIMEOUT, assert_taxii_error, get, objects_path, post
from _node import API_ROOT, PASSWORD, STIX_COLLECTION, USER, RunningNode, node_for
from infoshare_server.http.protocol import MAX_LIMIT_DIGITS

STIX_OBJECTS = objects_path(API_ROOT, STIX_COLLECTION)


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningNode]:
    folder: Path = tmp_path_factory.mktemp(f"no-500-{request.param}")
    with storage_url(request.param, folder) as url, node_for(url, folder) as running:
        yield running
    log = running.log()
    assert "internal error" not in log, log
    assert '" 500 ' not in log, log


def _description(response: requests.Response, status: int) -> str:
    return str(assert_taxii_error(response, status)["description"])


# -- limit and added_after ---------------------------------------------------------------


def test_a_limit_too_long_to_convert_is_400(node: RunningNode) -> None:
    value = "9" * (MAX_LIMIT_DIGITS + 1)
    for path in (STIX_OBJECTS, f"{API_ROOT}/collections/{STIX_COLLECTION}/manifest/"):
        assert _description(get(node, path, {"limit": value}), 400) == (
            f"limit must be a positive whole number of at most {MAX_LIMIT_DIGITS} digits"
            f" (got {value[:64]!r})"
        )
    assert get(node, STIX_OBJECTS, {"limit": "9" * MAX_LIMIT_DIGITS}).status_code == 200


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59.999-00:01", "0001-01-01T00:00:00+00:01"],
)
def test_an_added_after_moved_out_of_range_by_its_offset_is_400(
    node: RunningNode, value: str
) -> None:
    assert _description(get(node, STIX_OBJECTS, {"added_after": value}), 400) == (
        f"added_after: {value!r} falls outside the years 1 to 9999 once its UTC offset is"
        " applied; give an RFC 3339 timestamp such as 2026-03-01T12:00:00.000Z"
    )


def test_an_added_after_at_the_edge_of_the_range_is_served(node: RunningNode) -> None:
    for value in ("0001-01-01T01:00:00+01:00", "9999-12-31T22:59:59-01:00"):
        assert get(node, STIX_OBJECTS, {"added_after": value}).status_code == 200


# -- HEAD --------------------------------------------------------------------------------


def _head(node: RunningNode, path: str) -> requests.Response:
    return requests.head(
        node.url(path), headers={"Accept": TAXII}, auth=(USER, PASSWORD), timeout=TIMEOUT
    )


def test_head_answers_like_get_without_a_body(node: RunningNode) -> None:
    obj = identity("Harbour Watch (fictional)")
    assert post(node, STIX_OBJECTS, envelope(obj)).status_code == 202
    paths = [
        "taxii2/",
        f"{API_ROOT}/",
        f"{API_ROOT}/collections/",
        f"{API_ROOT}/collections/{STIX_COLLECTION}/",
        STIX_OBJECTS,
        f"{API_ROOT}/collections/{STIX_COLLECTION}/manifest/",
        f"{STIX_OBJECTS}{obj['id']}/",
        f"{STIX_OBJECTS}{obj['id']}/versions/",
    ]
    for path in paths:
        full = get(node, path)
        head = _head(node, path)
        assert (head.status_code, head.content) == (200, b""), path
        for name in ("Content-Type", "Content-Length"):
            assert head.headers[name] == full.headers[name], (path, name)
        if "objects/" in path:
            assert (
                head.headers["X-TAXII-Date-Added-First"] == full.headers["X-TAXII-Date-Added-First"]
            )


def test_head_of_a_missing_object_is_the_gets_404(node: RunningNode) -> None:
    path = f"{STIX_OBJECTS}identity--4b0c8d52-5e7a-4f61-9d3c-000000000000/"
    head = _head(node, path)
    full = get(node, path)
    assert (head.status_code, head.content) == (404, b"")
    assert head.headers["Content-Type"].replace(" ", "") == TAXII
    assert head.headers["Content-Length"] == full.headers["Content-Length"]


# -- trailing slashes --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "taxii2",
        API_ROOT,
        f"{API_ROOT}/collections",
        STIX_OBJECTS.rstrip("/"),
        f"{API_ROOT}/collections/{STIX_COLLECTION}/manifest",
    ],
)
def test_a_url_without_its_slash_is_redirected_in_taxii_json(node: RunningNode, path: str) -> None:
    response = requests.get(
        node.url(path),
        headers={"Accept": TAXII},
        auth=(USER, PASSWORD),
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    target = node.url(path) + "/"
    assert response.status_code == 308
    assert response.headers["Location"] == target
    assert response.headers["Content-Type"].replace(" ", "") == TAXII
    assert response.json() == {
        "title": "Permanent Redirect",
        "description": f"TAXII URLs end with a slash; this resource is at {target}",
        "http_status": "308",
    }
    assert get(node, path + "/").status_code == 200


# -- gunicorn's own refusals -------------------------------------------------------------


def _raw(node: RunningNode, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send ``request`` bytes as they are; the status line, headers and body."""
    parts = urlsplit(node.base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return lines[0], headers, body


@pytest.mark.parametrize(
    ("request_bytes", "status_line", "description"),
    [
        (
            b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n",
            "HTTP/1.1 400 Bad Request",
            "Invalid HTTP header name: 'Bad Header Name'; the request is not well-formed HTTP/1.1;"
            " check the request line and headers",
        ),
        (
            b"GET /" + b"x" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            "HTTP/1.1 414 URI Too Long",
            "Request Line is too large (9014 > 8190); send fewer match[id] values per request,"
            " or split it into several requests",
        ),
        (
            b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-Filler-%d: 1\r\n" % i for i in range(120))
            + b"\r\n",
            "HTTP/1.1 431 Request Header Fields Too Large",
            "Error parsing headers: 'limit request headers fields'; the request has too many"
            " or too large headers",
        ),
    ],
)
def test_gunicorns_refusals_answer_in_taxii_json(
    node: RunningNode, request_bytes: bytes, status_line: str, description: str
) -> None:
    line, headers, body = _raw(node, request_bytes)
    assert line == status_line
    assert headers["Content-Type"] == TAXII
    assert headers["Content-Length"] == str(len(body))
    status = status_line.split()[1]
    assert json.loads(body) == {
        "title": status_line.split(" ", 2)[2],
        "description": description,
        "http_status": status,
    }
