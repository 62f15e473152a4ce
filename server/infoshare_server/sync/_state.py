"""Watermarks, provenance and rejections of sync, read and written in SQL.

Implements the storage rules of docs/adr/0007-sync.md over the tables of
``storage/_sync_tables.py``. Every writer here runs inside the caller's
write transaction: a pull records its watermark, the provenance of the
objects it stored and the objects the node refused in the same transaction
as the objects themselves, so they commit (or vanish) together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import FromClause

from infoshare_server.storage import _sync_tables as st
from infoshare_server.storage import _tables as t
from infoshare_server.storage._objects import Visibility
from infoshare_server.storage._time import format_date_added


@dataclass(frozen=True, slots=True)
class StateKey:
    """Which watermark: a remote, a direction, a remote collection URL, a local collection."""

    remote: str
    direction: str  # "pull" or "push"
    remote_collection: str
    collection_pk: int


def _where(key: StateKey) -> list[sa.ColumnElement[bool]]:
    s = st.sync_state
    return [
        s.c.remote == key.remote,
        s.c.direction == key.direction,
        s.c.remote_collection == key.remote_collection,
        s.c.collection_pk == key.collection_pk,
    ]


def read_pulled_until(connection: Connection, key: StateKey) -> str | None:
    """The pull watermark: the remote ``date_added`` of the last object taken."""
    stmt = sa.select(st.sync_state.c.pulled_until).where(*_where(key))
    value = connection.execute(stmt).scalar()
    return str(value) if value is not None else None


def read_pushed_until(connection: Connection, key: StateKey) -> int:
    """The push watermark: the last local ``seq`` the remote acknowledged (0: none)."""
    stmt = sa.select(st.sync_state.c.pushed_until).where(*_where(key))
    value = connection.execute(stmt).scalar()
    return int(value) if value is not None else 0


def write_state(
    connection: Connection,
    key: StateKey,
    *,
    pulled_until: str | None = None,
    pushed_until: int | None = None,
) -> None:
    """Set the watermark of ``key`` (insert or update)."""
    values: dict[str, object] = {"updated_at": format_date_added(datetime.now(UTC))}
    if pulled_until is not None:
        values["pulled_until"] = pulled_until
    if pushed_until is not None:
        values["pushed_until"] = pushed_until
    updated = connection.execute(sa.update(st.sync_state).where(*_where(key)).values(**values))
    if updated.rowcount == 0:
        connection.execute(
            sa.insert(st.sync_state).values(
                remote=key.remote,
                direction=key.direction,
                remote_collection=key.remote_collection,
                collection_pk=key.collection_pk,
                **values,
            )
        )


def reset_state(connection: Connection, remote: str) -> int:
    """Forget every watermark of ``remote`` (the next run starts from the beginning)."""
    result = connection.execute(sa.delete(st.sync_state).where(st.sync_state.c.remote == remote))
    return int(result.rowcount)


def record_provenance(
    connection: Connection,
    collection_pk: int,
    dates_added: Iterable[str],
    *,
    remote: str,
    remote_collection: str,
) -> int:
    """Record that the rows stored at ``dates_added`` came from ``remote``.

    ``date_added`` strictly increases from one write transaction to the next
    (the rows of one share it) and writers run one at a time, so the range from
    the first to the last of them holds exactly the rows this transaction just
    wrote; each arrived at its ``date_added``.
    """
    stamps = sorted(set(dates_added))
    if not stamps:
        return 0
    o = t.objects
    chosen = sa.select(
        o.c.seq,
        sa.literal(remote),
        sa.literal(remote_collection),
        o.c.date_added,
    ).where(
        o.c.collection_pk == collection_pk,
        o.c.date_added >= stamps[0],
        o.c.date_added <= stamps[-1],
    )
    p = st.provenance
    result = connection.execute(
        sa.insert(p).from_select(["seq", "remote", "remote_collection", "arrived_at"], chosen)
    )
    return int(result.rowcount)


def record_rejections(
    connection: Connection,
    collection_pk: int,
    rejected: Iterable[tuple[str, str, str]],
    *,
    remote: str,
    remote_collection: str,
) -> int:
    """Keep every (object id, version, message) the node refused from ``remote``."""
    now = format_date_added(datetime.now(UTC))
    rows = [
        {
            "remote": remote,
            "remote_collection": remote_collection,
            "collection_pk": collection_pk,
            "object_id": object_id,
            "version": version,
            "message": message,
            "rejected_at": now,
        }
        for object_id, version, message in rejected
    ]
    if rows:
        connection.execute(sa.insert(st.sync_rejections), rows)
    return len(rows)


def not_from(remote: str) -> Visibility:
    """A visibility clause: rows that did not arrive from ``remote`` (no echo on push)."""
    p = st.provenance

    def clause(o: FromClause) -> sa.ColumnElement[bool]:
        return ~sa.exists().where(p.c.seq == o.c.seq, p.c.remote == remote)

    return clause
