"""IS-713: the two forms of one attribution agree (spec/profile/13-safeguards.md §13.2.2).

An incident's attribution may be written twice: as the ``attribution`` of
the FIMI incident extension (§3.3) and as an ``attributed-to`` relationship
from the incident to an actor (§10.2). When the relationship's target is one
of the extension's ``actor_refs``, both state the same assessment, so their
confidence values must read as the same words of the profile's one
confidence scale, the DNI (ICD 203) scale of STIX 2.1 Appendix A, with the
ranges §13.2.1 gives it: 0-9, 10-19, 20-39, 40-59, 60-79, 80-89, 90-100.

The latest version of each incident and of each relationship is compared
(a tie in ``modified`` goes to the later object). Past
``ValidationOptions.spill_threshold`` entries, both go to the spill
database and the comparison is one query (docs/adr/0005-bounded-memory.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Final

from infoshare.profile import EXT_FIMI_INCIDENT
from infoshare.validation._registry import (
    CrossObjectCheck,
    EmitAt,
    ObjectRef,
    StixDict,
    ValidationOptions,
    cross_object_check,
    jpath,
)
from infoshare.validation.checks._latest import LatestVersions, version_key
from infoshare.validation.checks.privacy import ATTRIBUTED_TO, property_extension

#: The DNI scale as §13.2.1 reads it: (lowest value of the range, words), highest first.
CONFIDENCE_BANDS: Final = (
    (90, "almost certain"),
    (80, "very likely"),
    (60, "likely"),
    (40, "roughly even chance"),
    (20, "unlikely"),
    (10, "very unlikely"),
    (0, "almost no chance"),
)
#: The ranges of the scale as the message prints them: "0-9 almost no chance, ...".
_LOWEST_FIRST: Final = CONFIDENCE_BANDS[::-1]
_SCALE: Final = ", ".join(
    f"{lowest}-{above - 1} {words}"
    for (lowest, words), (above, _) in zip(
        _LOWEST_FIRST, [*_LOWEST_FIRST[1:], (101, "")], strict=True
    )
)


def confidence_band(value: int) -> str:
    """The words of the DNI scale (§13.2.1) that a confidence value (0-100) reads as."""
    return next(words for lowest, words in CONFIDENCE_BANDS if value >= lowest)


def _confidence(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
        return value
    return None  # missing or out of range: IS-711 and the schemas report it


def _actor_confidences(incident: StixDict) -> dict[str, int]:
    """actor id -> the confidence the FIMI extension's attribution gives it."""
    fimi = property_extension(incident, EXT_FIMI_INCIDENT)
    attribution = fimi.get("attribution") if fimi is not None else None
    if not isinstance(attribution, dict):
        return {}
    confidence = _confidence(attribution.get("confidence"))
    actors = attribution.get("actor_refs")
    if confidence is None or not isinstance(actors, list):
        return {}
    return {actor: confidence for actor in actors if isinstance(actor, str)}


@cross_object_check
class AttributionFormsAgree(CrossObjectCheck):
    """IS-713: an attributed-to relationship and the incident's attribution agree."""

    check_id = "IS-713"
    types = frozenset({"incident", "relationship"})

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._limit = options.spill_threshold
        self._incidents = LatestVersions(self.spill, "incidents")
        self._relationships = LatestVersions(self.spill, "relationships")

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id = obj.get("id")
        if not isinstance(object_id, str):
            return
        if obj["type"] == "incident":
            key = version_key(obj, where.index)
            self._incidents.add(object_id, key, None, json.dumps(_actor_confidences(obj)))
        else:
            source = obj.get("source_ref")
            if obj.get("relationship_type") != ATTRIBUTED_TO or not (
                isinstance(source, str) and source.startswith("incident--")
            ):
                return  # most relationships: settled before any work
            key = version_key(obj, where.index)
            confidence = _confidence(obj.get("confidence"))
            row = [obj.get("target_ref"), confidence, where.file, where.line, where.object_id]
            self._relationships.add(object_id, key, source, json.dumps([*row, where.index]))
        if (
            self._limit is not None
            and len(self._incidents) + len(self._relationships) > self._limit
        ):
            self._incidents.to_disk()
            self._relationships.to_disk()

    def _pairs(self) -> Iterator[tuple[str, str]]:
        """(relationship payload, incident payload) for each relationship from a known incident."""
        if not self._incidents.spilled and not self._relationships.spilled:
            for source, payload in self._relationships.in_input_order():
                known = self._incidents.get(source) if source is not None else None
                if known is not None:
                    yield payload, known[1]
            return
        self._incidents.to_disk()
        self._relationships.to_disk()
        yield from self.spill.query(
            f"SELECT r.payload, i.payload FROM {self._relationships.view()} AS r"
            f" JOIN {self._incidents.view()} AS i ON i.id = r.link ORDER BY r.idx"
        )

    def finish(self, emit_at: EmitAt) -> None:
        for relationship, incident in self._pairs():
            target, confidence, file, line, object_id, index = json.loads(relationship)
            stated = json.loads(incident).get(target)
            if confidence is None or stated is None:
                continue
            band, stated_band = confidence_band(confidence), confidence_band(stated)
            if band == stated_band:
                continue
            emit_at(
                ObjectRef(file, index, line, object_id),
                jpath("confidence"),
                f"this attributed-to relationship gives {target} confidence {confidence} "
                f"({band}) but the incident's attribution gives it {stated} ({stated_band}): "
                "both state one assessment, so their confidence must read as the same words "
                f"of the DNI scale ({_SCALE}); correct the one that is out of date (§13.2.2)",
            )
