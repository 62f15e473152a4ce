"""A time limit on every database statement of a worker, so a slow query cannot hold it forever.

Implements the "request timeouts" of the partner-trust issue
(docs/operator-guide.md, "Rate limits and timeouts"), for the two databases
of docs/adr/0004-sql-storage.md:

* PostgreSQL: every connection runs ``SET statement_timeout``; the server
  cancels a statement that runs longer.
* SQLite: a progress handler aborts a statement that runs longer (SQLite has
  no statement timeout of its own), and the busy timeout (how long a
  statement waits for another writer's lock) is set to the same limit.

It is applied to a worker's engine only, after the master process has
migrated the schema: a migration may take as long as it needs. A request
whose statement is cancelled is answered 503 with ``Retry-After``
(:func:`register_database_errors`), not 500.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from infoshare_server.http.errors import internal_error, taxii_error

log = logging.getLogger(__name__)

#: SQLite virtual-machine steps between two looks at the clock.
_SQLITE_STEPS = 10_000


def apply_statement_timeout(engine: Engine, seconds: float) -> None:
    """Limit every statement on ``engine`` to ``seconds`` (0: no limit).

    Connections already in the pool are dropped, so every connection used
    afterwards has the limit.
    """
    if seconds <= 0:
        return
    milliseconds = max(1, round(seconds * 1000))
    if engine.dialect.name == "postgresql":
        _postgresql(engine, milliseconds)
    elif engine.dialect.name == "sqlite":
        _sqlite(engine, seconds, milliseconds)
    else:  # pragma: no cover - create_engine accepts only these two
        raise ValueError(f"no statement timeout for {engine.dialect.name}")
    engine.dispose()


def _postgresql(engine: Engine, milliseconds: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(milliseconds)}")
        dbapi_connection.commit()


def _sqlite(engine: Engine, seconds: float, milliseconds: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(
        connection: Connection,
        _cursor: Any,
        _statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        deadline = time.monotonic() + seconds

        def _over_time() -> int:
            return 1 if time.monotonic() > deadline else 0

        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection is not None:
            dbapi_connection.set_progress_handler(_over_time, _SQLITE_STEPS)


def is_statement_timeout(error: BaseException) -> bool:
    """True if ``error`` is a statement this module cancelled (on either database)."""
    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    if type(original).__name__ == "QueryCanceled":  # psycopg: statement_timeout
        return True
    return "interrupted" in str(original).lower()  # sqlite3: the progress handler


def _database_error(error: OperationalError) -> Response:
    if not is_statement_timeout(error):
        return internal_error(error)
    log.warning("a database statement took too long and was cancelled: %s", request.path)
    return taxii_error(
        503,
        "Service Unavailable",
        "The node's database took too long to answer and the request was cancelled."
        " Try again later, or ask for a smaller page (limit) or fewer objects.",
        {"Retry-After": "5"},
    )


def register_database_errors(app: Flask) -> None:
    """Answer a cancelled statement with 503 and ``Retry-After``; other database errors 500."""
    app.register_error_handler(OperationalError, _database_error)
