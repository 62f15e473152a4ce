"""Measure what one rate-limit take costs: in memory, and in PostgreSQL shared by instances.

    .venv/bin/python -m benchmarks.rate_buckets [--takes 5000]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth); makes a
throwaway database and drops it. Prints microseconds per call, the median of
five rounds, for: the in-memory take (SQLite nodes); the shared take of
docs/adr/0019-several-instances.md (unlogged table, autocommit,
``synchronous_commit = off``); the shared address check before
authentication (one read); and, for comparison, the floor (one round trip
of ``SELECT 1`` on the same connections) and the same upsert on a logged
table in an ordinary durable transaction (BEGIN, upsert, fsynced COMMIT).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from collections.abc import Callable

import psycopg
import sqlalchemy as sa
from infoshare_server.ratelimit import SharedTokenBuckets, TokenBuckets
from infoshare_server.storage import Store
from infoshare_server.storage._rate_buckets import TAKE_SQL, bucket_engine

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
KEYS = 50


def _per_call(call: Callable[[int], object], n: int) -> float:
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for i in range(n):
            call(i)
        rounds.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=5000)
    n = parser.parse_args().takes
    name = f"infoshare_bench_buckets_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        store = Store.open(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        memory = TokenBuckets(1e9, 1e9)
        shared = SharedTokenBuckets(bucket_engine(store.engine.url, 1), 1e9, 1e9)
        with store.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE logged_buckets (LIKE rate_buckets)")
            connection.exec_driver_sql("ALTER TABLE logged_buckets ADD PRIMARY KEY (key)")

        logged_take = sa.text(TAKE_SQL.replace("rate_buckets", "logged_buckets"))

        def durable(i: int) -> None:
            with store.engine.begin() as connection:
                connection.execute(
                    logged_take,
                    {"key": f"partner:{i % KEYS}", "rate": 1e9, "burst": 1e9, "debt": False},
                )

        def round_trip(_i: int) -> None:
            with shared.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")

        results = {
            "PostgreSQL, one round trip (SELECT 1)": _per_call(round_trip, n),
            "in memory, take": _per_call(lambda i: memory.take(f"partner:{i % KEYS}"), n * 20),
            "PostgreSQL shared, take": _per_call(lambda i: shared.take(f"partner:{i % KEYS}"), n),
            "PostgreSQL shared, address check": _per_call(
                lambda i: shared.wait(f"address:192.0.2.{i % KEYS}"), n
            ),
            "PostgreSQL logged + durable commit, take": _per_call(durable, max(1, n // 5)),
        }
        for label, micros in results.items():
            print(f"{label:44} {micros:9.1f} µs")
        shared.engine.dispose()
        store.close()
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
