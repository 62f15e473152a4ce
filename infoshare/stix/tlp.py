"""Which TLP level governs a STIX object: the one TLP reading of infoshare.

Implements STIX 2.1 §7.2.1.4 (the four TLP 1.0 marking-definitions built into
STIX) and the OASIS TLP 2.0 marking-definitions (cti-stix-common-objects,
``extension-definition-specifications/tlp-2.0``), as the profile uses them in
spec/profile/12-markings.md §12.1.

The rule, used alike by the validator, the node's clearance decisions and
sync: an object's level is the **most restrictive** TLP marking it carries,
reading

- every member of ``object_marking_refs``, and
- the ``marking_ref`` of every entry of ``granular_markings`` (a node shares
  whole objects, so a RED part makes the whole object RED),

and counting both TLP 2.0 ids and TLP 1.0 ids (TLP:WHITE reads as CLEAR, the
other three colours as their TLP 2.0 namesakes). Conflicting or repeated
markings therefore never make an object more open than its most restrictive
marking. The TLP marking-definition objects themselves are CLEAR. Anything
else has no level (None): callers decide how to treat unmarked data (the
node treats it as RED by default).

Malformed input (a ``object_marking_refs`` that is not a list, entries that
are not strings) yields what can be read and never raises.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final, Literal, cast

from infoshare.profile import TLP_2_0_LEVELS

__all__ = [
    "LEVELS",
    "MARKING_LEVELS",
    "RANK",
    "TLP_1_0_LEVELS",
    "TlpLevel",
    "is_cleared",
    "level_rank",
    "levels_up_to",
    "marking_refs",
    "tlp_label",
    "tlp_level",
]

TlpLevel = Literal["clear", "green", "amber", "amber+strict", "red"]

#: The TLP 2.0 levels, most open first: a reader cleared for one level may see
#: everything at that level and before it.
LEVELS: Final[tuple[TlpLevel, ...]] = ("clear", "green", "amber", "amber+strict", "red")

#: Position of each level, from most open (0, clear) to most restrictive (4, red).
RANK: Final[dict[str, int]] = {level: rank for rank, level in enumerate(LEVELS)}

#: TLP 1.0 marking-definition id (STIX 2.1 §7.2.1.4) -> the TLP 2.0 level it stands for.
TLP_1_0_LEVELS: Final[dict[str, TlpLevel]] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}

#: Every TLP marking-definition id, TLP 2.0 and TLP 1.0, -> the level it marks.
MARKING_LEVELS: Final[dict[str, TlpLevel]] = {
    **{ref: cast(TlpLevel, level) for ref, level in TLP_2_0_LEVELS.items()},
    **TLP_1_0_LEVELS,
}


def level_rank(level: str) -> int:
    """Position of ``level`` from most open (0) to most restrictive (4).

    Raises :class:`KeyError` for a value that is not a TLP 2.0 level.
    """
    return RANK[level]


def is_cleared(clearance: str, level: str) -> bool:
    """True when a reader cleared up to ``clearance`` may see data marked ``level``."""
    return RANK[level] <= RANK[clearance]


def levels_up_to(level: str) -> tuple[TlpLevel, ...]:
    """Every level as open as ``level`` or more open (``"amber"`` → clear, green, amber)."""
    return LEVELS[: RANK[level] + 1]


def tlp_label(level: str) -> str:
    """The label a person reads: ``tlp_label("amber+strict")`` is ``"TLP:AMBER+STRICT"``."""
    return f"TLP:{level.upper()}"


def marking_refs(obj: Mapping[str, Any]) -> Iterator[str]:
    """Every marking id ``obj`` refers to: object markings first, then granular ones."""
    refs = obj.get("object_marking_refs")
    if isinstance(refs, list):
        yield from (ref for ref in refs if isinstance(ref, str))
    granular = obj.get("granular_markings")
    if isinstance(granular, list):
        for marking in granular:
            if isinstance(marking, Mapping):
                ref = marking.get("marking_ref")
                if isinstance(ref, str):
                    yield ref


def tlp_level(obj: Mapping[str, Any]) -> TlpLevel | None:
    """The most restrictive TLP level marking ``obj``, or None when it carries none."""
    if obj.get("id") in MARKING_LEVELS:
        return "clear"  # the TLP marking-definitions themselves are public
    found: TlpLevel | None = None
    for ref in marking_refs(obj):
        level = MARKING_LEVELS.get(ref)
        if level is not None and (found is None or RANK[level] > RANK[found]):
            found = level
    return found
