"""Start and stop the TAXII servers the node benchmark measures (docs/benchmarks.md).

Three systems, each its own process tree on a free 127.0.0.1 port, served the
same way: gunicorn with one worker of one thread (by default), one
profile-strict (ours) or plain (medallion) collection, the same page size and
request-size limit. Our node runs without its per-partner rate limit and
statement timeout (the benchmark is one client sending as fast as it can).

* ``node-sqlite`` / ``node-postgresql``: ``infoshare serve --config node.toml``
  (server/infoshare_server/serve.py), on a fresh SQLite file or a fresh
  PostgreSQL database on 127.0.0.1:5432 (user postgres), dropped afterwards.
* ``medallion-memory``: medallion 3.0.0's ``MemoryBackend`` from an empty
  data file, under ``gunicorn "medallion:load_app('medallion.json')"``.

Every process is started in its own session and stopped by its own process
group id (SIGTERM, then SIGKILL), also when the benchmark fails.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from benchmarks._node_memory import MemorySampler

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
API_ROOT = "fimi"
COLLECTION_ID = "6f1d2c3b-4a5e-4f60-9a7b-8c9d0e1f2a3b"
USER = "bench-analyst"
PASSWORD = "bench-" + secrets.token_hex(12)
SECRET_ENV = "INFOSHARE_BENCH_PAGING_SECRET"
POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
STARTUP_SECONDS = 120.0
SYSTEMS = ("node-sqlite", "node-postgresql", "medallion-memory")


@dataclass(frozen=True)
class ServerSettings:
    """What every system is given: workers, page size, request-size limit, timeout."""

    workers: int = 1
    max_page_size: int = 1000
    max_content_length: int = 10 * 1024 * 1024
    timeout: int = 600
    #: PostgreSQL only: this database is used and kept (created when missing), so that a
    #: large collection filled once can be measured again later; None: a throwaway one.
    postgres_database: str | None = None


@dataclass
class RunningServer:
    """One server process tree serving ``collection_url``."""

    system: str
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    memory: MemorySampler
    storage_url: str = ""

    def storage_bytes(self) -> int | None:
        """Disk used by the server's database now (None for medallion's memory)."""
        return storage_bytes(self.storage_url)

    @property
    def collection_url(self) -> str:
        return f"{self.base_url}/{API_ROOT}/collections/{COLLECTION_ID}/"

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def known_settings(section: str, **values: int) -> str:
    """TOML lines for the keys of ``section`` this version of the node knows.

    One sync worker thread (as medallion's), no per-partner rate limit (the benchmark
    client is one partner sending as fast as it can) and no statement timeout.
    """
    from infoshare_server.config import NodeConfig

    known = NodeConfig.model_fields[section].annotation.model_fields  # type: ignore[union-attr]
    return "".join(f"{key} = {value}\n" for key, value in values.items() if key in known)


def _node_toml(storage_url: str, port: int, settings: ServerSettings) -> str:
    from infoshare_server.access import hash_password

    return f"""\
[node]
title = "Benchmark node (fictional)"
contact = "bench@ministry.example"
base_url = "http://{HOST}:{port}"
secret_env = "{SECRET_ENV}"

[storage]
url = {json.dumps(storage_url)}

[server]
host = "{HOST}"
port = {port}
workers = {settings.workers}
timeout = {settings.timeout}
{known_settings("server", threads=1)}
[limits]
max_content_length = {settings.max_content_length}
max_page_size = {settings.max_page_size}
{known_settings("limits", rate_per_partner=0, statement_timeout=0)}

[[api_roots]]
name = "{API_ROOT}"
title = "FIMI exchange"
default = true

[[api_roots.collections]]
id = "{COLLECTION_ID}"
title = "FIMI cases (profile-strict)"
mode = "profile"

[[users]]
name = "{USER}"
password_hash = {json.dumps(hash_password(PASSWORD))}
"""


def _medallion_files(folder: Path, port: int, settings: ServerSettings) -> Path:
    """Write medallion's configuration and its empty data file; return the configuration."""
    data = {
        "/discovery": {
            "title": "Benchmark medallion (fictional)",
            "description": "medallion MemoryBackend for the infoshare node benchmark",
            "contact": "bench@ministry.example",
            "default": f"http://{HOST}:{port}/{API_ROOT}/",
            "api_roots": [f"http://{HOST}:{port}/{API_ROOT}/"],
        },
        API_ROOT: {
            "information": {
                "title": "FIMI exchange",
                "description": "",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": settings.max_content_length,
            },
            "status": [],
            "collections": [
                {
                    "id": COLLECTION_ID,
                    "title": "FIMI cases",
                    "description": "",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    data_path = folder / "medallion-data.json"
    data_path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_path),
        },
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": settings.max_page_size},
    }
    config_path = folder / "medallion.json"
    config_path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    return config_path


def wait_ready(server: RunningServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    url = f"{server.base_url}/taxii2/"
    headers = {"Accept": "application/taxii+json;version=2.1"}
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.system} exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        try:
            answer = requests.get(url, headers=headers, auth=(USER, PASSWORD), timeout=5)
            if answer.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.system} did not answer within {STARTUP_SECONDS} s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's own process group (its gunicorn master and workers)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def storage_bytes(storage_url: str) -> int | None:
    """Bytes on disk of the database at ``storage_url``: PostgreSQL's
    ``pg_database_size`` (tables, indexes, TOAST; not the shared WAL), or the
    SQLite file with its WAL and shared-memory files."""
    if storage_url.startswith("sqlite:///"):
        database = Path(storage_url.removeprefix("sqlite:///"))
        return sum(f.stat().st_size for f in database.parent.glob(database.name + "*"))
    if storage_url.startswith("postgresql"):
        import psycopg

        name = storage_url.rsplit("/", 1)[1]
        with psycopg.connect(POSTGRES_ADMIN) as connection:
            row = connection.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
            return int(row[0]) if row else None
    return None


@contextmanager
def postgres_database(kept: str | None = None) -> Iterator[str]:
    """A fresh PostgreSQL database for one run, dropped afterwards; or the database
    ``kept``, created when missing and never dropped."""
    import psycopg

    name = kept or f"infoshare_bench_{secrets.token_hex(6)}"
    if not name.replace("_", "").isalnum():
        raise ValueError(f"database name {name!r}: use letters, digits and underscores")
    admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True)
    try:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+psycopg://postgres@{HOST}:5432/{name}"
    finally:
        if kept is None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def sample_stored_ids(storage_url: str, samples: int) -> tuple[int, list[str]]:
    """How many objects a kept PostgreSQL database holds, and up to ``samples`` of their
    ids picked at random (for measuring a filled database again without refilling it)."""
    import psycopg

    name = storage_url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN.replace("dbname=postgres", f"dbname={name}")) as db:
        count_row = db.execute("SELECT count(*) FROM objects WHERE is_last").fetchone()
        count = int(count_row[0]) if count_row else 0
        # sample about ten times the ids needed, from whole pages picked at random
        percent = min(100.0, max(0.01, 1000.0 * samples / max(count, 1)))
        ids = [
            row[0]
            for row in db.execute(
                "SELECT object_id FROM objects TABLESAMPLE SYSTEM (%s) WHERE is_last"
                " ORDER BY random() LIMIT %s",
                (percent, samples),
            )
        ]
    return count, ids


@contextmanager
def _storage(system: str, folder: Path, kept: str | None = None) -> Iterator[str]:
    if system == "node-sqlite":
        database = folder / "node.db"
        for leftover in folder.glob("node.db*"):
            leftover.unlink()
        try:
            yield f"sqlite:///{database}"
        finally:  # the server is stopped by now; 1M objects take over 1 GB
            for leftover in folder.glob("node.db*"):
                leftover.unlink()
    elif system == "node-postgresql":
        with postgres_database(kept) as url:
            yield url
    else:
        yield ""


def _command(system: str, folder: Path, port: int, settings: ServerSettings, url: str) -> list[str]:
    if system == "medallion-memory":
        config_path = _medallion_files(folder, port, settings)
        return [
            str(BIN / "gunicorn"),
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "1",  # the memory backend lives in one process
            "--worker-class",
            "sync",
            "--timeout",
            str(settings.timeout),
            *(["--no-control-socket"] if _gunicorn_has_control_socket() else []),
            f"medallion:load_app({str(config_path)!r})",
        ]
    config_path = folder / f"{system}.toml"
    config_path.write_text(_node_toml(url, port, settings), encoding="utf-8")
    return [str(BIN / "infoshare"), "serve", "--config", str(config_path)]


def _gunicorn_has_control_socket() -> bool:
    import gunicorn

    return int(gunicorn.__version__.split(".")[0]) >= 25


@contextmanager
def running_server(system: str, folder: Path, settings: ServerSettings) -> Iterator[RunningServer]:
    """Run ``system`` with empty storage until the block ends; always stop it."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with _storage(system, folder, settings.postgres_database) as storage_url:
        command = _command(system, folder, port, settings, storage_url)
        env = dict(os.environ, **{SECRET_ENV: secrets.token_hex(32)})
        log_path = folder / f"{system}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        sampler = MemorySampler(process.pid)
        server = RunningServer(
            system, process, f"http://{HOST}:{port}", log_path, sampler, storage_url
        )
        try:
            wait_ready(server)
            sampler.start()
            yield server
        finally:
            sampler.stop()
            stop_server(process)
