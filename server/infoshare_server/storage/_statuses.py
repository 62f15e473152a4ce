"""Status resources of adds, persisted (TAXII 2.1 §4.3).

Implements the status part of docs/adr/0004-sql-storage.md: a status and its
per-object details are written in the same transaction as the objects they
report on, so a status that says "complete" exists only once the objects are
committed. Statuses are kept for the node's retention period (at least 24
hours) and then removed by :func:`purge_statuses`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage import _tables as t

Outcome = Literal["success", "failure", "pending"]


@dataclass(frozen=True, slots=True)
class StatusDetail:
    """The outcome for one object of an add (TAXII 2.1 §4.3.1 status-details)."""

    outcome: Outcome
    object_id: str
    version: str
    message: str | None = None

    def resource(self) -> dict[str, str]:
        out = {"id": self.object_id, "version": self.version}
        if self.message:
            out["message"] = self.message
        return out


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """One status resource, as stored."""

    status_id: str
    status: str
    request_timestamp: str
    created_at: str
    details: tuple[StatusDetail, ...] = field(default_factory=tuple)
    #: The partner that made the request (migration 2); None when not known.
    partner_id: str | None = None
    #: The collection the objects were added to (set when loaded; not part of the resource).
    collection_pk: int | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(1 for d in self.details if d.outcome == outcome)

    def resource(self) -> dict[str, object]:
        """The TAXII status resource."""
        out: dict[str, object] = {
            "id": self.status_id,
            "status": self.status,
            "request_timestamp": self.request_timestamp,
            "total_count": len(self.details),
            "success_count": self.count("success"),
            "failure_count": self.count("failure"),
            "pending_count": self.count("pending"),
        }
        for outcome, key in (("success", "successes"), ("failure", "failures"),
                             ("pending", "pendings")):  # fmt: skip
            items = [d.resource() for d in self.details if d.outcome == outcome]
            if items:
                out[key] = items
        return out


def save_status(
    connection: Connection, api_root_pk: int, collection_pk: int, record: StatusRecord
) -> None:
    """Store ``record`` inside the caller's transaction."""
    result = connection.execute(
        sa.insert(t.statuses).values(
            status_id=record.status_id,
            api_root_pk=api_root_pk,
            collection_pk=collection_pk,
            status=record.status,
            request_timestamp=record.request_timestamp,
            created_at=record.created_at,
            total_count=len(record.details),
            success_count=record.count("success"),
            failure_count=record.count("failure"),
            pending_count=record.count("pending"),
            partner_id=record.partner_id,
        )
    )
    inserted = result.inserted_primary_key
    assert inserted is not None
    status_pk = int(inserted[0])
    if record.details:
        connection.execute(
            sa.insert(t.status_details),
            [
                {
                    "status_pk": status_pk,
                    "position": position,
                    "outcome": detail.outcome,
                    "object_id": detail.object_id,
                    "version": detail.version,
                    "message": detail.message,
                }
                for position, detail in enumerate(record.details)
            ],
        )


def load_status(connection: Connection, api_root_pk: int, status_id: str) -> StatusRecord | None:
    """The status ``status_id`` of an API root, or None (one query)."""
    s, d = t.statuses, t.status_details
    stmt = (
        sa.select(
            s.c.status_id,
            s.c.status,
            s.c.request_timestamp,
            s.c.created_at,
            s.c.partner_id,
            s.c.collection_pk,
            d.c.outcome,
            d.c.object_id,
            d.c.version,
            d.c.message,
        )
        .select_from(s.outerjoin(d, d.c.status_pk == s.c.pk))
        .where(s.c.api_root_pk == api_root_pk, s.c.status_id == status_id)
        .order_by(d.c.position)
    )
    rows = connection.execute(stmt).all()
    if not rows:
        return None
    first = rows[0]
    details: Sequence[StatusDetail] = [
        StatusDetail(row.outcome, row.object_id, row.version, row.message)
        for row in rows
        if row.outcome is not None
    ]
    return StatusRecord(
        first.status_id,
        first.status,
        first.request_timestamp,
        first.created_at,
        tuple(details),
        first.partner_id,
        int(first.collection_pk),
    )


def purge_statuses(connection: Connection, created_before: str) -> int:
    """Delete statuses created before ``created_before`` (date_added form); how many."""
    old = sa.select(t.statuses.c.pk).where(t.statuses.c.created_at < created_before)
    connection.execute(sa.delete(t.status_details).where(t.status_details.c.status_pk.in_(old)))
    result = connection.execute(
        sa.delete(t.statuses).where(t.statuses.c.created_at < created_before)
    )
    return int(result.rowcount)
