"""Versioned schema migrations, applied at startup, safe when workers start together.

Implements the migration rules of docs/adr/0004-sql-storage.md. The schema
has a version (table ``schema_version``, one row per applied step). At
startup :func:`migrate` takes a database-wide lock, reads the version and
applies the missing steps in order, all in one transaction:

* PostgreSQL: ``pg_advisory_xact_lock`` on a constant key, released at commit;
  PostgreSQL DDL is transactional, so a failed step leaves nothing behind.
* SQLite: ``BEGIN IMMEDIATE`` (the write lock); SQLite DDL is transactional too.

A second worker waits for the lock, then finds every step applied and does
nothing. To change the schema, append a :class:`Migration` with the next
number; never edit a step that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from infoshare_server.errors import StorageError
from infoshare_server.storage import _sync_tables as st
from infoshare_server.storage import _tables as t
from infoshare_server.storage._access_migration import apply_access_schema
from infoshare_server.storage._engine import is_sqlite, write_transaction
from infoshare_server.storage._latest_migration import apply_latest_flag
from infoshare_server.storage._origin_migration import apply_origin
from infoshare_server.storage._rate_buckets import apply_rate_buckets
from infoshare_server.storage._tlp_levels import recompute_tlp_levels
from infoshare_server.storage._viewer_migration import apply_viewer_sessions
from infoshare_server.storage._withdrawals import apply_withdrawn

#: Arbitrary constant key of the PostgreSQL advisory lock taken while migrating.
_ADVISORY_LOCK_KEY = 0x1F0_5A4E


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: its number, what it does, and the function doing it."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1_initial(connection: Connection) -> None:
    t.metadata.create_all(connection, tables=[*t.VERSION_1_TABLES][1:])
    connection.execute(sa.insert(t.node_clock).values(id=1, last_seq=0, last_date_added=None))


def _v3_sync(connection: Connection) -> None:
    t.metadata.create_all(connection, tables=list(st.SYNC_TABLES))


#: Every step, in order. Version numbers are 1, 2, 3... with no gaps.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "objects, collections, api roots, statuses, node clock", _v1_initial),
    Migration(2, "partner access: partners, credentials, grants, audit, TLP", apply_access_schema),
    Migration(3, "node-to-node sync: watermarks, provenance, rejections", _v3_sync),
    Migration(4, "objects.is_last flag; drop ix_objects_collection_id_spec", apply_latest_flag),
    Migration(5, "objects.tlp recomputed: TLP 1.0 ids and granular markings", recompute_tlp_levels),
    Migration(6, "objects.origin and objects.namespace (originator control)", apply_origin),
    Migration(7, "withdrawn ids (withdrawal objects)", apply_withdrawn),
    Migration(8, "case viewer sessions (digests of session ids)", apply_viewer_sessions),
    Migration(9, "rate-limit buckets shared by all instances (PostgreSQL)", apply_rate_buckets),
)

#: The schema version this code expects.
LATEST_VERSION = MIGRATIONS[-1].version


def migrate(engine: Engine, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Bring the database to the latest schema version; returns that version.

    Idempotent, and safe when several processes call it at the same time.
    """
    try:
        with write_transaction(engine) as connection:
            schema_lock(connection)
            t.schema_version.create(connection, checkfirst=True)
            current = current_version(connection)
            if current > migrations[-1].version:
                raise StorageError(
                    f"the database has schema version {current}, newer than this node's"
                    f" {migrations[-1].version}",
                    hint="run the same (or a newer) infoshare version on every worker",
                )
            for step in migrations:
                if step.version <= current:
                    continue
                step.apply(connection)
                connection.execute(
                    sa.insert(t.schema_version).values(
                        version=step.version,
                        description=step.description,
                        applied_at=datetime.now(UTC).isoformat(),
                    )
                )
                current = step.version
            return current
    except SQLAlchemyError as exc:
        raise StorageError(
            f"cannot bring the database schema up to date: {exc.__class__.__name__}: {exc}",
            hint="check the storage URL and that the database user may create tables",
        ) from exc


def schema_lock(connection: Connection) -> None:
    """Serialise schema work (migrations, catalogue sync) across processes until commit.

    SQLite needs nothing more: the caller's ``BEGIN IMMEDIATE`` already holds
    the database's write lock.
    """
    if not is_sqlite(connection):
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_LOCK_KEY)))


def current_version(connection: Connection) -> int:
    """The highest applied schema version (0 for an empty database)."""
    value = connection.execute(sa.select(sa.func.max(t.schema_version.c.version))).scalar()
    return int(value) if value is not None else 0
