"""No node serves or pushes an object to an organisation TLP 2.0 forbids by origin.

docs/adr/0012-originator-control.md, property-based over three real nodes
(JP, PH, TH) that pull from and push to each other with ``infoshare sync``:
after any generated sequence of posts (random TLP levels, posted by a node's
operators or by a ministry of the same government), grants (clearances, RED
recipients) and sync rounds,

* every object a node serves to any of its partners is one TLP 2.0 lets that
  partner receive from that node, given where the node got it; and
* every object a node received from another node (pushed to it, or pulled
  from it) is one the other node was allowed to pass to it.

The rule is restated here (:func:`allowed`), independently of the code under
test. The three configurations differ: JP's GREEN community leaves TH out,
PH has JP's agreement to pass JP's objects to TH, TH's community leaves the
NGO out. A few examples run in the suite (each runs node processes and
sync runs); set ``INFOSHARE_ORIGIN_EXAMPLES`` for a longer run, e.g.
``INFOSHARE_ORIGIN_EXAMPLES=40 pytest tests/server/test_origin_sync.py``.
"""

from __future__ import annotations

import os
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import requests
from _access import marked_identity
from _node import PASSWORD, USER, free_port
from _sync import TAXII, TIMEOUT, PartnerNode, Remote, db_rows, open_store, run_sync, running
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from infoshare_server.access import Directory, Rights, hash_password

pytestmark = pytest.mark.slow

NODES = ("jp", "ph", "th")
LEVELS = ("clear", "green", "amber", "amber+strict", "red", None)
CLEARANCES = ("green", "amber", "amber+strict")
EXAMPLES = int(os.environ.get("INFOSHARE_ORIGIN_EXAMPLES", "3"))
#: Each node's [sharing]: its GREEN community (None: all), its ministry, agreements.
COMMUNITY: dict[str, frozenset[str] | None] = {
    "jp": frozenset({"ph", "jp-min", "ngo"}),
    "ph": None,
    "th": frozenset({"jp", "ph", "th-min"}),
}
AGREEMENTS: dict[str, dict[str, frozenset[str]]] = {
    "jp": {},
    "ph": {"jp": frozenset({"th"})},
    "th": {},
}


def _partners(node: str) -> tuple[str, ...]:
    """The partners of ``node``: the two other nodes, its ministry, an NGO."""
    return (*(other for other in NODES if other != node), f"{node}-min", "ngo")


def _password(node: str, partner: str) -> str:
    return f"{partner} at {node}, a long passphrase"


def _sharing(node: str) -> str:
    community = COMMUNITY[node]
    lines = [
        "[sharing]",
        'community = "all"' if community is None else f"community = {sorted(community)!r}",
        f'local_partners = ["{node}-min"]',
    ]
    for originator, recipients in AGREEMENTS[node].items():
        lines += [
            "[[sharing.agreements]]",
            f'originator = "{originator}"',
            f"recipients = {sorted(recipients)!r}",
        ]
    return "\n".join(lines).replace("'", '"') + "\n"


def allowed(node: str, origin: str, level: str | None, recipient: str) -> bool:
    """TLP 2.0 by origin: may ``node`` pass a version of ``origin`` at ``level`` on?"""
    if recipient == f"{node}-min":
        return True  # the node's own organisation
    effective = level if level is not None else "red"  # unmarked: the default policy
    if effective == "clear" or origin == recipient:
        return True
    if recipient in AGREEMENTS[node].get(origin, frozenset()):
        return True
    if effective == "green":
        community = COMMUNITY[node]
        return community is None or recipient in community
    return origin in ("@local", f"{node}-min")


def _setup(folder: Path) -> dict[str, PartnerNode]:
    nodes = {name: PartnerNode(name, free_port(), folder, mode="stix") for name in NODES}
    for name, node in nodes.items():
        node.extra = _sharing(name)
        node.remotes = [
            Remote(
                other, peer.api_root, peer.collection, direction="both", user=name,
                password_env=f"PW_{name}_AT_{other}".upper(), partner=other, page_size=20,
            )
            for other, peer in nodes.items()
            if other != name
        ]  # fmt: skip
    return nodes


def _secrets() -> dict[str, str]:
    return {
        f"PW_{name}_AT_{other}".upper(): _password(other, name)
        for name in NODES
        for other in NODES
        if other != name
    }


def _enrol(nodes: dict[str, PartnerNode]) -> None:
    for name, node in nodes.items():
        store, _ = open_store(node)
        try:
            directory = Directory(store)
            for partner in _partners(name):
                directory.add(partner, partner)
                directory.set_password(partner, hash_password(_password(name, partner)))
        finally:
            store.close()


def _grant(node: PartnerNode, grants: dict[str, tuple[str, bool]]) -> None:
    store, collection_pk = open_store(node)
    try:
        directory = Directory(store)
        for partner, (clearance, red) in grants.items():
            directory.update(partner, clearance=clearance)
            writes = partner != "ngo"  # the other nodes push here; the ministry posts
            directory.grant(partner, collection_pk, Rights(True, writes, False, red))
    finally:
        store.close()


def _post(node: PartnerNode, poster: str, objects: list[dict[str, Any]]) -> None:
    assert node.node is not None
    ministry = f"{node.name}-min"
    auth = (USER, PASSWORD) if poster == "operator" else (ministry, _password(node.name, ministry))
    response = requests.post(
        node.node.url(node.objects_path()),
        json={"objects": objects},
        headers={"Accept": TAXII, "Content-Type": TAXII},
        auth=auth,
        timeout=TIMEOUT,
    )
    assert response.status_code == 202, response.text
    assert response.json()["failure_count"] == 0, response.text


def _served(node: PartnerNode, reader: str) -> list[tuple[str, str]]:
    """(id, version) of everything ``node`` serves ``reader``, every version, every page."""
    assert node.node is not None
    out: list[tuple[str, str]] = []
    params = {"match[version]": "all", "limit": "1000"}
    while True:
        response = requests.get(
            node.node.url(node.objects_path().replace("objects/", "manifest/")),
            params=params,
            headers={"Accept": TAXII},
            auth=(reader, _password(node.name, reader)),
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        body = response.json() if response.text else {}
        out += [(item["id"], item["version"]) for item in body.get("objects", [])]
        if not body.get("more"):
            return out
        params = {**params, "next": body["next"]}


def _rows(node: PartnerNode) -> dict[tuple[str, str, str], tuple[str, str | None]]:
    """(id, version, namespace) -> (origin, TLP level) of every row ``node`` stores."""
    return {
        (object_id, version, namespace): (origin, tlp)
        for object_id, version, namespace, origin, tlp in db_rows(
            node, "SELECT object_id, version, namespace, origin, tlp FROM objects"
        )
    }


def _check(nodes: dict[str, PartnerNode]) -> None:
    rows = {name: _rows(node) for name, node in nodes.items()}
    for name, node in nodes.items():
        for reader in _partners(name):
            for object_id, version in _served(node, reader):
                key = (object_id, version, reader)
                origin, level = rows[name].get(key) or rows[name][(object_id, version, "")]
                assert allowed(name, origin, level, reader), (name, reader, object_id, origin)
        for (object_id, version, _), (origin, _level) in rows[name].items():
            if origin not in NODES:
                continue  # posted at this node
            source = rows[origin]
            if (object_id, version, name) in source:
                continue  # the receiver's own private copy at the source
            origin_there, level_there = source[(object_id, version, "")]
            assert allowed(origin, origin_there, level_there, name), (origin, name, object_id)


posts = st.lists(
    st.tuples(st.sampled_from(NODES), st.sampled_from(("operator", "ministry")),
              st.sampled_from(LEVELS)),
    min_size=2, max_size=6,
)  # fmt: skip
grants = st.fixed_dictionaries(
    {
        name: st.fixed_dictionaries(
            {p: st.tuples(st.sampled_from(CLEARANCES), st.booleans()) for p in _partners(name)}
        )
        for name in NODES
    }
)
rounds = st.lists(st.sampled_from(NODES), min_size=1, max_size=3)


def test_no_node_passes_on_what_tlp_forbids_by_origin(tmp_path: Path) -> None:
    nodes = _setup(tmp_path)
    serial = count()
    with running(nodes):
        _enrol(nodes)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            # No shrinking: every example runs sync processes; the failing one is printed.
            phases=(Phase.explicit, Phase.generate),
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(posts=posts, grants=grants, rounds=rounds)
        def scenario(
            posts: list[tuple[str, str, str | None]],
            grants: dict[str, dict[str, tuple[str, bool]]],
            rounds: list[str],
        ) -> None:
            for name, node in nodes.items():
                _grant(node, grants[name])
            for name, poster, level in posts:
                obj = marked_identity(level, name=f"Fictional agency {next(serial)}")
                _post(nodes[name], poster, [obj])
            for name in rounds:
                result = run_sync(nodes[name], env=_secrets())
                assert result.returncode == 0, result.stderr[-3000:]
            _check(nodes)

        scenario()
