"""STIX 2.1 extensions and marking definitions: checks IS-108 and IS-109.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 7.3
(extension-definition and the ``extensions`` property), section 6 (the
predefined ``*-ext`` SCO extensions; other keys are custom extensions, checked
by IS-117) and section 7.2 (marking-definition:
statement and TLP 1.0 definitions, and extension-based markings such as the
OASIS TLP 2.0 markings, which are accepted).
"""

from __future__ import annotations

import functools
from typing import Any

from infoshare.markings import TLP_1_0_SUCCESSORS
from infoshare.profile import NEW_OBJECT_EXTENSIONS
from infoshare.stix.identifiers import is_identifier
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.core_types import (
    EXTENSION_DEFINITION_PREFIX,
    EXTENSION_TYPES,
    KNOWN_TYPES,
    NEW_OBJECT_EXTENSION_TYPES,
    NEW_OBJECT_KINDS,
    PREDEFINED_EXTENSIONS,
    STIX_TYPES,
)

_KINDS = ", ".join(sorted(EXTENSION_TYPES))
#: TLP 1.0 marking id -> its ``definition.tlp`` value (white, green, amber, red).
_TLP_1_0_COLOURS = {
    mid: label.split(":", 1)[1].lower() for mid, (label, _) in TLP_1_0_SUCCESSORS.items()
}


@functools.lru_cache(maxsize=1024)
def _is_extension_id(key: str) -> bool:
    """:func:`is_identifier`, remembered: the same few extension keys recur."""
    return is_identifier(key)


@functools.lru_cache(maxsize=1024)
def _extension_path(key: str) -> str:
    """``.extensions['<key>']``: the same few keys recur on every object."""
    return jpath("extensions", key)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _check_extension(kind: str, key: str, value: Any, emit: Emit) -> str | None:
    """Check one entry of ``extensions``; return its new-object extension_type, if any."""
    at = _extension_path(key)
    if key.startswith(EXTENSION_DEFINITION_PREFIX):
        if not _is_extension_id(key):
            emit(
                at,
                f"extension key {_show(key)} is not a valid extension-definition id;"
                " use extension-definition--<UUID>",
            )
            return None
        if not isinstance(value, dict):
            emit(at, "an extension must be a JSON object with an extension_type property")
            return None
        ext_type = value.get("extension_type")
        if not isinstance(ext_type, str) or ext_type not in EXTENSION_TYPES:
            where = at + ".extension_type"
            if ext_type is None:
                emit(at, f"the extension has no extension_type; add one of: {_KINDS}")
            else:
                emit(where, f"extension_type {_show(ext_type)} is not one of: {_KINDS}")
            return None
        if ext_type in NEW_OBJECT_EXTENSION_TYPES:
            if kind in STIX_TYPES:
                emit(
                    at + ".extension_type",
                    f"{kind} is a STIX 2.1 type, so an extension on it"
                    " must be a property-extension or toplevel-property-extension, not"
                    f" {ext_type}",
                )
                return None
            return str(ext_type)
        return None
    owner = PREDEFINED_EXTENSIONS.get(key)
    if owner is not None:
        if owner != kind:
            emit(
                at,
                f"{key} is the predefined extension of {owner}, not of {kind}; remove it"
                " or move its properties to an extension-definition extension",
            )
        return None
    return None  # a custom extension in the deprecated form: IS-117 checks it


@object_check("IS-108")
def check_extensions(obj: StixDict, emit: Emit) -> None:
    """Extension keys, their extension_type, and the extension of each new object type."""
    kind = obj["type"]
    extensions = obj.get("extensions")
    declared: dict[str, str] = {}
    if isinstance(extensions, dict):
        if not extensions:
            emit(".extensions", "extensions must not be empty; remove the property")
        for key, value in extensions.items():
            new_kind = _check_extension(kind, key, value, emit)
            if new_kind is not None:
                declared[key] = new_kind
    elif extensions is not None:
        if kind not in STIX_TYPES:  # for STIX types the core schema (IS-102) reports it
            emit(".extensions", "extensions must be a JSON object keyed by extension-definition id")
        return
    required = NEW_OBJECT_EXTENSIONS.get(kind)
    if required is not None:
        # STIX 2.1 §7.3 asks only that the object carry *an* extension-definition
        # introducing its type; which one (this profile's, OpenCTI's...) is the
        # profile's own rule, enforced in profile mode by its schemas (IS-202 …).
        wanted = NEW_OBJECT_KINDS[kind]
        value = extensions.get(required) if isinstance(extensions, dict) else None
        if value is None:
            if wanted not in declared.values():
                emit(
                    "",
                    f'a {kind} must carry its extension-definition: add "extensions":'
                    f' {{"{required}": {{"extension_type": "{wanted}"}}}}',
                )
        elif isinstance(value, dict) and value.get("extension_type") != wanted:
            emit(
                jpath("extensions", required, "extension_type"),
                f'the extension that defines {kind} must have extension_type "{wanted}"',
            )
    elif kind not in KNOWN_TYPES and not declared and not kind.startswith("x-"):
        emit(
            ".type",
            f"{kind!r} is not a STIX 2.1 type: an object of a new type must carry its"
            " extension-definition with extension_type new-sdo, new-sro or new-sco",
        )


def _check_definition(obj: StixDict, definition_type: Any, emit: Emit) -> None:
    definition = obj.get("definition")
    if definition_type == "statement":
        if not isinstance(definition, dict) or not isinstance(definition.get("statement"), str):
            emit(".definition", 'a statement marking needs "definition": {"statement": "<text>"}')
        return
    if definition_type != "tlp":
        emit(
            ".definition_type",
            f"definition_type {_show(definition_type)} is not statement or"
            " tlp; express other markings as an extension-based marking",
        )
        return
    marking_id = obj.get("id")
    colour = _TLP_1_0_COLOURS.get(marking_id) if isinstance(marking_id, str) else None
    if colour is None:
        emit(
            ".definition_type",
            "only the four TLP 1.0 marking-definitions of STIX 2.1 may use"
            " definition_type tlp; for TLP 2.0 reference the OASIS TLP 2.0 marking ids",
        )
    elif not isinstance(definition, dict) or definition.get("tlp") != colour:
        emit(
            ".definition",
            f'this TLP 1.0 marking-definition must have "definition": {{"tlp": "{colour}"}}',
        )


@object_check("IS-109", types={"marking-definition"})
def check_marking_definition(obj: StixDict, emit: Emit) -> None:
    """A statement or TLP 1.0 definition, or an extension-based marking (e.g. TLP 2.0)."""
    definition_type = obj.get("definition_type")
    if definition_type is not None or "definition" in obj:
        if definition_type is None:
            emit("", "a marking-definition with definition must also state definition_type")
            return
        _check_definition(obj, definition_type, emit)
        return
    extensions = obj.get("extensions")
    if isinstance(extensions, dict) and any(
        isinstance(value, dict) and value.get("extension_type") == "property-extension"
        for key, value in extensions.items()
        if key.startswith(EXTENSION_DEFINITION_PREFIX)
    ):
        return
    emit(
        "",
        "a marking-definition needs definition_type and definition (statement or TLP 1.0),"
        " or an extension-definition property-extension that defines the marking (as TLP 2.0"
        " does)",
    )
