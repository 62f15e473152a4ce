"""Schema migration 6: each version's origin, and private namespaces.

Implements the storage side of docs/adr/0012-originator-control.md:

* ``objects`` gains ``origin``, the organisation a version came from. Rows
  stored before this step get their submitter when it is a partner of the
  node, ``"remote:<name>"`` when they arrived by sync from a remote without a
  partner record (their provenance says which), and ``"@local"`` (the node's
  own organisation) otherwise: operator posts, and rows older than partner
  access, which only the node's operators could have written.
* ``objects`` gains ``namespace`` (``""`` for every existing row) and the
  unique key becomes (collection, id, version, namespace), so an
  organisation's private copy of an id it cannot see never collides with the
  shared row. PostgreSQL changes the constraint in place. SQLite cannot drop
  a table constraint, so the table is rebuilt: copied into a new table, the
  old one dropped, the new one renamed; ``provenance`` rows (which cascade
  with ``objects``) are kept aside and put back, and the indexes recreated.

A new database already has both columns (step 1 creates ``objects`` from its
latest definition); then only the origin back-fill runs (on no rows, in practice).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage._engine import is_sqlite

#: The origin of a version the node's own organisation (an operator) stored.
LOCAL_ORIGIN = "@local"
#: The origin of a version pulled from remote ``name`` without a partner record.
REMOTE_ORIGIN_PREFIX = "remote:"

_ORIGIN_OF_OLD_ROWS = (
    "CASE WHEN submitter IN (SELECT partner_id FROM partners) THEN submitter"
    " WHEN EXISTS (SELECT 1 FROM provenance p WHERE p.seq = objects.seq)"
    " THEN 'remote:' || (SELECT p.remote FROM provenance p WHERE p.seq = objects.seq)"
    " ELSE '@local' END"
)

#: ``objects`` as of schema version 6, for the SQLite rebuild (a shipped step never
#: reads the latest table definition, which later steps may change).
_SQLITE_OBJECTS_V5 = """
CREATE TABLE objects_v5 (
    seq BIGINT NOT NULL,
    collection_pk INTEGER NOT NULL,
    object_id TEXT NOT NULL,
    object_type TEXT NOT NULL,
    version TEXT NOT NULL,
    version_key TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    date_added TEXT NOT NULL,
    body TEXT NOT NULL,
    tlp TEXT,
    submitter TEXT,
    is_last BOOLEAN DEFAULT 0 NOT NULL,
    origin TEXT DEFAULT '@local' NOT NULL,
    namespace TEXT DEFAULT '' NOT NULL,
    PRIMARY KEY (seq),
    CONSTRAINT uq_objects_collection_id_version
        UNIQUE (collection_pk, object_id, version_key, namespace),
    FOREIGN KEY(collection_pk) REFERENCES collections (pk)
)"""
_OLD_COLUMNS = (
    "seq, collection_pk, object_id, object_type, version, version_key, spec_version,"
    " date_added, body, tlp, submitter, is_last"
)
_INDEXES = (
    "CREATE INDEX ix_objects_collection_seq ON objects (collection_pk, seq)",
    "CREATE INDEX ix_objects_collection_type_seq ON objects (collection_pk, object_type, seq)",
    "CREATE INDEX ix_objects_collection_date_added ON objects (collection_pk, date_added)",
)
_PRIVATE_INDEX = (
    "CREATE INDEX ix_objects_private ON objects (namespace, collection_pk, object_id)"
    " WHERE namespace != ''"
)


def apply_origin(connection: Connection) -> None:
    """Migration 6 (runs inside the migration transaction)."""
    present = {column["name"] for column in sa.inspect(connection).get_columns("objects")}
    if "namespace" in present:
        # Step 1 created the latest form: only fill in origins (of no rows, in practice).
        connection.exec_driver_sql(f"UPDATE objects SET origin = {_ORIGIN_OF_OLD_ROWS}")
        return
    if is_sqlite(connection):
        _rebuild_sqlite(connection)
    else:
        _alter_postgresql(connection)


def _rebuild_sqlite(connection: Connection) -> None:
    run = connection.exec_driver_sql
    run(_SQLITE_OBJECTS_V5)
    run(
        f"INSERT INTO objects_v5 ({_OLD_COLUMNS}, origin, namespace)"
        f" SELECT {_OLD_COLUMNS}, {_ORIGIN_OF_OLD_ROWS}, '' FROM objects"
    )
    # DROP TABLE deletes the rows first, and provenance cascades with them: keep it aside.
    run("CREATE TEMP TABLE provenance_v5 AS SELECT * FROM provenance")
    for name in ("ix_objects_collection_seq", "ix_objects_collection_type_seq",
                 "ix_objects_collection_date_added"):  # fmt: skip
        run(f"DROP INDEX IF EXISTS {name}")
    run("DROP TABLE objects")
    run("ALTER TABLE objects_v5 RENAME TO objects")
    for statement in (*_INDEXES, _PRIVATE_INDEX):
        run(statement)
    run(
        "INSERT INTO provenance (seq, remote, remote_collection, arrived_at)"
        " SELECT seq, remote, remote_collection, arrived_at FROM provenance_v5"
    )
    run("DROP TABLE provenance_v5")


def _alter_postgresql(connection: Connection) -> None:
    run = connection.exec_driver_sql
    run("ALTER TABLE objects ADD COLUMN origin TEXT NOT NULL DEFAULT '@local'")
    run("ALTER TABLE objects ADD COLUMN namespace TEXT NOT NULL DEFAULT ''")
    run(f"UPDATE objects SET origin = {_ORIGIN_OF_OLD_ROWS}")
    run("ALTER TABLE objects DROP CONSTRAINT uq_objects_collection_id_version")
    run(
        "ALTER TABLE objects ADD CONSTRAINT uq_objects_collection_id_version"
        " UNIQUE (collection_pk, object_id, version_key, namespace)"
    )
    run(_PRIVATE_INDEX)
