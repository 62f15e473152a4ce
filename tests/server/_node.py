"""Start the real node (``infoshare serve``) as a separate process for the HTTP suite.

Each :class:`RunningNode` is a gunicorn process tree serving one
configuration on a free loopback port; :func:`running_node` waits for
``/healthz`` and stops the process (by its own pid) afterwards. Its output
goes to a log file the tests read, to prove that no request reached the
node's catch-all for unexpected errors.
"""

from __future__ import annotations

import json
import os
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
from infoshare_server.access import hash_password

INFOSHARE = Path(sys.executable).parent / "infoshare"
USER = "analyst"
PASSWORD = "correct-horse-battery-staple"
#: A cheap hash keeps the suite fast; production hashes use the default cost.
PASSWORD_HASH = hash_password(PASSWORD)
OTHER_USER = "observer"
OTHER_PASSWORD = "another-long-passphrase"
SECRET_ENV = "INFOSHARE_TEST_PAGING_SECRET"
SECRET = "d6f1c0a3b5e84f27a9c1e0d2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"

API_ROOT = "fimi"
OTHER_ROOT = "partners"
PROFILE_COLLECTION = "2d5c7a10-3b4e-4f6a-8c9d-0e1f2a3b4c01"
STIX_COLLECTION = "5a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c02"
READ_ONLY_COLLECTION = "8e9f0a1b-2c3d-4e5f-a6b7-c8d9e0f1a203"
OTHER_COLLECTION = "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d04"
MAX_CONTENT_LENGTH = 1024 * 1024
MAX_PAGE_SIZE = 50
STARTUP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config_text(storage_url: str, port: int, workers: int = 1) -> str:
    """A node configuration for the suite (TOML)."""
    return f"""\
[node]
title = "Test node of the Ministry of Coastal Affairs (fictional)"
description = "HTTP test suite"
contact = "soc@coastal-affairs.example"
base_url = "http://127.0.0.1:{port}"
secret_env = "{SECRET_ENV}"

[storage]
url = {json.dumps(storage_url)}

[server]
host = "127.0.0.1"
port = {port}
workers = {workers}
timeout = 60

[limits]
max_content_length = {MAX_CONTENT_LENGTH}
max_page_size = {MAX_PAGE_SIZE}
rate_per_partner = 0  # off: the suite is faster than any partner (test_transport_limits)

[[api_roots]]
name = "{API_ROOT}"
title = "FIMI exchange"
default = true

[[api_roots.collections]]
id = "{PROFILE_COLLECTION}"
title = "FIMI cases"
mode = "profile"

[[api_roots.collections]]
id = "{STIX_COLLECTION}"
title = "STIX feed"
mode = "stix"

[[api_roots.collections]]
id = "{READ_ONLY_COLLECTION}"
title = "Published cases"
mode = "stix"
can_write = false

[[api_roots]]
name = "{OTHER_ROOT}"
title = "Partner exchange"

[[api_roots.collections]]
id = "{OTHER_COLLECTION}"
title = "Partner feed"
mode = "stix"

[[users]]
name = "{USER}"
password_hash = {json.dumps(PASSWORD_HASH)}

[[users]]
name = "{OTHER_USER}"
password_hash = {json.dumps(hash_password(OTHER_PASSWORD))}
"""


@dataclass
class RunningNode:
    """One node process serving ``base_url``."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    config_path: Path

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/taxii2/"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _wait_healthy(node: RunningNode) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise RuntimeError(f"the node exited with {node.process.returncode}:\n{node.log()}")
        try:
            if requests.get(node.url("healthz"), timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the node did not become healthy:\n{node.log()}")


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """``kill -9`` the node: its gunicorn master and workers (their own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def start_node(config_path: Path, port: int, log_path: Path, env: dict[str, str]) -> RunningNode:
    """Start ``infoshare serve --config config_path`` in its own process group (see
    kill_hard), its output appended to ``log_path``; does not wait for it."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(INFOSHARE), "serve", "--config", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    return RunningNode(f"http://127.0.0.1:{port}", process, log_path, config_path)


@contextmanager
def running_node(config_path: Path, port: int, log_path: Path) -> Iterator[RunningNode]:
    """Run ``infoshare serve --config config_path`` until the block ends."""
    node = start_node(config_path, port, log_path, dict(os.environ, **{SECRET_ENV: SECRET}))
    try:
        _wait_healthy(node)
        yield node
    finally:
        _stop(node.process)


@contextmanager
def node_for(storage_url: str, folder: Path, workers: int = 1) -> Iterator[RunningNode]:
    """Write a configuration for ``storage_url`` into ``folder`` and run a node on it."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / f"node-{port}.toml"
    config_path.write_text(config_text(storage_url, port, workers), encoding="utf-8")
    with running_node(config_path, port, folder / f"node-{port}.log") as node:
        yield node
