"""STIX 2.1 core forms: identifiers, timestamps, versions and names.

Implements checks IS-103 to IS-107 of spec/profile/14-conformance.md §14.3
(STIX 2.1 sections 2.9 identifier, 2.15 timestamp, 3.1 naming requirements,
3.2 common properties). One walk over each object checks every identifier
(``id`` and every ``*_ref`` / ``*_refs`` property that STIX 2.1 or the profile
defines, however deeply nested; custom properties so named are not references by
definition, see :func:`_kind_of`) and
every timestamp, so the cost stays proportional to the size of the object.
"""

from __future__ import annotations

from typing import Any

from infoshare.profile import STIX_SPEC_VERSION
from infoshare.stix.identifiers import identifier_type, is_identifier, is_type_name
from infoshare.stix.references import reference_ids
from infoshare.stix.timestamps import EXAMPLE, timestamp_key
from infoshare.validation._object_references import remember_references
from infoshare.validation._registry import Emit, StixDict, object_check
from infoshare.validation._schema import PathChain, render_path
from infoshare.validation.checks.core_references import (
    DEFINED_REFERENCE_NAMES,
    REFERENCE_PROPERTIES,
)
from infoshare.validation.checks.core_types import (
    EXTENSION_DEFINITION_PREFIX,
    KNOWN_TYPES,
    META_TYPES,
    NEW_OBJECT_KINDS,
    PREDEFINED_EXTENSIONS,
    PROPERTY_NAME,
    SDO_TYPES,
    SRO_TYPES,
    STIX_TYPES,
    TIMESTAMP_PROPERTIES,
    TIMESTAMP_SUFFIXES,
    TYPE_TIMESTAMP_PROPERTIES,
    declared_kind,
    is_valid_timestamp,
)

_ID_HINT = (
    "use <type>--<UUID> with a lowercase RFC 4122 UUID,"
    " e.g. identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"
)
_TS_HINT = (
    "use an RFC 3339 UTC timestamp with ASCII digits, an upper-case T and Z,"
    f' e.g. "{EXAMPLE}" (a second of 60 only at 23:59:60 on 30 June or 31 December)'
)
_NONE: frozenset[str] = frozenset()


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _looks_like_date(value: str) -> bool:
    return len(value) >= 10 and value[4:5] == "-" and value[:4].isdigit()


def _bad_reference(key: str, value: Any, typed: frozenset[str]) -> str | None:
    """Why ``value`` of reference property ``key`` is not an identifier, or None.

    ``typed`` names the reference properties whose JSON type a schema checks.
    """
    if isinstance(value, str):
        if value in _GOOD_IDS:
            return None
        if is_identifier(value):
            if len(_GOOD_IDS) < _CACHE_LIMIT:
                _GOOD_IDS.add(value)
            return None
        return f"{_show(value)} is not a STIX identifier; {_ID_HINT}"
    if key in typed:
        return None  # a wrong JSON type of a defined property is a schema finding
    return f"a reference must be an identifier string, got {type(value).__name__}; {_ID_HINT}"


# How the walk treats a property, by its name (cached: names repeat across objects).
# _OTHER_REF(S): named like a reference but defined by neither STIX nor the profile,
# so not checked here, yet still collected for IS-301 (see object_references).
_PLAIN, _REF, _REFS, _TIMESTAMP, _MAYBE_TIMESTAMP, _OTHER_REF, _OTHER_REFS = range(7)
_KINDS: dict[str, int] = {}
#: Identifiers already seen to be well-formed (markings and creators repeat a lot).
_GOOD_IDS: set[str] = set()
_CACHE_LIMIT = 20_000


def _kind_of(key: str) -> int:
    # Only the reference properties STIX 2.1 (or the profile) defines hold identifiers by
    # definition. STIX 2.1 section 3.1 ("If the value of the property contains an ID
    # reference for embedded relationships it MUST end in _ref") binds the name of a
    # property that holds a reference, not the value of every property so named; custom
    # properties are bound only by the naming rules of section 11.1. So a custom
    # x_..._ref holding "" breaks no MUST, and is not checked here.
    if key.endswith("_ref"):
        kind = _REF if key in DEFINED_REFERENCE_NAMES else _OTHER_REF
    elif key.endswith("_refs"):
        kind = _REFS if key in DEFINED_REFERENCE_NAMES else _OTHER_REFS
    elif key in TIMESTAMP_PROPERTIES:
        kind = _TIMESTAMP
    elif key.endswith(TIMESTAMP_SUFFIXES):
        kind = _MAYBE_TIMESTAMP
    else:
        kind = _PLAIN
    if len(_KINDS) < _CACHE_LIMIT:
        _KINDS[key] = kind
    return kind


def _bad_timestamp(chain: PathChain, key: str, value: str, emit: Emit) -> None:
    if not is_valid_timestamp(value):
        emit(
            render_path((chain, key)),
            f"{_show(value)} is not a valid timestamp; {_TS_HINT}",
            "IS-104",
        )


def _scan(
    node: dict[str, Any],
    chain: PathChain,
    emit: Emit,
    typed: frozenset[str],
    extra: frozenset[str],
    refs: list[str],
) -> None:
    """Check identifiers and timestamps in ``node`` and below it.

    ``extra`` names further timestamp properties that hold at this level only.
    Every reference string met (defined or only named like one) goes to ``refs``.
    """
    kinds, good_ids = _KINDS, _GOOD_IDS
    for key, value in node.items():
        kind = kinds.get(key)
        if kind is None:
            kind = _kind_of(key)
        if kind == _PLAIN:
            if isinstance(value, str):  # the most frequent case first
                if key in extra:
                    _bad_timestamp(chain, key, value, emit)
            elif isinstance(value, dict):
                _scan(value, (chain, key), emit, typed, _NONE, refs)
            elif isinstance(value, list):
                _scan_list(value, (chain, key), emit, typed, refs)
        elif kind == _REF:
            if isinstance(value, str):
                refs.append(value)
                if value in good_ids:
                    continue  # the usual case, without a call
            problem = _bad_reference(key, value, typed)
            if problem:
                emit(render_path((chain, key)), problem, "IS-103")
        elif kind == _REFS:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        refs.append(item)
                        if item in good_ids:
                            continue
                    problem = _bad_reference(key, item, typed)
                    if problem:
                        emit(render_path(((chain, key), index)), problem, "IS-103")
        elif kind in (_OTHER_REF, _OTHER_REFS):
            # Collected as the reference walk does: a string, or the strings of a
            # list. What sits deeper is checked, but holds no reference by that rule.
            if isinstance(value, str):
                if kind == _OTHER_REF:
                    refs.append(value)
            elif isinstance(value, dict):
                _scan(value, (chain, key), emit, typed, _NONE, [])
            elif isinstance(value, list):
                if kind == _OTHER_REFS:
                    refs.extend(item for item in value if isinstance(item, str))
                _scan_list(value, (chain, key), emit, typed, [])
        elif isinstance(value, str):
            if kind == _TIMESTAMP or _looks_like_date(value):
                _bad_timestamp(chain, key, value, emit)
        elif isinstance(value, dict | list):  # a timestamp of the wrong type: a schema finding
            refs.extend(reference_ids(value))


def _scan_list(
    items: list[Any], chain: PathChain, emit: Emit, typed: frozenset[str], refs: list[str]
) -> None:
    for index, item in enumerate(items):
        if isinstance(item, dict):
            _scan(item, (chain, index), emit, typed, _NONE, refs)
        elif isinstance(item, list):
            _scan_list(item, (chain, index), emit, typed, refs)


@object_check("IS-103", also_emits=("IS-104",))
def check_identifiers_and_timestamps(obj: StixDict, emit: Emit) -> None:
    """IS-103: ``id`` and every reference are identifiers; IS-104: timestamps are valid."""
    kind = obj["type"]
    object_id = obj.get("id")
    if isinstance(object_id, str):
        prefix = identifier_type(object_id)
        if prefix is None:
            emit(".id", f"{_show(object_id)} is not a STIX identifier; {_ID_HINT}", "IS-103")
        elif prefix != kind:
            emit(
                ".id",
                f"the id starts with {prefix!r} but the object's type is {kind!r};"
                f" ids must have the form {kind}--<UUID>",
                "IS-103",
            )
    elif object_id is not None and kind not in STIX_TYPES:
        emit(".id", f"id must be an identifier string; {_ID_HINT}", "IS-103")
    typed = REFERENCE_PROPERTIES if kind in KNOWN_TYPES else _NONE
    refs: list[str] = []
    _scan(obj, None, emit, typed, TYPE_TIMESTAMP_PROPERTIES.get(kind, _NONE), refs)
    remember_references(obj, refs)


@object_check("IS-105")
def check_modified_after_created(obj: StixDict, emit: Emit) -> None:
    """``modified`` is not earlier than ``created``."""
    created, modified = obj.get("created"), obj.get("modified")
    if not (isinstance(created, str) and isinstance(modified, str)):
        return
    if (
        is_valid_timestamp(created)
        and is_valid_timestamp(modified)
        and timestamp_key(modified) < timestamp_key(created)
    ):
        emit(
            ".modified",
            f"modified ({modified}) is earlier than created ({created});"
            " set modified to the time of this version, at or after created",
        )


_SPEC_VERSION_REQUIRED = (
    SDO_TYPES
    | SRO_TYPES
    | META_TYPES
    | {kind for kind, ext_type in NEW_OBJECT_KINDS.items() if ext_type != "new-sco"}
)


@object_check("IS-106")
def check_spec_version(obj: StixDict, emit: Emit) -> None:
    """spec_version is "2.1": required on SDOs, SROs and meta objects, optional on SCOs."""
    if "spec_version" in obj:
        value = obj["spec_version"]
        if value != STIX_SPEC_VERSION:
            emit(
                ".spec_version",
                f'spec_version must be "{STIX_SPEC_VERSION}", got {_show(value)};'
                " this validator checks STIX 2.1 content (upgrade STIX 2.0 objects first)",
            )
        return
    kind = obj["type"]
    if kind in _SPEC_VERSION_REQUIRED or (
        kind not in KNOWN_TYPES and declared_kind(obj) in ("new-sdo", "new-sro")
    ):
        emit(
            "",
            f'missing spec_version: every {kind} must state "spec_version": "{STIX_SPEC_VERSION}"',
        )


#: Property names already seen to be valid (bounded, so odd inputs cannot grow it).
_GOOD_NAMES: set[str] = set()
_GOOD_NAMES_LIMIT = 5000


def _check_names(props: dict[str, Any], chain: PathChain, emit: Emit, top: bool) -> None:
    for key in props:
        if key in _GOOD_NAMES or (top and key == "id"):
            continue
        if PROPERTY_NAME.match(key):
            if len(_GOOD_NAMES) < _GOOD_NAMES_LIMIT:
                _GOOD_NAMES.add(key)
            continue
        emit(
            render_path((chain, key)),
            f"property name {_show(key)} is not allowed: names must be"
            " 3-250 characters of lowercase a-z, 0-9 and underscore; rename it",
            "IS-107",
        )


@object_check("IS-107")
def check_names(obj: StixDict, emit: Emit) -> None:
    """The type name and the property names (top level and inside extensions)."""
    kind = obj["type"]
    if kind not in KNOWN_TYPES and not is_type_name(kind):
        emit(
            ".type",
            f"type {_show(kind)} is not a valid type name: use 3-250 characters of"
            " lowercase a-z, 0-9 and single hyphens inside the name",
        )
    _check_names(obj, None, emit, True)
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        for key, value in extensions.items():
            if isinstance(value, dict) and (
                key.startswith(EXTENSION_DEFINITION_PREFIX) or key in PREDEFINED_EXTENSIONS
            ):
                _check_names(value, ((None, "extensions"), key), emit, False)
