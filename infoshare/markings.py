"""TLP 2.0 markings: the five OASIS marking-definitions, levels and their order.

Implements spec/profile/12-markings.md §12.1 (which TLP marking an object
carries) and §12.2 (the canonical OASIS TLP 2.0 marking-definitions, as
published in oasis-open/cti-stix-common-objects,
extension-definition-specifications/tlp-2.0/). This is the one place that
knows what each TLP level is called, which id stands for it and how levels
order from most open to most restricted; the validator (IS-501 to IS-503,
IS-702, IS-712) and the TAXII node's clearance decisions both read it.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.profile import (
    EXT_TLP_2_0,
    STIX_SPEC_VERSION,
    TLP_1_0_IDS,
    TLP_2_0_LEVELS,
    TLP_AMBER,
    TLP_CLEAR,
    TLP_GREEN,
    TLP_RED,
)

#: TLP 2.0 levels, most open first: a reader cleared for one level may see
#: everything at that level and before it.
TLP_LEVEL_ORDER: Final[tuple[str, ...]] = ("clear", "green", "amber", "amber+strict", "red")

#: The ``created`` timestamp of all five OASIS TLP 2.0 marking-definitions.
TLP_2_0_CREATED: Final = "2022-10-01T00:00:00.000Z"

#: TLP 2.0 level -> its marking-definition id.
TLP_2_0_IDS: Final[dict[str, str]] = {level: mid for mid, level in TLP_2_0_LEVELS.items()}

#: TLP 1.0 marking id -> (its label, the TLP 2.0 id to use instead).
TLP_1_0_SUCCESSORS: Final[dict[str, tuple[str, str]]] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": ("TLP:WHITE", TLP_CLEAR),
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": ("TLP:GREEN", TLP_GREEN),
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": ("TLP:AMBER", TLP_AMBER),
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": ("TLP:RED", TLP_RED),
}
assert frozenset(TLP_1_0_SUCCESSORS) == TLP_1_0_IDS

_RANK: Final[dict[str, int]] = {level: rank for rank, level in enumerate(TLP_LEVEL_ORDER)}


def tlp_label(level: str) -> str:
    """The label a person reads: ``tlp_label("amber+strict")`` is ``"TLP:AMBER+STRICT"``."""
    return f"TLP:{level.upper()}"


def canonical_tlp_marking(marking_id: str) -> dict[str, Any]:
    """A fresh copy of the OASIS TLP 2.0 marking-definition with this id.

    Raises :class:`KeyError` for an id that is not one of the five TLP 2.0 ids.
    """
    level = TLP_2_0_LEVELS[marking_id]
    return {
        "type": "marking-definition",
        "spec_version": STIX_SPEC_VERSION,
        "id": marking_id,
        "created": TLP_2_0_CREATED,
        "name": tlp_label(level),
        "extensions": {EXT_TLP_2_0: {"extension_type": "property-extension", "tlp_2_0": level}},
    }


def level_rank(level: str) -> int:
    """Position of a TLP 2.0 level from most open (0, clear) to most restricted (4, red).

    Raises :class:`KeyError` for a value that is not a TLP 2.0 level.
    """
    return _RANK[level]


def tlp_levels(obj: dict[str, Any]) -> list[str]:
    """The distinct TLP 2.0 levels in ``obj``'s object_marking_refs, in order of appearance.

    Malformed input (no list, non-string members) yields what can be read, never an error.
    """
    refs = obj.get("object_marking_refs")
    if not isinstance(refs, list):
        return []
    found: list[str] = []
    for ref in refs:
        level = TLP_2_0_LEVELS.get(ref) if isinstance(ref, str) else None
        if level is not None and level not in found:
            found.append(level)
    return found


def tlp_level(obj: dict[str, Any]) -> str | None:
    """The TLP 2.0 level that governs ``obj``: ``"clear"`` … ``"red"``, or None if unmarked.

    Only the five TLP 2.0 ids count (the profile does not accept TLP 1.0 as
    the governing marking, IS-501). When an object wrongly carries several
    TLP 2.0 markings (IS-502), the most restricted one governs, so a
    clearance decision based on this value never shows too much.
    """
    levels = tlp_levels(obj)
    if not levels:
        return None
    return max(levels, key=level_rank)


def is_cleared(clearance: str, level: str) -> bool:
    """True when a reader cleared up to ``clearance`` may see data marked ``level``."""
    return level_rank(level) <= level_rank(clearance)
