"""The permission matrix, over real HTTP: partner x collection x endpoint x TLP level.

Every expectation comes from the table in ``_access.py`` (grants, clearances,
the collection's configured flags and the default policy for unmarked
objects), never from the code under test. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _access import (
    ALL_REQUESTERS,
    COLLECTIONS,
    LEVELS,
    MARKING,
    OPERATOR,
    PARTNERS,
    AccessNode,
    access_node,
    collection_path,
    expected_rights,
    marked_identity,
    objects_path,
    sees,
)
from _databases import BACKENDS
from _http import TAXII
from _node import API_ROOT, OTHER_ROOT, STIX_COLLECTION

COLLECTION_IDS = [collection for _, collection, _, _ in COLLECTIONS]


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[AccessNode, dict[tuple[str | None, str], dict[str, Any]]]]:
    """The node, and one object per (TLP level, submitter) in the STIX collection."""
    folder: Path = tmp_path_factory.mktemp(f"access-matrix-{request.param}")
    with access_node(request.param, folder) as node:
        seeded: dict[tuple[str | None, str], dict[str, Any]] = {}
        for submitter in (OPERATOR, "amber-reader", "writer-only"):
            objects = [marked_identity(level) for level in LEVELS]
            node.add(submitter, STIX_COLLECTION, objects)
            for level, obj in zip(LEVELS, objects, strict=True):
                seeded[(level, submitter)] = obj
        yield node, seeded


# -- discovery, API roots, collections --------------------------------------------------


def _roots_of(partner: str) -> list[str]:
    if partner == OPERATOR or PARTNERS[partner][0]:
        return [API_ROOT, OTHER_ROOT]  # administrators see every API root
    return [
        root
        for root in (API_ROOT, OTHER_ROOT)
        if any(expected_rights(partner, c).any for r, c, _, _ in COLLECTIONS if r == root)
    ]


@pytest.mark.parametrize("partner", ALL_REQUESTERS)
@pytest.mark.parametrize("token", [False, True], ids=["basic", "bearer"])
def test_discovery_and_api_roots_show_only_what_the_partner_may_see(
    world: tuple[AccessNode, Any], partner: str, token: bool
) -> None:
    node, _ = world
    if token and partner == OPERATOR:
        pytest.skip("operator accounts use HTTP Basic only")
    response = node.get(partner, "taxii2/", token=token)
    assert response.status_code == 200, response.text
    roots = _roots_of(partner)
    assert response.json()["api_roots"] == [node.node.url(f"{root}/") for root in roots]
    for root in (API_ROOT, OTHER_ROOT):
        information = node.get(partner, f"{root}/", token=token)
        collections = node.get(partner, f"{root}/collections/", token=token)
        if root in roots:
            assert information.status_code == 200
            assert collections.status_code == 200
        else:
            assert information.status_code == 404
            assert collections.status_code == 404


@pytest.mark.parametrize("partner", ALL_REQUESTERS)
def test_collection_list_and_flags_are_the_partners_own(
    world: tuple[AccessNode, Any], partner: str
) -> None:
    node, _ = world
    for root in _roots_of(partner):
        listed = node.get(partner, f"{root}/collections/").json().get("collections", [])
        expected = {
            collection: expected_rights(partner, collection)
            for r, collection, _, _ in COLLECTIONS
            if r == root and expected_rights(partner, collection).any
        }
        assert {c["id"] for c in listed} == set(expected)
        for resource in listed:
            rights = expected[resource["id"]]
            assert (resource["can_read"], resource["can_write"]) == (rights.read, rights.write)


@pytest.mark.parametrize("collection", COLLECTION_IDS)
@pytest.mark.parametrize("partner", ALL_REQUESTERS)
def test_collection_endpoints(world: tuple[AccessNode, Any], partner: str, collection: str) -> None:
    node, _ = world
    rights = expected_rights(partner, collection)
    exists = rights.any
    single = node.get(partner, collection_path(collection))
    assert single.status_code == (200 if exists else 404), single.text
    for endpoint in ("objects/", "manifest/"):
        response = node.get(partner, collection_path(collection, endpoint))
        expected = 200 if rights.read else 403 if exists else 404
        assert response.status_code == expected, (endpoint, response.text)
        assert response.headers["Content-Type"].replace(" ", "") == TAXII
    posted = node.post(partner, objects_path(collection), [marked_identity("green")])
    if collection == STIX_COLLECTION or not rights.write:
        # (the profile collection refuses plain identities with 202 + failures)
        expected_post = 202 if rights.write else 403 if exists else 404
        assert posted.status_code == expected_post, posted.text


# -- objects by TLP level ---------------------------------------------------------------


def _visible_ids(node: AccessNode, partner: str, endpoint: str) -> set[str]:
    response = node.get(partner, collection_path(STIX_COLLECTION, endpoint), {"limit": "1000"})
    if response.status_code != 200:
        return set()
    body = response.json()
    assert body.get("more", False) is False
    return {item["id"] for item in body.get("objects", [])}


@pytest.mark.parametrize("submitter", [OPERATOR, "amber-reader", "writer-only"])
@pytest.mark.parametrize("level", LEVELS, ids=lambda level: str(level))
@pytest.mark.parametrize("partner", ALL_REQUESTERS)
def test_object_endpoints_by_tlp_level(
    world: tuple[AccessNode, Any], partner: str, level: str | None, submitter: str
) -> None:
    node, seeded = world
    obj = seeded[(level, submitter)]
    visible = sees(partner, STIX_COLLECTION, level, submitter)
    rights = expected_rights(partner, STIX_COLLECTION)
    hidden = 404 if rights.read else 403 if rights.any else 404
    assert (obj["id"] in _visible_ids(node, partner, "objects/")) is visible
    assert (obj["id"] in _visible_ids(node, partner, "manifest/")) is visible
    one = node.get(partner, collection_path(STIX_COLLECTION, f"objects/{obj['id']}/"))
    versions = node.get(partner, collection_path(STIX_COLLECTION, f"objects/{obj['id']}/versions/"))
    if visible:
        assert one.status_code == 200 and one.json()["objects"] == [obj]
        assert versions.status_code == 200 and versions.json()["versions"] == [obj["modified"]]
    else:
        assert one.status_code == hidden, one.text
        assert versions.status_code == hidden, versions.text
        # indistinguishable from an object that was never stored
        ghost = f"identity--{uuid.uuid4()}"
        for response, endpoint in ((one, "objects/{}/"), (versions, "objects/{}/versions/")):
            never = node.get(partner, collection_path(STIX_COLLECTION, endpoint.format(ghost)))
            assert never.status_code == response.status_code
            assert never.text.replace(ghost, "ID") == response.text.replace(obj["id"], "ID")


@pytest.mark.parametrize("partner", ALL_REQUESTERS)
def test_delete_needs_an_administrator_with_the_delete_right(
    world: tuple[AccessNode, Any], partner: str
) -> None:
    node, _ = world
    rights = expected_rights(partner, STIX_COLLECTION)
    victim = marked_identity("green", name="Fictional organisation to delete")
    # Its own object where it may write: only the owner (or an operator) withdraws
    # (docs/adr/0012-originator-control.md; test_origin_ownership.py has the refusals).
    node.add(partner if rights.write else OPERATOR, STIX_COLLECTION, [victim])
    path = collection_path(STIX_COLLECTION, f"objects/{victim['id']}/")
    response = node.delete(partner, path)
    if rights.delete:
        assert response.status_code == 200, response.text
        assert node.get(OPERATOR, path).status_code == 404
    else:
        assert response.status_code in (403, 404), response.text
        assert response.status_code == (404 if not rights.any else 403)
        assert node.get(OPERATOR, path).status_code == 200


def test_delete_of_an_object_the_admin_cannot_see_is_404(world: tuple[AccessNode, Any]) -> None:
    node, seeded = world
    red = seeded[("red", OPERATOR)]
    path = collection_path(STIX_COLLECTION, f"objects/{red['id']}/")
    assert node.delete("admin-deleter", path).status_code == 404
    assert node.get(OPERATOR, path).status_code == 200  # still there


def test_submitted_objects_stay_visible_to_their_submitter(world: tuple[AccessNode, Any]) -> None:
    node, seeded = world
    red = seeded[("red", "amber-reader")]
    assert red["id"] in _visible_ids(node, "amber-reader", "objects/")
    assert red["id"] not in _visible_ids(node, "green-reader", "objects/")


TLP_1_0_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"


@pytest.mark.parametrize(
    "markings",
    [
        {"object_marking_refs": [MARKING["green"], TLP_1_0_RED]},  # a 2.0 and a 1.0 marking
        {"object_marking_refs": [TLP_1_0_RED]},
        {"granular_markings": [{"marking_ref": MARKING["red"], "selectors": ["name"]}]},
    ],
    ids=["green-2.0-and-red-1.0", "red-1.0", "granular-red"],
)
def test_the_most_restrictive_marking_decides_over_http(
    world: tuple[AccessNode, Any], markings: dict[str, Any]
) -> None:
    """Served as RED: only the collection's RED recipient (and the submitter) see it."""
    node, _ = world
    obj = {**marked_identity(None, name="Fictional organisation, mixed markings"), **markings}
    node.add(OPERATOR, STIX_COLLECTION, [obj])
    for partner in ALL_REQUESTERS:
        expected = partner in (OPERATOR, "strict-red")  # submitter, named RED recipient
        assert (obj["id"] in _visible_ids(node, partner, "objects/")) is expected, partner
