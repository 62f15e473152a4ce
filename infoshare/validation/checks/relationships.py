"""IS-302 and IS-303: allowed relationships (spec/profile/10-relationships.md §10.2).

The profile's rows are printed in §10.2, the rows adopted from STIX 2.1 in
annex A.1 (spec/profile/annex-a-stix-tables.md); the check reads them all.

* IS-302: a relationship whose ``relationship_type`` the profile's table
  defines joins a source type and a target type that one row of the table
  lists together for it; ``duplicate-of`` joins two objects of the same type;
* IS-303: a relationship uses a ``relationship_type`` that the table defines.

The table is spec/vocabularies/relationships.json. It is read once, when this
module is imported, into a :class:`RelationshipTable`. The types of the two
ends are taken from the id prefixes of ``source_ref`` and ``target_ref``, so
the check needs no other object of the bundle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from infoshare._spec_files import load_spec_json
from infoshare.errors import SpecDataError
from infoshare.validation._registry import Emit, StixDict, jpath, object_check

TABLE_FILE: Final = "vocabularies/relationships.json"
RELATED_TO: Final = "related-to"


@dataclass(frozen=True, slots=True)
class RelationshipTable:
    """Which (source type, target type) pairs each relationship type may join."""

    #: relationship_type -> the allowed (source type, target type) pairs.
    pairs: Mapping[str, frozenset[tuple[str, str]]]
    #: common relationship_type -> True when both ends must be of the same type.
    common: Mapping[str, bool]

    def defines(self, relationship_type: str) -> bool:
        return relationship_type in self.pairs or relationship_type in self.common

    def allows(self, relationship_type: str, source: str, target: str) -> bool:
        """True when the table lets ``relationship_type`` join ``source`` to ``target``."""
        if relationship_type in self.common:
            return source == target or not self.common[relationship_type]
        return (source, target) in self.pairs.get(relationship_type, frozenset())

    def sources(self, relationship_type: str) -> list[str]:
        return sorted({s for s, _ in self.pairs.get(relationship_type, ())})

    def targets(self, relationship_type: str, source: str) -> list[str]:
        return sorted({t for s, t in self.pairs.get(relationship_type, ()) if s == source})

    def types_joining(self, source: str, target: str) -> list[str]:
        """The table's specific relationship types that join ``source`` to ``target``."""
        return sorted(kind for kind, pairs in self.pairs.items() if (source, target) in pairs)

    @classmethod
    def from_json(cls, data: Any) -> RelationshipTable:
        """Build the table from the parsed relationships.json."""
        try:
            pairs: dict[str, set[tuple[str, str]]] = {}
            for row in data["relationships"]:
                allowed = pairs.setdefault(row["relationship_type"], set())
                allowed.update((s, t) for s in row["source"] for t in row["target"])
            common = {row["relationship_type"]: bool(row["same_type"]) for row in data["common"]}
        except (KeyError, TypeError) as exc:
            raise SpecDataError(
                f"spec/{TABLE_FILE} does not have the expected shape: {exc!r}",
                hint="check it against spec/schemas/meta/relationships.schema.json",
            ) from exc
        return cls({k: frozenset(v) for k, v in pairs.items()}, common)


TABLE: Final = RelationshipTable.from_json(load_spec_json(TABLE_FILE))


def _end_type(ref: Any) -> str | None:
    """The object type an identifier names, or None when it is no identifier (IS-103)."""
    if not isinstance(ref, str):
        return None
    kind, sep, rest = ref.partition("--")
    return kind if sep and kind and rest else None


def quoted_names(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def relationship_ends(obj: StixDict) -> tuple[str, str, str] | None:
    """(relationship_type, source type, target type), or None when one is missing or malformed."""
    kind = obj.get("relationship_type")
    source, target = _end_type(obj.get("source_ref")), _end_type(obj.get("target_ref"))
    if not isinstance(kind, str) or source is None or target is None:
        return None  # IS-101/IS-102/IS-103 report missing or malformed properties
    return kind, source, target


def _alternatives(source: str, target: str) -> str:
    """The relationship types the table offers from ``source`` to ``target``."""
    kinds = [*TABLE.types_joining(source, target), RELATED_TO]
    return quoted_names(kinds) if len(kinds) == 1 else f"one of {quoted_names(kinds)}"


@object_check("IS-302", types={"relationship"})
def allowed_relationship(obj: StixDict, emit: Emit) -> None:
    ends = relationship_ends(obj)
    if ends is None:
        return
    kind, source, target = ends
    if not TABLE.defines(kind) or TABLE.allows(kind, source, target):
        return
    if kind in TABLE.common:
        emit(
            jpath("target_ref"),
            f"'{kind}' must join two objects of the same type, but this one joins "
            f"'{source}' to '{target}': point target_ref at the '{source}' it duplicates, "
            f"or use '{RELATED_TO}'",
        )
        return
    targets = TABLE.targets(kind, source)
    end = "target_ref" if targets else "source_ref"
    if TABLE.allows(kind, target, source):
        fix = "the link looks reversed: swap source_ref and target_ref"
    else:
        fix = f"change {end}, or link '{source}' to '{target}' with {_alternatives(source, target)}"
    if targets:
        problem = (
            f"'{kind}' from '{source}' may point only at {quoted_names(targets)}, not at '{target}'"
        )
    else:
        sources = quoted_names(TABLE.sources(kind))
        problem = f"'{kind}' may start only from {sources}, not from '{source}'"
    emit(jpath(end), f"{problem}: {fix}")


@object_check("IS-303", types={"relationship"})
def profile_relationship_type(obj: StixDict, emit: Emit) -> None:
    kind = obj.get("relationship_type")
    if not isinstance(kind, str) or TABLE.defines(kind):
        return
    ends = relationship_ends(obj)
    if ends is None:
        advice = f"use a type the profile's table lists, or '{RELATED_TO}'"
    else:
        _, source, target = ends
        advice = f"for '{source}' to '{target}' use {_alternatives(source, target)}"
    emit(
        jpath("relationship_type"),
        f"'{kind}' is not a relationship type of the profile, so partners may read it "
        f"differently: {advice}",
    )
