"""A remote that is down, refuses the credentials or answers garbage leaves the local node intact.

Issue 5, docs/adr/0007-sync.md "Failures": `infoshare sync` against a fake
TAXII server on loopback (tests/server/_fake_taxii.py) that answers 500s,
401s, non-JSON bodies, the wrong media type, envelopes whose objects are not
objects, ``more: true`` without ``next`` (taxii2-client 2.3's paging loops
forever on it), or a good first page then garbage. Each time the sync exits
non-zero with a message that says what the remote did, retries when retrying
may help (bounded), and the local node keeps exactly what it had: the objects
of every committed page, its watermark, and nothing from the bad answer.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _fake_taxii import COLLECTION, Answer, fake_remote, page
from _node import free_port
from _sync import (
    PartnerNode,
    Remote,
    all_versions,
    bundle_objects,
    db_rows,
    run_sync,
    running,
)

pytestmark = pytest.mark.slow

CASE = bundle_objects("03-deepfake-investment-scam.json")


#: One loopback port for every fake remote of a test run: the watermark of a remote
#: collection is keyed by its URL, so the "same" remote must keep its URL.
FAKE_PORT = free_port()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[PartnerNode]:
    """A running local node (TH) whose only remote is filled in by each test."""
    node = PartnerNode("th", free_port(), tmp_path)
    with running({"th": node}):
        yield node


def _point_at(node: PartnerNode, api_root: str, retries: int = 2) -> None:
    node.remotes = [Remote("fake", api_root, COLLECTION, retries=retries, retry_delay=0.05)]
    node.write_config()


def _snapshot(node: PartnerNode) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        db_rows(node, "SELECT seq, object_id, version, body FROM objects ORDER BY seq"),
        db_rows(node, "SELECT remote, direction, pulled_until FROM sync_state"),
        db_rows(node, "SELECT seq, remote FROM provenance ORDER BY seq"),
    )


def _first_pull(node: PartnerNode) -> tuple[list[Any], list[Any], list[Any]]:
    """Pull case 03 from a well-behaved fake, so that there is something to keep intact."""
    with fake_remote([page(CASE)], FAKE_PORT) as fake:
        _point_at(node, fake.api_root)
        result = run_sync(node)
    assert result.returncode == 0, result.stderr
    state = _snapshot(node)
    assert len(state[0]) == len(CASE) and len(state[2]) == len(CASE)
    assert state[1] == [("fake", "pull", "2026-10-01T00:00:00.000000Z")]
    return state


def _later(objects: list[dict[str, Any]]) -> Answer:
    return page(objects, date_added_last="2026-10-02T00:00:00.000000Z")


def _new_narrative() -> dict[str, Any]:
    """A second narrative of the case (a new object, valid with case 03 stored)."""
    narrative = copy.deepcopy(next(o for o in CASE if o["type"] == "narrative"))
    narrative["id"] = f"narrative--{uuid.UUID('5e1b3c2a-9d4f-4e6a-8b7c-0d1e2f3a4b5c')}"
    narrative["name"] = "The platform is backed by a central bank"
    return narrative


GARBAGE = {
    "non-json": (
        [Answer(body=b"<html>upstream proxy error</html>")],
        "Invalid JSON",
    ),
    "wrong-media-type": (
        [Answer(content_type="text/html", body={"objects": []})],
        "not a TAXII 2.1 answer",
    ),
    "objects-not-objects": (
        [_later([1, "two", None])],
        "objects[0] is not a JSON object",
    ),
    "object-without-id": (
        [_later([{"type": "note"}])],
        "objects[0] has no string id and type",
    ),
    "envelope-is-a-list": (
        [Answer(body=[{"objects": []}])],
        "the answer is not a JSON object (a TAXII envelope)",
    ),
    "more-without-next": (
        [page([_new_narrative()], more=True, date_added_last="2026-10-02T00:00:00.000000Z")],
        "more: true but gives no next token",
    ),
    "no-date-added-header": (
        [page([_new_narrative()], date_added_last=None)],
        "X-TAXII-Date-Added-Last",
    ),
    "good-page-then-garbage": (
        [
            page(
                [_new_narrative()],
                more=True,
                next_token="p2",
                date_added_last="2026-10-03T00:00:00.000000Z",
            ),
            Answer(body=b"\x00\x01 not json"),
        ],
        "Invalid JSON",
    ),
}


@pytest.mark.parametrize("scenario", sorted(GARBAGE))
def test_garbage_leaves_the_local_node_intact(local: PartnerNode, scenario: str) -> None:
    before = _first_pull(local)
    answers, message = GARBAGE[scenario]
    with fake_remote(answers, FAKE_PORT) as fake:
        _point_at(local, fake.api_root)
        result = run_sync(local)
        asked = [r for r in fake.requests if "/objects/" in r]
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert "error:" in result.stderr and "Traceback" not in result.stderr
    after = _snapshot(local)
    if scenario == "good-page-then-garbage":
        # The good page is committed with its watermark; nothing of the bad one. More
        # pages followed, so the watermark stays one microsecond before the page's last
        # date_added (the next page may hold more objects added at that instant).
        assert after[0][: len(before[0])] == before[0]
        assert [row[1] for row in after[0][len(before[0]) :]] == [_new_narrative()["id"]]
        assert after[1] == [("fake", "pull", "2026-10-02T23:59:59.999999Z")]
        assert len(asked) == 2
    else:
        assert after == before
        assert len(asked) == 1  # garbage is not retried
    # The node itself still serves what it had.
    assert len(all_versions(local)) == len(after[0])
    assert "Traceback" not in (local.node.log() if local.node else "")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "answered HTTP 500"),
        (503, "answered HTTP 503"),
        (401, "refused this node's credentials (HTTP 401)"),
        (403, "refused this node's credentials (HTTP 403)"),
    ],
)
def test_failing_remote_is_retried_with_backoff_then_reported(
    local: PartnerNode, status: int, message: str
) -> None:
    before = _first_pull(local)
    error = {"title": "nope", "http_status": str(status)}
    with fake_remote([Answer(status=status, body=error)], FAKE_PORT) as fake:
        _point_at(local, fake.api_root, retries=3)
        result = run_sync(local)
        asked = [r for r in fake.requests if "/objects/" in r]
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert "retry 1 in 0.05s" in result.stderr and "retry 3 in 0.2s" in result.stderr
    assert len(asked) == 4  # the first try and three retries, then it gives up
    assert _snapshot(local) == before


def test_remote_that_is_down_is_reported(local: PartnerNode) -> None:
    before = _first_pull(local)
    _point_at(local, f"http://127.0.0.1:{free_port()}/fake/", retries=1)
    result = run_sync(local)
    assert result.returncode == 1
    assert "cannot reach the remote node" in result.stderr, result.stderr
    assert "retry 1 in" in result.stderr
    assert _snapshot(local) == before


def test_recovered_remote_resumes_from_the_watermark(local: PartnerNode) -> None:
    """After a failure the next run asks for what was added after the last committed page."""
    _first_pull(local)
    with fake_remote([Answer(status=500, body={"title": "down"})], FAKE_PORT) as fake:
        _point_at(local, fake.api_root, retries=0)
        assert run_sync(local).returncode == 1
    with fake_remote([_later([_new_narrative()])], FAKE_PORT) as fake:
        _point_at(local, fake.api_root)
        result = run_sync(local)
        asked = [r for r in fake.requests if "/objects/" in r]
    assert result.returncode == 0, result.stderr
    assert "added_after=2026-10-01T00%3A00%3A00.000000Z" in asked[0]
    assert "match%5Bversion%5D=all" in asked[0]
    assert "1 new, 0 already here, 0 refused" in result.stderr


def test_refused_objects_are_reported_and_kept_on_record(local: PartnerNode) -> None:
    unmarked = _new_narrative()
    del unmarked["object_marking_refs"]
    with fake_remote([page([*CASE, unmarked])], FAKE_PORT) as fake:
        _point_at(local, fake.api_root)
        result = run_sync(local)
    assert result.returncode == 0, result.stderr
    assert f"refused {unmarked['id']}" in result.stderr and "IS-501" in result.stderr
    assert f"{len(CASE)} new, 0 already here, 1 refused" in result.stderr
    rejections = db_rows(local, "SELECT remote, object_id, message FROM sync_rejections")
    assert [(r[0], r[1]) for r in rejections] == [("fake", unmarked["id"])]
    assert "IS-501" in rejections[0][2]
    ids = {row[0] for row in db_rows(local, "SELECT object_id FROM objects")}
    assert unmarked["id"] not in ids and len(ids) == len({o["id"] for o in CASE})
    # The watermark moved past the refused object: it is on record, not retried for ever.
    assert db_rows(local, "SELECT pulled_until FROM sync_state") == [
        ("2026-10-01T00:00:00.000000Z",)
    ]
