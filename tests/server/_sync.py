"""Partner nodes on loopback for the sync tests: configurations, processes, reads.

Three fictional national nodes (JP, PH, TH), each with its own SQLite file and
its own collection, run as real node processes (``_node.running_node``).
Each node's TOML lists the others under ``[[remotes]]``; ``infoshare sync``
runs as a separate process on a node's TOML, exactly as an operator runs it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from _node import (
    INFOSHARE,
    PASSWORD,
    PASSWORD_HASH,
    SECRET,
    SECRET_ENV,
    USER,
    RunningNode,
    free_port,
    running_node,
)
from infoshare_server.backend import api_root_settings
from infoshare_server.config import load_config
from infoshare_server.storage import Store

ROOT = "fimi"
TAXII = "application/taxii+json;version=2.1"
#: The environment variable the sync reads the remotes' password from (never inline).
REMOTE_PASSWORD_ENV = "INFOSHARE_TEST_REMOTE_PASSWORD"
COLLECTIONS = {
    "jp": "1a1a1a1a-0000-4000-8000-00000000a001",
    "ph": "2b2b2b2b-0000-4000-8000-00000000b002",
    "th": "3c3c3c3c-0000-4000-8000-00000000c003",
}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TIMEOUT = 60


@dataclass
class Remote:
    """One ``[[remotes]]`` entry to write."""

    name: str
    api_root: str
    remote_collection: str
    direction: str = "pull"
    page_size: int = 50
    retries: int = 2
    retry_delay: float = 0.05
    #: HTTP Basic user (None: no password, e.g. a client certificate instead).
    user: str | None = USER
    password_env: str = REMOTE_PASSWORD_ENV
    #: The local partner record of the remote (needed to push).
    partner: str | None = None
    #: Give the remote's discovery URL instead of its API root URL.
    by_discovery: bool = False
    #: More keys of the entry, as TOML lines.
    extra: str = ""


@dataclass
class PartnerNode:
    """A node's name, port, database and configuration file."""

    name: str
    port: int
    folder: Path
    remotes: list[Remote] = field(default_factory=list)
    node: RunningNode | None = None
    #: The collection's mode ("profile" or "stix").
    mode: str = "profile"
    #: More configuration (TOML), e.g. a [sharing] section.
    extra: str = ""
    #: The storage URL (None: the SQLite file ``db_path``).
    storage: str | None = None

    @property
    def collection(self) -> str:
        return COLLECTIONS[self.name]

    @property
    def db_path(self) -> Path:
        return self.folder / f"{self.name}.db"

    @property
    def config_path(self) -> Path:
        return self.folder / f"{self.name}.toml"

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ROOT}/"

    def objects_path(self) -> str:
        return f"{ROOT}/collections/{self.collection}/objects/"

    def write_config(self) -> None:
        self.config_path.write_text(config_text(self), encoding="utf-8")


def _where(remote: Remote) -> str:
    if remote.by_discovery:
        return f'discovery = "{remote.api_root.replace(f"/{ROOT}/", "/taxii2/")}"'
    return f'api_root = "{remote.api_root}"'


def _credentials(remote: Remote) -> str:
    if remote.user is None:
        return ""
    return f'user = "{remote.user}"\npassword_env = "{remote.password_env}"'


def config_text(node: PartnerNode) -> str:
    remotes = ""
    for remote in node.remotes:
        remotes += f"""
[[remotes]]
name = "{remote.name}"
{_where(remote)}
{_credentials(remote)}
page_size = {remote.page_size}
timeout = 20
retries = {remote.retries}
retry_delay = {remote.retry_delay}
{f'partner = "{remote.partner}"' if remote.partner else ""}
{remote.extra}
[[remotes.collections]]
remote = "{remote.remote_collection}"
local = "{node.collection}"
direction = "{remote.direction}"
"""
    return f"""\
[node]
title = "Fictional national FIMI node {node.name.upper()}"
contact = "soc@{node.name}.node.example"
base_url = "http://127.0.0.1:{node.port}"
secret_env = "{SECRET_ENV}"

[storage]
url = {json.dumps(node.storage or f"sqlite:///{node.db_path}")}

[server]
host = "127.0.0.1"
port = {node.port}
workers = 1
timeout = 60

[limits]
max_page_size = 1000

[[api_roots]]
name = "{ROOT}"
title = "FIMI exchange"
default = true

[[api_roots.collections]]
id = "{node.collection}"
title = "FIMI cases of {node.name.upper()}"
mode = "{node.mode}"

[[users]]
name = "{USER}"
password_hash = {json.dumps(PASSWORD_HASH)}
{node.extra}
{remotes}"""


def mesh(folder: Path, names: Sequence[str] = ("jp", "ph", "th")) -> dict[str, PartnerNode]:
    """Nodes that each pull from every other one (not started yet)."""
    nodes = {name: PartnerNode(name, free_port(), folder) for name in names}
    for name, node in nodes.items():
        node.remotes = [
            Remote(other, peer.api_root, peer.collection)
            for other, peer in nodes.items()
            if other != name
        ]
    return nodes


@contextmanager
def running(nodes: dict[str, PartnerNode]) -> Iterator[dict[str, PartnerNode]]:
    """Write every node's configuration and run them until the block ends."""
    with ExitStack() as stack:
        for node in nodes.values():
            node.folder.mkdir(parents=True, exist_ok=True)
            node.write_config()
            node.node = stack.enter_context(
                running_node(node.config_path, node.port, node.folder / f"{node.name}.log")
            )
        yield nodes


def sync_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return dict(os.environ, **{SECRET_ENV: SECRET, REMOTE_PASSWORD_ENV: PASSWORD}, **(extra or {}))


def run_sync(
    node: PartnerNode, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``infoshare sync --config <node> ARGS`` as a separate process."""
    return subprocess.run(
        [str(INFOSHARE), "sync", "--config", str(node.config_path), *args],
        capture_output=True,
        text=True,
        env=sync_env(env),
        timeout=timeout,
        check=False,
    )


def bundle_objects(name: str) -> list[dict[str, Any]]:
    data = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return list(data["objects"])


def add(
    node: PartnerNode, objects: list[dict[str, Any]], auth: tuple[str, str] = (USER, PASSWORD)
) -> dict[str, Any]:
    """POST objects to the node's collection; the status (every object must succeed)."""
    assert node.node is not None
    response = requests.post(
        node.node.url(node.objects_path()),
        data=json.dumps({"objects": objects}),
        headers={"Accept": TAXII, "Content-Type": TAXII},
        auth=auth,
        timeout=TIMEOUT,
    )
    assert response.status_code == 202, response.text[:500]
    status = response.json()
    assert status["failure_count"] == 0, status.get("failures")
    return dict(status)


def all_versions(
    node: PartnerNode, auth: tuple[str, str] = (USER, PASSWORD)
) -> list[dict[str, Any]]:
    """Every stored version in the node's collection, over TAXII, following next."""
    assert node.node is not None
    out: list[dict[str, Any]] = []
    params: dict[str, str] = {"match[version]": "all", "limit": "1000"}
    while True:
        response = requests.get(
            node.node.url(node.objects_path()),
            params=params,
            headers={"Accept": TAXII},
            auth=auth,
            timeout=TIMEOUT,
        )
        if response.status_code == 404 or not response.text:
            return out
        assert response.status_code == 200, response.text[:500]
        body = response.json()
        out += body.get("objects", [])
        if not body.get("more"):
            return out
        params = {**params, "next": body["next"]}


def version_keys(objects: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((o["id"], o.get("modified", o.get("created", ""))) for o in objects)


def partner_cli(node: PartnerNode, *args: str) -> str:
    """``infoshare partner ARGS --config <node>``; its standard output."""
    result = subprocess.run(
        [str(INFOSHARE), "partner", *args, "--config", str(node.config_path)],
        capture_output=True,
        text=True,
        env=sync_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def add_partner(node: PartnerNode, partner: str, *options: str) -> str:
    """Add a partner on ``node`` with ``options``; its new password."""
    out = partner_cli(node, "add", partner, "--no-token", *options)
    for line in out.splitlines():
        if line.startswith("password"):
            return line.split()[-1]
    raise AssertionError(f"no password printed: {out}")


def open_store(node: PartnerNode) -> tuple[Store, int]:
    """The node's database, opened from its configuration, and its collection's key."""
    config = load_config(node.config_path)
    store = Store.open(config.storage_url())
    keys = store.sync_catalogue(api_root_settings(config)).collections
    return store, next(iter(keys.values())).collection_pk


def db_rows(node: PartnerNode, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows of a read-only query on the node's SQLite file."""
    connection = sqlite3.connect(f"file:{node.db_path}?mode=ro", uri=True)
    try:
        return list(connection.execute(sql, params))
    finally:
        connection.close()
