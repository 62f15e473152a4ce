"""Originator control: TLP 2.0 obligations by origin, and who owns an object.

Implements docs/adr/0012-originator-control.md. Every stored version records
the organisation it came from (``objects.origin``): a partner id (its own
POST, or the partner record of the remote node it was pulled from),
``"@local"`` (the node's own organisation: its operators) or
``"remote:<name>"`` (pulled from a remote without a partner record).

**Sharing by origin (TLP 2.0).** On top of rights and clearance
(``_visibility``), a requester that is not part of the node's own
organisation (operators, and partners listed in ``[sharing]
local_partners``) receives a version only when

* it is CLEAR, or
* the requester is its originator, or
* it is GREEN and the requester is in the node's ``[sharing] community``, or
* it is AMBER, AMBER+STRICT or RED (or unmarked, read as ``[access]
  unmarked_tlp``) and the node's own organisation originated it (then the
  collection's grants and RED recipients apply, as they always did), or
* its originator named the requester: a ``[[sharing.agreements]]`` entry the
  operator records from an agreement with that originator.

Members of the node's own organisation pass this clause: TLP 2.0 lets the
recipient organisation share AMBER inside itself; their clearance and RED
recipient grants still apply.

**Private copies.** A version in an organisation's namespace
(``objects.namespace``, see :func:`decide`) is served only to that
organisation, and while it holds one for an id, the shared versions of that id
are not served to it, so every reader sees one object per id.

**Ownership.** Only the organisation that created an object may add versions
to it, revoke it or withdraw it: the organisation bound to the
``created_by_ref`` of its first stored version (a partner whose
``identity_id`` it is, or the node's own ``[sharing] organisation``), else the
organisation that stored that first version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, FromClause

from infoshare.stix.tlp import RANK
from infoshare_server.access._model import Partner, SharingSettings
from infoshare_server.storage import LOCAL_ORIGIN, SharedObject, Visibility, shared_objects
from infoshare_server.storage import _tables as t

if TYPE_CHECKING:
    from infoshare_server.config import SharingSection

#: The namespace of the collection's shared rows, as an SQL literal (see origin_clause).
_SHARED: Final[ColumnElement[str]] = sa.literal_column("''", sa.Text())

#: Levels whose obligations bind the receiving organisation (TLP 2.0: no onward sharing).
RESTRICTED_LEVELS: Final = ("amber", "amber+strict", "red")


def sharing_settings(section: SharingSection) -> SharingSettings:
    """The settings a validated ``[sharing]`` section describes."""
    return SharingSettings(
        organisation=section.organisation,
        community=None if section.community == "all" else frozenset(section.community),
        local_partners=frozenset(section.local_partners),
        agreements={a.originator: frozenset(a.recipients) for a in section.agreements},
    )


def organisation_of(partner: Partner) -> str:
    """The organisation ``partner`` acts for: operators act for the node's own."""
    return LOCAL_ORIGIN if partner.operator else partner.id


# --- sharing by origin ------------------------------------------------------------------


def holds_private_copies(connection: Connection, partner: Partner) -> bool:
    """True if ``partner``'s organisation holds any private copy (one probe of the
    partial index ``ix_objects_private``)."""
    o = t.objects
    found = connection.execute(
        sa.select(o.c.seq)
        .where(o.c.namespace != _SHARED, o.c.namespace == organisation_of(partner))
        .limit(1)
    ).first()
    return found is not None


def origin_clause(
    partner: Partner, sharing: SharingSettings, unmarked_tlp: str, private_copies: bool = True
) -> Visibility:
    """The TLP-by-origin and namespace part of ``partner``'s visibility, as a clause.

    ANDed with the rights-and-clearance clause by ``_visibility.visibility_clause``.
    ``private_copies`` False (the caller found none with
    :func:`holds_private_copies`, in the same transaction) leaves out the
    per-row test for them (an index probe per row and per row of the version
    subqueries).
    """
    assert unmarked_tlp in RANK
    own = organisation_of(partner)
    local = sharing.is_local(partner)
    named = sharing.originators_naming(partner)
    community = sharing.in_community(partner)
    local_origins = sharing.local_origins()

    def clause(table: FromClause) -> ColumnElement[bool]:
        shared = [table.c.namespace == _SHARED]
        if private_copies:
            # One probe of the partial index ``ix_objects_private`` per row: its
            # condition is written literally (``!= ''``) so that SQLite may use it (a
            # bound parameter would not prove the query implies the index's WHERE).
            private = t.objects.alias()
            shared.append(
                ~sa.exists().where(
                    private.c.namespace != _SHARED,
                    private.c.namespace == own,
                    private.c.collection_pk == table.c.collection_pk,
                    private.c.object_id == table.c.object_id,
                )
            )
        if not local:
            level = sa.func.coalesce(table.c.tlp, unmarked_tlp)
            allowed: list[ColumnElement[bool]] = [
                level == "clear",
                table.c.origin == own,
                sa.and_(table.c.origin.in_(local_origins), level != "green"),
            ]
            if community:
                allowed.append(level == "green")
            if named:
                allowed.append(table.c.origin.in_(named))
            shared.append(sa.or_(*allowed))
        if not private_copies:
            return sa.and_(*shared)
        return sa.or_(sa.and_(*shared), table.c.namespace == own)

    return clause


def may_receive(
    partner: Partner, sharing: SharingSettings, *, origin: str, level: str | None,
    unmarked_tlp: str = "red",
) -> bool:  # fmt: skip
    """The per-object form of :func:`origin_clause` for a shared version."""
    if sharing.is_local(partner):
        return True
    effective = level if level is not None else unmarked_tlp
    return (
        effective == "clear"
        or origin == organisation_of(partner)
        or (effective == "green" and sharing.in_community(partner))
        or (effective != "green" and origin in sharing.local_origins())
        or origin in sharing.originators_naming(partner)
    )


# --- ownership --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Writer:
    """Who adds objects: its organisation and what it may read in the collection.

    ``visibility`` is the writer's read clause. None: a writer that cannot
    probe, because it never sees the outcome (the node's own sync pulling
    from a remote); it is then treated as seeing every version.
    """

    organisation: str
    visibility: Visibility | None


Decision = Literal["store", "duplicate", "refuse", "private"]

#: The failure message of a version by an organisation that does not own the object.
NOT_OWNER: Final = (
    "not the owner: only the organisation that created this object (its created_by_ref,"
    " else the organisation that first stored it) may add versions to it, revoke it or"
    " withdraw it"
)


def owners(
    connection: Connection, shared: Mapping[str, SharedObject], organisation: str | None
) -> dict[str, str]:
    """The owning organisation of each stored object in ``shared``, by id.

    ``organisation``: the node's own STIX identity (``[sharing] organisation``).
    """
    creators = {object_id: created_by(obj.body) for object_id, obj in shared.items()}
    bound = _identities(connection, {ref for ref in creators.values() if ref is not None})
    if organisation is not None:
        bound[organisation] = LOCAL_ORIGIN
    out: dict[str, str] = {}
    for object_id, obj in shared.items():
        ref = creators[object_id]
        out[object_id] = bound.get(ref, obj.origin) if ref is not None else obj.origin
    return out


def decide(
    writer: Writer, version_key: str | None, shared: SharedObject | None, owner: str | None
) -> Decision:
    """What becomes of one posted version (``version_key`` None: an object without
    ``modified``/``created``, such as an SCO) given the stored ``shared`` object.

    * ``store``: a new id, or the owner's own object (the storage layer still
      finds a duplicate of a stored version).
    * ``duplicate``: a non-owner re-sends a version it can see (for an SCO:
      the id, since SCOs have no versions): "already stored", as before.
    * ``refuse``: a non-owner adds a version to an object it can see.
    * ``private``: a non-owner posts an id it cannot see at all: the version
      goes to the writer's own namespace, so its reply and its later reads
      are those of a new id and reveal nothing of the hidden object.
    """
    if shared is None or owner == writer.organisation:
        return "store"
    if not shared.visible:
        return "private" if writer.visibility is not None else "refuse"
    if version_key is None or version_key in shared.visible:
        return "duplicate"
    return "refuse"


def may_withdraw(
    connection: Connection,
    collection_pk: int,
    object_id: str,
    partner: Partner,
    visibility: Visibility | None,
    organisation: str | None,
) -> bool:
    """True if ``partner`` may withdraw (DELETE) ``object_id`` as far as ownership goes.

    Operators may withdraw any object they can see (a legal takedown is the
    node's decision); a partner only objects its organisation owns. An object
    the partner cannot see is not refused here: the caller answers 404, as
    for an id never stored.
    """
    if partner.operator:
        return True
    shared = shared_objects(connection, collection_pk, [object_id], visibility)
    found = shared.get(object_id)
    if found is None or not found.visible:
        return True
    return owners(connection, shared, organisation)[object_id] == organisation_of(partner)


def bound_organisation(
    connection: Connection, identity_ref: str, organisation: str | None
) -> str | None:
    """The organisation ``identity_ref`` is bound to at this node: the partner (not
    revoked) whose ``identity_id`` it is, ``"@local"`` for the node's own
    ``organisation``; None when it is bound to none."""
    if organisation is not None and identity_ref == organisation:
        return LOCAL_ORIGIN
    return _identities(connection, [identity_ref]).get(identity_ref)


def created_by(body: str) -> str | None:
    """The ``created_by_ref`` of the stored JSON ``body``, or None."""
    try:
        ref = json.loads(body).get("created_by_ref")
    except (ValueError, AttributeError):
        return None
    return ref if isinstance(ref, str) else None


def _identities(connection: Connection, refs: Iterable[str]) -> dict[str, str]:
    """identity id -> partner id, for the partners (not revoked) holding these identities."""
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    p = t.partners
    rows = connection.execute(
        sa.select(p.c.identity_id, p.c.partner_id)
        .where(p.c.identity_id.in_(wanted), p.c.revoked_at.is_(None))
        .order_by(p.c.pk)
    )
    found: dict[str, str] = {}
    for identity_id, partner_id in rows:
        found.setdefault(str(identity_id), str(partner_id))
    return found
