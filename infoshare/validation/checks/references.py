"""IS-301: every reference resolves (spec/profile/ §10.1).

A reference is the value of any property named ``*_ref`` or ``*_refs``, at
any depth of an object, extensions included (for example the FIMI incident
extension's ``attribution.actor_refs``), as :mod:`infoshare.stix.references`
finds them (except a withdrawal's ``withdrawn_refs``, spec/profile/20-withdrawal.md
§20.4). It resolves when it names an object
of the input, an id of the collection context (``ValidationOptions.context_ids``,
CLI ``--context FILE``), a well-known object (:data:`WELL_KNOWN_IDS`), or an
id the caller's resolver (``ValidationOptions.resolve_ids``) reports as
existing. The resolver is asked once, after the pass, with exactly the
references nothing else resolved: a TAXII node answers it from what the
submitter may see, and no earlier walk of the references is needed.

Memory stays bounded on very large inputs (docs/adr/0005-bounded-memory.md):
the check keeps the set of ids seen, and only the references that did not
resolve when they were read, with where they were read; those are re-checked
once the input is over. A reference resolves when its id appears anywhere in
the input, so order does not matter: past ``ValidationOptions.spill_threshold``
entries, the ids and the pending references move to the check's spill
database and the re-check becomes one query, in input order.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

from infoshare import profile
from infoshare.stix.references import iter_references
from infoshare.validation._object_references import object_references
from infoshare.validation._registry import (
    CrossObjectCheck,
    EmitAt,
    ObjectRef,
    StixDict,
    ValidationOptions,
    cross_object_check,
    jpath,
)
from infoshare.validation._spill import RowBuffer

#: Ids that always resolve: TLP markings, the profile's identity and the
#: extension-definitions of this profile, the OASIS incident suite and TLP 2.0.
WELL_KNOWN_IDS: Final[frozenset[str]] = frozenset(
    {
        *profile.TLP_2_0_LEVELS,
        *profile.TLP_1_0_IDS,
        profile.PROFILE_IDENTITY_ID,
        profile.EXT_FIMI_INCIDENT,
        profile.EXT_NARRATIVE,
        profile.EXT_CHANNEL,
        profile.EXT_MEDIA_CONTENT,
        profile.EXT_FIMI_ACCOUNT,
        profile.EXT_SYNTHETIC_MEDIA_ANALYSIS,
        profile.EXT_WITHDRAWAL,
        profile.EXT_PLATFORM_ACTION,
        profile.EXT_JOINT_AUTHORSHIP,
        profile.EXT_ACCOUNT_STATE,
        profile.EXT_ENGAGEMENT,
        profile.EXT_COORDINATED_NETWORK,
        profile.EXT_OASIS_INCIDENT_CORE,
        profile.EXT_OASIS_EVENT,
        profile.EXT_OASIS_IMPACT,
        profile.EXT_OASIS_TASK,
        profile.EXT_TLP_2_0,
    }
)

#: After a spill, at most this many often-referenced ids stay in memory.
HOT_IDS: Final = 256


@cross_object_check
class ReferencesResolve(CrossObjectCheck):
    """IS-301: report references that name no object of the input, context or well-known set."""

    check_id = "IS-301"

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._ids: set[str] = set()
        self._known = options.context_ids
        #: References unresolved when read: (ref, where, path) in input order.
        self._pending: list[tuple[str, ObjectRef, str]] = []
        self._limit = options.spill_threshold
        #: Once spilled: every id seen, and the pending references in input order.
        self._spilled: tuple[RowBuffer, RowBuffer] | None = None
        #: Often-referenced ids known to be in the input, kept across spills
        #: (at most half the threshold, so a spill always frees memory).
        self._resident: dict[str, None] = {}
        self._max_resident = min(HOT_IDS, (self._limit or 0) // 2)

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id = obj.get("id")
        if isinstance(object_id, str):
            self._ids.add(object_id)
        ids, known = self._ids, self._known
        if obj.get("type") == profile.TYPE_WITHDRAWAL:
            obj = _without_withdrawn(obj)  # a new dict: its references are walked afresh
        for ref in object_references(obj):
            if ref not in ids and ref not in WELL_KNOWN_IDS and ref not in known:
                self._add_pending(obj, where)  # the rare case: only now build the paths
                break
        if self._limit is not None and len(ids) + len(self._pending) > self._limit:
            self._spill()

    def _add_pending(self, obj: StixDict, where: ObjectRef) -> None:
        ids, known = self._ids, self._known
        for ref, parts in iter_references(obj):
            if ref in ids or ref in WELL_KNOWN_IDS or ref in known or "--" not in ref:
                continue
            self._pending.append((ref, where, jpath(*parts)))

    def _spill(self) -> None:
        """Move the ids and pending references from memory to the spill database.

        The ids that pending references name most often (a producer identity
        every object cites, say) come back to memory if they were seen, and
        stay there across later spills (at most :data:`HOT_IDS`), so later
        references to them resolve at once instead of piling up on disk.
        """
        if self._spilled is None:
            self._spilled = (
                self.spill.buffer("seen", ("id TEXT",)),
                self.spill.buffer(
                    "pending",
                    ("ref TEXT", "file TEXT", "idx INTEGER", "line INTEGER",
                     "object_id TEXT", "path TEXT"),
                ),
            )  # fmt: skip
        seen, pending = self._spilled
        counts = Counter(ref for ref, _, _ in self._pending)
        hot = [ref for ref, count in counts.most_common(self._max_resident) if count > 1]
        seen.extend((object_id,) for object_id in self._ids)
        pending.extend(
            (ref, where.file, where.index, where.line, where.object_id, path)
            for ref, where, path in self._pending
        )
        seen.flush()
        pending.flush()
        self._ids.clear()
        self._pending.clear()
        if hot:
            marks = ", ".join("?" * len(hot))
            rows = self.spill.query(f"SELECT DISTINCT id FROM seen WHERE id IN ({marks})", hot)
            for (object_id,) in rows:
                self._resident.pop(object_id, None)  # the most recently needed go last
                self._resident[object_id] = None
            while len(self._resident) > self._max_resident:
                del self._resident[next(iter(self._resident))]
        self._ids.update(self._resident)

    def finish(self, emit_at: EmitAt) -> None:
        if self._spilled is not None:
            self._spill()
            self._finish_spilled(emit_at)
            return
        ids = self._ids
        unresolved = [(ref, where, path) for ref, where, path in self._pending if ref not in ids]
        self._pending.clear()
        outside = self._resolved_outside({ref for ref, _, _ in unresolved})
        for ref, where, path in unresolved:
            if ref not in outside:
                emit_at(where, path, unresolved_message(ref))

    def _resolved_outside(self, refs: set[str]) -> frozenset[str]:
        """Which of ``refs`` exist outside the input: one call to the resolver, if any."""
        resolve = self.options.resolve_ids
        if resolve is None or not refs:
            return frozenset()
        return frozenset(resolve(frozenset(refs))) & refs

    def _finish_spilled(self, emit_at: EmitAt) -> None:
        self.spill.execute("CREATE INDEX seen_id ON seen (id)")
        unresolved = " WHERE NOT EXISTS (SELECT 1 FROM seen WHERE seen.id = pending.ref)"
        outside: frozenset[str] = frozenset()
        if self.options.resolve_ids is not None:
            refs = {
                ref for (ref,) in self.spill.query(f"SELECT DISTINCT ref FROM pending{unresolved}")
            }
            outside = self._resolved_outside(refs)
        rows = self.spill.query(
            f"SELECT ref, file, idx, line, object_id, path FROM pending{unresolved} ORDER BY rowid"
        )
        for ref, file, index, line, object_id, path in rows:
            if ref not in outside:
                emit_at(ObjectRef(file, index, line, object_id), path, unresolved_message(ref))


def _without_withdrawn(withdrawal: StixDict) -> StixDict:
    """A withdrawal without ``withdrawn_refs``: those need not resolve (§20.4), since a
    node must accept a withdrawal of objects it never received, and keep it."""
    return {key: value for key, value in withdrawal.items() if key != "withdrawn_refs"}


def unresolved_message(ref: str) -> str:
    return (
        f"{ref} names no object of this bundle; include that object in the bundle, "
        "or, if it already exists in the collection the bundle goes to, validate with "
        "the collection context (CLI: --context FILE)"
    )
