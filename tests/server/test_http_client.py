"""The node as a TAXII 2.1 client sees it: taxii2-client (OASIS) against the real node.

Every endpoint through ``taxii2client.v21`` (Server, ApiRoot, Collection,
Status, as_pages), on SQLite and PostgreSQL; the node runs as a separate
process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from _cases import envelope, example_objects, identity, unmarked_copy
from _databases import BACKENDS, storage_url
from _node import (
    API_ROOT,
    MAX_CONTENT_LENGTH,
    PASSWORD,
    PROFILE_COLLECTION,
    READ_ONLY_COLLECTION,
    STIX_COLLECTION,
    USER,
    RunningNode,
    node_for,
)
from taxii2client.exceptions import AccessError
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningNode]:
    folder: Path = tmp_path_factory.mktemp(f"client-{request.param}")
    with storage_url(request.param, folder) as url, node_for(url, folder) as running:
        yield running
    assert "internal error" not in running.log()


@pytest.fixture(scope="module")
def server(node: RunningNode) -> Server:
    return Server(node.discovery_url, user=USER, password=PASSWORD)


@pytest.fixture(scope="module")
def api_root(server: Server) -> ApiRoot:
    (root,) = [r for r in server.api_roots if r.url.rstrip("/").endswith(API_ROOT)]
    return root


def collection(api_root: ApiRoot, collection_id: str) -> Collection:
    (found,) = [c for c in api_root.collections if c.id == collection_id]
    return found


def test_discovery_and_api_root(server: Server, api_root: ApiRoot, node: RunningNode) -> None:
    assert server.title.startswith("Test node")
    assert server.contact == "soc@coastal-affairs.example"
    assert server.default.url == node.url(f"{API_ROOT}/")
    assert len(server.api_roots) == 2
    assert api_root.title == "FIMI exchange"
    assert api_root.versions == ["application/taxii+json;version=2.1"]
    assert api_root.max_content_length == MAX_CONTENT_LENGTH


def test_collections(api_root: ApiRoot) -> None:
    ids = {c.id for c in api_root.collections}
    assert ids == {PROFILE_COLLECTION, STIX_COLLECTION, READ_ONLY_COLLECTION}
    feed = collection(api_root, STIX_COLLECTION)
    assert feed.title == "STIX feed"
    assert feed.can_read and feed.can_write
    assert collection(api_root, READ_ONLY_COLLECTION).can_write is False


def test_add_get_versions_manifest_delete(api_root: ApiRoot) -> None:
    feed = collection(api_root, STIX_COLLECTION)
    object_id = identity("Sandbank Debunking Collective")["id"]
    versions = [
        identity(
            "Sandbank Debunking Collective",
            object_id=object_id,
            created="2026-04-01T08:00:00.000Z",
            modified=stamp,
        )
        for stamp in ("2026-04-01T08:00:00.000Z", "2026-04-02T08:00:00.000Z")
    ]
    status = feed.add_objects(envelope(*versions))
    assert status.status == "complete"
    assert status.success_count == 2
    assert status.failure_count == 0
    refreshed = api_root.get_status(status.id)
    assert refreshed.success_count == 2
    assert refreshed.status == "complete"

    latest = feed.get_object(object_id)
    assert [o["modified"] for o in latest["objects"]] == ["2026-04-02T08:00:00.000Z"]
    everything = feed.get_objects(id=object_id, version="all")
    assert len(everything["objects"]) == 2
    assert feed.object_versions(object_id)["versions"] == [v["modified"] for v in versions]
    manifest = feed.get_manifest(id=object_id, version="all")
    assert {r["version"] for r in manifest["objects"]} == {v["modified"] for v in versions}

    feed.delete_object(object_id)
    with pytest.raises(requests.HTTPError, match="404"):
        feed.get_object(object_id)


def test_as_pages_visits_every_object(api_root: ApiRoot) -> None:
    feed = collection(api_root, STIX_COLLECTION)
    objs = [identity(f"Reef Watch Station {n}") for n in range(9)]
    feed.add_objects(envelope(*objs))
    ids = ",".join(o["id"] for o in objs)
    pages: list[dict[str, Any]] = list(as_pages(feed.get_objects, per_request=4, id=ids))
    assert len(pages) == 3
    for page in pages[:-1]:
        assert page["more"] is True and page["next"]
    seen = [o["id"] for page in pages for o in page["objects"]]
    assert sorted(seen) == sorted(o["id"] for o in objs)
    manifest_pages = list(as_pages(feed.get_manifest, per_request=5, id=ids))
    assert len(manifest_pages) == 2


def test_profile_collection_reports_check_ids(api_root: ApiRoot) -> None:
    cases = collection(api_root, PROFILE_COLLECTION)
    objects = example_objects("03-deepfake-investment-scam.json")
    broken = unmarked_copy(objects, "incident")
    status = cases.add_objects(envelope(*objects, broken))
    assert status.status == "complete"
    assert status.success_count == len(objects)
    assert status.failure_count == 1
    assert status.failures[0]["id"] == broken["id"]
    assert "IS-501" in status.failures[0]["message"]


def test_read_only_collection(api_root: ApiRoot) -> None:
    with pytest.raises(AccessError):
        collection(api_root, READ_ONLY_COLLECTION).add_objects(envelope(identity("X")))


def test_wrong_password_is_refused(node: RunningNode) -> None:
    with pytest.raises(Exception, match="401"):
        _ = Server(node.discovery_url, user=USER, password="not the password").title
