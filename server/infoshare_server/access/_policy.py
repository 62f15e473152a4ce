"""The one object that answers every question of trust for one request.

Implements docs/adr/0009-one-policy-object.md on top of the rules of
docs/adr/0006-partner-access.md. The access package builds a :class:`Policy`
once per request, from the authenticated requester
(:meth:`AccessControl.policy_for <infoshare_server.access.AccessControl>`),
and for node-to-node sync once per pushed collection (:func:`policy_for_record`).
Everything that decides what a requester may see or do asks it:

==============================  ============================================
question                        method
==============================  ============================================
who is asking                   :attr:`Policy.requester`
rights in a collection          :meth:`Policy.rights`
may the API root be shown       :meth:`Policy.may_see_api_root`
which rows a query may return   :meth:`Policy.visibility` (a storage clause;
                                :meth:`Policy.readable` adds the 403; TLP
                                by origin from ``_origin``)
may they add objects            :meth:`Policy.require_write`
who writes, for ownership       :meth:`Policy.writer` (rules in ``_origin``)
what references may resolve     :meth:`Policy.referable`
may they delete (withdraw)      :meth:`Policy.require_delete`,
                                :meth:`Policy.may_withdraw`
what of a status they may see   :meth:`Policy.status_view`
whose ``next`` token this is    :attr:`Policy.token_owner`
==============================  ============================================

The views (medallion's, through ``backend.py``), the storage queries and sync
take these answers as parameters and decide nothing themselves. The SQL form
of "which rows" lives in ``_visibility`` and the TLP reading in
:mod:`infoshare.stix.tlp`; this module is where they are applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.access._directory import PartnerRecord, grant_of
from infoshare_server.access._model import NO_RIGHTS, AccessSettings, Clearance, Partner, Rights
from infoshare_server.access._origin import (
    NOT_OWNER,
    Writer,
    holds_private_copies,
    may_withdraw,
    organisation_of,
)
from infoshare_server.access._visibility import visibility_clause
from infoshare_server.access._withdrawal import any_withdrawn
from infoshare_server.errors import RequestError
from infoshare_server.storage import (
    CollectionKey,
    ObjectQuery,
    StatusRecord,
    Store,
    Visibility,
    select_objects,
)

#: The clearance of the node's own operator accounts (``[[users]]``): they run
#: the node for its organisation and see up to AMBER+STRICT; like everyone
#: else they see TLP:RED only where they are named recipients.
OPERATOR_CLEARANCE: Final[Clearance] = "amber+strict"

#: How many status details are looked up in one query.
_DETAIL_BATCH: Final = 500


def operator_account(name: str) -> Partner:
    """The requester an operator account ``name`` of ``[[users]]`` authenticates as."""
    return Partner(
        id=name,
        name=name,
        identity_id=None,
        is_admin=True,
        clearance=OPERATOR_CLEARANCE,
        operator=True,
    )


def collection_rights(requester: Partner, grant: Rights, key: CollectionKey) -> Rights:
    """The requester's rights in ``key``, given its stored ``grant`` there.

    Stored grants, capped by the collection's configured ``can_read`` and
    ``can_write``; delete needs an administrator. Operator accounts may read,
    write and delete everywhere (RED still only as named recipients).
    """
    if requester.operator:
        base = Rights(True, True, True, grant.red_recipient)
    else:
        base = Rights(grant.read, grant.write, grant.delete and requester.is_admin,
                      grant.red_recipient)  # fmt: skip
    return Rights(
        read=base.read and key.settings.can_read,
        write=base.write and key.settings.can_write,
        delete=base.delete and key.settings.can_write,
        red_recipient=base.red_recipient,
    )


def rights_for(connection: Connection, requester: Partner, key: CollectionKey) -> Rights:
    """The requester's rights in ``key``, read from its grant (one indexed query)."""
    grant = grant_of(connection, requester.id, key.collection_pk) or NO_RIGHTS
    return collection_rights(requester, grant, key)


class Policy:
    """Every trust decision for one requester, for the length of one request.

    Rights are read at most once per collection and remembered in the object
    itself, which lives only as long as the request: a grant changed or
    revoked in any process applies from the next request on.
    """

    def __init__(
        self,
        requester: Partner | None,
        store: Store | None,
        settings: AccessSettings | None = None,
        *,
        sees_nothing: bool = False,
        open_visibility: Visibility | None = None,
    ) -> None:
        """Use :meth:`for_requester`, :meth:`unrestricted` or :func:`policy_for_record`."""
        self.requester = requester
        self.store = store
        self.settings = settings or AccessSettings()
        self._sees_nothing = sees_nothing
        self._open_visibility = open_visibility
        self._rights: dict[int, Rights] = {}

    @classmethod
    def for_requester(
        cls, requester: Partner, store: Store | None, settings: AccessSettings
    ) -> Policy:
        """The policy of an authenticated partner or operator account."""
        return cls(requester, store, settings)

    @classmethod
    def unrestricted(cls, visibility: Visibility | None = None) -> Policy:
        """No access control (library use and backend tests): everything configured,
        narrowed by ``visibility`` when given."""
        return cls(None, None, open_visibility=visibility)

    @property
    def restricted(self) -> bool:
        """True when a requester's rights apply (False only without access control)."""
        return self.requester is not None

    @property
    def token_owner(self) -> str:
        """Who ``next`` tokens issued in this request are bound to ("" without access control)."""
        return self.requester.id if self.requester is not None else ""

    # --- rights -------------------------------------------------------------------------

    def rights(self, key: CollectionKey, connection: Connection | None = None) -> Rights:
        """The requester's rights in ``key``; read once per request (within ``connection``'s
        transaction when given)."""
        if self.requester is None:
            settings = key.settings
            return Rights(settings.can_read, settings.can_write, settings.can_write, True)
        if self._sees_nothing or self.store is None:
            return NO_RIGHTS
        found = self._rights.get(key.collection_pk)
        if found is None:
            if connection is not None:
                found = rights_for(connection, self.requester, key)
            else:
                with self.store.reading() as own:
                    found = rights_for(own, self.requester, key)
            self._rights[key.collection_pk] = found
        return found

    def may_see_collection(self, key: CollectionKey) -> bool:
        """True if the collection exists for the requester (read or write right)."""
        return self.rights(key).any

    def may_see_api_root(self, collections: Iterable[CollectionKey]) -> bool:
        """True if the API root holding ``collections`` may be shown: administrators see
        every root, others only roots with a collection they have rights in."""
        if self.requester is None or (self.requester.is_admin and not self._sees_nothing):
            return True
        return any(self.may_see_collection(key) for key in collections)

    def require_write(self, key: CollectionKey) -> None:
        """403 unless the requester may add objects to ``key``."""
        if not self.rights(key).write:
            raise RequestError("these credentials may not add objects to this collection", 403)

    def require_delete(self, key: CollectionKey) -> None:
        """403 unless the requester may delete objects from ``key``."""
        if not self.rights(key).delete:
            raise RequestError(
                "these credentials may not delete objects: only administrators with the"
                " delete right on this collection may",
                403,
            )

    # --- which rows ---------------------------------------------------------------------

    def visibility(self, key: CollectionKey, connection: Connection | None = None) -> Visibility:
        """The storage clause of the versions the requester may see in ``key``.

        The same clause serves reads, deletes, status details and sync push:
        TLP clearance, RED recipients, the unmarked-object policy, the
        requester's own submissions (``_visibility.visibility_clause``).
        Nothing without the read right.
        """
        if self.requester is None:
            return self._open_visibility or (lambda _table: sa.true())
        rights = self.rights(key, connection)
        if not rights.read:
            return lambda _table: sa.false()
        # Without a connection the clause keeps the per-row test for private copies;
        # with one, a single probe tells whether the requester's organisation holds any.
        private = connection is None or holds_private_copies(connection, self.requester)
        # Likewise one probe tells whether the collection has any withdrawn id in effect.
        withdrawals = connection is None or any_withdrawn(connection, key.collection_pk)
        return visibility_clause(
            self.requester, rights, self.settings.unmarked_tlp, self.settings.sharing, private,
            withdrawals=withdrawals,
        )  # fmt: skip

    def readable(self, key: CollectionKey, connection: Connection | None = None) -> Visibility:
        """:meth:`visibility` for a read; 403 without the read right."""
        if not self.rights(key, connection).read:
            raise RequestError("these credentials may not read this collection", 403)
        return self.visibility(key, connection)

    # --- changing objects ---------------------------------------------------------------

    def writer(self, key: CollectionKey, connection: Connection | None = None) -> Writer | None:
        """Who adds objects in this request, for version ownership: the requester's
        organisation and the clause of what it may read in ``key``.

        Ingest decides each posted version with it inside the write transaction
        (``_origin.decide``): only the organisation that created an object adds
        versions to it or revokes it; a version of an id the writer cannot see
        goes to the writer's own namespace, so the reply reveals nothing
        (docs/adr/0012-originator-control.md). None without access control:
        the node's own organisation, seeing everything.
        """
        if self.requester is None:
            return None
        return Writer(organisation_of(self.requester), self.visibility(key, connection))

    def referable(
        self, key: CollectionKey, connection: Connection | None = None
    ) -> Visibility | None:
        """What the references of objects this requester adds may resolve against
        (IS-301 on ingest): what it may read, or, without the read right, only what
        it submitted itself. A reference to an object hidden from it then fails
        exactly like one to an id the collection never held: no existence oracle.
        None without access control: every stored object.
        """
        if self.requester is None:
            return self._open_visibility
        if self.rights(key, connection).read:
            return self.visibility(key, connection)
        submitter = self.requester.id
        return lambda table: table.c.submitter == submitter

    def may_withdraw(
        self, connection: Connection, key: CollectionKey, object_id: str
    ) -> str | None:
        """None if the requester may delete the versions of ``object_id`` it can see;
        otherwise the refusal, answered with 403.

        Called inside the delete's write transaction, after :meth:`require_delete`.
        Only the organisation that owns an object withdraws it; operators may
        withdraw anything they can see (a legal takedown is the node's
        decision). An object the requester cannot see is not refused here: the
        delete then answers 404, as for an id never stored.
        """
        if self.requester is None:
            return None
        allowed = may_withdraw(
            connection,
            key.collection_pk,
            object_id,
            self.requester,
            self.visibility(key, connection),
            self.settings.sharing.organisation,
        )
        return None if allowed else f"{NOT_OWNER}; nothing was withdrawn"

    # --- status resources ---------------------------------------------------------------

    def status_view(
        self, connection: Connection, record: StatusRecord, key: CollectionKey | None
    ) -> StatusRecord | None:
        """What of the status ``record`` (of an add to ``key``) the requester may see.

        * the partner that made the request sees all of it;
        * administrators and operators see it only if they may read ``key``,
          and then only the details of versions they may read (a failure
          names an object that was never stored, so it is left out too);
          the counts are those of the details shown;
        * anyone else, and an administrator without the read right, sees
          nothing: the node answers 404, as for an unknown status id.
        """
        if self.requester is None:
            return record
        if self._sees_nothing:
            return None
        if record.partner_id == self.requester.id:
            return record
        if not self.requester.is_admin or key is None or not self.rights(key, connection).read:
            return None
        readable = _readable_versions(connection, key, record, self.visibility(key, connection))
        return replace(
            record,
            details=tuple(
                detail
                for detail in record.details
                if detail.outcome == "success" and (detail.object_id, detail.version) in readable
            ),
        )


def _readable_versions(
    connection: Connection, key: CollectionKey, record: StatusRecord, visibility: Visibility
) -> set[tuple[str, str]]:
    """(id, version) of the status's objects that ``visibility`` lets through."""
    ids: Sequence[str] = sorted({d.object_id for d in record.details if d.outcome == "success"})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(ids), _DETAIL_BATCH):
        rows = select_objects(
            connection,
            key.collection_pk,
            ObjectQuery(ids=tuple(ids[start : start + _DETAIL_BATCH]), versions=("all",)),
            with_body=False,
            visibility=visibility,
        )
        found.update((row.object_id, row.version) for row in rows)
    return found


def policy_for_record(store: Store, record: PartnerRecord, settings: AccessSettings) -> Policy:
    """The policy of a partner record acting without a request: what node-to-node
    sync may push to the remote node that record stands for. A revoked partner is
    sent nothing, whatever its grants say."""
    return Policy(record.partner(), store, settings, sees_nothing=record.revoked_at is not None)
