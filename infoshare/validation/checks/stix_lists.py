"""No empty lists or dictionaries: check IS-121.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 2.12
("Empty lists are prohibited in STIX and MUST NOT be used as a substitute for
omitting the property if it is optional") and section 2.3 (the same rule for
dictionaries), and section 11.3 ("A Custom Extension MUST have one or more
properties").

The JSON Schemas already give every property they define a minimum size: an
empty list there is IS-102 (STIX 2.1 schemas) or IS-2xx (the profile's
schemas). This check covers what no schema sees: custom properties, objects of
custom types, the contents of extensions without a schema, and (reported by the
validator from what the reader saw) the bundle's ``objects``. The schema
property names are read once from spec/schemas/; an object without custom
properties costs one set difference.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.validation._registry import Emit, StixDict, object_check
from infoshare.validation._schema import PathChain, render_path
from infoshare.validation._schemas_loaded import STIX_SCHEMA_BASE, schema_set
from infoshare.validation.checks.core_types import (
    EXTENSION_DEFINITION_PREFIX,
    PREDEFINED_EXTENSIONS,
    STIX_TYPES,
    declared_kind,
)
from infoshare.validation.checks.profile_schemas import (
    EXTENSION_SCHEMAS,
    OBJECT_SCHEMAS,
    profile_schema_uri,
)


def _schema_properties(uri: str) -> frozenset[str]:
    """The top-level property names a schema defines, through ``allOf`` references."""
    schemas = schema_set()
    base, _, pointer = uri.partition("#")
    node: Any = schemas.document(base)
    for step in filter(None, pointer.split("/")):
        node = node[step]
    names = set(node.get("properties", {}))
    for part in node.get("allOf", []):
        ref = part.get("$ref")
        if isinstance(ref, str):
            target = ref if "://" in ref else base.rsplit("/", 1)[0] + "/" + ref
            names |= _schema_properties(target)
    return frozenset(names)


def _load() -> dict[str, frozenset[str]]:
    table = {kind: _schema_properties(f"{STIX_SCHEMA_BASE}{kind}.json") for kind in STIX_TYPES}
    for kind, name in OBJECT_SCHEMAS.items():
        table[kind] = _schema_properties(profile_schema_uri(name))
    common = f"{STIX_SCHEMA_BASE}common.json#/$defs/"
    table["new-sdo"] = table["new-sro"] = _schema_properties(common + "sdo")
    table["new-sco"] = _schema_properties(common + "sco")
    # spec_version is a string (IS-106), and extensions IS-108 and the walk below handle.
    return {kind: names | {"spec_version", "extensions"} for kind, names in table.items()}


#: Object type (or new-sdo / new-sro / new-sco) -> the properties a schema sizes.
_SCHEMA_PROPERTIES: Final = _load()
_NONE: Final[frozenset[str]] = frozenset()


def _walk(value: Any, chain: PathChain, emit: Emit) -> None:
    if isinstance(value, list):
        if not value:
            emit(
                render_path(chain),
                "an empty list is prohibited in STIX 2.1 (section 2.12); omit the property"
                " or give it at least one value",
            )
        for index, item in enumerate(value):
            if isinstance(item, list | dict):
                _walk(item, (chain, index), emit)
    elif isinstance(value, dict):
        if not value:
            emit(
                render_path(chain),
                "an empty dictionary is prohibited in STIX 2.1 (section 2.3); omit the"
                " property or give it at least one entry",
            )
        for key, item in value.items():
            if isinstance(item, list | dict):
                _walk(item, (chain, key), emit)


def _extension_contents(extensions: dict[str, Any], emit: Emit) -> None:
    """Walk extensions without a schema: custom ones and unknown extension-definitions."""
    for key, value in extensions.items():
        if key in PREDEFINED_EXTENSIONS or key in EXTENSION_SCHEMAS:
            continue  # a schema sizes them (IS-102, IS-2xx)
        at: PathChain = ((None, "extensions"), key)
        if key.startswith(EXTENSION_DEFINITION_PREFIX):
            if isinstance(value, dict):  # an empty one lacks extension_type: IS-108
                for name, item in value.items():
                    if isinstance(item, list | dict):
                        _walk(item, (at, name), emit)
        else:
            _walk(value, at, emit)


@object_check("IS-121")
def check_no_empty_lists(obj: StixDict, emit: Emit) -> None:
    """No empty list or dictionary outside what a schema already sizes."""
    kind = obj["type"]
    sized = _SCHEMA_PROPERTIES.get(kind)
    if sized is None:
        sized = _SCHEMA_PROPERTIES.get(declared_kind(obj) or "", _NONE)
    if not sized.issuperset(obj):  # the usual object has no custom property
        for key in obj.keys() - sized:
            value = obj[key]
            if isinstance(value, list | dict):
                _walk(value, (None, key), emit)
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        _extension_contents(extensions, emit)
