"""Withdrawal: the originating organisation takes ids back, and the node stops serving them.

Implements docs/adr/0013-withdrawal.md for the ``withdrawal`` object of
spec/profile/20-withdrawal.md (``created_by_ref``, ``withdrawn_refs``,
``reason``; one version only). The node checks the shape it relies on
itself, whatever the collection's validation mode, and decides:

* **who may withdraw, by POST**: the organisation that owns every withdrawn
  object it can see (``_origin.owners``: the organisation bound to the
  object's ``created_by_ref``, else the one that first stored it), and it
  must be the organisation the withdrawal's ``created_by_ref`` names (its
  ``identity_id``; the node's ``[sharing] organisation`` for the operators).
  Otherwise the whole withdrawal is refused, naming the ids, and nothing
  changes (:func:`refusal`). An id the writer cannot see is treated exactly
  like an id the collection never held (no oracle): it is recorded, and
  takes effect only if that writer turns out to own it;
* **which ids a withdrawal pulled by sync hides** (:func:`pulled_split`): it
  travels the path the data travelled. From remote R, it is honoured for an
  id when R is the author's own node (the author's identity is bound to R
  here, R owns the id and the id's ``created_by_ref``, if any, is the
  author), or when R delivered every version of the node's
  copy and the withdrawal's ``created_by_ref`` is the object's; an object
  without ``created_by_ref`` (an SCO) only when the same withdrawal is
  honoured for an object of its author, delivered by R, that refers to it.
  The other ids it names are kept as refused; only a withdrawal honoured for
  none of the ids the node holds is refused as a whole;
* **what is hidden**: :func:`withdrawn_clause`, ANDed into every requester's
  visibility clause except the node's operators, so withdrawn ids vanish
  from every read, count, ``next`` token, version choice, reference
  resolution and push in the same SQL query.

A withdrawal itself is an ordinary object for reads (its own marking
decides who sees it); it is never versioned, revoked or withdrawn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, FromClause

from infoshare.stix.identifiers import identifier_type, is_identifier
from infoshare_server.access._origin import created_by
from infoshare_server.storage import SharedObject, Visibility
from infoshare_server.storage._withdrawals import withdrawn

#: The STIX type of a withdrawal (spec/profile/20-withdrawal.md).
WITHDRAWAL_TYPE: Final = "withdrawal"
#: Most ids one withdrawal may name (a larger take-down is sent as several withdrawals).
MAX_WITHDRAWN_REFS: Final = 1000
#: Longest id the node stores (``ingest.MAX_ID_LENGTH``).
_MAX_ID: Final = 300
#: Types a withdrawal never names.
_NEVER_WITHDRAWN: Final = frozenset({"marking-definition", WITHDRAWAL_TYPE})
#: Ids quoted in one refusal.
_IDS_QUOTED: Final = 20

#: The failure of a second version (or a revocation) of a stored withdrawal.
FINAL: Final = (
    "a withdrawal is final: it is never versioned or revoked (spec §20); this version was"
    " not stored; to withdraw more ids, post a new withdrawal"
)


def is_withdrawal(obj: Mapping[str, Any]) -> bool:
    """True for an object of type ``withdrawal``."""
    return obj.get("type") == WITHDRAWAL_TYPE


def shape_problem(obj: Mapping[str, Any]) -> str | None:
    """Why the node cannot act on the withdrawal ``obj``, or None.

    Checked by the node in every collection mode (a plain STIX collection does
    not validate profile types), before anything is stored.
    """
    creator = obj.get("created_by_ref")
    if not isinstance(creator, str) or identifier_type(creator[:_MAX_ID]) != "identity":
        return (
            "withdrawal: created_by_ref must be the identity of the organisation that"
            " originated the withdrawn objects; nothing was withdrawn"
        )
    refs = obj.get("withdrawn_refs")
    if not isinstance(refs, list) or not refs:
        return (
            "withdrawal: withdrawn_refs must be a non-empty list of the ids to withdraw;"
            " nothing was withdrawn"
        )
    if len(refs) > MAX_WITHDRAWN_REFS:
        return (
            f"withdrawal: withdrawn_refs names {len(refs)} ids, more than the"
            f" {MAX_WITHDRAWN_REFS} one withdrawal may name; send several withdrawals;"
            " nothing was withdrawn"
        )
    bad = [
        ref
        for ref in refs
        if not isinstance(ref, str) or len(ref) > _MAX_ID or not is_identifier(ref)
    ]
    if bad:
        return (
            f"withdrawal: withdrawn_refs holds {len(bad)} value(s) that are not STIX ids"
            f" (type--UUID), e.g. {_quote(bad[:3])}; nothing was withdrawn"
        )
    never = [ref for ref in refs if identifier_type(ref) in _NEVER_WITHDRAWN]
    if never:
        return (
            "withdrawal: marking definitions and withdrawals cannot be withdrawn (a withdrawal"
            f" is final), yet withdrawn_refs names {_quote(never)}; nothing was withdrawn"
        )
    if obj.get("revoked") is True:
        return FINAL
    return None


def withdrawn_refs(obj: Mapping[str, Any]) -> list[str]:
    """The distinct ids a withdrawal that passed :func:`shape_problem` names, in order."""
    return list(dict.fromkeys(obj["withdrawn_refs"]))


def refusal(
    *,
    writer_organisation: str,
    creator_organisation: str | None,
    refs: Sequence[str],
    stored: Mapping[str, SharedObject],
    owner: Mapping[str, str],
) -> str | None:
    """Why the writer of a POST may not withdraw ``refs``, or None.

    ``creator_organisation``: the organisation the withdrawal's
    ``created_by_ref`` is bound to at this node (None: bound to none).
    ``stored``: the shared objects among ``refs`` with what the writer may
    see of them (an id it cannot see decides nothing: no oracle); ``owner``:
    their owners. A pulled withdrawal is decided by :func:`pulled_split`.
    """
    others = [
        ref
        for ref in refs
        if ref in stored and stored[ref].visible and owner[ref] != writer_organisation
    ]
    if others:
        return (
            "withdrawal refused: only the organisation that originated an object (its"
            " created_by_ref, else the organisation that first stored it) may withdraw it,"
            f" and these were originated by another organisation: {_quote(others)};"
            " nothing was withdrawn"
        )
    if creator_organisation != writer_organisation:
        return (
            f"withdrawal of {_quote(refs)} refused: its created_by_ref is not the identity"
            " of the organisation posting it (a partner's identity_id, or the node's"
            " [sharing] organisation for its operators); only the organisation that"
            " originated objects may withdraw them; nothing was withdrawn"
        )
    return None


def pulled_split(
    *,
    remote: str,
    author: str,
    author_organisation: str | None,
    refs: Sequence[str],
    stored: Mapping[str, SharedObject],
    owner: Mapping[str, str],
) -> tuple[list[str], list[str]]:
    """(honoured, refused): the ids among ``refs`` the node holds, for a withdrawal
    by ``author`` (its ``created_by_ref``) pulled from the remote whose organisation
    is ``remote``.

    ``author_organisation``: the organisation ``author`` is bound to here (None:
    none). ``stored``: the shared objects among ``refs`` (a pull sees every
    version); ``owner``: their owners. An id honoured by the remote's own
    authority (the author's node) or by delivery (see the module doc); an
    object without ``created_by_ref`` by delivery only when an object of the
    author honoured here, delivered by the remote, refers to it. Nothing is
    decided for an id the node does not hold.
    """
    honoured: list[str] = []
    refused: list[str] = []
    unsigned: list[str] = []
    about: set[str] = set()
    for ref in refs:
        found = stored.get(ref)
        if found is None:
            continue
        creator = created_by(found.body)
        delivered = found.origins == frozenset({remote})
        if author_organisation == remote and owner[ref] == remote and creator in (None, author):
            honoured.append(ref)
        elif creator is None:
            unsigned.append(ref)
            continue
        elif delivered and creator == author:
            honoured.append(ref)
        else:
            refused.append(ref)
            continue
        if creator == author and delivered:
            about |= _references(found.body)
    for ref in unsigned:
        delivered = stored[ref].origins == frozenset({remote})
        (honoured if delivered and ref in about else refused).append(ref)
    return honoured, refused


def pulled_refusal(refused: Sequence[str]) -> str:
    """The failure of a pulled withdrawal honoured for none of the ids the node holds."""
    return (
        "withdrawal refused: a withdrawal pulled from a remote is honoured for an object"
        " only when that remote is its author's node, or delivered every version of the"
        " object held here and the withdrawal's created_by_ref is the object's (for an"
        " object without created_by_ref: an object of that author it delivered, withdrawn"
        f" with it, refers to it); it is honoured for none of {_quote(refused)};"
        " nothing was withdrawn"
    )


def _references(body: str) -> set[str]:
    """Every id a ``*_ref`` or ``*_refs`` property of the JSON ``body`` holds, at any depth."""
    found: set[str] = set()

    def walk(value: object, refs: bool) -> None:
        if isinstance(value, str):
            if refs:
                found.add(value)
        elif isinstance(value, list):
            for item in value:
                walk(item, refs)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, isinstance(key, str) and key.endswith(("_ref", "_refs")))

    try:
        walk(json.loads(body), False)
    except ValueError:
        return set()
    return found


def withdrawn_clause() -> Visibility:
    """The rows a withdrawal hides, as a clause that lets every other row through.

    A shared row whose id an effective withdrawal names in its collection is
    hidden; private copies (``objects.namespace``) stay their holder's, as
    docs/adr/0012-originator-control.md promises. One probe of
    ``ix_withdrawn_object`` per row.
    """

    def clause(table: FromClause) -> ColumnElement[bool]:
        w = withdrawn.alias()
        return sa.or_(
            table.c.namespace != sa.literal_column("''", sa.Text()),
            ~sa.exists().where(
                w.c.collection_pk == table.c.collection_pk,
                w.c.object_id == table.c.object_id,
                w.c.effective == sa.true(),
            ),
        )

    return clause


def any_withdrawn(connection: Connection, collection_pk: int) -> bool:
    """True if the collection has a withdrawn id in effect (one index probe)."""
    w = withdrawn
    found = connection.execute(
        sa.select(w.c.pk)
        .where(w.c.collection_pk == collection_pk, w.c.effective == sa.true())
        .limit(1)
    ).first()
    return found is not None


def _quote(ids: Sequence[object]) -> str:
    shown = ", ".join(str(i)[:_MAX_ID] for i in ids[:_IDS_QUOTED])
    more = len(ids) - _IDS_QUOTED
    return shown + (f" and {more} more" if more > 0 else "")
