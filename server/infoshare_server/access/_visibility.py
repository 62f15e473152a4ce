"""The one decision of what a partner may see, as a clause inside the storage query.

Implements "TLP 2.0 clearance" and "Visibility" of docs/adr/0006-partner-access.md.
A stored version is visible to a partner with read rights in its collection when

* its TLP level is CLEAR, or a level up to the partner's clearance (GREEN,
  AMBER, AMBER+STRICT), or
* it is TLP:RED and the partner is a named RED recipient of the collection, or
* it carries no recognised TLP 2.0 marking and the node's policy for unmarked
  objects (``[access] unmarked_tlp``, default "red": the most restrictive)
  would let the partner see an object of that level, or
* the partner submitted it;

and TLP 2.0 by origin allows it (``_origin.origin_clause``,
docs/adr/0012-originator-control.md: AMBER, AMBER+STRICT and RED received from
another organisation go back only to it, to the node's own organisation and
to recipients it named; GREEN only to the node's community), and no withdrawal
by its originating organisation names its id (``_withdrawal.withdrawn_clause``,
docs/adr/0013-withdrawal.md; the node's operators still see withdrawn
objects, to answer for them).

The clause is applied by the storage layer to the rows returned and to the
rows that decide "first"/"last" version and the latest spec version
(``storage._objects``), so a hidden object changes no count, no header and no
``next`` token. The request's :class:`~infoshare_server.access.Policy` applies it
to reads, deletes, status details and node-to-node sync push alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, FromClause

from infoshare.stix.tlp import RANK, levels_up_to
from infoshare_server.access._model import Partner, Rights, SharingSettings
from infoshare_server.access._origin import origin_clause
from infoshare_server.access._withdrawal import withdrawn_clause
from infoshare_server.storage import Visibility


def visible_levels(partner: Partner, rights: Rights) -> tuple[str, ...]:
    """The TLP levels the partner sees in a collection where it has ``rights``."""
    levels: list[str] = list(levels_up_to(partner.clearance))
    if rights.red_recipient:
        levels.append("red")
    return tuple(levels)


def visibility_clause(
    partner: Partner,
    rights: Rights,
    unmarked_tlp: str = "red",
    sharing: SharingSettings | None = None,
    private_copies: bool = True,
    *,
    withdrawals: bool = True,
) -> Visibility:
    """The storage visibility hook for ``partner`` in a collection where it has ``rights``.

    ``private_copies``: see ``_origin.origin_clause`` (False only when the caller
    found none for the partner's organisation in the same transaction).
    ``withdrawals`` False (the caller found no withdrawn id in effect in the
    collection, ``_withdrawal.any_withdrawn``, in the same transaction) leaves out
    the per-row test for them.
    """
    if not rights.read:
        return lambda _table: sa.false()
    levels = visible_levels(partner, rights)
    unmarked_visible = unmarked_tlp in levels
    assert unmarked_tlp in RANK
    by_origin = origin_clause(partner, sharing or SharingSettings(), unmarked_tlp, private_copies)
    not_withdrawn = None if partner.operator or not withdrawals else withdrawn_clause()

    def clause(table: FromClause) -> ColumnElement[bool]:
        choices: list[ColumnElement[bool]] = [
            table.c.tlp.in_(levels),
            table.c.submitter == partner.id,
        ]
        if unmarked_visible:
            choices.append(table.c.tlp.is_(None))
        parts = [sa.or_(*choices), by_origin(table)]
        if not_withdrawn is not None:
            parts.append(not_withdrawn(table))
        return sa.and_(*parts)

    return clause
