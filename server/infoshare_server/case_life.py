"""The life of a case at ingest: fixed SCOs, final revocations, withdrawals.

Implements docs/adr/0013-withdrawal.md (with spec/profile/16-changing-facts.md
and spec/profile/20-withdrawal.md). Ingest (``ingest.py``) asks
:class:`CaseLife` about every version that version ownership let through,
inside the add's write transaction, and calls :meth:`CaseLife.after_insert`
once the versions are stored:

* **SCOs have no versions.** An object without ``modified``/``created`` whose
  id the writer's view of the collection already holds is a duplicate when
  its content is identical (compared as canonical JSON: members sorted, no
  whitespace, so member order does not matter) and a failure when it
  differs: nothing stored is altered.
* **A revocation is final.** Once the latest version of an object is revoked,
  no later version is stored; a revocation older than the latest stored
  version is refused too (it would never be the latest).
* **Withdrawal.** A ``withdrawal`` is stored once and never versioned. A
  posted one is refused unless its writer originated every withdrawn object
  it can see (``access._withdrawal.refusal``); a pulled one is honoured for
  the ids the remote may withdraw here (``access._withdrawal.pulled_split``:
  the path the data travelled) and refused only when that is none of the
  ids the node holds. Stored, it records its ids (``storage._withdrawals``),
  in effect where honoured; an id the collection does not hold yet takes
  effect when its first version arrives and the same rule honours it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy.engine import Connection

from infoshare_server.access._origin import Writer, bound_organisation, created_by, owners
from infoshare_server.access._withdrawal import (
    FINAL,
    is_withdrawal,
    pulled_refusal,
    pulled_split,
    refusal,
    withdrawn_refs,
)
from infoshare_server.storage import (
    CollectionKey,
    Inserted,
    NewObject,
    SharedObject,
    WithdrawnId,
    latest_versions,
    pending_withdrawals,
    put_in_effect,
    record_withdrawn,
    shared_objects,
)

#: The failure of an SCO whose id is stored with other content.
CHANGED_SCO: Final = (
    "this SCO is already stored with different content: SCOs have no versions, their id"
    " stands for one fixed value and is never changed (spec §16); send facts that change,"
    " such as an account's state or its counts, as versions of an SDO (the profile's"
    " account-state and engagement objects, §16) and keep the SCO as it was first sent;"
    " nothing stored was changed"
)
#: The failure of a version later than a revocation.
AFTER_REVOCATION: Final = (
    "this object is revoked: a revoked object takes no later version (STIX 2.1 §3.6);"
    " create a new object, with a new id, instead; this version was not stored"
)
#: The failure of a revocation older than the latest stored version.
STALE_REVOCATION: Final = (
    "a revocation must be the object's latest version (STIX 2.1 §3.6), and a later"
    " version is already stored; send it with a later modified; this version was not stored"
)


def canonical(value: object) -> str:
    """``value`` as canonical JSON text: members sorted, no whitespace. Two SCOs are
    identical when their canonical texts are equal."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class CaseLife:
    """The rules above for one add request, inside its write transaction."""

    def __init__(
        self,
        connection: Connection,
        key: CollectionKey,
        writer: Writer,
        organisation: str | None,
        shared: Mapping[str, SharedObject],
    ) -> None:
        self.connection = connection
        self.key = key
        self.writer = writer
        self.organisation = organisation
        self.shared = shared
        #: (namespace, id) -> (version_key, body) of the latest version, stored or earlier
        #: in this request.
        self._latest: dict[tuple[str, str], tuple[str, str] | None] = {}
        #: Ids first stored (shared) by this request, with their body; their owners,
        #: computed only where a withdrawal needs them.
        self._first: dict[str, str] = {}
        #: Withdrawals let through: (withdrawal id, its ids, the ids it is honoured for
        #: among those held; None: decided after the insert, by ownership).
        self._withdrawals: list[tuple[str, list[str], frozenset[str] | None]] = []

    def screen(
        self, kept: Sequence[tuple[int, NewObject]], items: Sequence[dict[str, Any]]
    ) -> tuple[list[tuple[int, NewObject]], dict[int, str]]:
        """The versions that may be stored, and a failure message by index for the others.

        Withdrawals are screened after the other objects of the request, so that
        they may withdraw objects the same request stores.
        """
        self._prefetch(kept)
        ordered = [p for p in kept if not is_withdrawal(items[p[0]])]
        ordered += [p for p in kept if is_withdrawal(items[p[0]])]
        out: list[tuple[int, NewObject]] = []
        failures: dict[int, str] = {}
        for index, new in ordered:
            message = self._check(new, items[index])
            if message is None:
                out.append((index, new))
            else:
                failures[index] = message
        out.sort(key=lambda pair: pair[0])
        return out, failures

    def _prefetch(self, kept: Sequence[tuple[int, NewObject]]) -> None:
        """Read the latest stored version of every posted id, one query per namespace."""
        by_namespace: dict[str, set[str]] = {}
        for _, new in kept:
            by_namespace.setdefault(new.namespace, set()).add(new.object_id)
        for namespace, ids in by_namespace.items():
            found = latest_versions(self.connection, self.key.collection_pk, ids, namespace)
            for object_id in ids:
                self._latest[(namespace, object_id)] = found.get(object_id)

    def _stored_latest(self, namespace: str, object_id: str) -> tuple[str, str] | None:
        slot = (namespace, object_id)
        if slot not in self._latest:
            found = latest_versions(self.connection, self.key.collection_pk, [object_id], namespace)
            self._latest[slot] = found.get(object_id)
        return self._latest[slot]

    def _check(self, new: NewObject, obj: dict[str, Any]) -> str | None:
        slot = (new.namespace, new.object_id)
        latest = self._stored_latest(*slot)
        if new.version_key is None:
            if latest is not None and canonical(json.loads(latest[1])) != canonical(obj):
                return CHANGED_SCO
            if latest is None:
                self._latest[slot] = ("", new.body)
                self._first_stored(new)
            return None
        if latest is not None:
            latest_key, body = latest
            stored = json.loads(body)
            if is_withdrawal(stored) or is_withdrawal(obj):
                return None if new.version_key == latest_key else FINAL
            if stored.get("revoked") is True and new.version_key > latest_key:
                return AFTER_REVOCATION
            if obj.get("revoked") is True and new.version_key < latest_key:
                return STALE_REVOCATION
        if is_withdrawal(obj) and new.namespace == "" and latest is None:
            message, honoured = self._withdrawal_refusal(obj)
            if message is not None:
                return message
            self._withdrawals.append((new.object_id, withdrawn_refs(obj), honoured))
        if latest is None or new.version_key > latest[0]:
            self._latest[slot] = (new.version_key, new.body)
        if latest is None:
            self._first_stored(new)
        return None

    def _first_stored(self, new: NewObject) -> None:
        """Remember a shared id this request stores first."""
        if new.namespace == "" and new.object_id not in self.shared:
            self._first.setdefault(new.object_id, new.body)

    def _first_objects(self, ids: Sequence[str]) -> dict[str, SharedObject]:
        """The shared objects among ``ids`` this request stores first, as stored."""
        organisation = self.writer.organisation
        return {
            object_id: SharedObject(
                organisation, self._first[object_id], frozenset({""}), frozenset({organisation})
            )
            for object_id in ids
            if object_id in self._first
        }

    def _owners_of_first(self, ids: Sequence[str]) -> dict[str, str]:
        """The owner of each of ``ids`` this request stores first (``_origin.owners``)."""
        return owners(self.connection, self._first_objects(ids), self.organisation)

    def _withdrawal_refusal(self, obj: dict[str, Any]) -> tuple[str | None, frozenset[str] | None]:
        """Why the withdrawal ``obj`` is refused (or None), and for a pull the ids
        held here that it is honoured for."""
        refs = withdrawn_refs(obj)
        stored = dict(
            shared_objects(self.connection, self.key.collection_pk, refs, self.writer.visibility)
        )
        # Stored by this very request: the writer sees it.
        stored.update(self._first_objects(refs))
        owner = dict(owners(self.connection, stored, self.organisation))
        creator_organisation = bound_organisation(
            self.connection, obj["created_by_ref"], self.organisation
        )
        if self.writer.visibility is None:
            honoured, refused = pulled_split(
                remote=self.writer.organisation,
                author=obj["created_by_ref"],
                author_organisation=creator_organisation,
                refs=refs,
                stored=stored,
                owner=owner,
            )
            if refused and not honoured:
                return pulled_refusal(refused), None
            return None, frozenset(honoured)
        message = refusal(
            writer_organisation=self.writer.organisation,
            creator_organisation=creator_organisation,
            refs=refs,
            stored=stored,
            owner=owner,
        )
        return message, None

    def after_insert(
        self, stored: Sequence[tuple[NewObject, Inserted]], submitter: str | None
    ) -> list[tuple[str, list[str]]]:
        """Record the withdrawals stored and put pending ones in effect; the withdrawals
        (id, withdrawn ids) this request stored."""
        added = {new.object_id: result for new, result in stored if result.date_added is not None}
        organisation = self.writer.organisation
        recorded: list[tuple[str, list[str]]] = []
        rows: list[WithdrawnId] = []
        for withdrawal_id, refs, honoured in self._withdrawals:
            result = added.get(withdrawal_id)
            if result is None or result.date_added is None:
                continue
            if honoured is None:
                owner = self._owner_now(refs)
                honoured = frozenset(ref for ref in refs if owner.get(ref) == organisation)
            rows += [
                WithdrawnId(
                    ref,
                    withdrawal_id,
                    organisation,
                    submitter,
                    result.date_added,
                    effective=ref in honoured,
                )
                for ref in refs
            ]
            recorded.append((withdrawal_id, refs))
        record_withdrawn(self.connection, self.key.collection_pk, rows)
        first = [object_id for object_id in self._first if object_id in added]
        pending = pending_withdrawals(self.connection, self.key.collection_pk, first)
        put_in_effect(self.connection, self.key.collection_pk, self._now_honoured(pending))
        return recorded

    def _now_honoured(self, pending: Mapping[str, set[tuple[str, str]]]) -> list[tuple[str, str]]:
        """The (id, withdrawal id) pairs of ``pending`` that honour the ids this request
        stored first: the withdrawal's organisation owns the id and is its author's (whose
        name the id carries, if any), or
        that organisation delivered it now and the withdrawal's author is the object's
        ``created_by_ref``. An object without ``created_by_ref`` that arrives after a
        relayed withdrawal is not withdrawn by it (see docs/adr/0013-withdrawal.md)."""
        if not pending:
            return []
        owner_of = self._owners_of_first(sorted(pending))
        withdrawals = {w for pairs in pending.values() for w, _ in pairs}
        author = {
            withdrawal_id: created_by(body)
            for withdrawal_id, (_, body) in latest_versions(
                self.connection, self.key.collection_pk, withdrawals
            ).items()
        }
        bound = {
            ref: bound_organisation(self.connection, ref, self.organisation)
            for ref in {a for a in author.values() if a is not None}
        }
        out: list[tuple[str, str]] = []
        for object_id, pairs in pending.items():
            creator = created_by(self._first[object_id])
            for withdrawal_id, organisation in pairs:
                by = author.get(withdrawal_id)
                if by is None:
                    continue
                own = (
                    owner_of[object_id] == organisation
                    and bound.get(by) == organisation
                    and creator in (None, by)
                )
                delivered = organisation == self.writer.organisation and creator == by
                if own or delivered:
                    out.append((object_id, withdrawal_id))
        return out

    def _owner_now(self, refs: Sequence[str]) -> dict[str, str]:
        """The owner of each of ``refs`` the collection holds (shared) after the insert."""
        stored = shared_objects(self.connection, self.key.collection_pk, refs, None)
        return dict(owners(self.connection, stored, self.organisation))
