"""Migration 6 (originator control): origins of older rows, namespaces, kept provenance.

docs/adr/0012-originator-control.md: a database of schema version 4 with rows
posted by a partner, by an operator, pulled with and without a partner record,
and stored before partner access, is brought to version 6 on SQLite (a table
rebuild) and PostgreSQL (the constraint changed in place) without losing a row
or a provenance record; the unique key then includes the namespace.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from infoshare_server.storage import MIGRATIONS, create_engine, migrate
from infoshare_server.storage import _sync_tables as st
from infoshare_server.storage import _tables as t

_ROWS = {
    # seq: (submitter, pulled from)
    1: ("jp", None),  # a partner's POST
    2: ("admin", None),  # an operator account's POST (not a partner)
    3: ("ph", "ph-node"),  # pulled with a partner record
    4: (None, "th-node"),  # pulled from a remote without a partner record
    5: (None, None),  # stored before partner access
}


#: ``objects`` as schema version 4 made it (step 1 of today's code creates the latest form).
_V4_OBJECTS = """CREATE TABLE objects (
    seq BIGINT NOT NULL, collection_pk INTEGER NOT NULL, object_id TEXT NOT NULL,
    object_type TEXT NOT NULL, version TEXT NOT NULL, version_key TEXT NOT NULL,
    spec_version TEXT NOT NULL, date_added TEXT NOT NULL, body TEXT NOT NULL, tlp TEXT,
    submitter TEXT, is_last BOOLEAN DEFAULT false NOT NULL, PRIMARY KEY (seq),
    CONSTRAINT uq_objects_collection_id_version UNIQUE (collection_pk, object_id, version_key),
    FOREIGN KEY(collection_pk) REFERENCES collections (pk))"""


def _old_database(engine: sa.Engine) -> None:
    migrate(engine, MIGRATIONS[:4])
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run("DROP TABLE provenance")
        run("DROP TABLE objects")
        run(_V4_OBJECTS)
        for statement in (
            "CREATE INDEX ix_objects_collection_seq ON objects (collection_pk, seq)",
            "CREATE INDEX ix_objects_collection_type_seq"
            " ON objects (collection_pk, object_type, seq)",
            "CREATE INDEX ix_objects_collection_date_added ON objects (collection_pk, date_added)",
        ):
            run(statement)
        st.provenance.create(connection)
        run("INSERT INTO api_roots (pk, name, title, description) VALUES (1, 'r', 'r', '')")
        run(
            "INSERT INTO collections (pk, api_root_pk, collection_id, title, mode)"
            " VALUES (1, 1, 'c', 'c', 'stix')"
        )
        for partner in ("jp", "ph"):
            connection.execute(
                sa.insert(t.partners).values(
                    partner_id=partner, name=partner, is_admin=False, clearance="green",
                    created_at="2026-01-01T00:00:00.000000Z",
                )
            )  # fmt: skip
        for seq, (submitter, remote) in _ROWS.items():
            connection.execute(
                sa.text(
                    "INSERT INTO objects (seq, collection_pk, object_id, object_type, version,"
                    " version_key, spec_version, date_added, body, tlp, submitter, is_last)"
                    " VALUES (:seq, 1, :id, 'note', 'v', :key, '2.1', :added, '{}', 'green',"
                    " :submitter, :last)"
                ),
                {
                    "seq": seq, "id": f"note--{seq}", "key": f"k{seq}",
                    "added": f"2026-01-01T00:00:0{seq}.000000Z", "submitter": submitter,
                    "last": True,
                },
            )  # fmt: skip
            if remote is not None:
                connection.execute(
                    sa.insert(st.provenance).values(
                        seq=seq, remote=remote, remote_collection="https://x/c/",
                        arrived_at=f"2026-01-01T00:00:0{seq}.000000Z",
                    )
                )  # fmt: skip


def test_migration_5_records_origins_and_keeps_every_row(fresh_storage_url: str) -> None:
    engine = create_engine(fresh_storage_url)
    try:
        _old_database(engine)
        assert migrate(engine) == MIGRATIONS[-1].version
        o = t.objects
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(o.c.seq, o.c.origin, o.c.namespace, o.c.is_last, o.c.submitter)
            ).all()
            provenance = connection.execute(
                sa.select(st.provenance.c.seq, st.provenance.c.remote)
            ).all()
            indexes = {index["name"] for index in sa.inspect(connection).get_indexes("objects")}
        assert sorted((r.seq, r.origin) for r in rows) == [
            (1, "jp"),
            (2, "@local"),
            (3, "ph"),
            (4, "remote:th-node"),
            (5, "@local"),
        ]
        assert {r.namespace for r in rows} == {""}
        assert all(r.is_last for r in rows)
        assert sorted(provenance) == [(3, "ph-node"), (4, "th-node")]
        assert {
            "ix_objects_collection_seq",
            "ix_objects_collection_type_seq",
            "ix_objects_collection_date_added",
            "ix_objects_private",
        } <= indexes

        new_row = {
            "collection_pk": 1, "object_id": "note--1", "object_type": "note", "version": "v",
            "version_key": "k1", "spec_version": "2.1", "date_added": "d", "body": "{}",
        }  # fmt: skip
        with engine.begin() as connection:  # the same id and version in a private namespace
            connection.execute(sa.insert(o).values(seq=6, namespace="ph", origin="ph", **new_row))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(sa.insert(o).values(seq=7, namespace="ph", origin="ph", **new_row))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(sa.insert(o).values(seq=8, **new_row))
        with engine.begin() as connection:  # provenance still cascades with its object
            connection.execute(sa.delete(o).where(o.c.seq == 4))
            left = connection.execute(sa.select(st.provenance.c.seq)).scalars().all()
        assert left == [3]
    finally:
        engine.dispose()
