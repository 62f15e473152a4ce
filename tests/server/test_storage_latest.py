"""The ``is_last`` flag (migration 4) stays right through inserts and deletes.

Reads use it instead of per-row subqueries (docs/adr/0004-sql-storage.md,
Performance), so a wrong flag would serve a wrong "latest" version. Checked on
SQLite and PostgreSQL against a model computed in Python.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from conftest import unique_roots
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from infoshare_server.storage import ObjectQuery, Store, delete_objects, insert_objects
from infoshare_server.storage import _tables as t
from infoshare_server.storage._objects import NewObject, select_objects
from infoshare_server.storage._time import version_key

IDS = tuple(f"indicator--0000000{i}-0000-4000-8000-000000000000" for i in range(3))
TIMES = tuple(f"2026-03-0{day}T12:00:00.000Z" for day in range(1, 5))

_insert = st.tuples(
    st.just("insert"), st.sampled_from(IDS), st.sampled_from(("2.0", "2.1")),
    st.sampled_from(TIMES),
)  # fmt: skip
_delete = st.tuples(st.just("delete"), st.sampled_from(IDS), st.sampled_from((None, *TIMES)))
OPERATIONS = st.lists(st.one_of(_insert, _insert, _delete), min_size=1, max_size=14)


def _new(object_id: str, spec_version: str, modified: str) -> NewObject:
    body = f'{{"type":"indicator","id":"{object_id}","modified":"{modified}"}}'
    return NewObject(object_id, "indicator", modified, version_key(modified), spec_version, body)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_the_latest_flag_follows_inserts_and_deletes(
    storage_url: str, operations: list[tuple[str, str, str | None]]
) -> None:
    store = Store.open(storage_url)
    try:
        key = next(iter(store.sync_catalogue(unique_roots("stix")).collections.values()))
        pk = key.collection_pk
        #: The model: object id -> {version_key: spec_version}.
        model: dict[str, dict[str, str]] = {}
        for operation in operations:
            if operation[0] == "insert":
                _, object_id, spec_version, modified = operation
                assert modified is not None
                batch = [_new(object_id, spec_version, modified)]
                with store.writing() as connection:
                    insert_objects(connection, pk, batch, datetime.now(UTC))
                model.setdefault(object_id, {}).setdefault(version_key(modified), spec_version)
            else:
                _, object_id, modified = operation
                versions = ("all",) if modified is None else (version_key(modified),)
                query = ObjectQuery(
                    ids=(object_id,), versions=versions, spec_versions=("2.0", "2.1")
                )
                with store.writing() as connection:
                    delete_objects(connection, pk, query)
                kept = model.get(object_id, {})
                if modified is None:
                    kept.clear()
                else:
                    kept.pop(version_key(modified), None)
            expected = {
                (object_id, max((spec, key) for key, spec in versions.items())[1])
                for object_id, versions in model.items()
                if versions
            }
            o = t.objects
            with store.reading() as connection:
                flagged = {
                    (row.object_id, row.version_key)
                    for row in connection.execute(
                        sa.select(o.c.object_id, o.c.version_key).where(
                            o.c.collection_pk == pk, o.c.is_last
                        )
                    )
                }
                served = select_objects(connection, pk, ObjectQuery(), with_body=False)
            assert flagged == expected
            assert {(row.object_id, version_key(row.version)) for row in served} == expected
    finally:
        store.close()
