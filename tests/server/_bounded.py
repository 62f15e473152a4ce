"""What a request made the database do: its statements, and the rows each one read.

For the bounded-work tests (tests/server/test_bounded_*.py,
docs/adr/0020-bounded-work.md): :func:`statements` records the SELECTs run on
an engine; :func:`explained_rows` re-runs one under PostgreSQL's
``EXPLAIN (ANALYZE, FORMAT JSON)`` and returns the rows its scans read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


@contextmanager
def statements(engine: sa.engine.Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements run on ``engine`` inside the block, with parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "objects" in statement:
            seen.append((statement, params))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def rows_examined(plan: dict[str, Any]) -> int:
    """Rows of a table (or of its index, for an index-only scan) that a PostgreSQL plan
    node and its children read: returned plus filtered out. Only nodes that read a
    relation count, so a bitmap's index and heap steps are not counted twice."""
    own = 0
    if "Relation Name" in plan:
        read = int(plan.get("Actual Rows", 0)) + int(plan.get("Rows Removed by Filter", 0))
        own = (read + int(plan.get("Rows Removed by Index Recheck", 0))) * int(
            plan.get("Actual Loops", 1)
        )
    return own + sum(rows_examined(child) for child in plan.get("Plans", []))


def explained_rows(raw: Any, statement: str, params: Any) -> int:
    """Rows read by ``statement`` on the PostgreSQL connection ``raw`` (psycopg)."""
    with raw.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
        (plan,) = cursor.fetchone()
    return rows_examined(plan[0]["Plan"])
