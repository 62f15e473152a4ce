"""The TLP 2.0 level of a STIX object, as the node enforces it.

Implements the "TLP 2.0 clearance" part of the partner-trust issue
(docs/adr/0006-partner-access.md) on top of the profile's marking ids
(``infoshare.profile``, spec/profile/06-markings.md): an object's level is
the most restrictive OASIS TLP 2.0 marking among its ``object_marking_refs``
and the ``marking_ref`` of its ``granular_markings`` (the node shares whole
objects, so a RED part makes the whole object RED). The five TLP 2.0
marking-definition objects themselves are CLEAR. Anything else has no
recognised level (None) and follows the node's policy for unmarked objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final, Literal

from infoshare.profile import TLP_2_0_LEVELS

TlpLevel = Literal["clear", "green", "amber", "amber+strict", "red"]

#: The levels from the most open to the most restrictive.
LEVELS: Final[tuple[TlpLevel, ...]] = ("clear", "green", "amber", "amber+strict", "red")
#: Rank of each level: higher is more restrictive.
RANK: Final[dict[str, int]] = {level: rank for rank, level in enumerate(LEVELS)}


def _marking_refs(obj: Mapping[str, Any]) -> Iterator[str]:
    refs = obj.get("object_marking_refs")
    if isinstance(refs, list):
        yield from (ref for ref in refs if isinstance(ref, str))
    granular = obj.get("granular_markings")
    if isinstance(granular, list):
        for marking in granular:
            if isinstance(marking, Mapping) and isinstance(marking.get("marking_ref"), str):
                yield marking["marking_ref"]


def tlp_level(obj: Mapping[str, Any]) -> TlpLevel | None:
    """The most restrictive TLP 2.0 level marking ``obj``, or None when it has none."""
    if obj.get("id") in TLP_2_0_LEVELS:
        return "clear"  # the TLP 2.0 marking definitions are public
    found: TlpLevel | None = None
    for ref in _marking_refs(obj):
        level = TLP_2_0_LEVELS.get(ref)
        if level is not None and (found is None or RANK[level] > RANK[found]):
            found = level  # type: ignore[assignment]
    return found


def levels_up_to(level: str) -> tuple[TlpLevel, ...]:
    """Every level as open as ``level`` or more open (``"amber"`` → clear, green, amber)."""
    return LEVELS[: RANK[level] + 1]
