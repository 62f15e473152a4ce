"""Sync carries withdrawals, and every hop honours only the originator's.

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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
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


def _setup(folder: Path, urls: dict[str, str | None]) -> dict[str, PartnerNode]:
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
    nodes["th"].remotes = [remote("th", "jp"), remote("th", "ph")]
    return nodes


def _enrol(nodes: dict[str, PartnerNode]) -> None:
    for name, node in nodes.items():
        store, collection_pk = open_store(node)
        try:
            directory = Directory(store)
            for partner in PARTNERS[name]:
                # PH binds the other nodes' identities to their partner records.
                bound = IDENTITY.get(partner) if name == "ph" else None
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
