"""STIX 2.1 name rules: checks IS-114 (relationship types) and IS-117 (custom extensions).

Implements spec/profile/14-conformance.md §14.3 with:

* STIX 2.1 section 5.1: "The value of this property [relationship_type] MUST be
  in ASCII and is limited to characters a-z (lowercase ASCII), 0-9, and hyphen (-)."
* STIX 2.1 section 11.3 (custom object extensions, deprecated): a key of
  ``extensions`` that is neither an extension-definition id nor a predefined
  extension name is a custom extension. "Custom Extension names MUST be in ASCII
  and are limited to characters a-z (lowercase ASCII), 0-9, and hyphen (-)",
  "MUST end with '-ext'", and have 3 to 250 characters; "custom extensions can
  only be used with SCOs". IS-108 checks the other keys.
"""

from __future__ import annotations

import re
from typing import Any, Final

from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.core_types import (
    EXTENSION_DEFINITION_PREFIX,
    PREDEFINED_EXTENSIONS,
    object_kind,
)

_RELATIONSHIP_TYPE: Final = re.compile(r"[a-z0-9-]+\Z")
_CUSTOM_EXTENSION_NAME: Final = re.compile(r"[a-z0-9-]{3,250}\Z")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


@object_check("IS-114", types={"relationship"})
def check_relationship_type(obj: StixDict, emit: Emit) -> None:
    """relationship_type holds only a-z, 0-9 and hyphen."""
    value = obj.get("relationship_type")
    if isinstance(value, str) and not _RELATIONSHIP_TYPE.match(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
        hint = f", e.g. {suggestion!r}" if suggestion and suggestion.isascii() else ""
        emit(
            ".relationship_type",
            f"relationship_type {_show(value)} may only contain a-z (lowercase), 0-9 and"
            f" hyphen{hint}",
        )


def is_custom_extension_key(key: str) -> bool:
    """True for a key of ``extensions`` in the deprecated custom-extension form."""
    return not key.startswith(EXTENSION_DEFINITION_PREFIX) and key not in PREDEFINED_EXTENSIONS


@object_check("IS-117")
def check_custom_extensions(obj: StixDict, emit: Emit) -> None:
    """Custom extension keys are well-formed ``*-ext`` names, on SCOs only."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return
    for key in extensions:
        if not is_custom_extension_key(key):
            continue
        at = jpath("extensions", key)
        if not _CUSTOM_EXTENSION_NAME.match(key) or not key.endswith("-ext"):
            emit(
                at,
                f"extension key {_show(key)} is neither an extension-definition id nor a"
                " predefined extension, so it is a custom extension, whose name must be 3-250"
                " characters of a-z, 0-9 and hyphen ending in -ext; better, key the extension"
                " by the id of its extension-definition",
            )
        elif object_kind(obj) in ("sdo", "sro", "meta"):
            emit(
                at,
                f"custom extension {key!r} is on a {obj['type']}, but custom extensions can"
                " only be used on SCOs (STIX 2.1 section 11.3); define the extension with an"
                " extension-definition and key it by that id",
            )
