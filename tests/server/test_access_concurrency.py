"""Many partners at once: no response ever goes to the wrong requester.

A node with two workers and several threads each serves partners with
different clearances in parallel (threads in this process, real HTTP); every
answer must be exactly that partner's view, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
from _node import STIX_COLLECTION

READERS = ("green-reader", "amber-reader", "strict-red", "admin-deleter", OPERATOR)
REQUESTS_PER_PARTNER = 24


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"access-threads-{request.param}")
    with access_node(request.param, folder, workers=2) as running:
        yield running


def test_concurrent_partners_each_get_only_their_view(node: AccessNode) -> None:
    seeded = [(level, marked_identity(level)) for level in LEVELS for _ in range(2)]
    node.add(OPERATOR, STIX_COLLECTION, [obj for _, obj in seeded])
    levels = {obj["id"]: level for level, obj in seeded}
    expected = {
        partner: {oid for oid, lv in levels.items() if sees(partner, STIX_COLLECTION, lv, OPERATOR)}
        for partner in READERS
    }
    assert len({frozenset(view) for view in expected.values()}) >= 3  # the views really differ
    jobs = [partner for partner in READERS for _ in range(REQUESTS_PER_PARTNER)]
    random.Random(7).shuffle(jobs)

    def fetch(job: tuple[int, str]) -> tuple[str, set[str], int]:
        index, partner = job
        endpoint = "objects/" if index % 2 else "manifest/"
        use_token = partner != OPERATOR and index % 3 == 0
        response = node.get(
            partner,
            collection_path(STIX_COLLECTION, endpoint),
            {"limit": "1000", "match[id]": ",".join(levels)},
            token=use_token,
        )
        ids = {item["id"] for item in response.json().get("objects", [])}
        return partner, ids, response.status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(fetch, enumerate(jobs)))
    assert len(results) == len(jobs)
    for partner, ids, status in results:
        assert status == 200
        assert ids == expected[partner], partner
