"""Nothing hidden leaks: objects, manifest, versions, headers, counts, status, next tokens.

Over real HTTP on SQLite and PostgreSQL. Random mixes of TLP levels
(hypothesis) are added to one collection by several submitters; each
partner's paged view (small pages, following ``next``) must equal the
ground truth filtered by the rules in ``_access.py``, and the date-added
headers and ``more`` must be those of the visible rows only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _access import (
    LEVELS,
    OPERATOR,
    AccessNode,
    access_node,
    collection_path,
    marked_identity,
    sees,
)
from _databases import BACKENDS
from _node import API_ROOT, OTHER_COLLECTION, STIX_COLLECTION
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

READERS = ("green-reader", "amber-reader", "strict-red", OPERATOR)
SUBMITTERS = (OPERATOR, "amber-reader")


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"access-leaks-{request.param}")
    with access_node(request.param, folder) as running:
        yield running


def _pages(node: AccessNode, partner: str, endpoint: str, limit: int) -> list[dict[str, Any]]:
    """Every page of ``endpoint`` for ``partner``, checking ``more``/``next`` and headers."""
    items: list[dict[str, Any]] = []
    params: dict[str, str] = {"limit": str(limit)}
    while True:
        response = node.get(partner, collection_path(OTHER_COLLECTION, endpoint), params)
        assert response.status_code == 200, response.text
        body = response.json()
        page = body.get("objects", [])
        items.extend(page)
        if page:
            dates = [item["date_added"] for item in page] if endpoint == "manifest/" else None
            if dates is not None:
                assert response.headers["X-TAXII-Date-Added-First"] == dates[0]
                assert response.headers["X-TAXII-Date-Added-Last"] == dates[-1]
        else:
            assert "X-TAXII-Date-Added-First" not in response.headers
        if not body.get("more"):
            assert "next" not in body
            return items
        assert len(page) == limit
        params = {"limit": str(limit), "next": body["next"]}


#: Everything added to OTHER_COLLECTION in this module: (id, level, submitter), in order.
_ADDED: dict[str, list[tuple[str, str | None, str]]] = {}


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(
        st.tuples(st.sampled_from(LEVELS), st.sampled_from(SUBMITTERS)), min_size=1, max_size=6
    ),
    limit=st.integers(min_value=1, max_value=4),
)
def test_each_partner_sees_exactly_the_filtered_ground_truth(
    node: AccessNode, batch: list[tuple[str | None, str]], limit: int
) -> None:
    added = _ADDED.setdefault(node.node.base_url, [])
    for level, submitter in batch:
        obj = marked_identity(level)
        node.add(submitter, OTHER_COLLECTION, [obj])
        added.append((obj["id"], level, submitter))
    for partner in READERS:
        expected = [oid for oid, level, who in added if sees(partner, OTHER_COLLECTION, level, who)]
        objects = _pages(node, partner, "objects/", limit)
        manifest = _pages(node, partner, "manifest/", limit)
        assert [o["id"] for o in objects] == expected
        assert [m["id"] for m in manifest] == expected


def test_versions_hidden_by_tlp_change_nothing(node: AccessNode) -> None:
    first = marked_identity("green", name="Fictional harbour authority")
    second = dict(first, modified="2026-03-02T09:00:00.000Z", object_marking_refs=[])
    second["object_marking_refs"] = marked_identity("red")["object_marking_refs"]
    node.add(OPERATOR, STIX_COLLECTION, [first, second])
    path = collection_path(STIX_COLLECTION, f"objects/{first['id']}/")
    # The green reader sees version 1 as the latest, and only that version.
    latest = node.get("green-reader", path).json()
    assert latest["objects"] == [first]
    versions = node.get("green-reader", path + "versions/").json()
    assert versions["versions"] == [first["modified"]]
    everything = node.get("green-reader", path, {"match[version]": "all"}).json()
    assert everything["objects"] == [first]
    pinned = node.get("green-reader", path, {"match[version]": second["modified"]})
    assert pinned.status_code == 200 and pinned.json() == {}
    # The RED recipient sees both.
    assert node.get("strict-red", path).json()["objects"] == [second]
    assert node.get("strict-red", path + "versions/").json()["versions"] == [
        first["modified"],
        second["modified"],
    ]


def test_a_next_token_is_useless_to_another_partner(node: AccessNode) -> None:
    node.add(OPERATOR, STIX_COLLECTION, [marked_identity("green") for _ in range(3)])
    path = collection_path(STIX_COLLECTION, "objects/")
    first = node.get("amber-reader", path, {"limit": "1"}).json()
    assert first["more"] is True
    token = first["next"]
    assert node.get("amber-reader", path, {"limit": "1", "next": token}).status_code == 200
    for other in ("green-reader", "strict-red", OPERATOR):
        response = node.get(other, path, {"limit": "1", "next": token})
        assert response.status_code == 400, response.text
        assert "another partner" in response.json()["description"]
    # the same partner with its API token instead of its password: still its own token
    assert node.get("amber-reader", path, {"limit": "1", "next": token}, token=True).ok


def test_status_is_visible_only_to_its_requester_and_administrators(node: AccessNode) -> None:
    status = node.add("amber-reader", STIX_COLLECTION, [marked_identity("amber")])
    path = f"{API_ROOT}/status/{status['id']}/"
    assert node.get("amber-reader", path).json()["id"] == status["id"]
    assert node.get("admin-deleter", path).status_code == 200
    assert node.get(OPERATOR, path).status_code == 200
    for other in ("green-reader", "strict-red", "outsider"):
        response = node.get(other, path)
        assert response.status_code == 404, response.text
        assert status["id"] in response.text or "not found" in response.text


def test_hidden_objects_change_no_header_and_no_count(node: AccessNode) -> None:
    visible = marked_identity("green")
    hidden = marked_identity("red")
    node.add(OPERATOR, STIX_COLLECTION, [visible])
    node.add(OPERATOR, STIX_COLLECTION, [hidden])  # a later request: a later date_added
    path = collection_path(STIX_COLLECTION, "manifest/")
    params = {"added_after": "2000-01-01T00:00:00Z", "limit": "1000"}
    body = node.get("green-reader", path, params)
    ids = [m["id"] for m in body.json()["objects"]]
    assert visible["id"] in ids and hidden["id"] not in ids
    last = body.json()["objects"][-1]["date_added"]
    assert body.headers["X-TAXII-Date-Added-Last"] == last
    # the hidden object was added after the visible one: the header does not move to it
    full = node.get(OPERATOR, path, params).json()["objects"]
    assert full[-1]["id"] == hidden["id"] and full[-1]["date_added"] > last
    # filtering by the hidden id gives an empty answer, like an unknown id
    assert node.get("green-reader", path, {"match[id]": hidden["id"]}).json() == {}
