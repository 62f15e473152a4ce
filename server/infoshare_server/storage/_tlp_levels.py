"""The stored TLP level of every version, computed from its body (migrations 2 and 5).

Implements "TLP 2.0 clearance, in the query" of docs/adr/0006-partner-access.md
with the library's one TLP reading (:func:`infoshare.stix.tlp.tlp_level`, the
most restrictive of object and granular markings, TLP 1.0 ids included):

* migration 2 fills ``objects.tlp`` for rows stored before the column existed;
* migration 5 recomputes it for every row: nodes before it read neither TLP
  1.0 ids nor, in some versions, granular markings, so an object marked both
  TLP:GREEN (2.0) and TLP:RED (1.0) was stored as GREEN and served to
  partners cleared for GREEN. After it, every row holds what ingest stores
  today.

Rows are read in ``seq`` order, a batch at a time, so memory stays flat
however large the node is; only rows whose level changes are written.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare.stix.tlp import tlp_level
from infoshare_server.storage import _tables as t

_BATCH = 1000


def stored_level(body: str) -> str | None:
    """The TLP level of a stored body (None when it has none or cannot be read)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return tlp_level(parsed) if isinstance(parsed, dict) else None


def store_tlp_levels(connection: Connection, *, only_unset: bool) -> int:
    """Write ``objects.tlp`` from each row's body; how many rows changed.

    ``only_unset``: look only at rows whose level is still NULL (migration 2);
    otherwise at every row (migration 5).
    """
    o = t.objects
    after = 0
    changed = 0
    while True:
        query = sa.select(o.c.seq, o.c.body, o.c.tlp).where(o.c.seq > after)
        if only_unset:
            query = query.where(o.c.tlp.is_(None))
        rows = connection.execute(query.order_by(o.c.seq).limit(_BATCH)).all()
        if not rows:
            return changed
        updates = [
            {"row_seq": seq, "level": level}
            for seq, body, stored in rows
            if (level := stored_level(body)) != stored
        ]
        if updates:
            connection.execute(
                sa.update(o)
                .where(o.c.seq == sa.bindparam("row_seq"))
                .values(tlp=sa.bindparam("level")),
                updates,
            )
            changed += len(updates)
        after = rows[-1].seq


def recompute_tlp_levels(connection: Connection) -> None:
    """Migration 5 (runs inside the migration transaction)."""
    store_tlp_levels(connection, only_unset=False)
