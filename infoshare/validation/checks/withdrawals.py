"""Withdrawals: checks IS-224, IS-610, IS-310 and IS-723.

Implements spec/profile/20-withdrawal.md. A withdrawal is the originating
organisation's final notice that objects it shared must no longer be served
(§20.1); its schema is IS-223 (:mod:`infoshare.validation.checks.profile_schemas`).

* IS-224 (§20.2): ``withdrawn_refs`` names no marking-definition (markings are
  shared definitions, not records) and no other withdrawal (a withdrawal is
  final, so it cannot itself be withdrawn).
* IS-610 (§20.2): a withdrawal has one version: ``modified`` equals
  ``created`` and it is not revoked.
* IS-310 (§20.3): only the organisation that created an object may withdraw
  it. Within one input, the withdrawal's ``created_by_ref`` equals the
  ``created_by_ref`` of every withdrawn object present. SCOs carry no
  ``created_by_ref``; a node knows who sent them (§20.4).
* IS-723 (§20.3): a withdrawal is marked no more restrictively than the
  objects it withdraws, so it can follow them to every partner that got them.

The cross-object check keeps, per object of the input, its creators and its
most open TLP level; past ``ValidationOptions.spill_threshold`` objects these
move to the check's spill database (docs/adr/0005-bounded-memory.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from infoshare.profile import TYPE_WITHDRAWAL
from infoshare.stix.timestamps import is_timestamp, timestamp_key
from infoshare.stix.tlp import LEVELS, MARKING_LEVELS, RANK
from infoshare.validation._registry import (
    CrossObjectCheck,
    Emit,
    EmitAt,
    ObjectRef,
    StixDict,
    ValidationOptions,
    cross_object_check,
    jpath,
    object_check,
)
from infoshare.validation._spill import RowBuffer

#: Types a withdrawal may not name (IS-224), with the reason given to the producer.
NOT_WITHDRAWABLE: Final = {
    "marking-definition": "a marking-definition is a shared definition, not a record of the case",
    TYPE_WITHDRAWAL: "a withdrawal is final and cannot itself be withdrawn",
}


def _tlp_rank(obj: StixDict) -> int | None:
    """The rank of the most open TLP marking of ``obj`` (0 is clear), or None."""
    refs = obj.get("object_marking_refs")
    if not isinstance(refs, list):
        return None
    if len(refs) == 1 and isinstance(refs[0], str):  # the usual case, without a list
        level = MARKING_LEVELS.get(refs[0])
        return None if level is None else RANK[level]
    ranks = [RANK[MARKING_LEVELS[r]] for r in refs if isinstance(r, str) and r in MARKING_LEVELS]
    return min(ranks) if ranks else None


#: The creators of an object's versions: none, one id, or several.
_Creators = str | frozenset[str] | None


def _joined(creators: _Creators, creator: str) -> _Creators:
    if creators is None:
        return creator
    if isinstance(creators, str):
        return frozenset((creators, creator))
    return creators | {creator}


def _as_set(creators: _Creators) -> set[str]:
    if creators is None:
        return set()
    return {creators} if isinstance(creators, str) else set(creators)


def _withdrawn(obj: StixDict) -> list[tuple[int, str]]:
    refs = obj.get("withdrawn_refs")
    if not isinstance(refs, list):
        return []
    return [(index, ref) for index, ref in enumerate(refs) if isinstance(ref, str)]


@object_check("IS-224", types={TYPE_WITHDRAWAL})
def withdrawable_objects(obj: StixDict, emit: Emit) -> None:
    for index, ref in _withdrawn(obj):
        kind = ref.split("--", 1)[0]
        if kind in NOT_WITHDRAWABLE:
            emit(
                jpath("withdrawn_refs", index),
                f"{ref} cannot be withdrawn: {NOT_WITHDRAWABLE[kind]}; remove it from "
                "withdrawn_refs",
            )


@object_check("IS-610", types={TYPE_WITHDRAWAL})
def single_version(obj: StixDict, emit: Emit) -> None:
    created, modified = obj.get("created"), obj.get("modified")
    if (
        isinstance(created, str)
        and isinstance(modified, str)
        and is_timestamp(created)
        and is_timestamp(modified)
        and timestamp_key(created) != timestamp_key(modified)
    ):
        emit(
            jpath("modified"),
            f"a withdrawal has one version only, so modified ({modified}) must equal created "
            f"({created}); to withdraw further objects, send a new withdrawal with a new id",
        )
    if obj.get("revoked") is True:
        emit(
            jpath("revoked"),
            "a withdrawal is final and cannot be revoked; to share the objects again, "
            "the originator shares them as new objects with new ids",
        )


@cross_object_check
class WithdrawalAuthor(CrossObjectCheck):
    """IS-310 and IS-723: a withdrawal comes from the objects' creator and can follow them."""

    check_id = "IS-310"
    also_emits = ("IS-723",)

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        #: Each withdrawal: where it was read, its creator, its TLP rank, what it withdraws.
        self._withdrawals: list[tuple[ObjectRef, Any, int | None, list[tuple[int, str]]]] = []
        #: Every other object: id -> (its creator, or the frozenset of its versions' creators
        #: when they differ; the most open TLP rank of its versions).
        self._objects: dict[str, tuple[_Creators, int | None]] = {}
        self._limit = options.spill_threshold
        self._spilled: RowBuffer | None = None

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        if obj.get("type") == TYPE_WITHDRAWAL:
            withdrawn = _withdrawn(obj)
            if withdrawn:
                self._withdrawals.append(
                    (where, obj.get("created_by_ref"), _tlp_rank(obj), withdrawn)
                )
            return
        object_id = obj.get("id")
        if not isinstance(object_id, str):
            return
        creator = obj.get("created_by_ref")
        creator = creator if isinstance(creator, str) else None
        rank = _tlp_rank(obj)
        if self._spilled is not None:
            self._spilled.append((object_id, creator, rank))
            return
        entry = self._objects.get(object_id)
        if entry is None:  # the usual case: one version, one creator, kept as a pair
            self._objects[object_id] = (creator, rank)
        else:
            creators, known = entry
            if creator is not None and creator != creators:
                creators = _joined(creators, creator)
            if rank is not None and (known is None or rank < known):
                known = rank
            self._objects[object_id] = (creators, known)
        if self._limit is not None and len(self._objects) > self._limit:
            self._spill()

    def _spill(self) -> None:
        rows = self.spill.buffer("objects", ("id TEXT", "creator TEXT", "rank INTEGER"))
        for object_id, (creators, rank) in self._objects.items():
            rows.extend((object_id, creator, rank) for creator in _as_set(creators) or [None])
        self._objects.clear()
        self._spilled = rows

    def _lookup(self, object_id: str) -> tuple[set[str], int | None] | None:
        if self._spilled is None:
            entry = self._objects.get(object_id)
            return None if entry is None else (_as_set(entry[0]), entry[1])
        found = list(
            self.spill.query("SELECT creator, rank FROM objects WHERE id = ?", (object_id,))
        )
        if not found:
            return None
        ranks = [rank for _, rank in found if rank is not None]
        return {c for c, _ in found if c is not None}, min(ranks) if ranks else None

    def finish(self, emit_at: EmitAt) -> None:
        if self._spilled is not None:
            self._spilled.flush()
            self.spill.execute("CREATE INDEX object_id ON objects (id)")
        for where, author, rank, withdrawn in self._withdrawals:
            most_open: int | None = None
            for index, ref in withdrawn:
                known = self._lookup(ref)
                if known is None:
                    continue
                creators, object_rank = known
                self._check_author(emit_at, where, author, index, ref, creators)
                if object_rank is not None and (most_open is None or object_rank < most_open):
                    most_open = object_rank
            if rank is not None and most_open is not None and rank > most_open:
                emit_at(
                    where,
                    jpath("object_marking_refs"),
                    f"the withdrawal is marked TLP:{LEVELS[rank].upper()} but withdraws objects "
                    f"shared TLP:{LEVELS[most_open].upper()}; mark it TLP:"
                    f"{LEVELS[most_open].upper()} so that it reaches every partner that "
                    "received them",
                    "IS-723",
                )

    @staticmethod
    def _check_author(
        emit_at: EmitAt,
        where: ObjectRef,
        author: Any,
        index: int,
        ref: str,
        creators: Iterable[str],
    ) -> None:
        others = sorted(c for c in creators if c != author)
        if not others or not isinstance(author, str):
            return  # an object without created_by_ref is judged by the node (§20.4)
        emit_at(
            where,
            jpath("withdrawn_refs", index),
            f"{ref} was created by {', '.join(others)}, not by the withdrawal's creator "
            f"{author}: only the organisation that created an object may withdraw it; "
            "ask that organisation to send the withdrawal",
        )
