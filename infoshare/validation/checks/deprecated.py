"""IS-158 and IS-159: constructs STIX 2.1 keeps only for backward compatibility.

* IS-158: the Observable Container (``objects`` on observed-data) is
  deprecated and SHOULD NOT be used for new content (STIX 2.1 §2.13, §4.14).
* IS-159: custom properties, custom objects and custom SCO extensions
  (STIX 2.1 §11.1 to §11.3, "Deprecated") SHOULD be replaced by the
  extension-definition mechanism (§7.3). Found mechanically:

  - an object of an ``x-…`` type that no extension declares new-sdo,
    new-sro or new-sco (§11.2);
  - a top-level property named ``x_…`` on an object that declares no
    toplevel-property-extension (§11.1); other custom property names cannot
    be told from properties of a later STIX version, so they are left alone;
  - an ``x-…`` key in ``extensions`` (§11.3).

  Names in these places that are neither STIX's nor of the ``x`` form break
  a MUST and are reported by IS-107 and IS-108 instead, never twice.
"""

from __future__ import annotations

from typing import Final

from infoshare.stix.identifiers import is_type_name
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.core_types import (
    KNOWN_TYPES,
    PROPERTY_NAME,
    declared_kind,
)

TOPLEVEL_PROPERTY_EXTENSION: Final = "toplevel-property-extension"


@object_check("IS-158", types={"observed-data"})
def observable_container(obj: StixDict, emit: Emit) -> None:
    if "objects" in obj:
        emit(
            jpath("objects"),
            "the objects container of observed-data is deprecated (STIX 2.1 §2.13): put the"
            " SCOs in the bundle as objects of their own and list their ids in object_refs",
        )


def _declares_toplevel_properties(obj: StixDict) -> bool:
    extensions = obj.get("extensions")
    return isinstance(extensions, dict) and any(
        isinstance(value, dict) and value.get("extension_type") == TOPLEVEL_PROPERTY_EXTENSION
        for value in extensions.values()
    )


#: Top-level member names, in order -> the IS-159 finding for the custom properties among
#: them (path, message), or None. Objects of one producer repeat a few shapes, so the names
#: of most objects are looked at once; bounded, so odd inputs cannot grow it.
_BY_SHAPE: dict[tuple[str, ...], tuple[str, str] | None] = {}
_SHAPES_LIMIT: Final = 2048


def _custom_properties(obj: StixDict) -> tuple[str, str] | None:
    shape = tuple(obj)
    if shape in _BY_SHAPE:
        return _BY_SHAPE[shape]
    custom = [key for key in shape if key.startswith("x_") and PROPERTY_NAME.match(key)]
    finding = None
    if custom:
        names = ", ".join(f"'{key}'" for key in custom)
        one = len(custom) == 1
        what, them = ("is a custom property", "it") if one else ("are custom properties", "them")
        finding = (
            jpath(custom[0]),
            f"{names} {what} of the deprecated form (STIX 2.1 §11.1): define {them} in an"
            " extension-definition (property-extension, or toplevel-property-extension to"
            f" keep {them} at the top level; §7.3)",
        )
    if len(_BY_SHAPE) >= _SHAPES_LIMIT:
        _BY_SHAPE.clear()
    _BY_SHAPE[shape] = finding
    return finding


@object_check("IS-159")
def customisation_outside_extensions(obj: StixDict, emit: Emit) -> None:
    kind = obj["type"]
    if (
        kind[:2] == "x-"
        and kind not in KNOWN_TYPES
        and is_type_name(kind)
        and declared_kind(obj) is None
    ):
        emit(
            jpath("type"),
            f"'{kind}' is a custom object of the deprecated form (STIX 2.1 §11.2): publish an"
            " extension-definition for it and declare it in extensions with extension_type"
            " new-sdo, new-sro or new-sco (§7.3)",
        )
    custom = _custom_properties(obj)
    if custom is not None and not _declares_toplevel_properties(obj):
        emit(*custom)
    extensions = obj.get("extensions")
    if isinstance(extensions, dict) and "\0x-" in "\0" + "\0".join(extensions):
        for key in extensions:
            if not key.startswith("x-"):
                continue
            emit(
                jpath("extensions", key),
                f"'{key}' is a custom extension of the deprecated form (STIX 2.1 §11.3):"
                " key it by the id of an extension-definition instead (§7.3)",
            )
