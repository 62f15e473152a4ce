"""STIX 2.1 reference target types: check IS-110.

Implements spec/profile/14-conformance.md §14.3 with the reference properties
of STIX 2.1 sections 3 to 7 (and of the profile's own object types). The
target type of a reference is the type part of the identifier, so the check
needs no other object. :data:`REFERENCE_TARGETS` is the one table of which
types each reference property may point to.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.profile import (
    TYPE_ACCOUNT_STATE,
    TYPE_CHANNEL,
    TYPE_ENGAGEMENT,
    TYPE_MEDIA_CONTENT,
    TYPE_SYNTHETIC_MEDIA_ANALYSIS,
)
from infoshare.stix.identifiers import is_identifier
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation._schemas_loaded import schema_set
from infoshare.validation.checks.core_types import (
    KNOWN_TYPES,
    SCO_LIKE_TYPES,
    SDO_LIKE_TYPES,
)

#: Category tokens usable in the table next to plain type names. A type
#: outside STIX 2.1 and the profile is accepted for either category.
SDO: Final = "<sdo>"
SCO: Final = "<sco>"

_ADDRESSES = ("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name")

#: Object type ("*" for every type) -> property path -> allowed target types.
#: A path step "*" stands for every member of a list.
REFERENCE_TARGETS: Final[dict[str, dict[tuple[str, ...], tuple[str, ...]]]] = {
    "*": {
        ("created_by_ref",): ("identity",),
        ("object_marking_refs",): ("marking-definition",),
        ("granular_markings", "*", "marking_ref"): ("marking-definition",),
    },
    "relationship": {("source_ref",): (SDO, SCO), ("target_ref",): (SDO, SCO)},
    "sighting": {
        ("sighting_of_ref",): (SDO,),
        ("observed_data_refs",): ("observed-data",),
        ("where_sighted_refs",): ("identity", "location"),
    },
    "observed-data": {("object_refs",): (SCO, "relationship", "sighting")},
    "malware": {("operating_system_refs",): ("software",), ("sample_refs",): ("file", "artifact")},
    "malware-analysis": {
        ("host_vm_ref",): ("software",),
        ("operating_system_ref",): ("software",),
        ("installed_software_refs",): ("software",),
        ("analysis_sco_refs",): (SCO,),
        ("sample_ref",): ("file", "artifact", "network-traffic"),
    },
    "directory": {("contains_refs",): ("file", "directory")},
    "domain-name": {("resolves_to_refs",): ("ipv4-addr", "ipv6-addr", "domain-name")},
    "email-addr": {("belongs_to_ref",): ("user-account",)},
    "email-message": {
        ("from_ref",): ("email-addr",),
        ("sender_ref",): ("email-addr",),
        ("to_refs",): ("email-addr",),
        ("cc_refs",): ("email-addr",),
        ("bcc_refs",): ("email-addr",),
        ("raw_email_ref",): ("artifact",),
        ("body_multipart", "*", "body_raw_ref"): ("artifact", "file"),
    },
    "file": {
        ("parent_directory_ref",): ("directory",),
        ("contains_refs",): (SCO,),
        ("content_ref",): ("artifact",),
        ("extensions", "archive-ext", "contains_refs"): ("file", "directory"),
    },
    "ipv4-addr": {
        ("resolves_to_refs",): ("mac-addr",),
        ("belongs_to_refs",): ("autonomous-system",),
    },
    "ipv6-addr": {
        ("resolves_to_refs",): ("mac-addr",),
        ("belongs_to_refs",): ("autonomous-system",),
    },
    "network-traffic": {
        ("src_ref",): _ADDRESSES,
        ("dst_ref",): _ADDRESSES,
        ("src_payload_ref",): ("artifact",),
        ("dst_payload_ref",): ("artifact",),
        ("encapsulates_refs",): ("network-traffic",),
        ("encapsulated_by_ref",): ("network-traffic",),
        ("extensions", "http-request-ext", "message_body_data_ref"): ("artifact",),
    },
    "process": {
        ("opened_connection_refs",): ("network-traffic",),
        ("creator_user_ref",): ("user-account",),
        ("image_ref",): ("file",),
        ("parent_ref",): ("process",),
        ("child_refs",): ("process",),
        ("extensions", "windows-service-ext", "service_dll_refs"): ("file",),
    },
    "windows-registry-key": {("creator_user_ref",): ("user-account",)},
    TYPE_CHANNEL: {("account_refs",): ("user-account",)},
    TYPE_MEDIA_CONTENT: {("author_ref",): ("user-account",)},
    TYPE_SYNTHETIC_MEDIA_ANALYSIS: {
        ("media_ref",): (TYPE_MEDIA_CONTENT,),
        ("depicted_refs",): ("identity",),
    },
    TYPE_ACCOUNT_STATE: {
        ("account_ref",): ("user-account", TYPE_CHANNEL),
        ("decided_by_ref",): ("identity",),
    },
    TYPE_ENGAGEMENT: {
        ("subject_ref",): (TYPE_MEDIA_CONTENT, "user-account", TYPE_CHANNEL, "narrative"),
        ("amplifier_ref",): (TYPE_CHANNEL,),
        ("measured_by_ref",): ("identity",),
    },
}

#: Every property name the table knows as a reference (its last path step).
REFERENCE_PROPERTIES: Final = frozenset(
    {path[-1] for table in REFERENCE_TARGETS.values() for path in table}
    | {
        "object_refs",
        "object_ref",
        "sighting_of_ref",
        "source_ref",
        "target_ref",
    }
)


def _schema_reference_names(node: Any) -> set[str]:
    """Every ``*_ref`` / ``*_refs`` property name a schema document defines, at any depth."""
    names: set[str] = set()
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            names.update(k for k in properties if k.endswith(("_ref", "_refs")))
        for value in node.values():
            names |= _schema_reference_names(value)
    elif isinstance(node, list):
        for item in node:
            names |= _schema_reference_names(item)
    return names


def _defined_reference_names() -> frozenset[str]:
    schemas = schema_set()
    found = set(REFERENCE_PROPERTIES)
    for schema_id in schemas.ids:
        found |= _schema_reference_names(schemas.document(schema_id))
    return frozenset(found)


#: The names of every reference property STIX 2.1 or the profile defines (on its
#: objects and in its extensions). Only these hold identifiers by definition: a
#: custom property whose name ends in _ref is not bound (STIX 2.1 sections 3.1, 11.1).
DEFINED_REFERENCE_NAMES: Final = _defined_reference_names()


def _allows(allowed: tuple[str, ...]) -> frozenset[str]:
    """The concrete type names a table entry allows (categories expanded)."""
    names = {name for name in allowed if name not in (SDO, SCO)}
    if SDO in allowed:
        names |= SDO_LIKE_TYPES
    if SCO in allowed:
        names |= SCO_LIKE_TYPES
    return frozenset(names)


_Entry = tuple[tuple[str, ...], frozenset[str], bool, str]


def _entries(kind: str) -> tuple[_Entry, ...]:
    table = {**REFERENCE_TARGETS["*"], **REFERENCE_TARGETS.get(kind, {})}
    return tuple(
        (
            path,
            _allows(allowed),
            SDO in allowed or SCO in allowed,
            " or ".join(a.strip("<>").upper() if a in (SDO, SCO) else a for a in allowed),
        )
        for path, allowed in table.items()
    )


_BY_TYPE = {kind: _entries(kind) for kind in REFERENCE_TARGETS if kind != "*"}
_COMMON = _entries("*")


def _values(
    node: Any, path: tuple[str, ...], at: tuple[str | int, ...]
) -> list[tuple[Any, tuple[str | int, ...]]]:
    """Every value at ``path`` below ``node``, with its location."""
    if not path:
        if isinstance(node, list):
            return [(item, (*at, i)) for i, item in enumerate(node)]
        return [(node, at)]
    step, rest = path[0], path[1:]
    if step == "*":
        if not isinstance(node, list):
            return []
        found: list[tuple[Any, tuple[str | int, ...]]] = []
        for i, item in enumerate(node):
            found.extend(_values(item, rest, (*at, i)))
        return found
    if isinstance(node, dict) and step in node:
        return _values(node[step], rest, (*at, step))
    return []


def _wrong_target(ref: Any, allowed: frozenset[str], open_to_custom: bool) -> str | None:
    """The type ``ref`` points to when the entry does not allow it, else None."""
    if not isinstance(ref, str):
        return None  # not an identifier: IS-103 reports it
    target, separator, _ = ref.partition("--")
    if not separator or target in allowed or (open_to_custom and target not in KNOWN_TYPES):
        return None
    if not is_identifier(ref):
        return None  # IS-103 reports it
    return target


@object_check("IS-110")
def check_reference_targets(obj: StixDict, emit: Emit) -> None:
    """Each reference property points to an object of a type it allows."""
    for path, allowed, open_to_custom, wanted in _BY_TYPE.get(obj["type"], _COMMON):
        value = obj.get(path[0])
        if value is None:
            continue
        found: list[tuple[Any, tuple[str | int, ...]]]
        if len(path) > 1:
            found = _values(obj, path, ())
        elif isinstance(value, list):  # a top-level list of references: paths only on a finding
            for index, ref in enumerate(value):
                target = _wrong_target(ref, allowed, open_to_custom)
                if target is not None:
                    emit(jpath(path[0], index), _message(path, wanted, target))
            continue
        else:
            found = [(value, path)]
        for ref, at in found:
            target = _wrong_target(ref, allowed, open_to_custom)
            if target is not None:
                emit(jpath(*at), _message(path, wanted, target))


def _message(path: tuple[str, ...], wanted: str, target: str) -> str:
    if path == ("sighting_of_ref",) and target in SCO_LIKE_TYPES:
        return (
            f"sighting_of_ref must point to {wanted}, not to an object of type {target}: to"
            " record a sighting of a post or another observable, point sighting_of_ref at"
            " the narrative or channel it carries and put the observable in the object_refs"
            " of an observed-data named in observed_data_refs"
            " (§16.7)"
        )
    return (
        f"{path[-1]} must point to {wanted}, not to an object of type {target};"
        " reference an object of an allowed type"
    )
