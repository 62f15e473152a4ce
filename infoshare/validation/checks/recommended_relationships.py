"""IS-157: relationships as STIX 2.1 defines them (STIX 2.1 §3.7, §5.1, Appendix B).

A ``relationship_type`` that STIX 2.1 defines SHOULD join a source and target
type that the specification lists for it (§5.1: "an exact value listed in
the relationships for the source and target"). ``derived-from`` and
``duplicate-of`` join two objects of the same type, ``related-to`` any two
(§3.7). A relationship type of the producer's own is allowed: §5.1 says
relationships the specification does not define MAY use a user-defined type,
and the form of its name is a MUST checked elsewhere. Ends of types STIX does
not define (custom or profile objects) are not judged, and neither are
relationships from a type for which STIX lists none (incident, whose section
is a stub; note, opinion, report …): the specification leaves those open.

The rows are those of spec/vocabularies/relationships.json marked
``"origin": "stix"``, which restate the relationship tables of each SDO and
SCO section. The check runs in the ``stix`` preset only: in the ``profile``
preset the profile's table, which contains these rows, is enforced by IS-302
and IS-303.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare._spec_files import load_spec_json
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.core_types import STIX_TYPES
from infoshare.validation.checks.relationships import (
    RELATED_TO,
    TABLE_FILE,
    RelationshipTable,
    quoted_names,
    relationship_ends,
)

#: The common relationships of STIX 2.1 §3.7 -> whether both ends must be of one type.
STIX_COMMON: Final = {"related-to": False, "derived-from": True, "duplicate-of": True}


def stix_table(data: Any) -> RelationshipTable:
    """The relationships STIX 2.1 itself defines, from the profile's relationship table."""
    rows = [row for row in data["relationships"] if row.get("origin") == "stix"]
    common = [{"relationship_type": k, "same_type": v} for k, v in STIX_COMMON.items()]
    return RelationshipTable.from_json({"relationships": rows, "common": common})


STIX_TABLE: Final = stix_table(load_spec_json(TABLE_FILE))
#: The types STIX 2.1 lists relationships from, apart from the common ones.
SOURCES: Final = frozenset(source for pairs in STIX_TABLE.pairs.values() for source, _ in pairs)


@object_check("IS-157", types={"relationship"})
def specification_relationship(obj: StixDict, emit: Emit) -> None:
    ends = relationship_ends(obj)
    if ends is None:
        return
    kind, source, target = ends
    if not STIX_TABLE.defines(kind) or source not in STIX_TYPES or target not in STIX_TYPES:
        return
    if kind not in STIX_COMMON and source not in SOURCES:
        return
    if STIX_TABLE.allows(kind, source, target):
        return
    if kind in STIX_COMMON:
        emit(
            jpath("target_ref"),
            f"'{kind}' joins two objects of the same type (STIX 2.1 §3.7), but this one joins"
            f" '{source}' to '{target}': use '{RELATED_TO}' or a more specific type",
        )
        return
    if STIX_TABLE.allows(kind, target, source):
        fix = "the link looks reversed: swap source_ref and target_ref"
    else:
        offered = [*STIX_TABLE.types_joining(source, target), RELATED_TO]
        fix = f"STIX 2.1 defines {quoted_names(offered)} for this pair, or name a type of your own"
    emit(
        jpath("relationship_type"),
        f"STIX 2.1 does not define '{kind}' from '{source}' to '{target}' (§5.1,"
        f" Appendix B): {fix}",
    )
