"""Measure how long a failed HTTP Basic login takes, by kind of user name.

    .venv/bin/python -m benchmarks.login_timing              # 40 attempts per kind
    .venv/bin/python -m benchmarks.login_timing --attempts 100

A real node (``infoshare serve`` on SQLite, one worker, as in
benchmarks/node.py) with one operator account (``[[users]]``) and one
partner. For each kind of name — the operator's, the partner's, and names
the node has never heard of — it sends ``--attempts`` requests with a wrong
password, interleaved so that machine load affects every kind alike, and
prints the median and the 10th/90th percentiles in milliseconds.

The node should answer every kind in the same time: each costs one
database lookup of the partner credentials and one argon2id verification
(docs/adr/0009-one-policy-object.md, "Equal timing"). The suite asserts
that structurally (tests/server/test_node_auth.py); this script gives the
wall-clock figure quoted in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import requests

from benchmarks._node_servers import USER, ServerSettings, running_server

PARTNER = "timing-partner"
TAXII = "application/taxii+json;version=2.1"


def _add_partner(storage_url: str) -> None:
    from infoshare_server.access import Directory, hash_password
    from infoshare_server.storage import Store

    store = Store.open(storage_url)
    try:
        directory = Directory(store)
        directory.add(PARTNER, "Timing Partner (fictional)")
        directory.set_password(PARTNER, hash_password(secrets.token_urlsafe(18)))
    finally:
        store.close()


def _attempt(url: str, user: str) -> float:
    started = time.perf_counter()
    response = requests.get(
        url, headers={"Accept": TAXII}, auth=(user, "not the password at all"), timeout=30
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 401:
        raise RuntimeError(f"expected 401 for {user!r}, got {response.status_code}")
    return elapsed * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=40, help="requests per kind of name")
    args = parser.parse_args()
    kinds = {"operator": lambda: USER, "partner": lambda: PARTNER,
             "unknown": lambda: f"nobody-{secrets.token_hex(4)}"}  # fmt: skip
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    with (
        tempfile.TemporaryDirectory(prefix="infoshare-login-timing-") as folder,
        running_server("node-sqlite", Path(folder), ServerSettings()) as server,
    ):
        _add_partner(f"sqlite:///{Path(folder) / 'node.db'}")
        url = f"{server.base_url}/taxii2/"
        for make in kinds.values():  # warm up the worker and its connections
            _attempt(url, make())
        for _ in range(args.attempts):
            for kind, make in kinds.items():
                times[kind].append(_attempt(url, make()))
    print(f"failed logins, {args.attempts} attempts each (ms): median  p10  p90")
    for kind, values in times.items():
        deciles = statistics.quantiles(values, n=10)
        print(f"  {kind:9} {statistics.median(values):7.1f} {deciles[0]:5.1f} {deciles[-1]:5.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
