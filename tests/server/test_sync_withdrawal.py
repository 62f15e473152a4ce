"""Sync carries withdrawals along the data's path, and no hop honours a forgery.

docs/adr/0013-withdrawal.md over three real node processes (JP, PH, TH) and
``infoshare sync`` runs, on SQLite and PostgreSQL. JP's operators publish a
GREEN case; PH pulls it from JP (PH binds JP's identity to its partner
record ``jp``), TH pulls from JP and then from PH. Then:

* JP withdraws the case. After the next sync rounds no node serves it to any
  partner; each node's operators still see it; each node's audit trail
  records the withdrawal.
* Withdrawals by non-originators are refused at every hop: PH's partner
  record at JP, PH's operators at PH, TH's operators at TH (over HTTP); and
  over sync, PH's withdrawal of an account that PH stored first (it owns it
  at PH, so PH honours it) reaches TH, where JP owns that account (TH had it
  from JP first): TH refuses it, records the refusal and goes on.
* A changed SCO pulled from a remote is refused the same way, recorded in
  ``sync_rejections`` and printed, without stopping the run.

A withdrawal travels the path its data travelled: in a chain JP -> PH -> TH
(TH pulls only from PH, yet knows JP's identity as its partner ``jp``) JP's
withdrawal reaches TH through PH and is honoured there, for the SCO too
(JP's relationship about it is withdrawn with it). Then TH pulls from JP as
well and gets a new object straight from JP; withdrawals PH's operators
write into PH's database behind its rules are honoured at TH only for what
PH delivered in the withdrawal author's name: one naming the object TH got
from JP is refused, one in PH's name naming JP's object is refused, and one
naming both an object PH delivered and the one from JP hides only the first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from _access import marked_identity
from _case_life import unique_login, user_account, withdrawal
from _databases import BACKENDS, postgres_database
from _node import PASSWORD, USER, free_port
from _sync import TAXII, TIMEOUT, PartnerNode, Remote, add, open_store, run_sync, running
from infoshare_server.access import Directory, Rights, hash_password, query_entries
from infoshare_server.ingest import _prepare
from infoshare_server.storage import LOCAL_ORIGIN, NewObject, insert_objects, withdrawn_ids
from infoshare_server.storage import _sync_tables as st

pytestmark = pytest.mark.slow

IDENTITY = {
    "jp": "identity--1a1a1a1a-1111-4111-8111-00000000a001",
    "ph": "identity--2b2b2b2b-2222-4222-8222-00000000b002",
    "th": "identity--3c3c3c3c-3333-4333-8333-00000000c003",
}
#: Each node's partners: the other nodes and an NGO that only reads.
PARTNERS = {name: (*(o for o in IDENTITY if o != name), "ngo") for name in IDENTITY}


def _password(node: str, partner: str) -> str:
    return f"{partner} at {node}, a long passphrase"


def _secrets() -> dict[str, str]:
    return {
        f"PW_{name}_AT_{other}".upper(): _password(other, name)
        for name in IDENTITY
        for other in IDENTITY
        if other != name
    }


@pytest.fixture(params=BACKENDS)
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str | None]]:
    if request.param == "sqlite":
        yield dict.fromkeys(IDENTITY)
        return
    with ExitStack() as stack:
        yield {name: stack.enter_context(postgres_database()) for name in IDENTITY}


def _setup(
    folder: Path, urls: dict[str, str | None], th_pulls: tuple[str, ...] = ("jp", "ph")
) -> dict[str, PartnerNode]:
    nodes = {
        name: PartnerNode(name, free_port(), folder, mode="stix", storage=urls[name])
        for name in IDENTITY
    }
    for name, node in nodes.items():
        node.extra = f'[sharing]\norganisation = "{IDENTITY[name]}"\n'

    def remote(puller: str, source: str) -> Remote:
        peer = nodes[source]
        return Remote(source, peer.api_root, peer.collection, user=puller,
                      password_env=f"PW_{puller}_AT_{source}".upper(), partner=source)  # fmt: skip

    nodes["ph"].remotes = [remote("ph", "jp")]
    nodes["th"].remotes = [remote("th", source) for source in th_pulls]
    return nodes


def _enrol(nodes: dict[str, PartnerNode], binding: tuple[str, ...] = ("ph",)) -> None:
    for name, node in nodes.items():
        store, collection_pk = open_store(node)
        try:
            directory = Directory(store)
            for partner in PARTNERS[name]:
                # The nodes in ``binding`` bind the other nodes' identities to their
                # partner records.
                bound = IDENTITY.get(partner) if name in binding else None
                directory.add(partner, partner, identity_id=bound)
                directory.set_password(partner, hash_password(_password(name, partner)))
                directory.grant(partner, collection_pk, Rights(True, partner != "ngo"))
        finally:
            store.close()


def _served(node: PartnerNode, reader: str) -> set[str]:
    """The ids ``node`` serves ``reader`` through the manifest (every version, every page)
    and the object list."""
    assert node.node is not None
    auth = (USER, PASSWORD) if reader == USER else (reader, _password(node.name, reader))
    found: set[str] = set()
    for endpoint in ("manifest/", "objects/"):
        params = {"match[version]": "all", "limit": "3"}
        while True:
            response = requests.get(
                node.node.url(node.objects_path().replace("objects/", endpoint)),
                params=params, headers={"Accept": TAXII}, auth=auth, timeout=TIMEOUT,
            )  # fmt: skip
            assert response.status_code == 200, response.text
            body = response.json() if response.text else {}
            found |= {item["id"] for item in body.get("objects", [])}
            if not body.get("more"):
                break
            params = {**params, "next": body["next"]}
    return found


def _post(node: PartnerNode, objects: list[dict[str, Any]], auth: tuple[str, str]) -> Any:
    assert node.node is not None
    response = requests.post(
        node.node.url(node.objects_path()), json={"objects": objects},
        headers={"Accept": TAXII, "Content-Type": TAXII}, auth=auth, timeout=TIMEOUT,
    )  # fmt: skip
    assert response.status_code == 202, response.text
    return response.json()


def _sync(node: PartnerNode) -> str:
    result = run_sync(node, env=_secrets())
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def _rejections(node: PartnerNode) -> dict[str, str]:
    store, _ = open_store(node)
    try:
        with store.reading() as connection:
            rows = connection.execute(
                sa.select(st.sync_rejections.c.object_id, st.sync_rejections.c.message)
            )
            return {str(object_id): str(message) for object_id, message in rows}
    finally:
        store.close()


def _withdraw_audit(node: PartnerNode) -> list[tuple[str | None, tuple[str, ...]]]:
    store, _ = open_store(node)
    try:
        with store.reading() as connection:
            return [(e.partner_id, e.object_ids)
                    for e in query_entries(connection, action="withdraw")]  # fmt: skip
    finally:
        store.close()


def test_withdrawals_travel_and_only_the_originators_are_honoured(
    tmp_path: Path, urls: dict[str, str | None]
) -> None:
    nodes = _setup(tmp_path, urls)
    jp, ph, th = nodes["jp"], nodes["ph"], nodes["th"]
    case = [marked_identity("green", name=f"Fictional outlet {n}", created_by_ref=IDENTITY["jp"])
            for n in range(3)]  # fmt: skip
    case.append(user_account(unique_login(), created_by_ref=IDENTITY["jp"]))
    contested = user_account(unique_login())  # no created_by_ref: owned where first stored
    changed = user_account(unique_login())
    with running(nodes):
        _enrol(nodes)
        add(jp, [*case, contested, changed])
        # PH stored the contested account first (so owns it at PH), and a changed copy of
        # another account (the same id, other facts).
        add(ph, [contested, dict(changed, display_name="Other facts (fictional)")])
        ph_out = _sync(ph)
        assert "SCOs have no versions" in _rejections(ph)[changed["id"]]
        assert f"refused {changed['id']}" in ph_out  # and the run went on:
        assert {o["id"] for o in case} <= _served(ph, "ngo")
        _sync(th)
        assert {o["id"] for o in case} <= _served(th, "ngo")

        # Non-originators are refused at every hop, over HTTP.
        gone = sorted(o["id"] for o in case)
        forged = {
            "jp": (withdrawal(IDENTITY["ph"], gone), ("ph", _password("jp", "ph"))),
            "ph": (withdrawal(IDENTITY["ph"], gone), (USER, PASSWORD)),
            "th": (withdrawal(IDENTITY["th"], gone), (USER, PASSWORD)),
        }
        for name, (attempt, auth) in forged.items():
            status = _post(nodes[name], [attempt], auth)
            assert status["failure_count"] == 1, (name, status)
            message = status["failures"][0]["message"]
            assert message.startswith("withdrawal refused:") and gone[0] in message, name
        # PH withdraws the contested account, which it owns at PH: honoured at PH.
        ph_claim = withdrawal(IDENTITY["ph"], [contested["id"]])
        assert _post(ph, [ph_claim], (USER, PASSWORD))["success_count"] == 1
        # JP, the originator, withdraws its case.
        taken_back = withdrawal(IDENTITY["jp"], gone)
        add(jp, [taken_back])
        _sync(ph)
        th_out = _sync(th)

        for name, node in nodes.items():
            for reader in PARTNERS[name]:
                served = _served(node, reader)
                assert not served & set(gone), (name, reader)
                assert taken_back["id"] in served, (name, reader)
            assert set(gone) <= _served(node, USER), name  # the operators still see it
            assert any(ids[0] == taken_back["id"] and sorted(ids[1:]) == gone
                       for _, ids in _withdraw_audit(node)), name  # fmt: skip
        # PH's claim: honoured at PH, refused at TH (JP owns the account there).
        assert contested["id"] not in _served(ph, "ngo")
        assert contested["id"] in _served(th, "ngo")
        refusal = _rejections(th)[ph_claim["id"]]
        assert refusal.startswith("withdrawal refused:") and contested["id"] in refusal
        assert f"refused {ph_claim['id']}" in th_out
        assert ("ph", (taken_back["id"], *gone)) not in _withdraw_audit(th)


def _inject(node: PartnerNode, obj: dict[str, Any]) -> None:
    """Store ``obj`` in the node's collection as its operators could, in its database
    behind the node's rules (a node cannot tell its peers' data from such a forgery)."""
    new = _prepare(obj)
    assert isinstance(new, NewObject), new
    store, collection_pk = open_store(node)
    try:
        with store.writing() as connection:
            (result,) = insert_objects(
                connection, collection_pk, [replace(new, origin=LOCAL_ORIGIN, namespace="")],
                datetime.now(UTC),
            )  # fmt: skip
            assert result.date_added is not None
    finally:
        store.close()


def _effective(node: PartnerNode, withdrawal_id: str) -> dict[str, bool]:
    """Whether each id ``withdrawal_id`` names is hidden at ``node``."""
    store, _ = open_store(node)
    try:
        with store.reading() as connection:
            return {row.object_id: row.effective for row in withdrawn_ids(connection)
                    if row.withdrawal_id == withdrawal_id}  # fmt: skip
    finally:
        store.close()


def _about(source: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """JP's relationship saying ``source`` is related to ``target``."""
    return {
        "type": "relationship", "spec_version": "2.1", "id": f"relationship--{uuid.uuid4()}",
        "created": "2026-03-01T09:00:00.000Z", "modified": "2026-03-01T09:00:00.000Z",
        "relationship_type": "related-to", "source_ref": source["id"],
        "target_ref": target["id"], "created_by_ref": IDENTITY["jp"],
        "object_marking_refs": source["object_marking_refs"],
    }  # fmt: skip


def test_a_withdrawal_travels_the_path_its_data_travelled(
    tmp_path: Path, urls: dict[str, str | None]
) -> None:
    nodes = _setup(tmp_path, urls, th_pulls=("ph",))
    jp, ph, th = nodes["jp"], nodes["ph"], nodes["th"]
    outlets = [
        marked_identity(level, name=f"Fictional outlet {level}", created_by_ref=IDENTITY["jp"])
        for level in ("clear", "green")
    ]
    person = user_account(unique_login())  # a private person: an SCO, no created_by_ref
    case = [*outlets, person, _about(outlets[1], person)]
    # Two more of JP's objects that reach TH only through PH.
    kept, part = (marked_identity("green", created_by_ref=IDENTITY["jp"]) for _ in range(2))
    with running(nodes):
        _enrol(nodes, binding=("ph", "th"))
        add(jp, [*case, kept, part])
        _sync(ph)
        _sync(th)
        everything = {o["id"] for o in [*case, kept, part]}
        assert everything <= _served(th, "ngo")

        # The chain: JP withdraws its false positive; PH relays the withdrawal to TH.
        gone = sorted(o["id"] for o in case)
        taken_back = withdrawal(IDENTITY["jp"], gone, reason="private-person")
        add(jp, [taken_back])
        _sync(ph)
        _sync(th)
        for name, node in nodes.items():
            for reader in PARTNERS[name]:
                served = _served(node, reader)
                assert not served & set(gone), (name, reader)
                assert {taken_back["id"], kept["id"], part["id"]} <= served, (name, reader)
            assert set(gone) <= _served(node, USER), name
        assert _effective(th, taken_back["id"]) == dict.fromkeys(gone, True)
        assert ("ph", (taken_back["id"], *taken_back["withdrawn_refs"])) in _withdraw_audit(th)

        # A second path: TH now pulls from JP too, and gets JP's next object from JP.
        th.remotes.insert(0, Remote("jp", jp.api_root, jp.collection, user="th",
                                    password_env="PW_TH_AT_JP", partner="jp"))  # fmt: skip
        th.write_config()
        direct = marked_identity("green", name="Fictional outlet (direct)",
                                 created_by_ref=IDENTITY["jp"])  # fmt: skip
        add(jp, [direct])
        _sync(th)  # from JP first, and PH does not hold it yet
        _sync(ph)
        # PH's operators forge withdrawals in their own database.
        forged = withdrawal(IDENTITY["jp"], [direct["id"]])
        not_theirs = withdrawal(IDENTITY["ph"], [kept["id"]])
        mixed = withdrawal(IDENTITY["jp"], [direct["id"], part["id"]])
        for obj in (forged, not_theirs, mixed):
            _inject(ph, obj)
        th_out = _sync(th)

        served = _served(th, "ngo")
        assert {direct["id"], kept["id"]} <= served  # what PH did not deliver, or not as JP
        assert part["id"] not in served  # PH delivered it, and the withdrawal is in JP's name
        rejections = _rejections(th)
        for obj, named in ((forged, direct), (not_theirs, kept)):
            message = rejections[obj["id"]]
            assert message.startswith("withdrawal refused:") and named["id"] in message
            assert f"refused {obj['id']}" in th_out
            assert obj["id"] not in served
        assert _effective(th, mixed["id"]) == {direct["id"]: False, part["id"]: True}
        assert mixed["id"] in served
