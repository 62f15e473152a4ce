"""Every TAXII 2.1 endpoint of the real node, over real HTTP, on SQLite and PostgreSQL.

The node runs as a separate process (``infoshare serve``, gunicorn), started
once per storage backend for this module. Requests are raw HTTP (requests) so
that status codes, headers and media types can be asserted exactly; the
taxii2-client suite is in test_http_client.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cases import envelope, example_objects, identity, location, unmarked_copy
from _databases import BACKENDS, storage_url
from _http import TAXII, assert_taxii_error, delete, get, objects_path, post
from _node import (
    API_ROOT,
    MAX_CONTENT_LENGTH,
    MAX_PAGE_SIZE,
    OTHER_COLLECTION,
    OTHER_ROOT,
    PROFILE_COLLECTION,
    READ_ONLY_COLLECTION,
    STIX_COLLECTION,
    RunningNode,
    node_for,
)

STIX_OBJECTS = objects_path(API_ROOT, STIX_COLLECTION)
PROFILE_OBJECTS = objects_path(API_ROOT, PROFILE_COLLECTION)


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningNode]:
    folder: Path = tmp_path_factory.mktemp(f"endpoints-{request.param}")
    with storage_url(request.param, folder) as url, node_for(url, folder) as running:
        yield running
        log = running.log()
    assert "internal error" not in log, log


def add(
    node: RunningNode, *objects: dict[str, object], path: str = STIX_OBJECTS
) -> dict[str, object]:
    response = post(node, path, envelope(*objects))
    assert response.status_code == 202, response.text
    assert response.headers["Content-Type"].replace(" ", "") == TAXII
    status: dict[str, object] = response.json()
    return status


# -- server information -----------------------------------------------------------------


def test_health_needs_no_credentials_and_reveals_no_data(node: RunningNode) -> None:
    response = get(node, "healthz", auth=None, accept=None)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_discovery_lists_the_api_roots_with_full_urls(node: RunningNode) -> None:
    response = get(node, "taxii2/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].replace(" ", "") == TAXII
    discovery = response.json()
    assert discovery["title"].startswith("Test node")
    assert discovery["api_roots"] == [node.url(f"{API_ROOT}/"), node.url(f"{OTHER_ROOT}/")]
    assert discovery["default"] == node.url(f"{API_ROOT}/")


@pytest.mark.parametrize(
    "auth", [None, ("analyst", "wrong password"), ("nobody", "correct-horse-battery-staple")]
)
def test_every_taxii_endpoint_needs_valid_credentials(
    node: RunningNode, auth: tuple[str, str] | None
) -> None:
    for path in ("taxii2/", f"{API_ROOT}/", f"{API_ROOT}/collections/", STIX_OBJECTS):
        response = get(node, path, auth=auth)
        assert_taxii_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_api_root_information(node: RunningNode) -> None:
    response = get(node, f"{API_ROOT}/")
    assert response.status_code == 200
    root = response.json()
    assert root["title"] == "FIMI exchange"
    assert TAXII in root["versions"]
    assert root["max_content_length"] == MAX_CONTENT_LENGTH


def test_unknown_api_root_is_404(node: RunningNode) -> None:
    assert_taxii_error(get(node, "no-such-root/"), 404)
    assert_taxii_error(get(node, "no-such-root/collections/"), 404)


def test_collections_and_collection(node: RunningNode) -> None:
    response = get(node, f"{API_ROOT}/collections/")
    assert response.status_code == 200
    collections = {c["id"]: c for c in response.json()["collections"]}
    assert set(collections) == {PROFILE_COLLECTION, STIX_COLLECTION, READ_ONLY_COLLECTION}
    assert collections[READ_ONLY_COLLECTION]["can_write"] is False
    assert collections[STIX_COLLECTION]["can_read"] is True
    assert "application/stix+json;version=2.1" in collections[STIX_COLLECTION]["media_types"]
    one = get(node, f"{API_ROOT}/collections/{STIX_COLLECTION}/")
    assert one.status_code == 200
    assert one.json()["id"] == STIX_COLLECTION
    assert one.json()["title"] == "STIX feed"


def test_collection_of_another_api_root_is_404(node: RunningNode) -> None:
    assert_taxii_error(get(node, f"{API_ROOT}/collections/{OTHER_COLLECTION}/"), 404)
    assert_taxii_error(get(node, f"{API_ROOT}/collections/{uuid.uuid4()}/"), 404)
    assert_taxii_error(get(node, objects_path(API_ROOT, str(uuid.uuid4()))), 404)


# -- adding objects and status ----------------------------------------------------------


def test_add_objects_returns_a_complete_status_that_can_be_read_back(node: RunningNode) -> None:
    first, second = identity("Harbour Watch Foundation"), location("Old harbour")
    status = add(node, first, second)
    assert status["status"] == "complete"
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (2, 2, 0)
    assert status["pending_count"] == 0
    assert {s["id"] for s in status["successes"]} == {first["id"], second["id"]}  # type: ignore[index, union-attr]
    again = get(node, f"{API_ROOT}/status/{status['id']}/")
    assert again.status_code == 200
    assert again.json() == status


def test_unknown_status_is_404(node: RunningNode) -> None:
    assert_taxii_error(get(node, f"{API_ROOT}/status/{uuid.uuid4()}/"), 404)


def test_a_duplicate_is_not_a_failure_and_is_stored_once(node: RunningNode) -> None:
    obj = identity("Fjord Media Literacy Network")
    add(node, obj)
    status = add(node, obj)
    assert status["status"] == "complete"
    assert (status["success_count"], status["failure_count"]) == (1, 0)
    versions = get(node, f"{STIX_OBJECTS}{obj['id']}/versions/").json()
    assert versions["versions"] == [obj["modified"]]


def test_example_case_ingests_with_zero_failures_into_the_profile_collection(
    node: RunningNode,
) -> None:
    objects = example_objects()
    status = add(node, *objects, path=PROFILE_OBJECTS)
    assert status["failure_count"] == 0, status["failures"]
    assert status["success_count"] == len(objects)


def test_profile_invalid_object_is_rejected_with_its_check_id(node: RunningNode) -> None:
    objects = example_objects()
    broken = unmarked_copy(objects)
    status = add(node, *objects, broken, path=PROFILE_OBJECTS)
    assert status["status"] == "complete"
    assert status["failure_count"] == 1
    assert status["success_count"] == len(objects)
    (failure,) = status["failures"]  # type: ignore[misc]
    assert failure["id"] == broken["id"]
    assert "IS-501" in failure["message"]
    assert_taxii_error(get(node, f"{PROFILE_OBJECTS}{broken['id']}/"), 404)
    # The same object is fine in a plain-STIX collection.
    assert add(node, broken)["success_count"] == 1


def test_read_only_collection_refuses_writes(node: RunningNode) -> None:
    response = post(node, objects_path(API_ROOT, READ_ONLY_COLLECTION), envelope(identity("X")))
    assert_taxii_error(response, 403)


# -- reading objects ------------------------------------------------------------------------


def test_get_objects_with_date_added_headers(node: RunningNode) -> None:
    objs = [identity(f"Lighthouse Observatory {n}") for n in range(3)]
    add(node, *objs)
    ids = ",".join(o["id"] for o in objs)  # type: ignore[misc]
    response = get(node, STIX_OBJECTS, {"match[id]": ids})
    assert response.status_code == 200
    body = response.json()
    assert sorted(o["id"] for o in body["objects"]) == sorted(o["id"] for o in objs)  # type: ignore[misc]
    assert body.get("more", False) is False
    first = response.headers["X-TAXII-Date-Added-First"]
    last = response.headers["X-TAXII-Date-Added-Last"]
    assert first <= last
    assert first.endswith("Z")


def test_stored_json_comes_back_unchanged(node: RunningNode) -> None:
    obj = identity("Société des Phares (fictive)")
    obj["x_custom_note"] = {"nested": [1, 2.5, "ü"]}
    add(node, obj)
    body = get(node, f"{STIX_OBJECTS}{obj['id']}/").json()
    assert body["objects"] == [obj]


def test_empty_result_is_an_empty_envelope(node: RunningNode) -> None:
    response = get(node, STIX_OBJECTS, {"match[id]": f"identity--{uuid.uuid4()}"})
    assert response.status_code == 200
    assert response.json().get("objects", []) == []
    assert "X-TAXII-Date-Added-First" not in response.headers


def test_get_one_object_and_404_for_an_unknown_one(node: RunningNode) -> None:
    obj = identity("Coastal Radio Monitoring Unit")
    add(node, obj)
    response = get(node, f"{STIX_OBJECTS}{obj['id']}/")
    assert response.status_code == 200
    assert [o["id"] for o in response.json()["objects"]] == [obj["id"]]
    assert "X-TAXII-Date-Added-First" in response.headers
    assert_taxii_error(get(node, f"{STIX_OBJECTS}identity--{uuid.uuid4()}/"), 404)


def _three_versions(node: RunningNode) -> tuple[str, list[str]]:
    object_id = f"identity--{uuid.uuid4()}"
    stamps = ["2026-03-01T10:00:00.000Z", "2026-03-02T10:00:00.000Z", "2026-03-03T10:00:00.000Z"]
    versions = [
        identity("Tidewater Fact-Check Desk", object_id=object_id, created=stamps[0], modified=s)
        for s in stamps
    ]
    add(node, *versions)
    return object_id, stamps


def test_versions_endpoint_and_match_version(node: RunningNode) -> None:
    object_id, stamps = _three_versions(node)
    versions = get(node, f"{STIX_OBJECTS}{object_id}/versions/")
    assert versions.status_code == 200
    assert versions.json()["versions"] == stamps
    assert "X-TAXII-Date-Added-First" in versions.headers

    def modified(params: dict[str, str]) -> list[str]:
        body = get(node, STIX_OBJECTS, {"match[id]": object_id, **params}).json()
        return sorted(o["modified"] for o in body.get("objects", []))

    assert modified({}) == [stamps[2]]  # the latest version by default
    assert modified({"match[version]": "last"}) == [stamps[2]]
    assert modified({"match[version]": "first"}) == [stamps[0]]
    assert modified({"match[version]": "all"}) == stamps
    assert modified({"match[version]": f"{stamps[0]},{stamps[2]}"}) == [stamps[0], stamps[2]]
    one = get(node, f"{STIX_OBJECTS}{object_id}/", {"match[version]": "all"}).json()
    assert len(one["objects"]) == 3


def test_match_type_and_id_take_comma_separated_alternatives(node: RunningNode) -> None:
    person, place = identity("Estuary Research Council"), location("Estuary park")
    add(node, person, place)
    ids = f"{person['id']},{place['id']}"
    both = get(node, STIX_OBJECTS, {"match[id]": ids, "match[type]": "identity,location"})
    assert sorted(o["type"] for o in both.json()["objects"]) == ["identity", "location"]
    only = get(node, STIX_OBJECTS, {"match[id]": ids, "match[type]": "location"})
    assert [o["id"] for o in only.json()["objects"]] == [place["id"]]
    spec = get(node, STIX_OBJECTS, {"match[id]": ids, "match[spec_version]": "2.1"})
    assert len(spec.json()["objects"]) == 2
    none = get(node, STIX_OBJECTS, {"match[id]": ids, "match[spec_version]": "2.0"})
    assert none.json().get("objects", []) == []


def test_added_after_returns_only_later_additions(node: RunningNode) -> None:
    early = identity("Breakwater Civic Lab")
    add(node, early)
    watermark = get(node, STIX_OBJECTS, {"match[id]": early["id"]}).headers[  # type: ignore[arg-type]
        "X-TAXII-Date-Added-Last"
    ]
    late = identity("Jetty Youth Debate Club")
    add(node, late)
    ids = f"{early['id']},{late['id']}"
    after = get(node, STIX_OBJECTS, {"match[id]": ids, "added_after": watermark})
    assert [o["id"] for o in after.json()["objects"]] == [late["id"]]
    assert after.headers["X-TAXII-Date-Added-First"] > watermark


def test_manifest(node: RunningNode) -> None:
    object_id, stamps = _three_versions(node)
    response = get(
        node,
        f"{API_ROOT}/collections/{STIX_COLLECTION}/manifest/",
        {"match[id]": object_id, "match[version]": "all"},
    )
    assert response.status_code == 200
    records = response.json()["objects"]
    assert [r["version"] for r in records] == stamps
    for record in records:
        assert record["id"] == object_id
        assert record["media_type"] == "application/stix+json;version=2.1"
        assert record["date_added"].endswith("Z")
    assert "X-TAXII-Date-Added-Last" in response.headers


# -- paging --------------------------------------------------------------------------------


def _page_through(node: RunningNode, path: str, params: dict[str, str], key: str) -> list[str]:
    seen: list[str] = []
    response = get(node, path, params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(item if isinstance(item, str) else item["id"] for item in body.get(key, []))
        if body.get("more"):
            assert body.get("next"), "more: true must come with next"
            response = get(node, path, {**params, "next": body["next"]})
        else:
            return seen


def test_paging_with_next_visits_every_object_once(node: RunningNode) -> None:
    objs = [identity(f"Seawall Volunteers {n}") for n in range(7)]
    add(node, *objs)
    ids = ",".join(o["id"] for o in objs)  # type: ignore[misc]
    seen = _page_through(node, STIX_OBJECTS, {"match[id]": ids, "limit": "3"}, "objects")
    assert sorted(seen) == sorted(o["id"] for o in objs)  # type: ignore[misc]
    manifest = _page_through(
        node,
        f"{API_ROOT}/collections/{STIX_COLLECTION}/manifest/",
        {"match[id]": ids, "limit": "2"},
        "objects",
    )
    assert sorted(manifest) == sorted(seen)


def test_limit_above_the_maximum_is_capped(node: RunningNode) -> None:
    objs = [identity(f"Dune Reading Circle {n}") for n in range(MAX_PAGE_SIZE + 1)]
    add(node, *objs)
    ids = ",".join(o["id"] for o in objs)  # type: ignore[misc]
    body = get(node, STIX_OBJECTS, {"match[id]": ids, "limit": "100000"}).json()
    assert len(body["objects"]) == MAX_PAGE_SIZE
    assert body["more"] is True
    assert body["next"]


def test_paging_versions(node: RunningNode) -> None:
    object_id, stamps = _three_versions(node)
    seen = _page_through(node, f"{STIX_OBJECTS}{object_id}/versions/", {"limit": "1"}, "versions")
    assert seen == stamps


def test_next_token_tampered_replayed_or_from_elsewhere_is_400(node: RunningNode) -> None:
    objs = [identity(f"Quay Heritage Trust {n}") for n in range(3)]
    add(node, *objs)
    ids = ",".join(o["id"] for o in objs)  # type: ignore[misc]
    first = get(node, STIX_OBJECTS, {"match[id]": ids, "limit": "1"}).json()
    token = first["next"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert_taxii_error(get(node, STIX_OBJECTS, {"match[id]": ids, "next": tampered}), 400)
    other_filter = {"match[id]": ids, "match[type]": "location", "next": token}
    assert_taxii_error(get(node, STIX_OBJECTS, other_filter), 400)
    elsewhere = objects_path(OTHER_ROOT, OTHER_COLLECTION)
    assert_taxii_error(get(node, elsewhere, {"match[id]": ids, "next": token}), 400)
    assert_taxii_error(get(node, STIX_OBJECTS, {"next": "not-a-token"}), 400)
    # The genuine token still works.
    assert get(node, STIX_OBJECTS, {"match[id]": ids, "next": token}).status_code == 200


# -- deleting ------------------------------------------------------------------------------


def test_delete_object(node: RunningNode) -> None:
    obj = identity("Pier Community Newsletter")
    add(node, obj)
    response = delete(node, f"{STIX_OBJECTS}{obj['id']}/")
    assert response.status_code == 200
    assert_taxii_error(get(node, f"{STIX_OBJECTS}{obj['id']}/"), 404)
    assert_taxii_error(delete(node, f"{STIX_OBJECTS}{obj['id']}/"), 404)


def test_delete_one_version(node: RunningNode) -> None:
    object_id, stamps = _three_versions(node)
    response = delete(node, f"{STIX_OBJECTS}{object_id}/", {"match[version]": stamps[0]})
    assert response.status_code == 200
    remaining = get(node, f"{STIX_OBJECTS}{object_id}/versions/").json()["versions"]
    assert remaining == stamps[1:]


# -- content negotiation and media types ---------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        "application/taxii+json;version=2.1",
        "application/taxii+json",
        "application/taxii+json; version=2.1",
        "application/json;q=0.5, application/taxii+json",
        "*/*",
        "application/*",
    ],
)
def test_acceptable_accept_headers(node: RunningNode, accept: str) -> None:
    response = get(node, "taxii2/", accept=accept)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].replace(" ", "") == TAXII


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "text/html",
        "application/taxii+json;version=2.0",
        "application/stix+json;version=2.1",
        "application/taxii+json;q=0",
    ],
)
def test_unacceptable_accept_header_is_406(node: RunningNode, accept: str) -> None:
    for path in ("taxii2/", f"{API_ROOT}/", STIX_OBJECTS):
        assert_taxii_error(get(node, path, accept=accept), 406)


def test_version_less_taxii_content_type_is_accepted(node: RunningNode) -> None:
    response = post(
        node,
        STIX_OBJECTS,
        envelope(identity("Marina Safety Board")),
        content_type="application/taxii+json",
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/json",
        "application/stix+json;version=2.1",
        "application/taxii+json;version=2.0",
        "text/plain",
        "application/x-www-form-urlencoded",
    ],
)
def test_wrong_content_type_is_415(node: RunningNode, content_type: str | None) -> None:
    response = post(node, STIX_OBJECTS, envelope(identity("X")), content_type=content_type)
    assert_taxii_error(response, 415)


def test_body_over_max_content_length_is_413(node: RunningNode) -> None:
    big = identity("Padding Trust")
    big["description"] = "x" * (MAX_CONTENT_LENGTH + 10)
    assert_taxii_error(post(node, STIX_OBJECTS, envelope(big)), 413)


def test_unknown_path_and_wrong_method_are_taxii_errors(node: RunningNode) -> None:
    assert_taxii_error(get(node, "no/such/path/at/all/"), 404)
    response = post(node, "taxii2/", {})
    assert_taxii_error(response, 405)
