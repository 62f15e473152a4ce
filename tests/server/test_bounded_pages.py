"""A TAXII page examines a bounded number of rows, whatever the reader may see.

docs/adr/0020-bounded-work.md, "TAXII pages": a reader who sees one row in
forty of a collection pages through it with ``next``; every page examines at
most the window (plus the page), the union of the pages is exactly the
visible rows in order, and a page that ends at its window says ``more`` with
a ``next`` token even when it holds no row. The bound is read from the
database itself: PostgreSQL's ``EXPLAIN (ANALYZE, FORMAT JSON)`` of every
statement a page ran, SQLite's query plan.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from _backend_cases import ALL, key_of
from _bounded import explained_rows, statements
from infoshare_server.backend import SqlBackend
from infoshare_server.storage import NewObject, insert_objects
from infoshare_server.storage import _tables as t
from infoshare_server.storage._engine import is_sqlite
from infoshare_server.storage._time import version_key

ROWS = 1200
#: One row in this many is visible to the reader.
SPARSE = 40
WINDOW = 100
LIMIT = 10
T0 = datetime(2026, 3, 1, tzinfo=UTC)
#: What a page that the window does not fill may examine: the window read lazily, the
#: walk to its end, and the window again up to that end (plus the pages' own rows).
MOST_EXAMINED = 3 * WINDOW + 2 * LIMIT


def _row(i: int) -> NewObject:
    object_id = f"indicator--00000000-0000-4000-8000-{i:012d}"
    kind = "indicator" if i % 3 else "note"
    body = json.dumps({"type": kind, "id": object_id, "spec_version": "2.1"})
    return NewObject(
        object_id=object_id,
        object_type=kind,
        version=None,
        version_key=None,
        spec_version="2.1",
        body=body,
        tlp="red" if i % SPARSE == 7 else "green",
    )


def _fill(backend: SqlBackend) -> tuple[str, str]:
    """ROWS rows in twelve add requests; returns the API root and collection id."""
    root, collection, key = key_of(backend)
    for batch in range(12):
        with backend.store.writing() as connection:
            per = ROWS // 12
            rows = [_row(i) for i in range(batch * per, (batch + 1) * per)]
            insert_objects(connection, key.collection_pk, rows, T0 + timedelta(minutes=batch))
    return root, collection


def _visible(kind: str | None = None) -> list[str]:
    return [
        _row(i).object_id
        for i in range(ROWS)
        if i % SPARSE == 7 and (kind is None or _row(i).object_type == kind)
    ]


def _reader(make_backend: Any, **options: Any) -> SqlBackend:
    return make_backend(visibility=lambda o: o.c.tlp == "red", max_rows_examined=WINDOW, **options)


def _page_through(
    backend: SqlBackend, root: str, collection: str, filters: dict[str, str]
) -> tuple[list[str], int, int]:
    """Every id served, the number of requests, the number of empty pages with ``more``."""
    seen: list[str] = []
    args = dict(filters)
    empty = 0
    for requests in range(1, 10 * ROWS):
        envelope, _ = backend.get_object_manifest(root, collection, args, ALL, LIMIT)
        items = envelope.get("objects", [])
        assert len(items) <= LIMIT
        seen.extend(item["id"] for item in items)
        if not envelope.get("more"):
            assert "next" not in envelope
            return seen, requests, empty
        assert envelope["next"]
        empty += not items
        args = {**filters, "next": envelope["next"]}
    raise AssertionError("paging did not end")


def test_a_sparse_reader_gets_every_visible_row_once_in_order(make_backend: Any) -> None:
    backend = _reader(make_backend)
    root, collection = _fill(backend)
    seen, requests, empty = _page_through(backend, root, collection, {})
    assert seen == _visible()
    # The pages stopped at their windows: about one request per WINDOW rows, not one per
    # LIMIT visible rows after a walk to the end of the collection.
    assert requests >= ROWS // WINDOW
    assert requests <= ROWS // WINDOW + len(_visible()) // LIMIT + 2
    assert empty == 0  # one visible row in 40 leaves no window of 100 empty
    one_type, _, _ = _page_through(backend, root, collection, {"match[type]": "note"})
    assert one_type == _visible("note")
    two_types, _, _ = _page_through(backend, root, collection, {"match[type]": "note,indicator"})
    assert two_types == _visible()
    # The date_added of the sixth add request (the node's clock, not T0, decides it).
    with backend.store.reading() as connection:
        later = connection.execute(
            sa.select(t.objects.c.date_added).where(
                t.objects.c.collection_pk == key_of(backend)[2].collection_pk,
                t.objects.c.object_id == _row(6 * (ROWS // 12) - 1).object_id,
            )
        ).scalar_one()
    recent, _, _ = _page_through(backend, root, collection, {"added_after": later})
    assert recent == [i for i in _visible() if int(i[-12:]) >= 6 * (ROWS // 12)]


def test_a_reader_who_sees_nothing_gets_empty_pages_with_next_then_the_end(
    make_backend: Any,
) -> None:
    backend = make_backend(visibility=lambda o: o.c.tlp == "amber", max_rows_examined=WINDOW)
    root, collection = _fill(backend)
    seen, requests, empty = _page_through(backend, root, collection, {})
    assert seen == []
    # One request per window; the last window holds the end of the collection.
    assert requests == ROWS // WINDOW and empty == ROWS // WINDOW - 1
    # An envelope with nothing in it and nothing after it is the plain empty resource.
    envelope, _ = backend.get_objects(root, collection, {"added_after": "2030-01-01T00:00:00Z"},
                                      ALL, LIMIT)  # fmt: skip
    assert envelope == {}


def test_a_full_reader_gets_full_pages(make_backend: Any) -> None:
    backend = make_backend(max_rows_examined=WINDOW)
    root, collection = _fill(backend)
    seen, requests, empty = _page_through(backend, root, collection, {})
    assert len(seen) == ROWS and len(set(seen)) == ROWS
    assert requests == ROWS // LIMIT and empty == 0


def _last_page_work(backend: SqlBackend, root: str, collection: str) -> int:
    """Rows examined (PostgreSQL) by the statements of the request for the last page."""
    args: dict[str, str] = {}
    while True:
        with statements(backend.store.engine) as ran:
            envelope, _ = backend.get_object_manifest(root, collection, args, ALL, LIMIT)
        if not envelope.get("more"):
            break
        args = {"next": envelope["next"]}
    total = 0
    with backend.store.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        for statement, params in ran:
            total += explained_rows(raw, statement, params)
    return total


def test_postgresql_examines_at_most_the_window(make_backend: Any, db_kind: str) -> None:
    if db_kind != "postgresql":
        return
    bounded = _reader(make_backend)
    root, collection = _fill(bounded)
    # The tail after the last visible row is walked in windows, never at once.
    work = _last_page_work(bounded, root, collection)
    assert 0 < work <= MOST_EXAMINED, work
    # The measure can fail: without a window the same last page reads the whole tail
    # (the last visible row is 1 in 40 before the end, so the tail is small; start over
    # with a reader who sees only the first row).
    unbounded = make_backend(
        list(bounded.api_roots.values()),
        visibility=lambda o: o.c.object_id == _row(0).object_id,
        max_rows_examined=10 * ROWS,
    )
    assert _last_page_work(unbounded, root, collection) >= ROWS - 1
    windowed = make_backend(
        list(bounded.api_roots.values()),
        visibility=lambda o: o.c.object_id == _row(0).object_id,
        max_rows_examined=WINDOW,
    )
    assert _last_page_work(windowed, root, collection) <= MOST_EXAMINED


def test_sqlite_plans_search_the_window_by_index(make_backend: Any, db_kind: str) -> None:
    if db_kind != "sqlite":
        return
    backend = _reader(make_backend)
    root, collection = _fill(backend)
    first, _ = backend.get_object_manifest(root, collection, {}, ALL, LIMIT)
    for filters in ({}, {"match[type]": "note"}, {"added_after": "2026-03-01T00:03:00Z"}):
        with statements(backend.store.engine) as ran:
            backend.get_object_manifest(root, collection, {**filters}, ALL, LIMIT)
        assert ran
        with backend.store.engine.connect() as connection:
            assert is_sqlite(connection)
            raw = connection.connection.driver_connection
            assert raw is not None
            for statement, params in ran:
                plan = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, params)]
                outer = [step for step in plan if step.startswith(("SCAN", "SEARCH"))]
                # "SCAN o" reads the window subquery, a co-routine over an index search
                tables = [step for step in outer if step != "SCAN o"]
                assert not any(step.startswith("SCAN") for step in tables), (statement, plan)
                assert "MATERIALIZE o" not in plan, plan
                if "LIMIT" in statement and "OFFSET" not in statement and "seq <" in statement:
                    assert any("seq>? AND seq<?" in step for step in plan), plan
    assert first["more"] is True


def _versioned(i: int, k: int) -> NewObject:
    object_id = f"indicator--00000000-0000-4000-9000-{i:012d}"
    version = f"2026-03-0{k + 1}T00:00:00.000Z"
    body = json.dumps({"type": "indicator", "id": object_id, "modified": version})
    return NewObject(
        object_id=object_id, object_type="indicator", version=version,
        version_key=version_key(version), spec_version="2.1", body=body,
        tlp="red" if i % 7 == 0 else "green",
    )  # fmt: skip


def test_version_filters_page_exactly_through_windows(make_backend: Any) -> None:
    """match[version]=first/last/all with a window smaller than one version's rows: the
    first and last versions are decided over every visible version, not the window's."""
    backend = _reader(make_backend)
    root, collection, key = key_of(backend)
    objects = 300
    for k in range(3):  # one add request per version: every object's versions are far apart
        with backend.store.writing() as connection:
            rows = [_versioned(i, k) for i in range(objects)]
            insert_objects(connection, key.collection_pk, rows, T0 + timedelta(minutes=k))
    visible = [i for i in range(objects) if i % 7 == 0]

    def versions(version: str) -> list[tuple[str, str]]:
        args: dict[str, str] = {"match[version]": version}
        out: list[tuple[str, str]] = []
        for _ in range(10 * objects):
            envelope, _ = backend.get_object_manifest(root, collection, args, ALL, LIMIT)
            out.extend((item["id"], item["version"]) for item in envelope.get("objects", []))
            if not envelope.get("more"):
                return out
            args = {"match[version]": version, "next": envelope["next"]}
        raise AssertionError("paging did not end")

    def expected(ks: range) -> list[tuple[str, str]]:
        return [
            (_versioned(i, k).object_id, f"2026-03-0{k + 1}T00:00:00.000Z")
            for k in ks
            for i in visible
        ]

    assert versions("all") == expected(range(3))
    assert versions("first") == expected(range(0, 1))
    assert versions("last") == expected(range(2, 3))
    assert versions("first,last") == expected(range(0, 3, 2))
