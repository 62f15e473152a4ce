"""Schema migration 9 and the statements of the rate-limit buckets shared by all instances.

Implements "Rate limits" of docs/adr/0019-several-instances.md. On PostgreSQL
the token buckets of ``ratelimit.py`` live in one table, ``rate_buckets``, so
that every process of every instance on the database draws from the same
bucket. The table is UNLOGGED: a bucket need not survive a crash (after one
every bucket is simply full again), and an unlogged table writes no WAL, so a
take costs no log flush. Each statement runs on its own in autocommit mode on
connections opened with ``synchronous_commit = off`` (see
:func:`bucket_engine`), and reads the time from the database
(``clock_timestamp()``), never from the instances, so hosts whose clocks
disagree still agree on every bucket.

On SQLite (one machine) migration 9 creates nothing: the buckets stay in
memory there.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from infoshare_server.storage._engine import create_engine, is_sqlite

#: Milliseconds a bucket statement may take (a locked or stalled table): after that the
#: request is let through (``ratelimit.py`` fails open), so a stuck database cannot
#: hold every request of the node on its rate limit.
BUCKET_STATEMENT_TIMEOUT_MS = 1000

_CREATE = """
CREATE UNLOGGED TABLE rate_buckets (
    key text PRIMARY KEY,
    tokens double precision NOT NULL,
    updated_at timestamptz NOT NULL,
    granted boolean NOT NULL
) WITH (fillfactor = 70)
"""
# ``granted``: whether the last take found a token (PostgreSQL 15 cannot return the old
# row from an upsert). fillfactor leaves room on each page for HOT updates: a take never
# changes the key, so its new row version stays on the page and no index is touched.


def apply_rate_buckets(connection: Connection) -> None:
    """Migration 9 (runs inside the migration transaction); nothing on SQLite."""
    if not is_sqlite(connection):
        connection.exec_driver_sql(_CREATE)


def bucket_engine(url: sa.URL | str, pool_size: int) -> Engine:
    """An engine for bucket statements only: autocommit, no fsync wait, a short timeout.

    Autocommit makes each statement its own transaction without a BEGIN or
    COMMIT round trip; ``synchronous_commit = off`` lets the commit return
    before its commit record is flushed; no pre-ping, because a dead
    connection fails the statement, which the caller lets through, and the
    pool then drops the connection. Connections are opened on demand, at most
    ``pool_size`` (one per thread of the worker). The settings are made with
    ``SET`` once per connection rather than as start-up options, which
    connection poolers such as PgBouncer refuse.
    """
    engine = create_engine(
        url.render_as_string(hide_password=False) if isinstance(url, sa.URL) else url,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        pool_size=max(1, pool_size),
        max_overflow=0,
        pool_timeout=BUCKET_STATEMENT_TIMEOUT_MS / 1000,
        connect_args={"connect_timeout": 2},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute(f"SET statement_timeout = {int(BUCKET_STATEMENT_TIMEOUT_MS)}")
        dbapi_connection.commit()

    return engine


def _refilled(now: str) -> str:
    """SQL for the tokens of bucket ``b`` at ``now``: what it held plus the refill, at most
    ``:burst``. A ``now`` before the bucket's last update (a statement that waited for
    another's row lock) refills nothing."""
    return (
        "least(:burst, b.tokens + greatest(0.0,"
        f" extract(epoch FROM {now} - b.updated_at)::float8) * :rate)"
    )


_R = _refilled("excluded.updated_at")
#: One atomic statement per take. The time is read once, when the statement starts
#: (``excluded.updated_at``); ``updated_at`` never goes back.
TAKE_SQL = f"""
INSERT INTO rate_buckets AS b (key, tokens, updated_at, granted)
VALUES (:key, :burst - 1, clock_timestamp(), true)
ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN {_R} >= 1 THEN {_R} - 1
                  WHEN :debt THEN greatest(-1.0, {_R} - 1)
                  ELSE {_R} END,
    updated_at = greatest(b.updated_at, excluded.updated_at),
    granted = {_R} >= 1
RETURNING granted, tokens
"""
_TAKE = sa.text(TAKE_SQL)

_WAIT = sa.text(
    f"SELECT {_refilled('clock_timestamp()')} FROM rate_buckets AS b WHERE b.key = :key"
)

#: Deletes up to ``:batch`` buckets untouched for ``:idle`` seconds (long enough to be
#: full again, so deleting one changes nothing). The outer condition is checked again
#: on a row another statement updated meanwhile, so a bucket just used is kept.
_PRUNE = sa.text(
    """
DELETE FROM rate_buckets
WHERE key IN (
    SELECT key FROM rate_buckets
    WHERE updated_at < clock_timestamp() - make_interval(secs => :idle)
    LIMIT :batch
) AND updated_at < clock_timestamp() - make_interval(secs => :idle)
"""
)


def take_token(
    connection: Connection, key: str, rate: float, burst: float, *, debt: bool
) -> tuple[bool, float]:
    """Take a token from bucket ``key``: (whether there was one, the tokens left)."""
    row = connection.execute(_TAKE, {"key": key, "rate": rate, "burst": burst, "debt": debt}).one()
    return bool(row[0]), float(row[1])


def tokens_now(connection: Connection, key: str, rate: float, burst: float) -> float:
    """The tokens bucket ``key`` holds now (``burst`` if it has none stored); takes none."""
    value = connection.execute(_WAIT, {"key": key, "rate": rate, "burst": burst}).scalar()
    return burst if value is None else float(value)


def prune_buckets(connection: Connection, idle_seconds: float, batch: int) -> int:
    """Delete at most ``batch`` buckets untouched for ``idle_seconds``; how many went."""
    result = connection.execute(_PRUNE, {"idle": idle_seconds, "batch": batch})
    return int(result.rowcount)
