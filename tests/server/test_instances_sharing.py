"""Two instances of the node on one PostgreSQL database behave as one node.

Implements the checks of docs/adr/0019-several-instances.md ("What the
instances share"): two real ``infoshare serve`` processes on different
ports, with the same configuration and paging secret, stand for two hosts
behind a load balancer that sends each request wherever it likes.

* A ``next`` token issued by instance A continues the paging on instance B
  (objects, manifest, versions), and B still refuses it to another
  requester or with other filters.
* An object added through A is readable through B as soon as the add's
  status says complete, and so is the status resource itself.
* A case-viewer session signed in on A is signed in on B, and signing out on
  B ends it on A.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from _cases import envelope, identity
from _databases import postgres_database
from _http import TAXII, TIMEOUT, assert_taxii_error, get, post
from _instances import instances
from _node import (
    API_ROOT,
    OTHER_PASSWORD,
    OTHER_USER,
    PASSWORD,
    STIX_COLLECTION,
    USER,
    RunningNode,
)
from _viewer_web import csrf_of, page, signed_in
from taxii2client.v21 import ApiRoot, Collection

COLLECTION = f"{API_ROOT}/collections/{STIX_COLLECTION}"
OBJECTS = f"{COLLECTION}/objects/"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningNode, RunningNode]]:
    folder: Path = tmp_path_factory.mktemp("instances-sharing")
    with postgres_database() as url, instances(url, folder, 2) as (a, b):
        yield a, b


def _feed(node: RunningNode) -> Collection:
    return Collection(node.url(f"{COLLECTION}/"), user=USER, password=PASSWORD)


def _pages_alternating(
    nodes: tuple[RunningNode, RunningNode], path: str, params: dict[str, str], key: str
) -> list[Any]:
    """Every item of a paged answer, each page from the other instance than the last."""
    first = get(nodes[0], path, params)
    assert first.status_code == 200, first.text
    body = first.json()
    items = list(body.get(key, []))
    turn = 1
    while body.get("more"):
        response = get(nodes[turn % 2], path, {**params, "next": body["next"]})
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body.get(key, []))
        turn += 1
    assert turn >= 3, "the test needs at least three pages"
    return items


def test_a_next_token_of_one_instance_works_on_the_other(
    pair: tuple[RunningNode, RunningNode],
) -> None:
    a, b = pair
    marker = "Harbour Signal Desk"
    objs = [identity(f"{marker} {n}") for n in range(7)]
    assert post(a, OBJECTS, envelope(*objs)).status_code == 202
    ids = ",".join(str(o["id"]) for o in objs)
    params = {"match[id]": ids, "limit": "3"}

    objects = _pages_alternating(pair, OBJECTS, params, "objects")
    assert sorted(o["id"] for o in objects) == sorted(o["id"] for o in objs)
    manifest = _pages_alternating(pair, f"{COLLECTION}/manifest/", params, "objects")
    assert sorted(r["id"] for r in manifest) == sorted(o["id"] for o in objs)

    object_id = identity("Tidewater Fact Desk")["id"]
    stamps = [f"2026-05-0{day}T08:00:00.000Z" for day in range(1, 8)]
    versions = [
        identity("Tidewater Fact Desk", object_id=object_id, created=stamps[0], modified=stamp)
        for stamp in stamps
    ]
    assert post(b, OBJECTS, envelope(*versions)).status_code == 202
    seen = _pages_alternating(pair, f"{OBJECTS}{object_id}/versions/", {"limit": "3"}, "versions")
    assert seen == stamps


def test_a_token_from_one_instance_is_refused_on_the_other_to_another_requester(
    pair: tuple[RunningNode, RunningNode],
) -> None:
    a, b = pair
    objs = [identity(f"Breakwater Listening Post {n}") for n in range(5)]
    assert post(a, OBJECTS, envelope(*objs)).status_code == 202
    params = {"match[id]": ",".join(str(o["id"]) for o in objs), "limit": "2"}
    token = get(a, OBJECTS, params).json()["next"]

    other = get(b, OBJECTS, {**params, "next": token}, auth=(OTHER_USER, OTHER_PASSWORD))
    assert_taxii_error(other, 400)
    narrower = {**params, "match[id]": str(objs[0]["id"]), "next": token}
    assert_taxii_error(get(b, OBJECTS, narrower), 400)
    manifest = get(b, f"{COLLECTION}/manifest/", {**params, "next": token})
    assert_taxii_error(manifest, 400)
    # The token itself is still good, for its own requester and filters.
    assert get(b, OBJECTS, {**params, "next": token}).status_code == 200


def test_what_one_instance_adds_the_other_serves_at_once(
    pair: tuple[RunningNode, RunningNode],
) -> None:
    a, b = pair
    api_root_url = b.url(f"{API_ROOT}/")
    for n in range(10):
        writer, reader = (a, b) if n % 2 == 0 else (b, a)
        obj = identity(f"Estuary Verification Unit {n}")
        status = _feed(writer).add_objects(envelope(obj))
        assert status.status == "complete"
        # The status resource, read through the other instance.
        seen = get(reader, f"{API_ROOT}/status/{status.id}/")
        assert seen.status_code == 200, seen.text
        assert seen.json()["status"] == "complete"
        assert [s["id"] for s in seen.json()["successes"]] == [obj["id"]]
        # The object, read through the other instance right away.
        found = _feed(reader).get_object(str(obj["id"]))
        assert found["objects"] == [obj]
    # taxii2-client's own status lookup, through B, of an add made through A.
    status = _feed(a).add_objects(envelope(identity("Saltmarsh Media Monitor")))
    looked_up = ApiRoot(api_root_url, user=USER, password=PASSWORD).get_status(status.id)
    assert looked_up.status == "complete"
    assert looked_up.success_count == 1


def test_a_viewer_session_made_on_one_instance_holds_on_the_other(
    pair: tuple[RunningNode, RunningNode],
) -> None:
    a, b = pair
    client = signed_in(a, USER, PASSWORD)
    cookies = {cookie.name: str(cookie.value) for cookie in client.cookies}
    assert "infoshare_session" in cookies
    on_b = requests.Session()
    on_b.cookies.update(cookies)
    listing = page(on_b, b, "/")
    assert listing.status_code == 200, listing.text[:500]
    assert USER in listing.text
    assert page(requests.Session(), b, "/").status_code == 303  # no cookie: sign in first

    signed_out = on_b.post(
        b.url("/viewer/sign-out"),
        data={"csrf": csrf_of(listing.text)},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert signed_out.status_code == 303, signed_out.text[:500]
    after = requests.Session()
    after.cookies.update(cookies)
    assert page(after, a, "/").status_code == 303  # the session ended on A too


def test_both_instances_describe_the_same_node(pair: tuple[RunningNode, RunningNode]) -> None:
    a, b = pair
    answers = []
    for node in pair:
        response = requests.get(
            node.url(f"{API_ROOT}/collections/"),
            headers={"Accept": TAXII},
            auth=(USER, PASSWORD),
            timeout=TIMEOUT,
        )
        assert response.status_code == 200
        answers.append(json.dumps(response.json(), sort_keys=True))
    assert answers[0] == answers[1]
    assert a.base_url != b.base_url
