"""Schema migration 2: partners, credentials, grants, audit trail, TLP columns.

Implements the storage side of docs/adr/0006-partner-access.md:

* ``objects`` gains ``tlp`` (the TLP level, see ``_tlp_levels``)
  and ``submitter`` (the partner that added the version); rows stored before
  this step get their ``tlp`` computed from their body here, and no submitter.
* ``statuses`` gains ``partner_id``: only the partner that made the request
  (and administrators) may read a status.
* new tables ``partners``, ``credentials``, ``grants`` and ``audit_log``.
* ``audit_log`` is append-only in the database too: triggers refuse every
  UPDATE and DELETE (and TRUNCATE on PostgreSQL), so only someone who can
  drop triggers (the database owner) can alter the trail.

Columns are added only when missing: step 1 creates ``objects`` and
``statuses`` from their latest definition, so a new database already has them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage import _tables as t
from infoshare_server.storage._engine import is_sqlite
from infoshare_server.storage._tlp_levels import store_tlp_levels

_NEW_COLUMNS = (("objects", "tlp"), ("objects", "submitter"), ("statuses", "partner_id"))

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
_POSTGRES_TRIGGERS = (
    "CREATE FUNCTION infoshare_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION infoshare_audit_append_only()",
)


def apply_access_schema(connection: Connection) -> None:
    """Migration 2 (runs inside the migration transaction)."""
    inspector = sa.inspect(connection)
    for table_name, column_name in _NEW_COLUMNS:
        present = {column["name"] for column in inspector.get_columns(table_name)}
        if column_name not in present:
            column = t.metadata.tables[table_name].c[column_name]
            connection.execute(
                sa.text(f"ALTER TABLE {table_name} ADD COLUMN {column_name} TEXT NULL")
            )
            assert column.nullable
    t.metadata.create_all(connection, tables=list(t.VERSION_2_TABLES))
    for statement in _SQLITE_TRIGGERS if is_sqlite(connection) else _POSTGRES_TRIGGERS:
        connection.execute(sa.text(statement))
    store_tlp_levels(connection, only_unset=True)
