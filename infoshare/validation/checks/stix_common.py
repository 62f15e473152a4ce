"""STIX 2.1 common-property rules: checks IS-113, IS-118 and IS-122.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 3.2
(common properties) and section 3.8 (reserved names):

* IS-113: ``created`` and ``modified`` are precise to the millisecond ("The
  minimum precision MUST be milliseconds (three digits after the decimal place
  in seconds)").
* IS-118: the reserved names ``severity``, ``username``, ``phone_number`` and
  ``action`` are not used as properties of an object, at its top level or in
  one of its extensions ("MUST NOT be used for the name of any Custom Property
  or be present in any STIX content").
* IS-122: ``defanged`` appears only on SCOs ("This property MUST NOT be used on
  any STIX Objects other than SCOs").

Malformed timestamps are left to IS-104.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.stix.timestamps import has_millisecond_precision
from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.core_types import is_valid_timestamp, object_kind

#: Property names STIX 2.1 section 3.8 reserves across all objects.
RESERVED_PROPERTY_NAMES: Final = frozenset({"severity", "username", "phone_number", "action"})


@object_check("IS-113")
def check_millisecond_precision(obj: StixDict, emit: Emit) -> None:
    """``created`` and ``modified`` carry at least three digits of fractional seconds."""
    for name in ("created", "modified"):
        value = obj.get(name)
        if (
            isinstance(value, str)
            and not has_millisecond_precision(value)
            and is_valid_timestamp(value)
        ):
            emit(
                f".{name}",
                f"{name} {value!r} is not precise to the millisecond; STIX 2.1 requires at"
                f" least three digits after the decimal point, e.g. {value[:19]}.000Z",
            )


def _reserved_in(props: dict[str, Any], prefix: tuple[str, ...], emit: Emit) -> None:
    for name in RESERVED_PROPERTY_NAMES.intersection(props):
        emit(
            jpath(*prefix, name),
            f"{name!r} is a property name STIX 2.1 reserves for future use (section 3.8);"
            " rename the property, e.g. with an x_<source>_ prefix",
        )


@object_check("IS-118")
def check_reserved_names(obj: StixDict, emit: Emit) -> None:
    """No reserved property name at the top level or inside an extension."""
    if not RESERVED_PROPERTY_NAMES.isdisjoint(obj):
        _reserved_in(obj, (), emit)
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        for key, value in extensions.items():
            if isinstance(value, dict) and not RESERVED_PROPERTY_NAMES.isdisjoint(value):
                _reserved_in(value, ("extensions", key), emit)


@object_check("IS-122")
def check_defanged(obj: StixDict, emit: Emit) -> None:
    """``defanged`` only on SCOs; a custom object of unknown kind is given the benefit of
    the doubt."""
    if "defanged" in obj and object_kind(obj) in ("sdo", "sro", "meta"):
        emit(
            ".defanged",
            f"defanged may only be used on SCOs (STIX 2.1 section 3.2), not on this"
            f" {obj['type']}; remove it",
        )
