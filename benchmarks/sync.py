"""Benchmark node-to-node sync: replicate 100k objects from one node to another.

    .venv/bin/python -m benchmarks.sync                  # 100k objects
    .venv/bin/python -m benchmarks.sync --objects 10000  # a quick run

Three real nodes on loopback, each on its own SQLite file (``--storage
postgresql``: its own throwaway PostgreSQL database): SOURCE is filled
with generated FIMI cases (benchmarks/generate.py) over TAXII; then

* **pull**: ``infoshare sync --pull`` on TARGET copies SOURCE's collection
  (pages of ``--page-size``, every object validated by TARGET's profile
  ingest, provenance and watermark committed with each page);
* **push**: ``infoshare sync --push`` on SOURCE sends the collection to a
  third node, MIRROR, through SOURCE's access rules for MIRROR's partner record
  (cleared for AMBER), in envelopes that MIRROR validates on ingest.

Each step is timed as the whole ``infoshare sync`` process (start-up
included) and reported in objects/s, with the CPU time of that process
(user + system) and of the node serving it (its gunicorn processes), so that a
run on a busy machine can be told from a slow sync. ``--profile DIR`` runs
each ``infoshare sync`` under cProfile instead (for finding where the time
goes; the figures are then not comparable). A second pull, which finds nothing
new, shows the cost of an idle incremental run. Results go to
benchmarks/.data/results-sync.json and are printed as the markdown table of
docs/benchmarks.md ("Node-to-node sync").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from benchmarks._node_servers import postgres_database
from benchmarks.generate import generate_objects

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
ROOT = "fimi"
COLLECTIONS = {
    "source": "7a0e1d2c-3b4a-4c5d-8e6f-00000000a100",
    "target": "7a0e1d2c-3b4a-4c5d-8e6f-00000000b200",
    "mirror": "7a0e1d2c-3b4a-4c5d-8e6f-00000000c300",
}
USER = "bench-operator"
PASSWORD = "bench-" + secrets.token_hex(12)
SECRET_ENV = "INFOSHARE_BENCH_PAGING_SECRET"
#: One paging secret for every process of a node (server and sync), made per run.
PAGING_SECRET = secrets.token_hex(32)
PASSWORD_ENV = "INFOSHARE_BENCH_REMOTE_PASSWORD"
MIRROR_PASSWORD_ENV = "INFOSHARE_BENCH_MIRROR_PASSWORD"
TAXII = "application/taxii+json;version=2.1"
DATA = Path(__file__).resolve().parent / ".data"
OUT = DATA / "results-sync.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _toml(name: str, port: int, storage_url: str, remotes: str, page_size: int) -> str:
    from infoshare_server.access import hash_password

    return f"""\
[node]
title = "Benchmark node {name} (fictional)"
base_url = "http://{HOST}:{port}"
secret_env = "{SECRET_ENV}"

[storage]
url = "{storage_url}"

[server]
host = "{HOST}"
port = {port}
workers = 2
timeout = 300

[limits]
max_content_length = 67108864
max_page_size = {page_size}

[[api_roots]]
name = "{ROOT}"
title = "FIMI exchange"
default = true

[[api_roots.collections]]
id = "{COLLECTIONS[name]}"
title = "FIMI cases"
mode = "profile"

[[users]]
name = "{USER}"
password_hash = {json.dumps(hash_password(PASSWORD))}
{remotes}"""


def _remote(name: str, port: int, user: str, env: str, page_size: int, extra: str = "") -> str:
    return f"""
[[remotes]]
name = "{name}"
api_root = "http://{HOST}:{port}/{ROOT}/"
user = "{user}"
password_env = "{env}"
page_size = {page_size}
timeout = 300
{extra}
[[remotes.collections]]
remote = "{COLLECTIONS[name]}"
local = "{{local}}"
direction = "both"
"""


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return dict(
        os.environ,
        **{SECRET_ENV: PAGING_SECRET, PASSWORD_ENV: PASSWORD},
        **(extra or {}),
    )


def _session_cpu(leader: int) -> float:
    """CPU seconds (user + system) of every live process in ``leader``'s session.

    A node runs as gunicorn, a master and its workers, started in a session of
    their own; summing the session gives the serving side's cost of a step.
    """
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp, session, …, utime (12th), stime (13th).
        if int(fields[3]) == leader:
            total += int(fields[11]) + int(fields[12])
    return total / tick


@contextmanager
def _serving(config: Path, port: int, log: Path) -> Iterator[int]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN / "infoshare"), "serve", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(),
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"node {config.name} exited: {log.read_text()[-2000:]}")
            try:
                if requests.get(f"http://{HOST}:{port}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"node {config.name} did not start")
            time.sleep(0.2)
        yield process.pid
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def _fill(port: int, count: int, envelope: int) -> int:
    url = f"http://{HOST}:{port}/{ROOT}/collections/{COLLECTIONS['source']}/objects/"
    batch: list[dict[str, Any]] = []
    stored = 0

    def post(objects: list[dict[str, Any]]) -> int:
        response = requests.post(
            url,
            data=json.dumps({"objects": objects}),
            headers={"Accept": TAXII, "Content-Type": TAXII},
            auth=(USER, PASSWORD),
            timeout=600,
        )
        response.raise_for_status()
        status = response.json()
        if status["failure_count"]:
            raise RuntimeError(f"the source refused objects: {status['failures'][:3]}")
        return int(status["success_count"])

    for obj in generate_objects(count):
        batch.append(obj)
        if len(batch) == envelope:
            stored += post(batch)
            batch = []
    if batch:
        stored += post(batch)
    return stored


def _rows(storage_url: str) -> int:
    engine = sa.create_engine(storage_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT count(*) FROM objects")).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def _storage(kind: str, folder: Path, name: str) -> Iterator[str]:
    """The storage URL of one node: a SQLite file in ``folder``, or a throwaway
    PostgreSQL database (dropped afterwards, as benchmarks/node.py does)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
    else:
        with postgres_database() as url:
            yield url


@dataclass
class Step:
    """One timed ``infoshare sync`` run: wall clock, its CPU, and the CPU of the nodes."""

    seconds: float
    cpu_seconds: float
    node_cpu_seconds: dict[str, float]


#: Where ``--profile`` keeps a cProfile file per step (None: no profiling).
PROFILE: Path | None = None


def _sync(
    config: Path,
    *args: str,
    nodes: dict[str, int],
    env: dict[str, str] | None = None,
    step: str,
) -> Step:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    served = {name: _session_cpu(leader) for name, leader in nodes.items()}
    start = time.perf_counter()
    command = [str(BIN / "infoshare"), "sync", "--config", str(config), *args]
    if PROFILE is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(PROFILE / f"{step}.prof"), *command]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=_env(env),
        check=False,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"infoshare sync {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Step(
        seconds,
        cpu,
        {name: _session_cpu(leader) - served[name] for name, leader in nodes.items()},
    )


def _partner(config: Path, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "infoshare"), "partner", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    )
    return result.stdout


def run(count: int, page_size: int, envelope: int, storage: str = "sqlite") -> dict[str, Any]:
    #: The machine may be shared: a busy one explains a slow run.
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="infoshare-bench-sync-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        ports = {name: _free_port() for name in COLLECTIONS}
        configs = {name: folder / f"{name}.toml" for name in COLLECTIONS}
        urls = {name: stack.enter_context(_storage(storage, folder, name)) for name in COLLECTIONS}
        source_remote = _remote(
            "mirror",
            ports["mirror"],
            "source",
            MIRROR_PASSWORD_ENV,
            page_size,
            'partner = "mirror"',
        ).replace("{local}", COLLECTIONS["source"])
        target_remote = _remote("source", ports["source"], USER, PASSWORD_ENV, page_size).replace(
            "{local}", COLLECTIONS["target"]
        )
        texts = {
            "source": _toml("source", ports["source"], urls["source"], source_remote, page_size),
            "target": _toml("target", ports["target"], urls["target"], target_remote, page_size),
            "mirror": _toml("mirror", ports["mirror"], urls["mirror"], "", page_size),
        }
        leaders: dict[str, int] = {}
        for name, text in texts.items():
            configs[name].write_text(text, encoding="utf-8")
            leaders[name] = stack.enter_context(
                _serving(configs[name], ports[name], folder / f"{name}.log")
            )
        # MIRROR knows SOURCE as a writing partner; SOURCE shows MIRROR up to AMBER.
        out = _partner(configs["mirror"], "add", "source", "--no-token")
        mirror_password = next(
            line.split()[-1] for line in out.splitlines() if line.startswith("password")
        )
        _partner(configs["mirror"], "grant", "source", COLLECTIONS["mirror"], "--write")
        _partner(configs["source"], "add", "mirror", "--clearance", "amber", "--no-password",
                 "--no-token")  # fmt: skip
        _partner(configs["source"], "grant", "mirror", COLLECTIONS["source"], "--read")

        print(f"filling the source node with {count} generated objects…", file=sys.stderr)
        start = time.perf_counter()
        stored = _fill(ports["source"], count, envelope)
        fill_seconds = time.perf_counter() - start
        rows = _rows(urls["source"])

        print("pull: target ← source…", file=sys.stderr)
        pull = _sync(configs["target"], "--pull", nodes={"source": leaders["source"]}, step="pull")
        pulled = _rows(urls["target"])
        idle = _sync(
            configs["target"], "--pull", nodes={"source": leaders["source"]}, step="idle-pull"
        )
        print("push: source → mirror…", file=sys.stderr)
        push = _sync(
            configs["source"],
            "--push",
            nodes={"mirror": leaders["mirror"]},
            env={MIRROR_PASSWORD_ENV: mirror_password},
            step="push",
        )
        pushed = _rows(urls["mirror"])
        if pulled != rows or pushed != rows:
            raise RuntimeError(
                f"replication incomplete: source {rows}, target {pulled}, mirror {pushed}"
            )
        return {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores,"
            f" Python {platform.python_version()}",
            "objects": rows,
            "stored_by_fill": stored,
            "page_size": page_size,
            "storage": storage,
            "fill_objects_per_s": round(rows / fill_seconds),
            "load_average_at_start": [round(value, 2) for value in load],
            "pull_seconds": round(pull.seconds, 1),
            "pull_objects_per_s": round(rows / pull.seconds),
            "pull_cpu_seconds": round(pull.cpu_seconds, 1),
            "pull_source_cpu_seconds": round(pull.node_cpu_seconds["source"], 1),
            "idle_pull_seconds": round(idle.seconds, 2),
            "idle_pull_cpu_seconds": round(idle.cpu_seconds, 2),
            "push_seconds": round(push.seconds, 1),
            "push_objects_per_s": round(rows / push.seconds),
            "push_cpu_seconds": round(push.cpu_seconds, 1),
            "push_mirror_cpu_seconds": round(push.node_cpu_seconds["mirror"], 1),
        }


def markdown(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            "| step | objects | seconds | objects/s | CPU s (sync) | CPU s (serving node) |",
            "|---|---:|---:|---:|---:|---:|",
            f"| pull (target ← source) | {result['objects']:,} | {result['pull_seconds']} |"
            f" {result['pull_objects_per_s']:,} | {result['pull_cpu_seconds']} |"
            f" {result['pull_source_cpu_seconds']} |",
            f"| push (source → mirror) | {result['objects']:,} | {result['push_seconds']} |"
            f" {result['push_objects_per_s']:,} | {result['push_cpu_seconds']} |"
            f" {result['push_mirror_cpu_seconds']} |",
            f"| idle pull (nothing new) | 0 | {result['idle_pull_seconds']} | - |"
            f" {result['idle_pull_cpu_seconds']} | - |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.sync", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--objects", type=int, default=100_000, help="objects to replicate")
    parser.add_argument("--page-size", type=int, default=1000, help="objects per page and push")
    parser.add_argument("--envelope", type=int, default=1000, help="objects per POST when filling")
    parser.add_argument(
        "--storage",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="each node on its own SQLite file, or its own throwaway PostgreSQL database"
        " on 127.0.0.1:5432 (user postgres)",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        type=Path,
        help="run each infoshare sync under cProfile, one .prof file per step in DIR"
        " (slower: for finding where the time goes, not for the figures)",
    )
    args = parser.parse_args(argv)
    if args.profile is not None:
        global PROFILE
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE = args.profile
    result = run(args.objects, args.page_size, args.envelope, args.storage)
    DATA.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
