"""Several instances of the node on one PostgreSQL database, for test_instances_*.py.

Each instance is a real ``infoshare serve`` process (its own gunicorn master
and workers, its own port, as if on its own host) with the suite's
configuration: the same database, the same paging secret, the same API
roots, users and limits; only the port (and ``node.base_url``, which names
it) differs. :func:`instances` starts them all at once and waits until each
answers ``/healthz``; they are stopped by their own process ids afterwards.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests
from _node import SECRET, SECRET_ENV, STARTUP_SECONDS, RunningNode, free_port, kill_hard, start_node
from _transport import node_config


def _healthy(node: RunningNode) -> bool:
    try:
        return requests.get(node.url("healthz"), timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _stop(node: RunningNode) -> None:
    if node.process.poll() is None:
        node.process.terminate()
        try:
            node.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_hard(node.process)


@contextmanager
def instances(
    storage_url: str,
    folder: Path,
    count: int,
    *,
    limits: Mapping[str, object] | None = None,
    workers: int = 1,
) -> Iterator[list[RunningNode]]:
    """Start ``count`` instances on ``storage_url`` together; yield them once all are healthy."""
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, **{SECRET_ENV: SECRET})
    merged: dict[str, object] = {"rate_per_partner": 0, **(limits or {})}
    with ExitStack() as stack:
        nodes: list[RunningNode] = []
        for _ in range(count):
            port = free_port()
            config_path = folder / f"node-{port}.toml"
            text = node_config(storage_url, port, limits=merged)
            config_path.write_text(
                text.replace("workers = 1\n", f"workers = {workers}\n", 1), encoding="utf-8"
            )
            node = start_node(config_path, port, folder / f"node-{port}.log", env)
            stack.callback(_stop, node)
            nodes.append(node)
        deadline = time.monotonic() + STARTUP_SECONDS * count
        waiting = list(nodes)
        while waiting:
            for node in list(waiting):
                if node.process.poll() is not None:
                    raise RuntimeError(f"an instance exited with {node.process.returncode}:\n"
                                       f"{node.log()}")  # fmt: skip
                if _healthy(node):
                    waiting.remove(node)
            if time.monotonic() > deadline:
                raise RuntimeError("instances did not become healthy:\n" + waiting[0].log())
            time.sleep(0.1)
        yield nodes
        for node in nodes:
            assert "internal error" not in node.log(), node.log()
