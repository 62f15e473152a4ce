"""Pages of a collection with bounded work per request (TAXII 2.1 §3.4.3, §5.3-5.4).

Implements "TAXII pages" of docs/adr/0020-bounded-work.md. A page of the
objects or manifest endpoint is the visible rows after the ``next`` position,
in ``seq`` order; without a bound, a reader who may see few rows of a large
collection made the database walk past every row it may not see (to the end
of the collection for the last page). Here a page examines at most
:data:`MAX_ROWS_EXAMINED` rows of the collection: the *window*, the next rows
in ``seq`` order whoever may see them (of the one type asked for, when
``match[type]`` names one). One covering index walk finds where the window
ends, but only for a page that the window did not fill: the page is first
read from the window as a lazy subquery, which stops as soon as the page is
full; a page that is not full is read again before the window's end. When
fewer rows than asked for match inside the window and the collection goes
on, the page says so (:attr:`Page.resume_after`) and the next token starts
there. Which rows are hidden never moves the window, so paging skips no
row and repeats none.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage import _tables as t
from infoshare_server.storage._objects import (
    _ROW,
    ObjectQuery,
    StoredObject,
    Visibility,
    _conditions,
    row_columns,
    select_objects,
    stored_rows,
)

#: Rows of a collection one page may examine (docs/adr/0020-bounded-work.md).
MAX_ROWS_EXAMINED = 10_000


@dataclass(frozen=True, slots=True)
class Page:
    """One page of :func:`select_page`.

    ``resume_after`` is set when the page stopped at the end of its window
    before ``limit`` rows matched: there may be more, and the next page starts
    after that ``seq`` (clients never see it: it is sealed in the ``next`` token).
    """

    rows: list[StoredObject]
    resume_after: int | None = None


def select_page(
    connection: Connection,
    collection_pk: int,
    query: ObjectQuery,
    *,
    after_seq: int,
    limit: int,
    with_body: bool,
    visibility: Visibility | None,
    window: int = MAX_ROWS_EXAMINED,
) -> Page:
    """At most ``limit`` rows matching ``query`` after ``after_seq``, examining at most
    ``window`` rows of the collection (``limit`` rows, if that is more).

    With the ids pinned (``match[id]``, the object and versions endpoints) the
    unique ``(collection, object_id, …)`` index already bounds the work: no window.
    """
    window = max(window, limit)
    if query.ids:
        rows = select_objects(
            connection, collection_pk, query, after_seq=after_seq, limit=limit,
            with_body=with_body, visibility=visibility,
        )  # fmt: skip
        return Page(rows)
    lower = after_seq
    if query.added_after is not None:
        start = _first_seq_added_after(connection, collection_pk, query.added_after)
        if start is None:
            return Page([])
        lower = max(lower, start - 1)
    # First, the window as a subquery: the next ``window`` rows in ``seq`` order, whoever
    # may see them. Both databases read it lazily, so the page's own LIMIT stops it as
    # soon as the page is full: a reader who sees most rows examines little more than
    # its page, at no extra query.
    examined = (
        sa.select(t.objects)
        .where(*_window_conditions(collection_pk, query.types, lower, t.objects))
        .order_by(t.objects.c.seq)
        .limit(window)
        .subquery("o")
    )
    rows = _select(connection, examined, collection_pk, query, visibility, limit, with_body)
    if len(rows) == limit:
        return Page(rows)
    # Not full: the page may have stopped at the end of its window. Where the window ends
    # is read first, and the page read again strictly before that point, so rows added
    # or deleted in between can neither be skipped nor served twice.
    end = _window_end(connection, collection_pk, query.types, lower, window)
    bounded = [] if end is None else [_ROW.c.seq < end]
    rows = _select(
        connection, _ROW, collection_pk, query, visibility, limit, with_body,
        _ROW.c.seq > lower, *bounded,
    )  # fmt: skip
    if end is not None and len(rows) < limit:
        return Page(rows, resume_after=end - 1)
    return Page(rows)


def _select(
    connection: Connection,
    source: sa.FromClause,
    collection_pk: int,
    query: ObjectQuery,
    visibility: Visibility | None,
    limit: int,
    with_body: bool,
    *bounds: sa.ColumnElement[bool],
) -> list[StoredObject]:
    """The first ``limit`` rows of ``source`` (the objects table, or a window of it)
    matching ``query`` and ``visibility``, in ``seq`` order."""
    stmt = (
        sa.select(*row_columns(source, with_body=with_body))
        .where(*_conditions(source, collection_pk, query, visibility), *bounds)
        .order_by(source.c.seq)
        .limit(limit)
    )
    return stored_rows(connection, stmt)


def _window_conditions(
    collection_pk: int, types: tuple[str, ...], after_seq: int, table: sa.Table
) -> list[sa.ColumnElement[bool]]:
    """The rows a window is cut from: the collection's (of the one type asked for, if
    ``match[type]`` names one) after ``after_seq``."""
    conditions = [table.c.collection_pk == collection_pk, table.c.seq > after_seq]
    if len(types) == 1:
        conditions.append(table.c.object_type == types[0])
    return conditions


def _window_end(
    connection: Connection, collection_pk: int, types: tuple[str, ...], after_seq: int, window: int
) -> int | None:
    """The ``seq`` of the first row past the window (None: the window holds the rest of
    the collection). A walk of ``(collection, seq)``, or of ``(collection, type, seq)``
    for one type: ``window`` index entries at most; run only for a page that is not
    full."""
    o = t.objects
    stmt = sa.select(o.c.seq).where(*_window_conditions(collection_pk, types, after_seq, o))
    found = connection.execute(stmt.order_by(o.c.seq).offset(window).limit(1)).scalar()
    return None if found is None else int(found)


def _first_seq_added_after(
    connection: Connection, collection_pk: int, added_after: str
) -> int | None:
    """The first ``seq`` of the collection stored after ``added_after``: ``date_added``
    grows with ``seq`` and is shared by the rows of one add request, so two probes of
    the ``(collection, date_added)`` index, the second over one request's rows."""
    o = t.objects
    first = connection.execute(
        sa.select(o.c.date_added)
        .where(o.c.collection_pk == collection_pk, o.c.date_added > added_after)
        .order_by(o.c.date_added)
        .limit(1)
    ).scalar()
    if first is None:
        return None
    found = connection.execute(
        sa.select(sa.func.min(o.c.seq)).where(
            o.c.collection_pk == collection_pk, o.c.date_added == first
        )
    ).scalar()
    return None if found is None else int(found)
