"""IS-501 to IS-503: TLP 2.0 markings (spec/profile/12-markings.md §12.1, §12.2).

* IS-501: every shared object carries one of the five TLP 2.0 ids;
* IS-502: no object carries more than one TLP marking (TLP 1.0 or 2.0);
* IS-503: a TLP 2.0 marking-definition in the bundle is the OASIS one.

The canonical markings live in :mod:`infoshare.markings`, TLP levels and their
labels in :mod:`infoshare.stix.tlp`.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.markings import TLP_1_0_SUCCESSORS, TLP_2_0_IDS, canonical_tlp_marking
from infoshare.profile import EXT_TLP_2_0, TLP_2_0_LEVELS, TLP_GREEN
from infoshare.stix.timestamps import is_timestamp, timestamp_key
from infoshare.stix.tlp import tlp_label
from infoshare.validation._registry import Emit, StixDict, jpath, object_check

#: Objects that define markings or extensions are not themselves marked (§12.1).
UNMARKED_TYPES: Final = frozenset({"marking-definition", "extension-definition"})

_ANY_TLP: Final = frozenset(TLP_2_0_LEVELS) | frozenset(TLP_1_0_SUCCESSORS)

#: TLP labels that exist only in TLP 2.0: a TLP 1.0-style definition naming
#: them is OpenCTI's non-standard export, never a valid TLP 1.0 marking.
_TLP_2_0_ONLY: Final = frozenset({"clear", "amber+strict"})


def _label(marking_id: str) -> str:
    level = TLP_2_0_LEVELS.get(marking_id)
    return tlp_label(level) if level is not None else f"{TLP_1_0_SUCCESSORS[marking_id][0]} (1.0)"


@object_check("IS-501")
def tlp_marking_required(obj: StixDict, emit: Emit) -> None:
    if obj["type"] in UNMARKED_TYPES:
        return
    refs = obj.get("object_marking_refs")
    if refs is None:
        refs = []
    elif not isinstance(refs, list):
        return  # IS-102 reports the wrong type
    for ref in refs:
        if isinstance(ref, str) and ref in TLP_2_0_LEVELS:
            return
    for index, ref in enumerate(refs):
        if isinstance(ref, str) and ref in TLP_1_0_SUCCESSORS:
            old, new = TLP_1_0_SUCCESSORS[ref]
            emit(
                jpath("object_marking_refs", index),
                f"{old} is a TLP 1.0 marking; the profile requires TLP 2.0: replace it with "
                f"{tlp_label(TLP_2_0_LEVELS[new])} {new}",
            )
            return
    emit(
        jpath("object_marking_refs") if refs else "",
        "the object carries no TLP 2.0 marking; add one of the five TLP 2.0 marking-definition "
        f"ids to object_marking_refs, for example TLP:GREEN {TLP_GREEN}",
    )


@object_check("IS-502")
def one_tlp_level(obj: StixDict, emit: Emit) -> None:
    refs = obj.get("object_marking_refs")
    if not isinstance(refs, list):
        return
    first: str | None = None
    for index, ref in enumerate(refs):
        if not isinstance(ref, str) or ref not in _ANY_TLP or ref == first:
            continue
        if first is None:
            first = ref
            continue
        emit(
            jpath("object_marking_refs", index),
            f"the object carries both {_label(first)} and {_label(ref)}; keep exactly one TLP "
            "marking: the one that applies to the whole object",
        )


def _tlp_claim(obj: StixDict) -> str | None:
    """The TLP 2.0 level a marking-definition claims by its content, if any."""
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        ext = extensions.get(EXT_TLP_2_0)
        if isinstance(ext, dict) and isinstance(ext.get("tlp_2_0"), str):
            return str(ext["tlp_2_0"]).lower()
    labels: list[Any] = [obj.get("name")]
    definition = obj.get("definition")
    if isinstance(definition, dict):
        labels.extend(definition.values())
    elif isinstance(definition, str):
        labels.append(definition)
    for label in labels:
        if isinstance(label, str):
            text = label.strip().lower().removeprefix("tlp:")
            if text in _TLP_2_0_ONLY:
                return text
    return None


def _opencti_form(obj: StixDict) -> bool:
    return "definition_type" in obj or "definition" in obj


def _normalise_hint(level: str) -> str:
    marking_id = TLP_2_0_IDS[level]
    return (
        f"normalise it: point object_marking_refs at {marking_id} and replace this object with "
        f"the OASIS {tlp_label(level)} marking-definition (name {tlp_label(level)!r}, "
        f"extensions[{EXT_TLP_2_0!r}] = {{extension_type: property-extension, tlp_2_0: "
        f"{level!r}}}) or drop it from the bundle: the id is well known"
    )


@object_check("IS-503", types={"marking-definition"})
def tlp_definitions_are_oasis(obj: StixDict, emit: Emit) -> None:
    marking_id = obj.get("id")
    if not isinstance(marking_id, str):
        return
    level = TLP_2_0_LEVELS.get(marking_id)
    if level is None:
        _check_foreign_tlp_claim(obj, emit)
        return
    if _opencti_form(obj):
        emit(
            jpath("definition_type") if "definition_type" in obj else jpath("definition"),
            f"{tlp_label(level)} is written in the TLP 1.0 form (definition_type/definition), "
            f"as OpenCTI exports it; {_normalise_hint(level)}",
        )
        return
    _compare_with_canonical(obj, canonical_tlp_marking(marking_id), level, emit)


def _check_foreign_tlp_claim(obj: StixDict, emit: Emit) -> None:
    claim = _tlp_claim(obj)
    if claim is None or claim not in TLP_2_0_IDS:
        return
    if _opencti_form(obj):
        what = f"this marking-definition is OpenCTI's non-standard {tlp_label(claim)} export"
    else:
        what = f"this marking-definition claims {tlp_label(claim)} under a non-OASIS id"
    emit(jpath("id"), f"{what}; {_normalise_hint(claim)}")


def _compare_with_canonical(
    obj: StixDict, canonical: dict[str, Any], level: str, emit: Emit
) -> None:
    name = obj.get("name")
    if name != canonical["name"]:
        emit(jpath("name"), f"the name of this TLP 2.0 marking must be {canonical['name']!r}")
    created = obj.get("created")
    if (
        isinstance(created, str)
        and is_timestamp(created)
        and timestamp_key(created) != timestamp_key(canonical["created"])
    ):
        emit(
            jpath("created"),
            f"the OASIS {tlp_label(level)} marking was created {canonical['created']}; "
            "copy the OASIS object unchanged (or leave it out: the id is well known)",
        )
    extensions = obj.get("extensions")
    expected = canonical["extensions"][EXT_TLP_2_0]
    if not isinstance(extensions, dict) or not isinstance(extensions.get(EXT_TLP_2_0), dict):
        emit(
            jpath("extensions"),
            f"a TLP 2.0 marking must carry extensions[{EXT_TLP_2_0!r}] = "
            f"{{extension_type: property-extension, tlp_2_0: {level!r}}}",
        )
        return
    for other in extensions:
        if other != EXT_TLP_2_0:
            emit(
                jpath("extensions", str(other)),
                "the OASIS TLP 2.0 markings carry no other extension; remove it",
            )
    ext = extensions[EXT_TLP_2_0]
    for key, value in expected.items():
        if ext.get(key) != value:
            emit(
                jpath("extensions", EXT_TLP_2_0, key),
                f"{key} of the {tlp_label(level)} marking must be {value!r}",
            )
    for key in ext:
        if key not in expected:
            emit(
                jpath("extensions", EXT_TLP_2_0, str(key)),
                "the TLP 2.0 extension allows only extension_type and tlp_2_0; remove this "
                "property",
            )
