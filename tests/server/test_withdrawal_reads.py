"""A withdrawal stops every read path serving what it withdraws, and only its originator may.

docs/adr/0013-withdrawal.md over real HTTP on SQLite and PostgreSQL (the
suite's node and partners, ``_access``). amber-reader's organisation
(bound to ``OWNER``) posts a case and withdraws part of it; the other
partners then probe for the withdrawn ids through every endpoint: object
lists, object by id, versions, manifest, ``match[version]=all``,
``added_after``, paging with ``next`` tokens and ``limit=1``, ``match[id]``
and ``match[type]``; each must answer as if the ids had never been stored
(404 like an unknown id, nothing in any page, no count). The node's
operators still see them; the withdrawal itself is served; the audit trail
keeps who withdrew which ids and when. Withdrawals by anyone else are
refused naming the ids, and change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _access import (
    OPERATOR,
    AccessNode,
    access_node,
    collection_path,
    marked_identity,
    objects_path,
)
from _case_life import unique_login, user_account, withdrawal
from _databases import BACKENDS
from _node import API_ROOT, STIX_COLLECTION
from infoshare_server.access import Directory, Rights, query_entries
from infoshare_server.storage import withdrawn_ids

OWNER = "identity--7c7c7c7c-0000-4000-8000-00000000c7c7"
OTHER = "identity--8d8d8d8d-0000-4000-8000-00000000d8d8"
#: Partners that read the GREEN case before it is withdrawn.
PROBERS = ("green-reader", "admin-deleter", "strict-red")


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"withdrawal-{request.param}")
    with access_node(request.param, folder) as running:
        directory = Directory(running.store)
        directory.update("amber-reader", identity_id=OWNER)
        directory.update("admin-deleter", identity_id=OTHER)
        yield running


def _post(node: AccessNode, partner: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    response = node.post(partner, objects_path(STIX_COLLECTION), objects)
    assert response.status_code == 202, response.text
    return dict(response.json())


def _get(node: AccessNode, partner: str, rest: str, params: dict[str, str] | None = None) -> Any:
    response = node.get(partner, collection_path(STIX_COLLECTION, rest), params)
    return response.status_code, (response.json() if response.text else None)


def _pages(node: AccessNode, partner: str, rest: str, params: dict[str, str]) -> list[Any]:
    """Every item of every page (``objects`` or ``versions``), following ``next``."""
    items: list[Any] = []
    query = dict(params)
    while True:
        code, body = _get(node, partner, rest, query)
        assert code == 200, body
        if not body:
            return items
        items += body.get("objects", body.get("versions", []))
        if not body["more"]:
            assert "next" not in body
            return items
        query = {**params, "next": body["next"]}


def _ids(items: list[Any]) -> set[str]:
    return {item["id"] for item in items}


def _case(owner_identity: str = OWNER) -> list[dict[str, Any]]:
    """A small case: two identities in two versions, and an SCO."""
    case = []
    for n in range(2):
        first = marked_identity("green", name=f"Fictional outlet {n}",
                                created_by_ref=owner_identity)  # fmt: skip
        case += [first, dict(first, modified="2026-03-02T09:00:00.000Z")]
    case.append(user_account(unique_login(), created_by_ref=owner_identity))
    return case


def _not_found_shape(node: AccessNode, partner: str, object_id: str, rest: str = "") -> Any:
    code, body = _get(node, partner, f"objects/{object_id}/{rest}")
    if isinstance(body, dict) and "description" in body:
        body = dict(body, description=body["description"].replace(object_id, "<id>"))
    return code, body


def test_withdrawn_objects_are_served_nowhere_but_to_operators(node: AccessNode) -> None:
    case = _case()
    kept = marked_identity("green", name="Fictional outlet kept", created_by_ref=OWNER)
    posted = _post(node, "amber-reader", [*case, kept])
    before = {p: _ids(_pages(node, p, "objects/", {"match[version]": "all"})) for p in PROBERS}
    gone = sorted({o["id"] for o in case})
    taken_back = withdrawal(OWNER, gone)
    status = _post(node, "amber-reader", [taken_back])
    assert status["success_count"] == 1 and "message" not in status["successes"][0], status
    never = f"identity--{uuid.uuid4()}"
    for reader in (*PROBERS, "amber-reader"):  # the originator too: it took them back
        for params in ({}, {"match[version]": "all"}, {"limit": "1"},
                       {"match[version]": "all", "limit": "1"},
                       {"added_after": "2000-01-01T00:00:00Z", "limit": "2"},
                       {"match[type]": "identity,user-account", "match[version]": "first"},
                       {"match[id]": ",".join(gone)}):  # fmt: skip
            listed = _ids(_pages(node, reader, "objects/", params))
            assert not listed & set(gone), (reader, params)
            manifest = _ids(_pages(node, reader, "manifest/", params))
            assert not manifest & set(gone), (reader, params)
        code, body = _get(node, reader, "objects/", {"match[id]": ",".join(gone)})
        assert (code, body) == (200, {}), reader
        for object_id in gone:
            for rest in ("", "versions/"):
                assert _not_found_shape(node, reader, object_id, rest) == _not_found_shape(
                    node, reader, never, rest
                ), (reader, object_id, rest)
                assert _get(node, reader, f"objects/{object_id}/{rest}",
                            {"match[version]": "all"})[0] == 404  # fmt: skip
        # The withdrawal itself is served (GREEN), so partners can pull it.
        served = _get(node, reader, f"objects/{taken_back['id']}/")[1]
        assert served["objects"] == [taken_back], reader
    for reader in PROBERS:
        after = _ids(_pages(node, reader, "objects/", {"match[version]": "all"}))
        assert after == (before[reader] - set(gone)) | {taken_back["id"]}, reader
    # An administrator reading amber-reader's status sees only what it may still read.
    status_path = f"{API_ROOT}/status/{posted['id']}/"
    shown = node.get("admin-deleter", status_path).json()
    assert {d["id"] for d in shown.get("successes", [])} == {kept["id"]}
    assert shown["success_count"] == 1 and shown["total_count"] == 1
    # The node's operators still see what was withdrawn, to answer for it.
    for object_id in gone:
        assert _get(node, OPERATOR, f"objects/{object_id}/")[0] == 200
    assert _get(node, "green-reader", f"objects/{kept['id']}/")[0] == 200


def test_the_audit_keeps_who_withdrew_which_ids_and_when(node: AccessNode) -> None:
    case = _case()
    _post(node, "amber-reader", case)
    gone = sorted({o["id"] for o in case})
    taken_back = withdrawal(OWNER, gone)
    _post(node, "amber-reader", [taken_back])
    with node.store.reading() as connection:
        entries = [
            e for e in query_entries(connection, action="withdraw")
            if e.object_ids and e.object_ids[0] == taken_back["id"]
        ]  # fmt: skip
        rows = [r for r in withdrawn_ids(connection) if r.withdrawal_id == taken_back["id"]]
    assert len(entries) == 1
    assert entries[0].partner_id == "amber-reader" and entries[0].status_code == 202
    assert sorted(entries[0].object_ids[1:]) == gone
    assert sorted(r.object_id for r in rows) == gone
    assert all(r.effective and r.organisation == "amber-reader" for r in rows)
    assert all(r.submitter == "amber-reader" and r.withdrawn_at for r in rows)


def test_a_withdrawal_by_anyone_else_is_refused_naming_the_ids(node: AccessNode) -> None:
    case = _case()
    _post(node, "amber-reader", case)
    target = case[0]["id"]
    key = node.keys[(API_ROOT, STIX_COLLECTION)]
    Directory(node.store).grant("green-reader", key.collection_pk, Rights(read=True, write=True))
    others = f"these were originated by another organisation: {target};"
    attempts = [
        # admin-deleter names its own identity but did not originate the object;
        ("admin-deleter", withdrawal(OTHER, [target]), others),
        # green-reader names the originator's identity, which is not its own;
        ("green-reader", withdrawal(OWNER, [target]), others),
        # the originator itself, naming an identity that is not its own.
        ("amber-reader", withdrawal(OTHER, [target]),
         "created_by_ref is not the identity of the organisation posting it"),
    ]  # fmt: skip
    for partner, attempt, expected in attempts:
        status = _post(node, partner, [attempt])
        assert (status["success_count"], status["failure_count"]) == (0, 1), status
        message = status["failures"][0]["message"]
        assert message.startswith("withdrawal") and expected in message, message
        assert target in message
        assert message.endswith("nothing was withdrawn")
        assert _get(node, "green-reader", f"objects/{attempt['id']}/")[0] == 404
    # The node's operators do not originate a partner's objects either.
    status = _post(node, OPERATOR, [withdrawal(OWNER, [target])])
    assert status["failure_count"] == 1
    for reader in PROBERS:
        assert _get(node, reader, f"objects/{target}/")[0] == 200, reader
    with node.store.reading() as connection:
        assert not [r for r in withdrawn_ids(connection) if r.object_id == target]


def test_withdrawing_a_hidden_object_answers_like_an_unknown_id(node: AccessNode) -> None:
    # The operators' AMBER object is hidden from admin-deleter (clearance GREEN).
    hidden = marked_identity("amber")
    _post(node, OPERATOR, [hidden])
    probe = _post(node, "admin-deleter", [withdrawal(OTHER, [hidden["id"]])])
    control = _post(node, "admin-deleter", [withdrawal(OTHER, [f"identity--{uuid.uuid4()}"])])
    assert probe["success_count"] == control["success_count"] == 1
    assert "message" not in probe["successes"][0] and "message" not in control["successes"][0]
    # And it withdrew nothing: the object is the operators', not admin-deleter's.
    assert _get(node, "strict-red", f"objects/{hidden['id']}/")[0] == 200
    assert _get(node, OPERATOR, f"objects/{hidden['id']}/")[0] == 200


def test_objects_arriving_after_their_withdrawal_are_stored_but_never_served(
    node: AccessNode,
) -> None:
    late = marked_identity("green", created_by_ref=OWNER)
    squatted = marked_identity("green")
    # amber-reader withdraws two ids before they arrive (sync may bring them in that order).
    _post(node, "amber-reader", [withdrawal(OWNER, [late["id"], squatted["id"]])])
    assert _post(node, "amber-reader", [late])["success_count"] == 1
    assert _get(node, "green-reader", f"objects/{late['id']}/")[0] == 404
    assert _get(node, OPERATOR, f"objects/{late['id']}/")[0] == 200
    # An id another organisation originates is not withdrawn by amber-reader's claim.
    assert _post(node, "admin-deleter", [squatted])["success_count"] == 1
    assert _get(node, "green-reader", f"objects/{squatted['id']}/")[0] == 200


def test_an_object_and_its_withdrawal_in_one_request(node: AccessNode) -> None:
    mistake = marked_identity("green", created_by_ref=OWNER)
    status = _post(node, "amber-reader", [withdrawal(OWNER, [mistake["id"]]), mistake])
    assert status["success_count"] == 2, status
    assert _get(node, "green-reader", f"objects/{mistake['id']}/")[0] == 404


def test_withdrawn_objects_take_no_probe_through_versions_or_duplicates(node: AccessNode) -> None:
    case = _case()
    _post(node, "amber-reader", case)
    target = case[0]
    _post(node, "amber-reader", [withdrawal(OWNER, [target["id"]])])
    # Another organisation re-posting the withdrawn object gets a new id's reply and its
    # own private copy; the originator's object stays withdrawn for everyone else.
    probe = _post(node, "admin-deleter", [target])
    control = _post(node, "admin-deleter", [marked_identity("green")])
    assert "message" not in probe["successes"][0] and "message" not in control["successes"][0]
    assert _get(node, "admin-deleter", f"objects/{target['id']}/")[1]["objects"] == [target]
    assert _get(node, "green-reader", f"objects/{target['id']}/")[0] == 404
    # References to a withdrawn object fail like references to an unknown id (IS-301 is
    # profile-only; the STIX collection stores them, and the target stays hidden).
    later = dict(target, modified="2026-04-01T00:00:00.000Z")
    assert _post(node, "amber-reader", [later])["success_count"] == 1
    assert _get(node, "green-reader", f"objects/{target['id']}/versions/")[0] == 404
