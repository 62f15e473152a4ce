"""The case viewer's walks over a collection's incidents are bounded.

docs/adr/0020-bounded-work.md, "Case viewer": the case list, the filter
choices and the collection layer examine at most ``max_examined`` incidents,
visible or not, per request. A reader who sees one incident in fifty still
gets every visible case, once, newest first, across pages (some of them empty,
with a next token); the choices say when they come from the newest incidents
only. On PostgreSQL the rows each page's statements read are counted with
``EXPLAIN (ANALYZE)``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from _backend_cases import key_of
from _bounded import explained_rows, statements
from infoshare_server.access import Policy
from infoshare_server.backend import SqlBackend
from infoshare_server.paging import PageSigner
from infoshare_server.storage import NewObject, insert_objects
from infoshare_server.viewer.cases import filter_choices, list_cases
from infoshare_server.viewer.exports import collection_layer
from infoshare_server.viewer.model import CaseFilters

from infoshare.profile import TLP_AMBER, TLP_RED

INCIDENTS = 1000
SPARSE = 50
EXAMINED = 300
LIMIT = 5
PAGER = PageSigner(b"bounded-viewer-test-paging-secret-01")
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _incident(i: int) -> NewObject:
    object_id = f"incident--00000000-0000-4000-8000-{i:012d}"
    visible = i % SPARSE == 3
    body = {
        "type": "incident", "spec_version": "2.1", "id": object_id,
        "created": "2026-03-01T00:00:00.000Z", "modified": "2026-03-01T00:00:00.000Z",
        "name": f"Case {i} (fictional)",
        "object_marking_refs": [TLP_RED if visible else TLP_AMBER],
    }  # fmt: skip
    return NewObject(
        object_id=object_id, object_type="incident", version=body["modified"],
        version_key=None, spec_version="2.1", body=json.dumps(body),
        tlp="red" if visible else "amber",
    )  # fmt: skip


def _filled(make_backend: Any) -> SqlBackend:
    backend: SqlBackend = make_backend()
    _, _, key = key_of(backend)
    for batch in range(4):
        with backend.store.writing() as connection:
            per = INCIDENTS // 4
            rows = [_incident(i) for i in range(batch * per, (batch + 1) * per)]
            insert_objects(connection, key.collection_pk, rows, T0 + timedelta(minutes=batch))
    return backend


def _values(params: Any) -> set[object]:
    return set(params.values()) if isinstance(params, dict) else set(params)


def _visible_newest_first() -> list[str]:
    return [_incident(i).object_id for i in reversed(range(INCIDENTS)) if i % SPARSE == 3]


def _policy() -> Policy:
    return Policy.unrestricted(lambda o: o.c.tlp == "red")


def _collections(backend: SqlBackend) -> dict[tuple[str, str], Any]:
    root, collection, key = key_of(backend)
    return {(root, collection): key}


def _every_page(backend: SqlBackend, **options: Any) -> tuple[list[str], int, int]:
    seen: list[str] = []
    token: str | None = None
    pages = empty = 0
    while True:
        page = list_cases(
            backend.store, _policy(), CaseFilters(), limit=LIMIT, token=token, pager=PAGER,
            collections=_collections(backend), **options,
        )  # fmt: skip
        pages += 1
        empty += not page.cases
        seen.extend(line.ref.incident_id for line in page.cases)
        if page.next_token is None:
            return seen, pages, empty
        token = page.next_token
        assert pages < INCIDENTS


def test_a_sparse_reader_gets_every_case_once_newest_first(make_backend: Any) -> None:
    backend = _filled(make_backend)
    seen, pages, empty = _every_page(backend, max_examined=EXAMINED)
    assert seen == _visible_newest_first()
    # Each page examined at most EXAMINED incidents: at least INCIDENTS / EXAMINED pages.
    assert pages >= INCIDENTS // EXAMINED
    unbounded, unbounded_pages, _ = _every_page(backend, max_examined=10 * INCIDENTS)
    assert unbounded == seen and unbounded_pages == len(seen) // LIMIT
    assert empty <= pages


def test_filter_choices_and_the_layer_say_when_they_read_only_the_newest(
    make_backend: Any,
) -> None:
    backend = _filled(make_backend)
    collections = _collections(backend)
    partial = filter_choices(
        backend.store, _policy(), collections=collections, max_examined=EXAMINED
    )
    assert not partial.complete and [c.value for c in partial.tlps] == ["red"]
    whole = filter_choices(backend.store, _policy(), collections=collections)
    assert whole.complete
    ((root, collection),) = collections
    layer = collection_layer(
        backend.store, _policy(), root, collection, collections=collections,
        max_examined=EXAMINED,
    )  # fmt: skip
    assert "Only the newest 300 incidents" in layer["description"]
    layer = collection_layer(backend.store, _policy(), root, collection, collections=collections)
    assert "Only the newest" not in layer["description"]
    assert f"across {INCIDENTS // SPARSE} incident(s)" in layer["name"]


def test_postgresql_rows_read_per_page_stay_within_the_budget(
    make_backend: Any, db_kind: str
) -> None:
    if db_kind != "postgresql":
        return
    backend = _filled(make_backend)

    def worst_page(max_examined: int) -> int:
        token: str | None = None
        worst = 0
        while True:
            with statements(backend.store.engine) as ran:
                page = list_cases(
                    backend.store, _policy(), CaseFilters(), limit=LIMIT, token=token,
                    pager=PAGER, collections=_collections(backend), max_examined=max_examined,
                )  # fmt: skip
            with backend.store.engine.connect() as connection:
                raw = connection.connection.driver_connection
                # The walk over the incidents (its parameters name the type); the
                # lookups for the lines of a page are per incident of the page.
                walks = [(s, p) for s, p in ran if "incident" in _values(p)]
                worst = max(worst, sum(explained_rows(raw, s, p) for s, p in walks))
            if page.next_token is None:
                return worst
            token = page.next_token

    # Index walks for the window and the count, then the rows: a few times the budget.
    assert worst_page(EXAMINED) <= 4 * EXAMINED
    # The measure can fail: without a bound the last page reads the whole tail.
    assert worst_page(100 * INCIDENTS) >= INCIDENTS // 2
