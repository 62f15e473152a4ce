"""The node's database as one object: an engine, its schema, its catalogue.

Implements the entry point of docs/adr/0004-sql-storage.md. A :class:`Store`
owns its engine; several stores (tests, tools) can exist side by side. No
module-level state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from infoshare_server.errors import StorageError
from infoshare_server.storage._catalogue import ApiRootSettings, Catalogue, sync_catalogue
from infoshare_server.storage._engine import create_engine, read_transaction, write_transaction
from infoshare_server.storage._migrations import migrate, schema_lock
from infoshare_server.storage._statistics import Statistics


class Store:
    """A migrated database. Build it with :meth:`open` (URL) or from an engine."""

    def __init__(self, engine: Engine, *, migrate_schema: bool = True) -> None:
        self.engine = engine
        self.schema_version = migrate(engine) if migrate_schema else 0
        #: Planner statistics (docs/adr/0004-sql-storage.md, Performance).
        self.statistics = Statistics(engine)
        if migrate_schema:
            self.statistics.refresh()

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect to ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``) and migrate."""
        return cls(create_engine(url))

    def sync_catalogue(self, roots: Sequence[ApiRootSettings]) -> Catalogue:
        """Write the configured API roots and collections; their database keys."""
        try:
            with write_transaction(self.engine) as connection:
                schema_lock(connection)
                return sync_catalogue(connection, roots)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot store the API roots and collections: {exc}") from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection in a read transaction."""
        with read_transaction(self.engine) as connection:
            yield connection

    @contextmanager
    def writing(self, *, durable: bool = True) -> Iterator[Connection]:
        """A connection in a write transaction, committed when the block ends.

        ``durable=False``: see :func:`~infoshare_server.storage._engine.write_transaction`.
        """
        with write_transaction(self.engine, durable=durable) as connection:
            yield connection

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
