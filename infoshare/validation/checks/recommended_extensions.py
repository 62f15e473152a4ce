"""IS-161: extension-definitions SHOULD document themselves (STIX 2.1 §7.3).

An extension-definition SHOULD have a ``description``, and one whose
``extension_types`` include toplevel-property-extension SHOULD name the
properties it adds in ``extension_properties``.
"""

from __future__ import annotations

from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.deprecated import TOPLEVEL_PROPERTY_EXTENSION


@object_check("IS-161", types={"extension-definition"})
def extension_definition_documentation(obj: StixDict, emit: Emit) -> None:
    description = obj.get("description")
    if not isinstance(description, str) or not description.strip():
        emit(
            jpath("description"),
            "this extension-definition has no description; say what the extension is for"
            " (STIX 2.1 §7.3)",
        )
    kinds = obj.get("extension_types")
    if not isinstance(kinds, list) or TOPLEVEL_PROPERTY_EXTENSION not in kinds:
        return
    if not obj.get("extension_properties"):
        emit(
            jpath("extension_properties"),
            "a toplevel-property-extension should list the properties it adds in"
            " extension_properties (STIX 2.1 §7.3)",
        )
