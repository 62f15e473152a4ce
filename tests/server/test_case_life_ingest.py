"""The life of a case at ingest: SCOs never change, revocations are final, bad withdrawals.

docs/adr/0013-withdrawal.md over real HTTP on SQLite and PostgreSQL (the
suite's node and partners, ``_access``): a changed SCO is a failure naming
the rule, never a success, and alters nothing; the same SCO in another member
order is an idempotent success; a revoked object takes no later version; a
malformed withdrawal is a clear status failure in a plain STIX collection (no
profile validation to lean on) and in a profile one, never a 500.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _access import MARKING, OPERATOR, AccessNode, access_node, collection_path, marked_identity
from _case_life import unique_login, user_account, withdrawal
from _databases import BACKENDS
from _node import API_ROOT, PROFILE_COLLECTION, STIX_COLLECTION
from infoshare_server.access import Directory, Rights

from infoshare.profile import TLP_GREEN

OWNER_IDENTITY = "identity--6b6b6b6b-0000-4000-8000-00000000b6b6"


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"case-life-{request.param}")
    with access_node(request.param, folder) as running:
        Directory(running.store).update("amber-reader", identity_id=OWNER_IDENTITY)
        yield running


def _status(node: AccessNode, partner: str, objects: list[dict[str, Any]],
            collection: str = STIX_COLLECTION) -> dict[str, Any]:  # fmt: skip
    response = node.post(partner, collection_path(collection, "objects/"), objects)
    assert response.status_code == 202, response.text
    return dict(response.json())


def _served(node: AccessNode, partner: str, object_id: str, collection: str = STIX_COLLECTION,
            rest: str = "") -> Any:  # fmt: skip
    response = node.get(partner, collection_path(collection, f"objects/{object_id}/{rest}"))
    return response.status_code, (response.json() if response.text else None)


def _one_failure(status: dict[str, Any]) -> str:
    assert (status["success_count"], status["failure_count"]) == (0, 1), status
    return str(status["failures"][0]["message"])


# --- SCOs have no versions ------------------------------------------------------------------


def test_a_changed_sco_is_refused_and_nothing_changes(node: AccessNode) -> None:
    account = user_account(unique_login())
    assert _status(node, "amber-reader", [account])["success_count"] == 1
    # The same facts in another member order: identical, an idempotent success.
    reordered = dict(reversed(list(account.items())))
    again = _status(node, "amber-reader", [reordered])
    assert again["successes"][0]["message"] == "already stored; not added again"
    changed = dict(account, display_name="Renamed (fictional)", is_disabled=True)
    for writer in ("amber-reader", "admin-deleter", OPERATOR):  # each can see it
        message = _one_failure(_status(node, writer, [changed]))
        assert message.startswith("this SCO is already stored with different content")
        for words in ("SCOs have no versions", "§16", "account-state", "engagement",
                      "nothing stored was changed"):  # fmt: skip
            assert words in message, message
    for reader in ("amber-reader", "green-reader", OPERATOR):
        code, body = _served(node, reader, account["id"])
        assert code == 200 and body["objects"] == [account], reader


def test_a_changed_sco_within_one_request_is_refused_too(node: AccessNode) -> None:
    account = user_account(unique_login())
    changed = dict(account, display_name="Another name (fictional)")
    status = _status(node, "amber-reader", [account, changed])
    assert (status["success_count"], status["failure_count"]) == (1, 1)
    assert "SCOs have no versions" in status["failures"][0]["message"]
    assert _served(node, "green-reader", account["id"])[1]["objects"] == [account]


def test_a_private_copy_of_a_hidden_sco_is_held_to_the_same_rule(node: AccessNode) -> None:
    # The operator's AMBER account is hidden from admin-deleter (another organisation).
    hidden = user_account(unique_login(), object_marking_refs=[MARKING["amber"]])
    _status(node, OPERATOR, [hidden])
    probe = dict(hidden, display_name="Probe (fictional)")
    # A new id's reply: success (its own copy), then a change of its own copy fails.
    assert _status(node, "admin-deleter", [probe])["success_count"] == 1
    other = dict(probe, display_name="Probe changed (fictional)")
    assert "SCOs have no versions" in _one_failure(_status(node, "admin-deleter", [other]))
    assert _served(node, OPERATOR, hidden["id"])[1]["objects"] == [hidden]


# --- revocation is final --------------------------------------------------------------------


def test_a_revoked_object_is_served_revoked_and_takes_no_later_version(node: AccessNode) -> None:
    first = marked_identity("green", created_by_ref=OWNER_IDENTITY)
    second = dict(first, modified="2026-03-02T09:00:00.000Z", name="Second (fictional)")
    revoked = dict(second, modified="2026-03-03T09:00:00.000Z", revoked=True)
    assert _status(node, "amber-reader", [first, revoked])["success_count"] == 2
    # The version between them arrives late (sync order): it is history, not the latest.
    assert _status(node, "amber-reader", [second])["success_count"] == 1
    for reader in ("amber-reader", "green-reader", OPERATOR):
        assert _served(node, reader, first["id"])[1]["objects"] == [revoked], reader
    later = dict(second, modified="2026-03-04T09:00:00.000Z", name="After (fictional)")
    message = _one_failure(_status(node, "amber-reader", [later]))
    assert message.startswith("this object is revoked: a revoked object takes no later version")
    assert "create a new object" in message
    # A later revocation is a later version too; resending the revocation is harmless.
    assert "revoked" in _one_failure(_status(node, "amber-reader", [dict(later, revoked=True)]))
    resent = _status(node, "amber-reader", [revoked])
    assert resent["successes"][0]["message"] == "already stored; not added again"
    versions = _served(node, "green-reader", first["id"], rest="versions/")[1]["versions"]
    assert sorted(versions) == [first["modified"], second["modified"], revoked["modified"]]


def test_a_revocation_older_than_the_latest_version_is_refused(node: AccessNode) -> None:
    first = marked_identity("green")
    newer = dict(first, modified="2026-03-05T09:00:00.000Z", name="Newer (fictional)")
    _status(node, "amber-reader", [first, newer])
    stale = dict(first, modified="2026-03-02T09:00:00.000Z", revoked=True)
    message = _one_failure(_status(node, "amber-reader", [stale]))
    assert message.startswith("a revocation must be the object's latest version")
    assert _served(node, "green-reader", first["id"])[1]["objects"] == [newer]


# --- malformed withdrawals ------------------------------------------------------------------


def _malformed() -> list[tuple[object, str]]:
    marking = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
    return [
        ("incident--0a0a0a0a-0000-4000-8000-000000000001", "non-empty list"),
        ([], "non-empty list"),
        ({"0": "incident--0a0a0a0a-0000-4000-8000-000000000001"}, "non-empty list"),
        ([123], "not STIX ids"),
        (["not-an-id"], "not STIX ids"),
        (["incident--NOT-A-UUID"], "not STIX ids"),
        (["x" * 5000], "not STIX ids"),
        ([f"incident--{uuid.uuid4()}" for _ in range(1001)], "more than the 1000"),
        ([marking], "marking definitions and withdrawals cannot be withdrawn"),
        ([f"withdrawal--{uuid.uuid4()}"], "cannot be withdrawn"),
    ]


@pytest.mark.parametrize("collection", [STIX_COLLECTION, PROFILE_COLLECTION])
def test_malformed_withdrawals_are_clear_failures(node: AccessNode, collection: str) -> None:
    for refs, words in _malformed():
        obj = withdrawal(OWNER_IDENTITY, refs)
        status = _status(node, OPERATOR, [obj], collection)
        message = _one_failure(status)
        assert words in message, (refs if not isinstance(refs, list) else refs[:2], message)
        assert "nothing was withdrawn" in message
        assert _served(node, OPERATOR, obj["id"], collection)[0] == 404
    for bad_creator in (None, "not-an-identity", f"incident--{uuid.uuid4()}", 7):
        obj = withdrawal(OWNER_IDENTITY, [f"incident--{uuid.uuid4()}"])
        obj["created_by_ref"] = bad_creator
        if bad_creator is None:
            del obj["created_by_ref"]
        message = _one_failure(_status(node, OPERATOR, [obj], STIX_COLLECTION))
        assert "created_by_ref must be the identity" in message


def test_a_withdrawal_is_never_versioned_or_revoked(node: AccessNode) -> None:
    target = marked_identity("green", created_by_ref=OWNER_IDENTITY)
    _status(node, "amber-reader", [target])
    stored = withdrawal(OWNER_IDENTITY, [target["id"]])
    assert _status(node, "amber-reader", [stored])["success_count"] == 1
    later = dict(copy.deepcopy(stored), modified="2026-06-02T08:00:00.000Z", withdrawn_refs=[
        f"incident--{uuid.uuid4()}"])  # fmt: skip
    for version in (later, dict(later, revoked=True), dict(stored, revoked=True)):
        message = _one_failure(_status(node, "amber-reader", [version]))
        assert "a withdrawal is final" in message, message
    resent = _status(node, "amber-reader", [stored])
    assert resent["successes"][0]["message"] == "already stored; not added again"
    assert _served(node, "green-reader", stored["id"])[1]["objects"] == [stored]
    # Withdrawing a withdrawal, even one's own, is refused.
    own = withdrawal(OWNER_IDENTITY, [stored["id"]])
    assert "cannot be withdrawn" in _one_failure(_status(node, "amber-reader", [own]))
    assert _served(node, "green-reader", stored["id"])[1]["objects"] == [stored]


def test_a_withdrawal_is_accepted_in_a_profile_collection(node: AccessNode) -> None:
    """Profile mode before the profile defines the type: ``withdrawal`` is outside the
    profile (IS-801, informative), so it is stored; its withdrawn_refs need not resolve
    (one names an id this node never held), its created_by_ref must (IS-301)."""
    key = node.keys[(API_ROOT, PROFILE_COLLECTION)]
    Directory(node.store).grant("amber-reader", key.collection_pk, Rights(read=True, write=True))
    creator = marked_identity("green", name="Fictional ministry", id=OWNER_IDENTITY)
    target = marked_identity("green", created_by_ref=OWNER_IDENTITY)
    status = _status(node, "amber-reader", [creator, target], PROFILE_COLLECTION)
    assert status["success_count"] == 2, status
    never_held = f"incident--{uuid.uuid4()}"
    dangling = withdrawal(f"identity--{uuid.uuid4()}", [target["id"]])
    assert "IS-301" in _one_failure(_status(node, "amber-reader", [dangling], PROFILE_COLLECTION))
    taken_back = withdrawal(OWNER_IDENTITY, [target["id"], never_held], marking=TLP_GREEN)
    status = _status(node, "amber-reader", [taken_back], PROFILE_COLLECTION)
    assert status["success_count"] == 1, status
    assert _served(node, "admin-deleter", target["id"], PROFILE_COLLECTION)[0] == 404
    assert _served(node, "admin-deleter", taken_back["id"], PROFILE_COLLECTION)[0] == 200
    assert _served(node, OPERATOR, target["id"], PROFILE_COLLECTION)[0] == 200
