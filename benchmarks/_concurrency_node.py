"""The node side of the "many partners at once" benchmark (benchmarks/concurrency.py).

Several ``infoshare serve`` instances (separate process trees, one port each)
share one node configuration, one paging secret and ONE fresh PostgreSQL
database (docs/adr/0019-several-instances.md); the data is generated FIMI
cases (benchmarks/generate.py), the partners are made with the access
package's :class:`~infoshare_server.access.Directory`, the code behind
``infoshare partner add/grant``. :func:`expected_ids` restates the visibility
rules of docs/adr/0006-partner-access.md and docs/adr/0012-originator-control.md
for this data independently of the node, so the benchmark can check every
page it is served.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._node_memory import MemorySampler
from benchmarks._node_servers import (
    BIN,
    HOST,
    PASSWORD,
    SECRET_ENV,
    USER,
    RunningServer,
    free_port,
    known_settings,
    postgres_database,
    stop_server,
    wait_ready,
)
from benchmarks.generate import CaseFactory
from infoshare.profile import TLP_AMBER, TLP_CLEAR, TLP_GREEN, TLP_RED

API_ROOT = "fimi"
#: The collections the cases are spread over (case k goes to collection k mod 3).
COLLECTIONS = (
    "0c8b7f0e-1d2c-4b3a-9e8f-000000000001",
    "0c8b7f0e-1d2c-4b3a-9e8f-000000000002",
    "0c8b7f0e-1d2c-4b3a-9e8f-000000000003",
)
#: The generator marks CLEAR, GREEN and AMBER only; every RED_EVERY-th case is re-marked
#: TLP:RED here, so that RED recipients have something only they may see.
RED_EVERY = 5
LEVEL_OF = {TLP_CLEAR: "clear", TLP_GREEN: "green", TLP_AMBER: "amber", TLP_RED: "red"}
CLEARANCES = ("clear", "green", "amber", "amber+strict")
#: TLP levels a clearance covers (TLP 2.0 order; RED needs a named recipient).
COVERS = {
    "clear": {"clear"},
    "green": {"clear", "green"},
    "amber": {"clear", "green", "amber"},
    "amber+strict": {"clear", "green", "amber", "amber+strict"},
}


@dataclass(frozen=True)
class PartnerPlan:
    """One partner's rights, decided by its index alone."""

    partner_id: str
    clearance: str
    #: Collections it may read.
    collections: tuple[str, ...]
    #: A named TLP:RED recipient of every collection it may read.
    red: bool
    #: In the node's TLP:GREEN community ([sharing] community).
    community: bool


def partner_plans(count: int) -> list[PartnerPlan]:
    """``count`` partners with different rights: clearance cycles over the four levels,
    the readable collections over the seven non-empty subsets of three, every fifth is
    a RED recipient, every sixth is outside the GREEN community."""
    plans = []
    for i in range(count):
        subset = (i % 7) + 1
        plans.append(
            PartnerPlan(
                partner_id=f"bench-partner-{i:03d}",
                clearance=CLEARANCES[i % 4],
                collections=tuple(c for bit, c in enumerate(COLLECTIONS) if subset >> bit & 1),
                red=i % 5 == 0,
                community=i % 6 != 0,
            )
        )
    return plans


@dataclass
class Dataset:
    """The generated objects by collection, and the TLP level of each id."""

    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    level: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(objs) for objs in self.objects.values())


def _level(obj: dict[str, Any]) -> str:
    marks = [LEVEL_OF[m] for m in obj.get("object_marking_refs", ()) if m in LEVEL_OF]
    order = ("clear", "green", "amber", "amber+strict", "red")
    # No marking: the node's [access] unmarked_tlp, left at its default "red".
    return max(marks, key=order.index) if marks else "red"


def dataset(count: int, seed: int = 20261122) -> Dataset:
    """About ``count`` objects: the generator's shared objects in every collection, then
    whole cases, case k in collection k mod 3 (so every reference resolves in its own
    collection), every :data:`RED_EVERY`-th case re-marked TLP:RED."""
    factory = CaseFactory(seed)
    data = Dataset({c: [] for c in COLLECTIONS})
    shared = factory.shared()
    for collection in COLLECTIONS:
        data.objects[collection].extend(shared)
    produced = len(shared) * len(COLLECTIONS)
    case = 0
    while produced < count:
        collection = COLLECTIONS[case % len(COLLECTIONS)]
        for obj in factory.case():
            if case % RED_EVERY == RED_EVERY - 1:
                obj = {**obj, "object_marking_refs": [TLP_RED]}
            data.objects[collection].append(obj)
            produced += 1
        case += 1
    for collection, objs in data.objects.items():
        for obj in objs:
            data.level[(collection, obj["id"])] = _level(obj)
    return data


def expected_ids(plan: PartnerPlan, data: Dataset, collection: str) -> set[str]:
    """The ids ``plan``'s partner may read in ``collection``: read right; the level within
    its clearance, or RED to a named recipient; and, as everything was stored by the
    node's own organisation, GREEN only to members of the node's community."""
    if collection not in plan.collections:
        return set()
    out = set()
    for obj in data.objects[collection]:
        level = data.level[(collection, obj["id"])]
        if level == "red":
            visible = plan.red
        elif level == "green":
            visible = level in COVERS[plan.clearance] and plan.community
        else:
            visible = level in COVERS[plan.clearance]
        if visible:
            out.add(obj["id"])
    return out


def node_toml(
    storage_url: str,
    port: int,
    workers: int,
    threads: int,
    plans: list[PartnerPlan],
    rate_per_partner: int = 0,
) -> str:
    """One instance's configuration: all instances differ only in ``port``.

    ``rate_per_partner`` above 0 turns the node-wide rate limits on (buckets in the
    database, taken on every request), with a burst of twice the rate."""
    from infoshare_server.access import hash_password

    community = [p.partner_id for p in plans if p.community]
    collections = "".join(
        f"""
[[api_roots.collections]]
id = "{collection}"
title = "FIMI cases {n}"
mode = "profile"
"""
        for n, collection in enumerate(COLLECTIONS, 1)
    )
    return f"""\
[node]
title = "Concurrency benchmark node (fictional)"
contact = "bench@ministry.example"
base_url = "http://{HOST}:{port}"
secret_env = "{SECRET_ENV}"

[storage]
url = {json.dumps(storage_url)}

[server]
host = "{HOST}"
port = {port}
workers = {workers}
timeout = 600
threads = {threads}

[limits]
max_content_length = {10 * 1024 * 1024}
max_page_size = 1000
{known_settings("limits", rate_per_partner=rate_per_partner, burst=max(1, 2 * rate_per_partner))}
statement_timeout = 0
[sharing]
community = {json.dumps(community)}

[[api_roots]]
name = "{API_ROOT}"
title = "FIMI exchange"
default = true
{collections}
[[users]]
name = "{USER}"
password_hash = {json.dumps(hash_password(PASSWORD))}
"""


@dataclass
class Node:
    """The running instances and the database they share."""

    instances: list[RunningServer]
    storage_url: str
    config_path: Path


@contextmanager
def running_node(
    folder: Path,
    instances: int,
    workers: int,
    threads: int,
    plans: list[PartnerPlan],
    rate_per_partner: int = 0,
) -> Iterator[Node]:
    """``instances`` instances on one fresh PostgreSQL database until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, **{SECRET_ENV: secrets.token_hex(32)})
    with postgres_database() as url, ExitStack() as stack:
        servers: list[RunningServer] = []
        first_config = folder / "instance-0.toml"
        for n in range(instances):
            port = free_port()
            config = folder / f"instance-{n}.toml"
            config.write_text(
                node_toml(url, port, workers, threads, plans, rate_per_partner), encoding="utf-8"
            )
            log_path = folder / f"instance-{n}.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [str(BIN / "infoshare"), "serve", "--config", str(config)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
            stack.callback(stop_server, process)
            server = RunningServer(
                f"instance-{n}",
                process,
                f"http://{HOST}:{port}",
                log_path,
                MemorySampler(process.pid),
            )
            # One at a time: the first runs the migrations, the others find them done.
            wait_ready(server)
            servers.append(server)
        yield Node(servers, url, first_config)


def add_partners(node: Node, plans: list[PartnerPlan]) -> dict[str, str]:
    """Make the partners and their grants in the shared database (what ``infoshare
    partner add`` and ``grant`` do); the API token of each, by partner id."""
    from infoshare_server.access import Directory, Rights
    from infoshare_server.backend import api_root_settings
    from infoshare_server.config import load_config
    from infoshare_server.storage import Store

    config = load_config(node.config_path)
    store = Store.open(config.storage_url())
    tokens: dict[str, str] = {}
    try:
        keys = store.sync_catalogue(api_root_settings(config)).collections
        directory = Directory(store)
        for plan in plans:
            directory.add(plan.partner_id, f"Agency {plan.partner_id} (fictional)",
                          is_admin=False, clearance=plan.clearance)  # fmt: skip
            tokens[plan.partner_id] = directory.issue_token(plan.partner_id).text
            for collection in plan.collections:
                directory.grant(
                    plan.partner_id,
                    keys[(API_ROOT, collection)].collection_pk,
                    Rights(read=True, red_recipient=plan.red),
                )
    finally:
        store.close()
    return tokens
