"""Schema migration 4: the ``is_last`` flag, and one redundant index less.

Implements "Performance" of docs/adr/0004-sql-storage.md:

* ``objects`` gains ``is_last``: true on the latest version of each object
  (highest ``spec_version``, then highest ``version_key``). Rows stored before
  this step get it computed here; from then on ``_objects.insert_objects`` and
  ``_objects.delete_objects`` keep it right in the same transaction.
* the index ``ix_objects_collection_id_spec`` is dropped: the unique index on
  ``(collection, object_id, version_key)`` serves the same lookups.

The column is added only when missing: step 1 creates ``objects`` from its
latest definition, so a new database already has it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage import _tables as t
from infoshare_server.storage._engine import is_sqlite
from infoshare_server.storage._objects import refresh_last


def apply_latest_flag(connection: Connection) -> None:
    """Migration 4 (runs inside the migration transaction)."""
    present = {column["name"] for column in sa.inspect(connection).get_columns("objects")}
    if "is_last" not in present:
        default = "0" if is_sqlite(connection) else "false"
        connection.execute(
            sa.text(f"ALTER TABLE objects ADD COLUMN is_last BOOLEAN NOT NULL DEFAULT {default}")
        )
    connection.execute(sa.text("DROP INDEX IF EXISTS ix_objects_collection_id_spec"))
    for collection_pk in connection.execute(sa.select(t.collections.c.pk)).scalars():
        refresh_last(connection, int(collection_pk))
