"""Version ownership, withdrawal and probes of hidden objects, over real HTTP.

docs/adr/0012-originator-control.md: only the organisation that created an
object adds versions to it, revokes it or withdraws it; a writer that posts
an id it cannot see gets exactly the reply, and reads back exactly what, a
new id would give, and the object's readers never see the forged version.
Each probe asserts the exact response and what every party reads afterwards,
on SQLite and PostgreSQL (the suite's node and partners, ``_access``).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _access import (
    MARKING,
    OPERATOR,
    AccessNode,
    access_node,
    collection_path,
    marked_identity,
    objects_path,
)
from _databases import BACKENDS
from _node import STIX_COLLECTION
from infoshare_server.access import Directory

NOT_OWNER = (
    "not the owner: only the organisation that created this object (its created_by_ref,"
    " else the organisation that first stored it) may add versions to it, revoke it or"
    " withdraw it"
)
REVOKED_AT = "2026-04-01T09:00:00.000Z"
#: The identity amber-reader's organisation is bound to in the directory.
AMBER_IDENTITY = "identity--5a5a5a5a-0000-4000-8000-00000000a5a5"


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"origin-ownership-{request.param}")
    with access_node(request.param, folder) as running:
        Directory(running.store).update("amber-reader", identity_id=AMBER_IDENTITY)
        yield running


def _revoked(obj: dict[str, Any], modified: str = REVOKED_AT) -> dict[str, Any]:
    forged = copy.deepcopy(obj)
    forged["modified"] = modified
    forged["revoked"] = True
    return forged


def _domain(value: str, level: str | None = None) -> dict[str, Any]:
    """A domain-name SCO: its id follows from its value (STIX 2.1 §2.9, UUIDv5)."""
    namespace = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
    name = json.dumps({"value": value}, separators=(",", ":"))
    obj: dict[str, Any] = {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": f"domain-name--{uuid.uuid5(namespace, name)}",
        "value": value,
    }
    if level is not None:
        obj["object_marking_refs"] = [MARKING[level]]
    return obj


def _post(node: AccessNode, partner: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    response = node.post(partner, objects_path(STIX_COLLECTION), objects)
    assert response.status_code == 202, response.text
    status: dict[str, Any] = response.json()
    return status


def _shape(status: dict[str, Any], *, sco: bool = False) -> dict[str, Any]:
    """The status without what differs between any two requests (id, time, object id;
    for an SCO its version too, which is the ``date_added`` of the request)."""
    varying = ("id", "version") if sco else ("id",)
    out = {k: v for k, v in status.items() if k not in ("id", "request_timestamp")}
    for name in ("successes", "failures", "pendings"):
        if name in out:
            out[name] = [{k: v for k, v in d.items() if k not in varying} for d in out[name]]
    return out


def _read(node: AccessNode, partner: str, object_id: str, rest: str = "") -> Any:
    response = node.get(partner, collection_path(STIX_COLLECTION, f"objects/{object_id}/{rest}"))
    return response.status_code, (response.json() if response.text else None)


def _latest(node: AccessNode, partner: str, object_id: str) -> list[dict[str, Any]]:
    code, body = _read(node, partner, object_id)
    assert code == 200, body
    return list(body["objects"])


def test_a_version_by_a_non_owner_that_sees_the_object_is_refused(node: AccessNode) -> None:
    original = marked_identity("green", name="Fictional port authority")
    node.add("amber-reader", STIX_COLLECTION, [original])
    forged = _revoked(original)
    for forger in ("admin-deleter", OPERATOR):
        status = _post(node, forger, [forged])
        assert status["status"] == "complete"
        assert (status["success_count"], status["failure_count"]) == (0, 1)
        assert status["failures"] == [
            {
                "id": original["id"],
                "version": REVOKED_AT,
                "message": f"{NOT_OWNER}; this version was not stored",
            }
        ]
    # Re-sending a version it can see is harmless, and says so as before.
    again = _post(node, "admin-deleter", [original])
    assert again["successes"] == [
        {
            "id": original["id"],
            "version": original["modified"],
            "message": "already stored; not added again",
        }
    ]
    for reader in ("amber-reader", "admin-deleter", "green-reader", OPERATOR):
        assert _latest(node, reader, original["id"]) == [original], reader
        assert _read(node, reader, original["id"], "versions/")[1]["versions"] == [
            original["modified"]
        ]
    # The owner revokes its own object: that is the latest for everyone.
    owned = _post(node, "amber-reader", [forged])
    assert owned["success_count"] == 1 and "message" not in owned["successes"][0]
    for reader in ("admin-deleter", "green-reader", OPERATOR):
        assert _latest(node, reader, original["id"]) == [forged], reader


def test_created_by_ref_binds_ownership_to_the_partner_holding_that_identity(
    node: AccessNode,
) -> None:
    # admin-deleter stores it first, but it names amber-reader's organisation as creator.
    original = marked_identity("green", created_by_ref=AMBER_IDENTITY)
    node.add("admin-deleter", STIX_COLLECTION, [original])
    status = _post(node, "admin-deleter", [_revoked(original)])
    assert status["failure_count"] == 1
    assert status["failures"][0]["message"] == f"{NOT_OWNER}; this version was not stored"
    newer = dict(original, modified="2026-05-01T00:00:00.000Z", name="Renamed (fictional)")
    assert _post(node, "amber-reader", [newer])["success_count"] == 1
    assert _latest(node, "admin-deleter", original["id"]) == [newer]


def test_a_forged_version_of_a_hidden_object_is_a_private_copy(node: AccessNode) -> None:
    # The operator's RED object: strict-red is its named recipient, amber-reader is not.
    secret = marked_identity("red", name="Source protection (fictional)")
    node.add(OPERATOR, STIX_COLLECTION, [secret])
    forged = _revoked(secret)
    forged["object_marking_refs"] = marked_identity("green")["object_marking_refs"]
    fresh = _revoked(marked_identity("green"))
    # The forger's reply is that of a new id: success, no message.
    probe = _post(node, "amber-reader", [forged])
    control = _post(node, "amber-reader", [fresh])
    assert _shape(probe) == _shape(control)
    assert probe["successes"] == [{"id": secret["id"], "version": REVOKED_AT}]
    # It reads its own copy back, as it would a new id; one version, its own.
    assert _latest(node, "amber-reader", secret["id"]) == [forged]
    assert _read(node, "amber-reader", secret["id"], "versions/")[1] == {
        "more": False,
        "versions": [REVOKED_AT],
    }
    # The recipient of the RED object never sees the forged version.
    assert _latest(node, "strict-red", secret["id"]) == [secret]
    assert _read(node, "strict-red", secret["id"], "versions/")[1]["versions"] == [
        secret["modified"]
    ]
    # Others see neither (green-reader cannot see RED; the forged copy is not theirs).
    assert _read(node, "green-reader", secret["id"])[0] == 404
    listing = node.get("green-reader", objects_path(STIX_COLLECTION), {"limit": "1000"}).json()
    assert secret["id"] not in {o["id"] for o in listing.get("objects", [])}
    # Posting the exact hidden version is no oracle either: a new id's reply again.
    same = _post(node, "amber-reader", [secret])
    assert same["successes"] == [{"id": secret["id"], "version": secret["modified"]}]
    assert _latest(node, "strict-red", secret["id"]) == [secret]


def test_a_writer_without_read_rights_learns_nothing_from_duplicates(node: AccessNode) -> None:
    stored = marked_identity("amber")
    node.add("amber-reader", STIX_COLLECTION, [stored])
    probe = _post(node, "writer-only", [stored])
    control = _post(node, "writer-only", [marked_identity("amber")])
    assert _shape(probe) == _shape(control)
    assert probe["successes"] == [{"id": stored["id"], "version": stored["modified"]}]
    # A second copy of its own probe is a duplicate in its own namespace, as for any id.
    again = _post(node, "writer-only", [stored])
    assert again["successes"][0]["message"] == "already stored; not added again"
    assert _latest(node, "amber-reader", stored["id"]) == [stored]


def test_hidden_scos_cannot_be_tested_by_value(node: AccessNode) -> None:
    hidden = _domain("hidden-operation.example", "red")
    node.add(OPERATOR, STIX_COLLECTION, [hidden])
    probe = _post(node, "amber-reader", [_domain("hidden-operation.example")])
    control = _post(node, "amber-reader", [_domain(f"never-seen-{uuid.uuid4().hex}.example")])
    assert _shape(probe, sco=True) == _shape(control, sco=True)
    assert "message" not in probe["successes"][0]
    assert probe["successes"][0]["version"] > probe["request_timestamp"][:19]
    assert _latest(node, "amber-reader", hidden["id"]) == [_domain("hidden-operation.example")]
    assert _latest(node, "strict-red", hidden["id"]) == [hidden]
    # A visible SCO sent again by another organisation stays the first copy.
    public = _domain("public-operation.example", "green")
    node.add(OPERATOR, STIX_COLLECTION, [public])
    again = _post(node, "amber-reader", [public])
    assert again["successes"][0]["message"] == "already stored; not added again"


def test_only_the_owner_or_an_operator_withdraws(node: AccessNode) -> None:
    theirs = marked_identity("green")
    node.add("amber-reader", STIX_COLLECTION, [theirs])
    path = collection_path(STIX_COLLECTION, f"objects/{theirs['id']}/")
    refused = node.delete("admin-deleter", path)
    assert refused.status_code == 403, refused.text
    assert refused.json()["description"] == f"{NOT_OWNER}; nothing was withdrawn"
    assert _latest(node, "green-reader", theirs["id"]) == [theirs]
    # Its own object: withdrawn.
    own = marked_identity("green")
    node.add("admin-deleter", STIX_COLLECTION, [own])
    own_path = collection_path(STIX_COLLECTION, f"objects/{own['id']}/")
    assert node.delete("admin-deleter", own_path).status_code == 200
    assert _read(node, "green-reader", own["id"])[0] == 404
    # A hidden object is "not found", exactly as an id never stored.
    hidden = marked_identity("amber")
    node.add(OPERATOR, STIX_COLLECTION, [hidden])
    hidden_path = collection_path(STIX_COLLECTION, f"objects/{hidden['id']}/")
    gone = node.delete("admin-deleter", hidden_path)
    never = node.delete(
        "admin-deleter", collection_path(STIX_COLLECTION, f"objects/identity--{uuid.uuid4()}/")
    )
    assert gone.status_code == never.status_code == 404
    assert _latest(node, OPERATOR, hidden["id"]) == [hidden]
    # The node's operators may withdraw any object they see (legal takedown).
    assert node.delete(OPERATOR, path).status_code == 200
    assert _read(node, "amber-reader", theirs["id"])[0] == 404


def test_another_organisations_amber_is_not_passed_on(node: AccessNode) -> None:
    # amber-reader's AMBER object: strict-red is cleared for AMBER+STRICT but is another
    # organisation; the node's operators are the node's own organisation.
    amber = marked_identity("amber")
    node.add("amber-reader", STIX_COLLECTION, [amber])
    assert _read(node, "strict-red", amber["id"])[0] == 404
    assert _latest(node, OPERATOR, amber["id"]) == [amber]
    assert _latest(node, "amber-reader", amber["id"]) == [amber]
    # The operator's own AMBER object follows the grants as before.
    local = marked_identity("amber")
    node.add(OPERATOR, STIX_COLLECTION, [local])
    assert _latest(node, "strict-red", local["id"]) == [local]
