"""Withdrawals inside the one visibility clause, in process, on SQLite and PostgreSQL.

docs/adr/0013-withdrawal.md: the clause a partner's policy hands out hides
withdrawn ids whether it was built inside the read's transaction (which first
asks whether the collection has any withdrawn id) or without one (sync push
builds it once and uses it across transactions); the operators' clause does
not hide them; a pull (a writer that cannot probe) is refused a withdrawal
naming another organisation's object, and the refusal names it. A pulled
withdrawal is honoured for what its remote delivered in its author's name
(an SCO through its author's object about it), also when the objects
arrive after it.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from _access import marked_identity
from _case_life import withdrawal
from conftest import unique_roots
from infoshare_server.access import AccessSettings, Directory, Policy, Rights, policy_for_record
from infoshare_server.access._origin import Writer
from infoshare_server.access._policy import operator_account
from infoshare_server.access._withdrawal import pulled_split
from infoshare_server.ingest import Ingest
from infoshare_server.storage import (
    CollectionKey,
    ObjectQuery,
    SharedObject,
    Store,
    select_objects,
    withdrawn_ids,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _ids(store: Store, key: CollectionKey, policy: Policy, *, inside: bool) -> set[str]:
    query = ObjectQuery(versions=("all",))
    if not inside:
        visibility = policy.visibility(key)
    with store.reading() as connection:
        if inside:
            visibility = policy.visibility(key, connection)
        rows = select_objects(connection, key.collection_pk, query, visibility=visibility)
    return {row.object_id for row in rows}


def test_every_form_of_a_partners_clause_hides_withdrawn_ids(storage_url: str) -> None:
    store = Store.open(storage_url)
    try:
        key = next(iter(store.sync_catalogue(unique_roots("stix")).collections.values()))
        directory = Directory(store)
        reader = f"reader-{uuid.uuid4().hex[:8]}"
        directory.add(reader, "Reader")
        directory.grant(reader, key.collection_pk, Rights(read=True))
        ingest = Ingest(store)
        origin = f"jp-{uuid.uuid4().hex[:6]}"
        jp = Writer(origin, None)
        author = f"identity--{uuid.uuid4()}"
        case = [marked_identity("green", created_by_ref=author) for _ in range(3)]
        ingest.add(key, {"objects": case}, NOW, writer=jp)
        found = directory.get(reader)
        assert found is not None
        partner = policy_for_record(store, found, AccessSettings())
        operator = Policy.for_requester(operator_account("analyst"), store, AccessSettings())
        everything = {o["id"] for o in case}
        for inside in (True, False):  # no withdrawal yet: the probe leaves the test out
            assert _ids(store, key, partner, inside=inside) == everything
        gone = withdrawal(author, [case[0]["id"]])
        record = ingest.add(key, {"objects": [gone]}, NOW, writer=jp)
        assert record.details[0].outcome == "success", record
        for inside in (True, False):
            assert _ids(store, key, partner, inside=inside) == everything - {case[0]["id"]} | {
                gone["id"]
            }
            assert _ids(store, key, operator, inside=inside) == everything | {gone["id"]}
        # A pull from another organisation, which did not deliver them, naming the same
        # objects in their author's name is refused, naming them.
        forged = withdrawal(author, [case[1]["id"], case[2]["id"]])
        refused = ingest.add(key, {"objects": [forged]}, NOW, writer=Writer("ph", None))
        detail = refused.details[0]
        assert detail.outcome == "failure" and detail.message is not None
        assert case[1]["id"] in detail.message and case[2]["id"] in detail.message
        assert _ids(store, key, partner, inside=True) == everything - {case[0]["id"]} | {gone["id"]}
    finally:
        store.close()


def _held(origins: set[str], creator: str | None = None, **body: object) -> SharedObject:
    if creator is not None:
        body["created_by_ref"] = creator
    return SharedObject(sorted(origins)[0], json.dumps(body), frozenset(), frozenset(origins))


def test_a_pulled_withdrawal_is_honoured_for_what_its_remote_delivered_in_its_authors_name() -> (
    None
):
    jp, other = (f"identity--{uuid.uuid4()}" for _ in range(2))
    person, bystander, mixed, stranger = (f"user-account--{uuid.uuid4()}" for _ in range(4))
    stored = {
        "incident--1": _held({"ph"}, jp),  # PH delivered it, in JP's name
        "relationship--1": _held({"ph"}, jp, source_ref="incident--1", target_ref=person),
        person: _held({"ph"}),  # an SCO JP's relationship is about
        bystander: _held({"ph"}),  # an SCO nothing of JP's refers to
        mixed: _held({"ph", "jp"}),  # JP delivered a version of it too
        "incident--2": _held({"jp"}, jp),  # TH had it from JP
        "incident--3": _held({"ph"}, other),  # PH delivered it, in another's name
    }
    stored["relationship--2"] = _held({"ph"}, jp, source_ref="incident--1", target_ref=mixed)
    refs = [*stored, stranger]
    owner = dict.fromkeys(stored, "jp")
    honoured, refused = pulled_split(
        remote="ph", author=jp, author_organisation="jp", refs=refs, stored=stored, owner=owner
    )
    assert honoured == ["incident--1", "relationship--1", "relationship--2", person]
    assert sorted(refused) == sorted([bystander, mixed, "incident--2", "incident--3"])
    # From the author's own node, ownership decides, as for a POST, in the author's name.
    honoured, refused = pulled_split(
        remote="jp", author=jp, author_organisation="jp", refs=refs, stored=stored, owner=owner
    )
    assert set(honoured) == set(stored) - {"incident--3"} and refused == ["incident--3"]
    # PH cannot pass for JP's node: JP's identity is bound to JP here.
    honoured, _ = pulled_split(
        remote="ph", author=jp, author_organisation="jp", refs=["incident--2"], stored=stored,
        owner={"incident--2": "ph"},
    )  # fmt: skip
    assert honoured == []
    # Bound to PH here and owner of what it relayed, PH still cannot withdraw JP's words.
    honoured, refused = pulled_split(
        remote="ph", author=other, author_organisation="ph", refs=["incident--1", person],
        stored=stored, owner=dict.fromkeys(stored, "ph"),
    )  # fmt: skip
    assert honoured == [person] and refused == ["incident--1"]


def test_a_relayed_withdrawal_waits_for_what_its_remote_delivers_in_its_authors_name(
    storage_url: str,
) -> None:
    store = Store.open(storage_url)
    try:
        key = next(iter(store.sync_catalogue(unique_roots("stix")).collections.values()))
        ingest = Ingest(store)
        relay, direct = (Writer(f"{name}-{uuid.uuid4().hex[:6]}", None) for name in "pj")
        author = f"identity--{uuid.uuid4()}"
        later, elsewhere, unsigned = (
            marked_identity("green", created_by_ref=author),
            marked_identity("green", created_by_ref=author),
            marked_identity("green"),
        )
        first = withdrawal(author, [later["id"], elsewhere["id"], unsigned["id"]])
        record = ingest.add(key, {"objects": [first]}, NOW, writer=relay)
        assert record.details[0].outcome == "success", record  # it holds none of them yet
        ingest.add(key, {"objects": [later, unsigned]}, NOW, writer=relay)
        ingest.add(key, {"objects": [elsewhere]}, NOW, writer=direct)
        with store.reading() as connection:
            rows = {r.object_id: r.effective for r in withdrawn_ids(connection, key.collection_pk)}
        assert rows == {later["id"]: True, elsewhere["id"]: False, unsigned["id"]: False}
    finally:
        store.close()
