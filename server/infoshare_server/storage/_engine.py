"""Engines for the two supported databases, with the settings durability needs.

Implements the durability part of docs/adr/0004-sql-storage.md:

* ``sqlite:///path`` — the embedded default. Every connection runs in WAL mode
  with ``synchronous=FULL`` (a transaction is on disk when COMMIT returns, so
  an acknowledged write survives ``kill -9`` and power loss), a busy timeout
  (writers wait for each other instead of failing) and foreign keys on.
  Python's sqlite3 module does not open transactions itself here: the engine
  emits ``BEGIN`` (reads) or ``BEGIN IMMEDIATE`` (writes, see
  :func:`write_transaction`), so a writer takes the database lock before it
  reads anything it is going to change.
* ``postgresql+psycopg://…`` — several app workers, and several node
  instances, share one database. PostgreSQL commits durably by default
  (``synchronous_commit=on``, fsync), except the relaxed transactions of
  :func:`write_transaction`; the pool checks connections before use.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from infoshare_server.errors import StorageError

#: How long an SQLite connection waits for another writer, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: Page cache of each SQLite connection, in KiB (SQLite's default is 2 MiB): holds the
#: upper levels of the id indexes that every ingest touches at random.
SQLITE_CACHE_KIB = 16_384

_WRITE_OPTION = "infoshare_write"
_RELAXED_OPTION = "infoshare_relaxed"


def create_engine(url: str, **engine_options: Any) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://…``).

    Raises :class:`StorageError` for any other kind of URL. The engine is safe
    across ``fork()`` (gunicorn workers): a child process drops the pooled
    connections it inherited and opens its own.
    """
    engine = _create_engine(url, **engine_options)
    reference = weakref.ref(engine)

    def _after_fork_in_child() -> None:
        inherited = reference()
        if inherited is not None:
            inherited.dispose(close=False)

    os.register_at_fork(after_in_child=_after_fork_in_child)
    return engine


def _create_engine(url: str, **engine_options: Any) -> Engine:
    try:
        parsed = sa.make_url(url)
    except ArgumentError:
        raise StorageError(
            f"storage URL {url!r} cannot be read",
            hint="use sqlite:///path/to/node.db or postgresql+psycopg://user@host:5432/db",
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise StorageError(
                "the node needs an SQLite file, not an in-memory database",
                hint="use sqlite:///path/to/node.db",
            )
        engine = sa.create_engine(parsed, **engine_options)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise StorageError(
                f"storage URL {parsed.render_as_string(hide_password=True)!r}:"
                " use the psycopg driver",
                hint="write postgresql+psycopg://user@host:5432/db",
            )
        options = {"pool_pre_ping": True, **engine_options}
        try:
            return sa.create_engine(parsed, **options)
        except NoSuchModuleError as exc:  # pragma: no cover - psycopg is a dependency
            raise StorageError(f"cannot load the PostgreSQL driver: {exc}") from None
    raise StorageError(
        f"storage URL {parsed.render_as_string(hide_password=True)!r}: unsupported database"
        f" {backend!r}",
        hint="use sqlite:///path/to/node.db or postgresql+psycopg://user@host:5432/db",
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let the engine, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get(_WRITE_OPTION):
            # Per transaction: the pooled connection may have served a relaxed one before.
            relaxed = bool(options.get(_RELAXED_OPTION))
            connection.exec_driver_sql(f"PRAGMA synchronous = {'NORMAL' if relaxed else 'FULL'}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_transaction(engine: Engine, *, durable: bool = True) -> Iterator[Connection]:
    """A transaction for writing: committed when the block ends, rolled back on error.

    On SQLite it starts with ``BEGIN IMMEDIATE`` (the write lock is taken
    first); on PostgreSQL writers serialise on the ``node_clock`` row instead
    (see ``_objects.lock_clock``).

    ``durable=False`` commits without waiting for the disk: on SQLite with
    ``synchronous=NORMAL``, on PostgreSQL with ``synchronous_commit = off`` for
    this transaction only. Either way the commit survives a crash or
    ``kill -9`` of the node (the database holds it), but not a power loss or
    an operating-system crash (on PostgreSQL: a crash of the database server)
    in the instant after it; the next durable commit, or a checkpoint, makes
    it durable. It saves an fsync, about 2 ms on PostgreSQL and 5 ms on SQLite.
    The node uses it for audit records of reads and for viewer sessions only
    (docs/adr/0006-partner-access.md).
    """
    options = {_WRITE_OPTION: True, _RELAXED_OPTION: not durable}
    with (
        engine.connect().execution_options(**options) as connection,
        connection.begin(),
    ):
        if not durable and not is_sqlite(connection):
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        yield connection


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A read-only unit of work (one consistent snapshot per statement or better).

    On PostgreSQL the statements run in autocommit mode: at the default READ
    COMMITTED level every statement takes its own snapshot whether or not a
    transaction encloses it, so ``BEGIN`` and ``COMMIT`` would add two round
    trips to the database and nothing else. On SQLite a read transaction keeps
    one snapshot for all its statements (WAL mode).
    """
    if is_sqlite(engine):
        with engine.connect() as connection, connection.begin():
            yield connection
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection
