"""Planner statistics kept fresh: ``ANALYZE`` after migrations and as collections grow.

Implements "Performance" of docs/adr/0004-sql-storage.md. Without
statistics both databases may answer a lookup by id by walking the whole
collection in ``seq`` order; the queries are written not to depend on that
(``_objects._seq_order``), and the statistics are refreshed as well:

* when a :class:`~infoshare_server.storage.Store` opens (after migrations);
* after an ingest, once this process has added a quarter of the objects the
  node held at the last refresh (at least :data:`MIN_GROWTH` rows).

The cost is bounded: SQLite samples at most :data:`SQLITE_ANALYSIS_LIMIT`
index entries per index (``PRAGMA analysis_limit``), PostgreSQL samples a
fixed number of rows (``default_statistics_target``), whatever the size.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from infoshare_server.storage import _tables as t
from infoshare_server.storage._engine import is_sqlite, write_transaction

log = logging.getLogger(__name__)

#: Rows an ingest must add (in this process) before the next refresh, at least.
MIN_GROWTH = 10_000
#: Index entries SQLite's ANALYZE reads per index (0 would mean all of them).
SQLITE_ANALYSIS_LIMIT = 1000


class Statistics:
    """When to refresh the planner statistics of one database, per process."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._added = 0
        self._threshold = MIN_GROWTH

    def added(self, rows: int) -> None:
        """Note that ``rows`` objects were stored; refresh when the node grew enough."""
        self._added += rows
        if self._added >= self._threshold:
            self.refresh()

    def refresh(self) -> None:
        """Run a bounded ``ANALYZE`` of the tables every read depends on.

        A failure is logged, not raised: statistics only make queries faster.
        """
        self._added = 0
        try:
            with write_transaction(self._engine) as connection:
                size = connection.execute(sa.select(t.node_clock.c.last_seq)).scalar() or 0
                if is_sqlite(connection):
                    connection.exec_driver_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
                    connection.exec_driver_sql("ANALYZE")
                else:
                    connection.exec_driver_sql("ANALYZE objects")
                    connection.exec_driver_sql("ANALYZE grants")
        except SQLAlchemyError as exc:
            log.warning("could not refresh the planner statistics: %s", exc)
            return
        self._threshold = max(MIN_GROWTH, int(size) // 4)
