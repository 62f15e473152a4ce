"""Schema migrations and the catalogue: idempotent, safe when workers start together."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa
from infoshare_server.errors import StorageError
from infoshare_server.storage import (
    LATEST_VERSION,
    MIGRATIONS,
    ApiRootSettings,
    CollectionSettings,
    Migration,
    Store,
    create_engine,
    migrate,
)
from infoshare_server.storage import _tables as t


def _versions(engine: sa.Engine) -> list[int]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(t.schema_version.c.version).order_by(t.schema_version.c.version)
            ).scalars()
        )


def test_migrate_is_idempotent(fresh_storage_url: str) -> None:
    engine = create_engine(fresh_storage_url)
    try:
        assert migrate(engine) == LATEST_VERSION
        assert migrate(engine) == LATEST_VERSION
        assert _versions(engine) == [m.version for m in MIGRATIONS]
        names = set(sa.inspect(engine).get_table_names())
        assert {table.name for table in t.VERSION_1_TABLES} <= names
        with engine.connect() as connection:
            clock = connection.execute(sa.select(t.node_clock)).all()
        assert [tuple(row) for row in clock] == [(1, 0, None)]
    finally:
        engine.dispose()


def test_a_new_step_runs_once_and_a_failing_step_leaves_nothing(fresh_storage_url: str) -> None:
    engine = create_engine(fresh_storage_url)
    calls: list[int] = []

    def add_note_table(connection: sa.Connection) -> None:
        calls.append(1)
        connection.execute(sa.text("CREATE TABLE migration_note (id INTEGER PRIMARY KEY)"))

    def broken(connection: sa.Connection) -> None:
        connection.execute(sa.text("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"))
        raise sa.exc.OperationalError("step 3", {}, Exception("simulated failure"))

    try:
        migrate(engine)
        steps = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "note table", add_note_table))
        assert migrate(engine, steps) == LATEST_VERSION + 1
        assert migrate(engine, steps) == LATEST_VERSION + 1
        assert calls == [1]
        failing = (*steps, Migration(LATEST_VERSION + 2, "broken", broken))
        with pytest.raises(StorageError, match="schema"):
            migrate(engine, failing)
        assert _versions(engine)[-1] == LATEST_VERSION + 1
        assert "half_done" not in sa.inspect(engine).get_table_names()
        # a database newer than the code is refused, not downgraded
        with pytest.raises(StorageError, match="newer"):
            migrate(engine)
    finally:
        engine.dispose()


_STARTER = textwrap.dedent(
    """
    import sys
    from infoshare_server.storage import ApiRootSettings, CollectionSettings, Store
    store = Store.open(sys.argv[1])
    roots = [ApiRootSettings("fimi", "Cases", collections=(
        CollectionSettings("3f0c2b1a-9d8e-4f7a-8b6c-5d4e3f2a1b0c", "Cases"),))]
    (key,) = store.sync_catalogue(roots).collections.values()
    print(store.schema_version, key.collection_pk)
    store.close()
    """
)


def test_workers_starting_together_migrate_once(fresh_storage_url: str) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _STARTER, fresh_storage_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(out.split())
    assert len({tuple(r) for r in results}) == 1  # same version, same collection key
    assert results[0][0] == str(LATEST_VERSION)
    engine = create_engine(fresh_storage_url)
    try:
        assert _versions(engine) == [m.version for m in MIGRATIONS]
        with engine.connect() as connection:
            assert (
                connection.execute(sa.select(sa.func.count()).select_from(t.collections)).scalar()
                == 1
            )
    finally:
        engine.dispose()


def test_catalogue_sync_updates_in_place(fresh_storage_url: str) -> None:
    store = Store.open(fresh_storage_url)
    try:
        first = store.sync_catalogue(
            [ApiRootSettings("fimi", "Cases", collections=(CollectionSettings("c-1", "Old"),))]
        )
        second = store.sync_catalogue(
            [
                ApiRootSettings(
                    "fimi",
                    "Cases, renamed",
                    collections=(
                        CollectionSettings("c-1", "New title", mode="stix"),
                        CollectionSettings("c-2", "Another"),
                    ),
                )
            ]
        )
        assert first.roots == second.roots
        c1 = ("fimi", "c-1")
        assert first.collections[c1].collection_pk == second.collections[c1].collection_pk
        with store.reading() as connection:
            rows = connection.execute(
                sa.select(
                    t.collections.c.collection_id, t.collections.c.title, t.collections.c.mode
                ).order_by(t.collections.c.collection_id)
            ).all()
        assert [tuple(r) for r in rows] == [
            ("c-1", "New title", "stix"),
            ("c-2", "Another", "profile"),
        ]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/db", "unsupported database"),
        ("postgresql+psycopg2://postgres@127.0.0.1/db", "psycopg driver"),
        ("sqlite://", "SQLite file"),
        ("sqlite:///:memory:", "SQLite file"),
        ("not a url", "cannot be read"),
    ],
)
def test_unsupported_storage_urls_are_clear_errors(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        create_engine(url)


def test_sqlite_runs_durable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'node.db'}")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
        assert pragma["journal_mode"] == "wal"
        assert pragma["synchronous"] == 2  # FULL
        assert pragma["foreign_keys"] == 1
        assert pragma["busy_timeout"] >= 1000
    finally:
        engine.dispose()


def test_relaxed_writes_skip_only_their_own_fsync(storage_url: str) -> None:
    """A relaxed transaction (read audit entries) does not wait for the disk; the next
    durable one on the same pooled connection does again."""
    store = Store.open(storage_url)
    try:
        with store.writing(durable=False) as connection:
            relaxed = _commit_setting(connection)
        with store.writing() as connection:
            durable = _commit_setting(connection)
        if storage_url.startswith("sqlite"):
            assert (relaxed, durable) == ("1", "2")  # NORMAL, then FULL
        else:
            assert (relaxed, durable) == ("off", "on")
    finally:
        store.close()


def _commit_setting(connection: sa.Connection) -> str:
    if connection.dialect.name == "sqlite":
        return str(connection.exec_driver_sql("PRAGMA synchronous").scalar())
    return str(connection.exec_driver_sql("SHOW synchronous_commit").scalar())


def test_a_forked_worker_opens_its_own_connections(storage_url: str) -> None:
    """gunicorn forks workers after the app may have connected: both sides keep working."""
    store = Store.open(storage_url)
    try:
        with store.reading() as connection:
            assert connection.execute(sa.select(sa.literal(1))).scalar() == 1
        pid = os.fork()
        if pid == 0:  # the child: must not reuse the parent's pooled connection
            code = 1
            try:
                with store.reading() as connection:
                    code = 0 if connection.execute(sa.select(sa.literal(2))).scalar() == 2 else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        with store.reading() as connection:
            assert connection.execute(sa.select(sa.literal(3))).scalar() == 3
    finally:
        store.close()
