"""A temporary on-disk database where cross-object checks put what outgrows memory.

Supports the requirement that memory stays bounded while streaming a very
large bundle (spec/profile/14-conformance.md §14.1, docs/adr/0005-bounded-memory.md).
Each cross-object check of a validation run has one :class:`SpillDatabase`:
a private SQLite database (standard library), opened only when the check
first passes ``ValidationOptions.spill_threshold``, kept in a temporary file
that SQLite deletes when the run closes it. Rows are written in batches
(:class:`RowBuffer`), about 1.2 µs a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

from infoshare.errors import InfoshareError

if TYPE_CHECKING:
    import sqlite3  # imported when first needed: most runs never spill (about 2 MB)

#: Rows a :class:`RowBuffer` collects before writing them in one statement.
BATCH_ROWS: Final = 5_000
#: Page cache of the database, in KiB (SQLite's default is about 2 MB too).
CACHE_KIB: Final = 4_096
_PRAGMAS: Final = ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE",
                   f"cache_size = -{CACHE_KIB}")  # fmt: skip


@contextmanager
def _explained() -> Iterator[None]:
    """Turn a failure of the database (a full disk, say) into an error a user can act on."""
    import sqlite3

    try:
        yield
    except sqlite3.Error as exc:
        raise InfoshareError(
            f"the validator's temporary spill database failed ({exc})",
            hint="free space in the temporary directory (SQLITE_TMPDIR or TMPDIR), or "
            "validate with a larger spill_threshold (more memory, less disk)",
        ) from exc


class SpillDatabase:
    """The spill store of one validation run; nothing is created until it is used."""

    __slots__ = ("_connection",)

    def __init__(self) -> None:
        self._connection: sqlite3.Connection | None = None

    @property
    def opened(self) -> bool:
        return self._connection is not None

    def _database(self) -> sqlite3.Connection:
        """The database, opened on first use (an empty name makes SQLite use a temp file)."""
        if self._connection is None:
            import sqlite3

            with _explained():
                connection = sqlite3.connect("", isolation_level=None)
                for pragma in _PRAGMAS:
                    connection.execute(f"PRAGMA {pragma}")
            self._connection = connection
        return self._connection

    def buffer(self, table: str, columns: Sequence[str]) -> RowBuffer:
        """A batched writer of rows into ``table`` (created here with ``columns``)."""
        self.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
        return RowBuffer(self, table, len(columns))

    def execute(self, sql: str) -> None:
        """Run one statement that returns nothing (``CREATE INDEX ...`` before a query)."""
        database = self._database()
        with _explained():
            database.execute(sql)

    def insert(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Run ``sql`` once per row, in one transaction."""
        database = self._database()
        with _explained():
            database.execute("BEGIN")
            database.executemany(sql, rows)
            database.execute("COMMIT")

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> Iterable[tuple[Any, ...]]:
        """Rows of a query, fetched lazily."""
        database = self._database()
        with _explained():
            return database.execute(sql, parameters)

    def close(self) -> None:
        """Close and delete the database (safe to call when it was never opened)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class RowBuffer:
    """Rows waiting to be written to one table of a :class:`SpillDatabase`."""

    __slots__ = ("_rows", "_spill", "_sql")

    def __init__(self, spill: SpillDatabase, table: str, width: int) -> None:
        self._spill = spill
        self._sql = f"INSERT INTO {table} VALUES ({', '.join('?' * width)})"
        self._rows: list[tuple[Any, ...]] = []

    def append(self, row: tuple[Any, ...]) -> None:
        self._rows.append(row)
        if len(self._rows) >= BATCH_ROWS:
            self.flush()

    def extend(self, rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            self.append(row)

    def flush(self) -> None:
        """Write the waiting rows (call before reading the table)."""
        if self._rows:
            self._spill.insert(self._sql, self._rows)
            self._rows.clear()
