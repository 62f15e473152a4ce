"""Objects in the store: one SQL query per read, one transaction per write.

Implements the storage side of TAXII 2.1 §3.4 (filtering and paging) and
§5.3-5.8 (manifest, objects, object, versions, delete) as described in
docs/adr/0004-sql-storage.md.

Every read is a single ``SELECT`` over ``objects`` with the filters,
version selection and keyset paging (``seq > after_seq ORDER BY seq LIMIT n``)
inside it. The **visibility hook**: every read and delete takes an optional
``visibility`` callable. It receives the (aliased) objects table and returns a
boolean SQLAlchemy clause, e.g. ``lambda o: o.c.object_type != "user-account"``.
The clause is applied to the rows returned *and* to the rows that decide
"first"/"last" version and the latest spec version, so hidden rows change
neither results, nor counts, nor ``next`` tokens. Partner rights and TLP
clearance (the ``access`` package, docs/adr/0006-partner-access.md) plug in
here, over the ``tlp``, ``submitter``, ``origin`` and ``namespace`` columns
written at insert (docs/adr/0012-originator-control.md: a reader sees one
namespace of each id, so "first"/"last" stay per object).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, FromClause

from infoshare_server.storage import _tables as t
from infoshare_server.storage._engine import is_sqlite
from infoshare_server.storage._origin_migration import LOCAL_ORIGIN
from infoshare_server.storage._time import format_date_added, next_date_added

#: Decides which stored rows a caller may see; receives the objects table (aliased).
Visibility = Callable[[FromClause], ColumnElement[bool]]

#: Values per ``IN (...)`` list in the write path (stays far below driver limits).
_CHUNK = 500

#: The aliases every read uses, built once: building an alias's column collection
#: costs more than the rest of a small query's construction.
_ROW = t.objects.alias("o")
_OTHER = {name: t.objects.alias(name) for name in ("newer_spec", "first_version", "last_version")}


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    """The filters of one request, already parsed (TAXII 2.1 §3.4.1).

    Each tuple is an OR-list; the fields are ANDed. ``versions`` holds
    "first", "last", "all" and/or version keys (``_time.version_key``);
    an empty ``spec_versions`` means "the latest spec version of each object".
    ``added_after`` is in stored ``date_added`` form (``_time.added_after_key``).
    """

    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    added_after: str | None = None


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One stored version of an object. ``body`` is None when not asked for."""

    seq: int
    object_id: str
    object_type: str
    version: str
    spec_version: str
    date_added: str
    body: str | None


@dataclass(frozen=True, slots=True)
class NewObject:
    """An object about to be stored. ``version``/``version_key`` are None for
    objects with neither ``modified`` nor ``created``: their version is their
    ``date_added``."""

    object_id: str
    object_type: str
    version: str | None
    version_key: str | None
    spec_version: str
    body: str
    #: The TLP level (``infoshare.stix.tlp``) and the submitting partner's id.
    tlp: str | None = None
    submitter: str | None = None
    #: The organisation it came from, and ``""`` (shared) or the organisation whose
    #: private copy it is (docs/adr/0012-originator-control.md).
    origin: str = LOCAL_ORIGIN
    namespace: str = ""


def _visible(visibility: Visibility | None, table: FromClause) -> list[ColumnElement[bool]]:
    return [visibility(table)] if visibility is not None else []


def _conditions(
    o: FromClause, collection_pk: int, query: ObjectQuery, visibility: Visibility | None
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [o.c.collection_pk == collection_pk]
    conds += _visible(visibility, o)
    if query.ids:
        conds.append(o.c.object_id.in_(query.ids))
    if query.types:
        conds.append(o.c.object_type.in_(query.types))
    if query.added_after is not None:
        conds.append(o.c.date_added > query.added_after)

    def same_object(alias: str) -> tuple[FromClause, list[ColumnElement[bool]]]:
        other = _OTHER[alias]
        return other, [
            other.c.collection_pk == o.c.collection_pk,
            other.c.object_id == o.c.object_id,
            *_visible(visibility, other),
        ]

    # ``is_last`` rows are the latest of all versions, so also of the visible ones:
    # the subqueries below only run for older versions (hotspot 4, see module doc).
    if query.spec_versions:
        conds.append(o.c.spec_version.in_(query.spec_versions))
    else:
        newer, on = same_object("newer_spec")
        newer_spec = sa.exists().where(*on, newer.c.spec_version > o.c.spec_version)
        conds.append(sa.or_(o.c.is_last, ~newer_spec))

    if "all" not in query.versions:
        choices: list[ColumnElement[bool]] = []
        keys = [v for v in query.versions if v not in ("first", "last")]
        if keys:
            choices.append(o.c.version_key.in_(keys))
        for kind in ("first", "last"):
            if kind not in query.versions:
                continue
            other, on = same_object(f"{kind}_version")
            if query.spec_versions:
                on.append(other.c.spec_version.in_(query.spec_versions))
            else:
                on.append(other.c.spec_version == o.c.spec_version)
            beyond = (
                other.c.version_key > o.c.version_key
                if kind == "last"
                else other.c.version_key < o.c.version_key
            )
            if kind == "last" and not query.spec_versions:
                choices.append(o.c.is_last)
            choices.append(~sa.exists().where(*on, beyond))
        conds.append(sa.or_(*choices) if choices else sa.false())
    return conds


def _seq_order(table: FromClause) -> ColumnElement[int]:
    """``seq + 0``: the same order, but no planner may walk the ``seq`` index for it.

    Used when the ids are pinned (object, versions, delete, duplicate check,
    ``match[id]``): the few rows of those ids come from the ``(collection,
    object_id, …)`` index and are sorted, instead of a walk of the whole
    collection in ``seq`` order that a planner without (or with stale)
    statistics may choose (hotspot 1 of docs/adr/0004-sql-storage.md, Performance).
    """
    return table.c.seq + 0


def row_columns(source: FromClause, *, with_body: bool) -> list[ColumnElement[Any]]:
    """The columns of a :class:`StoredObject`, from the objects table or a subquery of
    it; ``body`` is NULL unless ``with_body``."""
    return [
        source.c.seq,
        source.c.object_id,
        source.c.object_type,
        source.c.version,
        source.c.spec_version,
        source.c.date_added,
        source.c.body if with_body else sa.null().label("body"),
    ]


def select_objects(
    connection: Connection,
    collection_pk: int,
    query: ObjectQuery,
    *,
    after_seq: int = 0,
    limit: int | None = None,
    with_body: bool = True,
    visibility: Visibility | None = None,
) -> list[StoredObject]:
    """The rows matching ``query`` after ``after_seq``, in ``seq`` order, at most ``limit``."""
    o = _ROW
    stmt = (
        sa.select(*row_columns(o, with_body=with_body))
        .where(*_conditions(o, collection_pk, query, visibility), o.c.seq > after_seq)
        .order_by(_seq_order(o) if query.ids else o.c.seq)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return stored_rows(connection, stmt)


def stored_rows(connection: Connection, stmt: sa.Select[Any]) -> list[StoredObject]:
    """The rows of ``stmt`` (selecting :func:`row_columns`) as :class:`StoredObject`."""
    return [StoredObject(*row) for row in connection.execute(stmt).all()]


def count_objects(
    connection: Connection,
    collection_pk: int,
    query: ObjectQuery,
    *,
    after_seq: int = 0,
    visibility: Visibility | None = None,
) -> int:
    """How many rows :func:`select_objects` would return without a limit (one ``COUNT``)."""
    o = _ROW
    stmt = (
        sa.select(sa.func.count())
        .select_from(o)
        .where(*_conditions(o, collection_pk, query, visibility), o.c.seq > after_seq)
    )
    return int(connection.execute(stmt).scalar_one())


def delete_objects(
    connection: Connection,
    collection_pk: int,
    query: ObjectQuery,
    *,
    visibility: Visibility | None = None,
) -> int:
    """Delete the rows matching ``query``; returns how many were deleted.

    Runs inside the caller's write transaction; recomputes ``is_last`` for the
    objects it touched.
    """
    # Serialise with writers (as inserts do), so ``is_last`` is recomputed from rows no
    # concurrent transaction is changing.
    lock_clock(connection)
    o = _ROW
    conditions = _conditions(o, collection_pk, query, visibility)
    touched = sorted(set(connection.execute(sa.select(o.c.object_id).where(*conditions)).scalars()))
    if not touched:
        return 0
    chosen = sa.select(o.c.seq).where(*conditions)
    result = connection.execute(sa.delete(t.objects).where(t.objects.c.seq.in_(chosen)))
    for start in range(0, len(touched), _CHUNK):
        refresh_last(connection, collection_pk, touched[start : start + _CHUNK])
    return int(result.rowcount)


def refresh_last(
    connection: Connection, collection_pk: int, object_ids: Sequence[str] | None = None
) -> None:
    """Recompute ``is_last`` for ``object_ids`` (every object when None) of a collection."""
    o, newer = t.objects, t.objects.alias("newer")
    newest = ~sa.exists().where(
        newer.c.collection_pk == o.c.collection_pk,
        newer.c.object_id == o.c.object_id,
        newer.c.namespace == o.c.namespace,
        sa.or_(
            newer.c.spec_version > o.c.spec_version,
            sa.and_(
                newer.c.spec_version == o.c.spec_version,
                newer.c.version_key > o.c.version_key,
            ),
        ),
    )
    stmt = sa.update(o).where(o.c.collection_pk == collection_pk).values(is_last=newest)
    if object_ids is not None:
        stmt = stmt.where(o.c.object_id.in_(object_ids))
    connection.execute(stmt)


def existing_ids(
    connection: Connection,
    collection_pk: int,
    ids: Iterable[str],
    *,
    visibility: Visibility | None = None,
) -> set[str]:
    """Which of ``ids`` have at least one stored version in the collection that
    ``visibility`` admits (every stored version when None)."""
    found: set[str] = set()
    wanted = sorted(set(ids))
    o = _ROW
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        stmt = (
            sa.select(o.c.object_id)
            .where(
                o.c.collection_pk == collection_pk,
                o.c.object_id.in_(chunk),
                *_visible(visibility, o),
            )
            .distinct()
        )
        found.update(connection.execute(stmt).scalars())
    return found


def lock_clock(connection: Connection) -> tuple[int, str | None]:
    """Lock the node clock until the transaction ends; the last seq and date_added.

    Every writer of objects calls this first, so writers run one at a time and
    commit in ``seq`` order (SQLite: the ``BEGIN IMMEDIATE`` lock already
    does it; PostgreSQL: ``SELECT … FOR UPDATE`` on the clock row).
    """
    stmt = sa.select(t.node_clock.c.last_seq, t.node_clock.c.last_date_added).where(
        t.node_clock.c.id == 1
    )
    if not is_sqlite(connection):
        stmt = stmt.with_for_update()
    row = connection.execute(stmt).one()
    return int(row.last_seq), row.last_date_added


@dataclass(frozen=True, slots=True)
class Inserted:
    """What became of one object given to :func:`insert_objects`.

    ``date_added`` is None for a duplicate (nothing was written); ``version``
    is the object's version as stored (for an object without ``modified`` or
    ``created``, the ``date_added`` of its first copy).
    """

    date_added: str | None
    version: str


def insert_objects(
    connection: Connection, collection_pk: int, new: Sequence[NewObject], now: datetime
) -> list[Inserted]:
    """Store ``new`` in order; what became of each.

    A duplicate is an object whose id and version the collection already holds
    in the same namespace (or, for an object without a version, whose id it
    already holds there), also earlier in ``new``; it is not written again.
    ``is_last`` is kept per namespace. Runs inside the caller's write
    transaction and locks the node clock first.

    Every object stored by one call gets the same ``date_added``: ``now``, or
    one microsecond after the node's last ``date_added`` if the clock has not
    moved past it (TAXII 2.1 §3.4.2 lets objects share a ``date_added``). So
    ``date_added`` never counts rows, and hidden rows between two visible ones
    leave no trace in it; across calls it still strictly increases in commit
    order, so ``added_after`` with a page's last ``date_added`` never skips a
    later request. Rows keep their own node-wide ``seq``, the keyset of paging,
    which clients never see (``paging.py`` seals it).
    """
    last_seq, last_added = lock_clock(connection)
    #: One ``date_added`` for every object this request stores (see the function doc).
    added = format_date_added(next_date_added(now, last_added))
    version_of_unversioned = added[:-1] + "000Z"
    #: (namespace, id, version_key) -> stored version; (namespace, id, None) -> a stored
    #: version of that id in that namespace.
    present: dict[tuple[str, str, str | None], str] = {}
    #: (namespace, id) -> (spec_version, version_key) of its latest version, and its
    #: row: the seq of a stored row, or the new row's dict.
    latest: dict[tuple[str, str], tuple[tuple[str, str], int | dict[str, object]]] = {}
    wanted = sorted({item.object_id for item in new})
    o = t.objects
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        stmt = (
            sa.select(
                o.c.namespace,
                o.c.object_id,
                o.c.version_key,
                o.c.version,
                o.c.spec_version,
                o.c.seq,
            )
            .where(o.c.collection_pk == collection_pk, o.c.object_id.in_(chunk))
            .order_by(_seq_order(o))
        )
        for namespace, object_id, key, version, spec_version, seq in connection.execute(stmt):
            present[(namespace, object_id, key)] = version
            present.setdefault((namespace, object_id, None), version)
            rank = (spec_version, key)
            slot = (namespace, object_id)
            if slot not in latest or rank > latest[slot][0]:
                latest[slot] = (rank, int(seq))
    #: Stored rows that stop being the latest version of their object.
    demoted: list[int] = []
    rows: list[dict[str, object]] = []
    outcome: list[Inserted] = []
    for item in new:
        stored = present.get((item.namespace, item.object_id, item.version_key))
        if stored is not None:
            outcome.append(Inserted(None, stored))
            continue
        last_seq += 1
        version = item.version if item.version is not None else added
        key = item.version_key if item.version_key is not None else version_of_unversioned
        rows.append(
            {
                "seq": last_seq,
                "collection_pk": collection_pk,
                "object_id": item.object_id,
                "object_type": item.object_type,
                "version": version,
                "version_key": key,
                "spec_version": item.spec_version,
                "date_added": added,
                "body": item.body,
                "tlp": item.tlp,
                "submitter": item.submitter,
                "is_last": False,
                "origin": item.origin,
                "namespace": item.namespace,
            }
        )
        slot = (item.namespace, item.object_id)
        _promote(latest, demoted, slot, (item.spec_version, key), rows[-1])
        present[(item.namespace, item.object_id, item.version_key)] = version
        present.setdefault((item.namespace, item.object_id, None), version)
        outcome.append(Inserted(added, version))
    for start in range(0, len(demoted), _CHUNK):
        chunk_seqs = demoted[start : start + _CHUNK]
        connection.execute(sa.update(o).where(o.c.seq.in_(chunk_seqs)).values(is_last=False))
    if rows:
        connection.execute(sa.insert(t.objects), rows)
        connection.execute(
            sa.update(t.node_clock)
            .where(t.node_clock.c.id == 1)
            .values(last_seq=last_seq, last_date_added=added)
        )
    return outcome


@dataclass(frozen=True, slots=True)
class SharedObject:
    """What decides who owns a stored object: its first shared version.

    ``origin`` is the organisation that stored that version; ``body`` its JSON
    text (for ``created_by_ref``). ``visible`` holds the version keys of the
    shared versions the asking writer may see (empty: it sees none).
    ``origins``: the organisations every shared version came from (who
    delivered the node's copy; a relayed withdrawal needs it, ADR 0013).
    """

    origin: str
    body: str
    visible: frozenset[str]
    origins: frozenset[str] = frozenset()


def shared_objects(
    connection: Connection,
    collection_pk: int,
    ids: Iterable[str],
    visibility: Visibility | None,
) -> dict[str, SharedObject]:
    """The shared objects among ``ids`` that the collection holds, by id.

    ``visibility`` is the writer's read clause (None: every version is
    visible). Two indexed queries per chunk of ids, inside the caller's
    transaction.
    """
    out: dict[str, SharedObject] = {}
    wanted = sorted(set(ids))
    o = t.objects
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        shared = [o.c.collection_pk == collection_pk, o.c.object_id.in_(chunk), o.c.namespace == ""]
        first: dict[str, tuple[str, str]] = {}
        origins: dict[str, set[str]] = {}
        for object_id, origin, body in connection.execute(
            sa.select(o.c.object_id, o.c.origin, o.c.body).where(*shared).order_by(_seq_order(o))
        ):
            first.setdefault(object_id, (origin, body))
            origins.setdefault(object_id, set()).add(origin)
        seen: dict[str, set[str]] = {object_id: set() for object_id in first}
        if first:
            row = _ROW
            stmt = sa.select(row.c.object_id, row.c.version_key).where(
                row.c.collection_pk == collection_pk,
                row.c.object_id.in_(list(first)),
                row.c.namespace == "",
                *_visible(visibility, row),
            )
            for object_id, key in connection.execute(stmt):
                seen[object_id].add(key)
        for object_id, (origin, body) in first.items():
            out[object_id] = SharedObject(
                origin, body, frozenset(seen[object_id]), frozenset(origins[object_id])
            )
    return out


def latest_versions(
    connection: Connection, collection_pk: int, ids: Iterable[str], namespace: str = ""
) -> dict[str, tuple[str, str]]:
    """(version_key, body) of the latest version (``is_last``) in ``namespace`` of each of
    ``ids`` the collection holds there, by id. One indexed query per chunk of ids."""
    out: dict[str, tuple[str, str]] = {}
    wanted = sorted(set(ids))
    o = t.objects
    for start in range(0, len(wanted), _CHUNK):
        stmt = sa.select(o.c.object_id, o.c.version_key, o.c.body).where(
            o.c.collection_pk == collection_pk,
            o.c.object_id.in_(wanted[start : start + _CHUNK]),
            o.c.namespace == namespace,
            o.c.is_last,
        )
        for object_id, key, body in connection.execute(stmt):
            out[str(object_id)] = (str(key), str(body))
    return out


def _promote(
    latest: dict[tuple[str, str], tuple[tuple[str, str], int | dict[str, object]]],
    demoted: list[int],
    slot: tuple[str, str],
    rank: tuple[str, str],
    row: dict[str, object],
) -> None:
    """Make ``row`` the latest version of ``slot`` if ``rank`` beats the current one."""
    current = latest.get(slot)
    if current is not None and current[0] >= rank:
        return
    if current is not None:
        previous = current[1]
        if isinstance(previous, int):
            demoted.append(previous)
        else:
            previous["is_last"] = False
    row["is_last"] = True
    latest[slot] = (rank, row)
