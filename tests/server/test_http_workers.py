"""Several workers and several node processes sharing one database.

Paging is stateless: a ``next`` token issued by one process is served by
another. Two node processes (separate ports, same database, same secret) and
one gunicorn with two workers are exercised on SQLite and PostgreSQL, with
writes arriving at both at once. An acknowledged add survives ``kill -9``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from _cases import envelope, identity
from _databases import BACKENDS, storage_url
from _http import get, objects_path, post
from _node import API_ROOT, STIX_COLLECTION, RunningNode, kill_hard, node_for

STIX_OBJECTS = objects_path(API_ROOT, STIX_COLLECTION)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    folder: Path = tmp_path_factory.mktemp(f"workers-{request.param}")
    with storage_url(request.param, folder) as url:
        yield url, folder


@pytest.fixture(scope="module")
def two_nodes(shared: tuple[str, Path]) -> Iterator[tuple[RunningNode, RunningNode]]:
    url, folder = shared
    with node_for(url, folder / "a", workers=2) as first, node_for(url, folder / "b") as second:
        yield first, second
        logs = first.log() + second.log()
    assert "internal error" not in logs, logs


def test_a_page_from_one_node_continues_on_the_other(
    two_nodes: tuple[RunningNode, RunningNode],
) -> None:
    first, second = two_nodes
    objs = [identity(f"Shoreline Monitoring Cell {n}") for n in range(10)]
    assert post(first, STIX_OBJECTS, envelope(*objs)).status_code == 202
    ids = ",".join(o["id"] for o in objs)  # type: ignore[misc]
    seen: list[str] = []
    params = {"match[id]": ids, "limit": "3"}
    nodes = itertools.cycle([first, second])
    body = get(next(nodes), STIX_OBJECTS, params).json()
    seen += [o["id"] for o in body["objects"]]
    while body.get("more"):
        assert body["next"]
        response = get(next(nodes), STIX_OBJECTS, {**params, "next": body["next"]})
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [o["id"] for o in body["objects"]]
    assert sorted(seen) == sorted(o["id"] for o in objs)  # type: ignore[misc]
    assert len(seen) == len(set(seen))


def test_concurrent_writes_to_both_nodes_are_all_stored_once(
    two_nodes: tuple[RunningNode, RunningNode],
) -> None:
    batches = [[identity(f"Tidal Harbour Desk {b}-{n}") for n in range(5)] for b in range(8)]

    def send(pair: tuple[int, list[dict[str, object]]]) -> int:
        index, batch = pair
        node = two_nodes[index % 2]
        response = post(node, STIX_OBJECTS, envelope(*batch))
        return int(response.json()["success_count"]) if response.status_code == 202 else -1

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(send, enumerate(batches)))
    assert counts == [5] * len(batches)
    ids = [str(o["id"]) for batch in batches for o in batch]
    seen: list[str] = []
    for chunk in range(0, len(ids), 20):
        part = ",".join(ids[chunk : chunk + 20])
        seen += [
            o["id"] for o in get(two_nodes[1], STIX_OBJECTS, {"match[id]": part}).json()["objects"]
        ]
    assert sorted(seen) == sorted(ids)


def test_date_added_order_is_the_same_on_both_nodes(
    two_nodes: tuple[RunningNode, RunningNode],
) -> None:
    first, second = two_nodes
    a = get(first, f"{API_ROOT}/collections/{STIX_COLLECTION}/manifest/").json()["objects"]
    b = get(second, f"{API_ROOT}/collections/{STIX_COLLECTION}/manifest/").json()["objects"]
    assert a == b
    stamps = [record["date_added"] for record in a]
    assert stamps == sorted(stamps)


def test_acknowledged_objects_survive_kill_9(shared: tuple[str, Path]) -> None:
    url, folder = shared
    obj = identity("Lagoon Resilience Office")
    with node_for(url, folder / "killed") as node:
        response = post(node, STIX_OBJECTS, envelope(obj))
        assert response.status_code == 202
        assert response.json()["status"] == "complete"
        kill_hard(node.process)
    with node_for(url, folder / "restarted") as node:
        body = get(node, f"{STIX_OBJECTS}{obj['id']}/").json()
        assert [o["id"] for o in body["objects"]] == [obj["id"]]
