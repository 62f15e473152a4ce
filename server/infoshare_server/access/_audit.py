"""The audit trail: who read, wrote or deleted what, when, from where; and failed logins.

Implements "Audit trail" of docs/adr/0006-partner-access.md. The
``audit_log`` table is append-only: this module only inserts and selects
(there is no update or delete path in the code), and database triggers
refuse UPDATE, DELETE and TRUNCATE (schema migration 2). Writes and deletes
are recorded in the same transaction as the change; reads right after the
read, before the response is sent (a read whose audit entry cannot be
written fails).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Final, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage import _tables as t

#: ``withdraw``: a withdrawal was stored (docs/adr/0013-withdrawal.md); ``object_ids``
#: holds the withdrawal's id first, then the ids it withdraws.
Action = Literal["read", "write", "delete", "denied", "auth_failure", "withdraw"]
ACTIONS: Final[tuple[Action, ...]] = (
    "read", "write", "delete", "denied", "auth_failure", "withdraw",
)  # fmt: skip
#: Object ids kept in one entry (a page or one add request is far below this).
MAX_IDS: Final = 10_000
_MAX_TEXT: Final = 1000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit trail."""

    at: str
    action: Action
    partner_id: str | None
    authenticated: bool
    method: str
    path: str
    status_code: int
    api_root: str | None = None
    collection_id: str | None = None
    object_ids: tuple[str, ...] = field(default_factory=tuple)
    object_count: int = 0
    source_address: str | None = None

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["object_ids"] = list(self.object_ids)
        return out


def _clip(value: str | None) -> str | None:
    """``value`` as text every database stores (NUL and lone surrogates escaped), shortened."""
    if value is None:
        return None
    text = value.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


#: Built once (one per read request): parameters are bound at execution.
_INSERT = sa.insert(t.audit_log)


def write_entry(connection: Connection, entry: AuditEntry) -> None:
    """Append ``entry`` inside the caller's write transaction."""
    ids = list(entry.object_ids[:MAX_IDS])
    connection.execute(
        _INSERT,
        dict(
            at=entry.at,
            action=entry.action,
            partner_id=_clip(entry.partner_id),
            authenticated=entry.authenticated,
            api_root=_clip(entry.api_root),
            collection_id=_clip(entry.collection_id),
            method=_clip(entry.method[:16]) or "",
            path=_clip(entry.path) or "",
            status_code=entry.status_code,
            object_count=max(entry.object_count, len(entry.object_ids)),
            object_ids=json.dumps(ids, ensure_ascii=True),
            source_address=_clip(entry.source_address),
        ),
    )


def query_entries(
    connection: Connection,
    *,
    partner_id: str | None = None,
    collection_id: str | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Entries matching every given criterion, oldest first (``since`` <= at < ``until``)."""
    a = t.audit_log
    stmt = sa.select(a).order_by(a.c.pk)
    if partner_id is not None:
        stmt = stmt.where(a.c.partner_id == partner_id)
    if collection_id is not None:
        stmt = stmt.where(a.c.collection_id == collection_id)
    if action is not None:
        stmt = stmt.where(a.c.action == action)
    if since is not None:
        stmt = stmt.where(a.c.at >= since)
    if until is not None:
        stmt = stmt.where(a.c.at < until)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        AuditEntry(
            at=row.at,
            action=row.action,
            partner_id=row.partner_id,
            authenticated=bool(row.authenticated),
            method=row.method,
            path=row.path,
            status_code=int(row.status_code),
            api_root=row.api_root,
            collection_id=row.collection_id,
            object_ids=tuple(json.loads(row.object_ids)),
            object_count=int(row.object_count),
            source_address=row.source_address,
        )
        for row in connection.execute(stmt)
    ]


CSV_COLUMNS: Final = (
    "at", "action", "partner_id", "authenticated", "source_address", "method", "path",
    "status_code", "api_root", "collection_id", "object_count", "object_ids",
)  # fmt: skip


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """CSV with a header line; ``object_ids`` separated by spaces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = entry.as_dict()
        row["object_ids"] = " ".join(entry.object_ids)
        writer.writerow([_csv_safe(row[name]) for name in CSV_COLUMNS])
    return buffer.getvalue()


def _csv_safe(value: object) -> object:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_json(entries: Sequence[AuditEntry]) -> str:
    """A JSON array of entries."""
    return json.dumps([e.as_dict() for e in entries], indent=2, ensure_ascii=False) + "\n"
