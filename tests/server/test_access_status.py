"""Status resources reveal nothing a requester could not read (docs/adr/0009-one-policy-object.md).

Over real HTTP, on SQLite and PostgreSQL. A status is shown whole to the
partner that made the request; administrators and operator accounts see it
only in collections they may read, and then only the details of versions
they may read (counts recomputed); anyone else gets the very 404 of an
unknown status id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _access import OPERATOR, AccessNode, access_node, marked_identity, objects_path
from _databases import BACKENDS
from _node import API_ROOT, OTHER_COLLECTION, OTHER_ROOT, STIX_COLLECTION


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"access-status-{request.param}")
    with access_node(request.param, folder) as running:
        yield running


def _broken_identity() -> dict[str, Any]:
    """An identity without the properties STIX 2.1 requires: refused on ingest."""
    return {"type": "identity", "spec_version": "2.1", "id": f"identity--{uuid.uuid4()}"}


def _status(node: AccessNode, requester: str, root: str, status_id: str) -> tuple[int, Any]:
    response = node.get(requester, f"{root}/status/{status_id}/")
    assert response.headers["Content-Type"].startswith("application/taxii+json")
    return response.status_code, response.json()


def _details(status: dict[str, Any], key: str) -> list[str]:
    return [item["id"] for item in status.get(key, [])]


def _not_found(status_id: str) -> dict[str, str]:
    return {
        "title": "Not Found",
        "description": f"Status '{status_id}' not found",
        "http_status": "404",
    }


@pytest.fixture(scope="module")
def mixed_add(node: AccessNode) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """amber-reader adds a GREEN, an AMBER and a RED object and a broken one."""
    objects = {
        "green": marked_identity("green"),
        "amber": marked_identity("amber"),
        "red": marked_identity("red"),
        "broken": _broken_identity(),
    }
    response = node.post("amber-reader", objects_path(STIX_COLLECTION), list(objects.values()))
    assert response.status_code == 202, response.text
    status: dict[str, Any] = response.json()
    assert (status["success_count"], status["failure_count"]) == (3, 1), status
    return status, objects


def test_the_submitter_sees_its_whole_status(
    node: AccessNode, mixed_add: tuple[dict[str, Any], dict[str, dict[str, Any]]]
) -> None:
    posted, objects = mixed_add
    code, status = _status(node, "amber-reader", API_ROOT, posted["id"])
    assert code == 200
    assert status == posted
    assert set(_details(status, "successes")) == {
        objects[k]["id"] for k in ("green", "amber", "red")
    }
    assert _details(status, "failures") == [objects["broken"]["id"]]


@pytest.mark.parametrize(
    ("requester", "visible"),
    [
        (OPERATOR, ("green", "amber")),  # cleared to AMBER+STRICT, not a RED recipient here
        ("admin-deleter", ("green",)),  # an administrator cleared for GREEN
    ],
)
def test_administrators_see_only_the_details_they_could_read(
    node: AccessNode,
    mixed_add: tuple[dict[str, Any], dict[str, dict[str, Any]]],
    requester: str,
    visible: tuple[str, ...],
) -> None:
    posted, objects = mixed_add
    code, status = _status(node, requester, API_ROOT, posted["id"])
    assert code == 200
    shown = [objects[k]["id"] for k in ("green", "amber", "red") if k in visible]
    assert status == {
        "id": posted["id"],
        "status": "complete",
        "request_timestamp": posted["request_timestamp"],
        "total_count": len(shown),
        "success_count": len(shown),
        "failure_count": 0,
        "pending_count": 0,
        "successes": [item for item in posted["successes"] if item["id"] in shown],
    }


@pytest.mark.parametrize("requester", ["green-reader", "strict-red", "writer-only", "outsider"])
def test_other_partners_get_the_404_of_an_unknown_status(
    node: AccessNode,
    mixed_add: tuple[dict[str, Any], dict[str, dict[str, Any]]],
    requester: str,
) -> None:
    posted, _ = mixed_add
    unknown = str(uuid.uuid4())
    code, body = _status(node, requester, API_ROOT, posted["id"])
    if requester == "outsider":  # no collection in the API root: the root itself is hidden
        assert code == 404
        assert body == _status(node, requester, API_ROOT, unknown)[1]
        return
    assert (code, body) == (404, _not_found(posted["id"]))
    assert _status(node, requester, API_ROOT, unknown) == (404, _not_found(unknown))


def test_an_administrator_without_read_rights_gets_404(node: AccessNode) -> None:
    """admin-deleter has no grant in the other API root's collection."""
    posted = node.add("amber-reader", OTHER_COLLECTION, [marked_identity("clear")])
    assert _status(node, "amber-reader", OTHER_ROOT, posted["id"]) == (200, posted)
    assert _status(node, OPERATOR, OTHER_ROOT, posted["id"]) == (200, posted)
    assert _status(node, "admin-deleter", OTHER_ROOT, posted["id"]) == (
        404,
        _not_found(posted["id"]),
    )


def test_a_status_is_not_found_under_another_api_root(
    node: AccessNode, mixed_add: tuple[dict[str, Any], dict[str, dict[str, Any]]]
) -> None:
    posted, _ = mixed_add
    assert _status(node, "amber-reader", OTHER_ROOT, posted["id"]) == (
        404,
        _not_found(posted["id"]),
    )
