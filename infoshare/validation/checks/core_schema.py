"""STIX 2.1 core schemas: checks IS-101 (required properties) and IS-102 (values).

Implements spec/profile/14-conformance.md §14.3 with the schemas of
spec/schemas/stix/ (one per STIX 2.1 object type, written from STIX 2.1
sections 3 to 7). One schema pass per object reports both checks: a missing
property is IS-101, every other failure IS-102. Types STIX 2.1 does not define
are checked against the common SDO or SCO properties when an extension
declares them new-sdo/new-sro or new-sco; the profile's own types are left to
their profile schemas (IS-202 to IS-209).
"""

from __future__ import annotations

from infoshare.validation._registry import Emit, StixDict, object_check
from infoshare.validation._schema import Check, PathChain, render_path
from infoshare.validation._schemas_loaded import STIX_SCHEMA_BASE, schema_set
from infoshare.validation.checks.core_types import KNOWN_TYPES, STIX_TYPES, declared_kind


def _load() -> dict[str, tuple[Check, str]]:
    schemas = schema_set()
    table: dict[str, tuple[Check, str]] = {}
    for kind in sorted(STIX_TYPES):
        uri = f"{STIX_SCHEMA_BASE}{kind}.json"
        table[kind] = (schemas.compile(uri), schemas.document(uri)["title"])
    common = f"{STIX_SCHEMA_BASE}common.json"
    sdo = (schemas.compile(common + "#/$defs/sdo"), "the common properties of STIX 2.1 objects")
    sco = (schemas.compile(common + "#/$defs/sco"), "the common properties of STIX 2.1 SCOs")
    table["new-sdo"] = table["new-sro"] = sdo
    table["new-sco"] = sco
    return table


_SCHEMAS = _load()


@object_check("IS-101", also_emits=("IS-102",))
def check_core_schema(obj: StixDict, emit: Emit) -> None:
    """Validate an object against the STIX 2.1 schema of its type."""
    kind = obj["type"]
    entry = _SCHEMAS.get(kind)
    if entry is None:
        if kind in KNOWN_TYPES:
            return
        declared = declared_kind(obj)
        if declared is None:
            return
        entry = _SCHEMAS[declared]
    check, title = entry

    def report(chain: PathChain, message: str, keyword: str) -> None:
        if keyword == "required":
            emit(render_path(chain), f"{message}: {title} requires it; add it", "IS-101")
        else:
            emit(
                render_path(chain), f"{message}; correct the value as {title} defines it", "IS-102"
            )

    check(obj, None, report)
