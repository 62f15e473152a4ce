"""Bad input never produces a 500: every refusal is a TAXII error with a 4xx status.

The node runs as a real process on SQLite and on PostgreSQL. Each test sends
one kind of bad input (malformed JSON, envelopes without objects, non-object
items, huge bodies, bad ``added_after`` and ``limit``, unknown filters, very
long ids, SQL metacharacters in every parameter) and asserts the exact 4xx
status. At the end, the node's log must not contain a single request that
reached the catch-all handler for unexpected errors.
"""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from _cases import envelope, identity
from _databases import BACKENDS, storage_url
from _http import TAXII, assert_taxii_error, delete, get, objects_path, post
from _node import (
    API_ROOT,
    MAX_CONTENT_LENGTH,
    PASSWORD,
    STIX_COLLECTION,
    USER,
    RunningNode,
    node_for,
)
from hypothesis import given, settings
from hypothesis import strategies as st

STIX_OBJECTS = objects_path(API_ROOT, STIX_COLLECTION)
MANIFEST = f"{API_ROOT}/collections/{STIX_COLLECTION}/manifest/"

SQL_METACHARACTERS = [
    "'",
    "' OR '1'='1",
    "'; DROP TABLE objects; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "1; SELECT pg_sleep(5)",
    "identity--' UNION SELECT * FROM statuses --",
    "\x00",
    "ü'∆",
]


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningNode]:
    folder: Path = tmp_path_factory.mktemp(f"bad-input-{request.param}")
    with storage_url(request.param, folder) as url, node_for(url, folder) as running:
        yield running
    log = running.log()
    assert "internal error" not in log, log
    assert '" 500 ' not in log, log


def _raw_post(node: RunningNode, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
    """POST with http.client, so the body and headers are sent exactly as given."""
    parts = urlsplit(node.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    token = requests.auth._basic_auth_str(USER, PASSWORD)
    try:
        connection.request(
            "POST",
            "/" + STIX_OBJECTS,
            body=body,
            headers={"Accept": TAXII, "Content-Type": TAXII, "Authorization": token, **headers},
        )
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Content-Type", "")
    finally:
        connection.close()


# -- bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"not json at all",
        b'{"objects": [}',
        b"\xff\xfe\x00garbage",
        b'{"objects": [NaN]}',
        b'{"objects": [{"id": Infinity}]}',
        b"[" * 50_000 + b"]" * 50_000,
        b'{"a":' * 200 + b"1" + b"}" * 200,
    ],
    ids=[
        "truncated",
        "text",
        "broken-array",
        "binary",
        "nan",
        "infinity",
        "deep-array",
        "deep-object",
    ],
)
def test_malformed_json_is_400(node: RunningNode, body: bytes) -> None:
    assert_taxii_error(post(node, STIX_OBJECTS, body), 400)


def test_empty_body_is_400(node: RunningNode) -> None:
    status, _, content_type = _raw_post(node, b"", {"Content-Length": "0"})
    assert status == 400
    assert content_type.replace(" ", "") == TAXII


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"more": False},
        {"objects": None},
        {"objects": {}},
        {"objects": "identity--1"},
        {"objects": []},
        [],
        [identity("Listed Without Envelope")],
        "just a string",
        42,
        None,
    ],
    ids=[
        "empty-object",
        "no-objects",
        "objects-null",
        "objects-object",
        "objects-string",
        "objects-empty",
        "array",
        "bare-list",
        "string",
        "number",
        "null",
    ],
)
def test_envelope_without_a_list_of_objects_is_422(node: RunningNode, body: object) -> None:
    assert_taxii_error(post(node, STIX_OBJECTS, json.dumps(body)), 422)


@pytest.mark.parametrize("item", [1, "identity--x", None, [], [{"type": "identity"}], True])
def test_non_object_items_are_422(node: RunningNode, item: object) -> None:
    body = {"objects": [identity("Valid Neighbour"), item]}
    assert_taxii_error(post(node, STIX_OBJECTS, body), 422)


@pytest.mark.parametrize(
    "item",
    [
        {},
        {"type": "identity"},
        {"id": 5, "type": "identity"},
        {"id": "x" * 5000, "type": "identity"},
        {"id": "identity--" + "'; DROP TABLE objects; --", "type": "identity"},
    ],
    ids=["empty", "no-id", "numeric-id", "huge-id", "sql-id"],
)
def test_objects_without_a_usable_id_never_500(node: RunningNode, item: dict[str, object]) -> None:
    response = post(node, STIX_OBJECTS, {"objects": [item]})
    assert response.status_code in (202, 400, 422), response.text
    if response.status_code == 202:
        assert response.json()["failure_count"] == 1


def test_huge_declared_body_is_413_before_it_is_read(node: RunningNode) -> None:
    body = json.dumps(envelope(identity("Big"))).encode()
    status, _, _ = _raw_post(node, body, {"Content-Length": str(MAX_CONTENT_LENGTH * 50)})
    assert status == 413


def test_huge_body_is_413(node: RunningNode) -> None:
    huge = json.dumps({"objects": [identity("Huge")] * 20_000}).encode()
    assert len(huge) > MAX_CONTENT_LENGTH
    assert_taxii_error(post(node, STIX_OBJECTS, huge), 413)


def test_lying_content_length_is_not_a_500(node: RunningNode) -> None:
    body = json.dumps(envelope(identity("Liar"))).encode()
    status, _, _ = _raw_post(node, body, {"Content-Length": str(len(body) - 5)})
    assert status == 400


# -- query parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00.000Z",
        "2026-01-01",
        "2026-01-01T25:00:00Z",
        "",
        "1700000000",
        "2026-01-01T00:00:00.000Z'; --",
        "9" * 3000,
    ],
)
def test_bad_added_after_is_400(node: RunningNode, value: str) -> None:
    for path in (STIX_OBJECTS, MANIFEST):
        assert_taxii_error(get(node, path, {"added_after": value}), 400)


@pytest.mark.parametrize(
    "value", ["0", "-1", "abc", "1.5", "", " ", "1e3", "0x10", "٣", "99999999999999999999999999"]
)
def test_bad_limit_is_400_or_capped(node: RunningNode, value: str) -> None:
    response = get(node, STIX_OBJECTS, {"limit": value})
    if value == "99999999999999999999999999":  # a huge but well-formed limit is capped
        assert response.status_code == 200
    else:
        assert_taxii_error(response, 400)


def test_unknown_filters_are_ignored(node: RunningNode) -> None:
    params = {"match[colour]": "blue", "sort": "desc", "match[": "x", "foo[]": "1"}
    for path in (STIX_OBJECTS, MANIFEST):
        assert get(node, path, params).status_code == 200


@pytest.mark.parametrize("value", ["first,", ",", "not-a-timestamp", "last,all,2026"])
def test_bad_match_version_is_not_a_500(node: RunningNode, value: str) -> None:
    response = get(node, STIX_OBJECTS, {"match[version]": value})
    assert response.status_code in (200, 400), response.text


def test_very_long_ids_in_paths_and_filters(node: RunningNode) -> None:
    long_id = "identity--" + "a" * 3000
    assert_taxii_error(get(node, f"{STIX_OBJECTS}{long_id}/"), 404)
    assert_taxii_error(get(node, f"{STIX_OBJECTS}{long_id}/versions/"), 404)
    assert_taxii_error(delete(node, f"{STIX_OBJECTS}{long_id}/"), 404)
    assert get(node, STIX_OBJECTS, {"match[id]": long_id}).status_code == 200
    many = ",".join(f"identity--{uuid.uuid4()}" for _ in range(150))
    assert get(node, STIX_OBJECTS, {"match[id]": many}).status_code == 200
    assert_taxii_error(get(node, f"{API_ROOT}/status/{'s' * 3000}/"), 404)
    assert_taxii_error(get(node, f"{API_ROOT}/collections/{'c' * 3000}/"), 404)
    response = requests.get(node.url("x" * 20_000), timeout=30)  # over gunicorn's line limit
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("value", SQL_METACHARACTERS)
def test_sql_metacharacters_in_every_parameter(node: RunningNode, value: str) -> None:
    segment = quote(value, safe="")
    for name in (
        "match[id]",
        "match[type]",
        "match[version]",
        "match[spec_version]",
        "added_after",
        "limit",
        "next",
    ):
        for path in (STIX_OBJECTS, MANIFEST):
            response = get(node, path, {name: value})
            assert response.status_code in (200, 400), (name, value, response.text)
    for path in (
        f"{segment}/",
        f"{segment}/collections/",
        f"{API_ROOT}/collections/{segment}/",
        f"{API_ROOT}/collections/{segment}/objects/",
        f"{API_ROOT}/status/{segment}/",
        f"{STIX_OBJECTS}{segment}/",
        f"{STIX_OBJECTS}{segment}/versions/",
    ):
        response = get(node, path)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
    # The tables are still there and answer.
    assert get(node, STIX_OBJECTS).status_code == 200


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(
        [
            "match[id]",
            "match[type]",
            "match[version]",
            "match[spec_version]",
            "added_after",
            "limit",
            "next",
            "x",
        ]
    ),
    value=st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
)
def test_arbitrary_parameter_values_never_500(node: RunningNode, name: str, value: str) -> None:
    response = get(node, STIX_OBJECTS, {name: value})
    assert response.status_code in (200, 400), (name, value, response.text)
