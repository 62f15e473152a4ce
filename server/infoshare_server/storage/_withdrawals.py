"""Withdrawn ids (schema version 7): which objects of a collection are no longer served.

Implements the storage side of docs/adr/0013-withdrawal.md. A ``withdrawal``
object (spec/profile/20-withdrawal.md) names ids its originating organisation
takes back. The node keeps one row per (collection, withdrawn id, withdrawal):

* ``organisation`` is the organisation the withdrawal came from (the
  ``objects.origin`` of the withdrawal), ``submitter`` the partner that
  posted or the remote's partner record that brought it, ``withdrawn_at`` the
  ``date_added`` of the withdrawal: who, when, which ids, for the audit.
* ``effective`` is true when the withdrawal is honoured for that id at this
  node (``access._withdrawal``: its organisation owns the id, or, pulled by
  sync, that remote delivered the node's copy and the withdrawal's author is
  the object's ``created_by_ref``): only then is the id hidden. An id the
  collection does not hold yet is kept with ``effective`` false; when its
  first shared version arrives and the same rule honours the withdrawal for
  it, the row becomes effective in the same transaction (sync may bring a
  withdrawal before the objects it withdraws). A pulled withdrawal honoured
  for part of its ids keeps the rest here with ``effective`` false: that is
  the record of what it was refused. Rows are never deleted: a withdrawal is
  final.

The visibility clause (``access._withdrawal``) tests one index probe per row:
``NOT EXISTS`` an effective row for the row's (collection, id); a read first
asks once whether the collection has any (``any_withdrawn``) and leaves the
probe out when it has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage._tables import metadata

withdrawn = sa.Table(
    "withdrawn",
    metadata,
    sa.Column("pk", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("collection_pk", sa.Integer, sa.ForeignKey("collections.pk"), nullable=False),
    #: The id the withdrawal names.
    sa.Column("object_id", sa.Text, nullable=False),
    #: The ``withdrawal--…`` object that names it.
    sa.Column("withdrawal_id", sa.Text, nullable=False),
    #: The organisation the withdrawal came from (its ``objects.origin``).
    sa.Column("organisation", sa.Text, nullable=False),
    #: The partner that posted it, or the partner record of the remote it was pulled from.
    sa.Column("submitter", sa.Text, nullable=True),
    #: The ``date_added`` of the withdrawal at this node.
    sa.Column("withdrawn_at", sa.Text, nullable=False),
    #: True when ``organisation`` owns the id here: the id is then never served.
    sa.Column("effective", sa.Boolean, nullable=False),
    sa.UniqueConstraint("collection_pk", "object_id", "withdrawal_id", name="uq_withdrawn_key"),
)
#: Covers the visibility clause's probe (collection, id, in effect) without a table read.
sa.Index(
    "ix_withdrawn_object", withdrawn.c.collection_pk, withdrawn.c.object_id, withdrawn.c.effective
)

#: Values per ``IN (...)`` list.
_CHUNK = 500


def apply_withdrawn(connection: Connection) -> None:
    """Migration 7 (runs inside the migration transaction): the ``withdrawn`` table."""
    metadata.create_all(connection, tables=[withdrawn])


@dataclass(frozen=True, slots=True)
class WithdrawnId:
    """One id a stored withdrawal names, and whether it is hidden (see the module doc)."""

    object_id: str
    withdrawal_id: str
    organisation: str
    submitter: str | None
    withdrawn_at: str
    effective: bool


def record_withdrawn(
    connection: Connection, collection_pk: int, rows: Sequence[WithdrawnId]
) -> None:
    """Store ``rows`` inside the caller's write transaction."""
    if rows:
        connection.execute(
            sa.insert(withdrawn),
            [
                {
                    "collection_pk": collection_pk,
                    "object_id": row.object_id,
                    "withdrawal_id": row.withdrawal_id,
                    "organisation": row.organisation,
                    "submitter": row.submitter,
                    "withdrawn_at": row.withdrawn_at,
                    "effective": row.effective,
                }
                for row in rows
            ],
        )


def pending_withdrawals(
    connection: Connection, collection_pk: int, ids: Iterable[str]
) -> dict[str, set[tuple[str, str]]]:
    """Of ``ids``, those named by a withdrawal not yet in effect: id -> (withdrawal id,
    organisation) pairs."""
    out: dict[str, set[tuple[str, str]]] = {}
    wanted = sorted(set(ids))
    w = withdrawn
    for start in range(0, len(wanted), _CHUNK):
        rows = connection.execute(
            sa.select(w.c.object_id, w.c.withdrawal_id, w.c.organisation).where(
                w.c.collection_pk == collection_pk,
                w.c.object_id.in_(wanted[start : start + _CHUNK]),
                w.c.effective == sa.false(),
            )
        )
        for object_id, withdrawal_id, organisation in rows:
            out.setdefault(str(object_id), set()).add((str(withdrawal_id), str(organisation)))
    return out


def put_in_effect(
    connection: Connection, collection_pk: int, pairs: Iterable[tuple[str, str]]
) -> None:
    """Make the pending rows of (id, withdrawal id) ``pairs`` effective."""
    w = withdrawn
    for object_id, withdrawal_id in sorted(set(pairs)):
        connection.execute(
            sa.update(w)
            .where(
                w.c.collection_pk == collection_pk,
                w.c.object_id == object_id,
                w.c.withdrawal_id == withdrawal_id,
            )
            .values(effective=True)
        )


def withdrawn_ids(
    connection: Connection, collection_pk: int | None = None, *, effective: bool | None = None
) -> list[WithdrawnId]:
    """Every stored withdrawn id (of one collection when given), oldest first."""
    w = withdrawn
    stmt = sa.select(w).order_by(w.c.pk)
    if collection_pk is not None:
        stmt = stmt.where(w.c.collection_pk == collection_pk)
    if effective is not None:
        stmt = stmt.where(w.c.effective == sa.true() if effective else w.c.effective == sa.false())
    return [
        WithdrawnId(
            row.object_id,
            row.withdrawal_id,
            row.organisation,
            row.submitter,
            row.withdrawn_at,
            bool(row.effective),
        )
        for row in connection.execute(stmt)
    ]
