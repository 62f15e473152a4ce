"""The DISARM 1.6 techniques, tactics and counters, as typed lookups.

Implements the reference data of spec/profile/09-standard-objects.md §9.3.3:
the tables in spec/reference/disarm-1.6-*.json (derived by
spec/reference/derive.py from the DISARM Foundation's files, CC BY-SA 4.0) are
read once per process and answer questions such as "does T0049.003 exist",
"which tactic does DISARM 1.6 assign it" or "does counter C00006 exist".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from infoshare._spec_files import load_spec_json
from infoshare.errors import SpecDataError

#: The DISARM Framework version the profile cites (§9.3).
DISARM_VERSION: Final = "1.6"

#: A technique id (``T0049``) or sub-technique id (``T0049.003``).
TECHNIQUE_ID: Final = re.compile(r"T\d{4}(?:\.\d{3})?")
#: A counter id of the blue framework (``C00006``).
COUNTER_ID: Final = re.compile(r"C\d{5}")
#: A tactic id (``TA05``).
TACTIC_ID: Final = re.compile(r"TA\d{2}")

_TABLES: Final = "reference/disarm-{}-{}.json"


@dataclass(frozen=True, slots=True)
class Tactic:
    """A DISARM tactic (red framework), e.g. TA06 Develop Content."""

    id: str
    name: str
    #: The kill-chain phase name that cites the tactic, e.g. ``develop-content``.
    shortname: str
    stix_id: str


@dataclass(frozen=True, slots=True)
class Technique:
    """A DISARM technique or sub-technique, e.g. T0049.003."""

    id: str
    name: str
    #: The id of the tactic DISARM assigns to the technique.
    tactic_id: str
    #: For a sub-technique, the id of its parent technique; otherwise None.
    parent_id: str | None
    #: The id of the technique's attack-pattern in the official DISARM bundle.
    stix_id: str

    @property
    def is_subtechnique(self) -> bool:
        return self.parent_id is not None


@dataclass(frozen=True, slots=True)
class Counter:
    """A DISARM counter (blue framework), e.g. C00006."""

    id: str
    name: str
    summary: str
    #: The id of the tactic the counter acts on.
    tactic_id: str
    metatechnique_ids: tuple[str, ...]
    response_type_id: str


@dataclass(frozen=True, slots=True)
class DisarmFramework:
    """The DISARM tables the profile uses, keyed by their DISARM ids."""

    version: str
    tactics: Mapping[str, Tactic]
    techniques: Mapping[str, Technique]
    counters: Mapping[str, Counter]

    def technique(self, technique_id: str) -> Technique | None:
        """The technique with this id (``T0049`` or ``T0049.003``), or None."""
        return self.techniques.get(technique_id)

    def counter(self, counter_id: str) -> Counter | None:
        """The counter with this id (``C00006``), or None."""
        return self.counters.get(counter_id)

    def tactic(self, tactic_id: str) -> Tactic | None:
        """The tactic with this id (``TA06``), or None."""
        return self.tactics.get(tactic_id)

    def tactic_by_shortname(self, shortname: str) -> Tactic | None:
        """The tactic whose kill-chain phase name is ``shortname``, or None."""
        return next((t for t in self.tactics.values() if t.shortname == shortname), None)

    def tactics_of(self, technique_id: str) -> tuple[Tactic, ...]:
        """The tactics DISARM assigns to a technique (empty if it does not exist).

        DISARM 1.6 assigns exactly one tactic to every technique; the answer is
        a tuple so that callers need not change should a later version assign
        several.
        """
        found = self.techniques.get(technique_id)
        if found is None:
            return ()
        return (self.tactics[found.tactic_id],)


def _rows(kind: str) -> list[dict[str, Any]]:
    relative = _TABLES.format(DISARM_VERSION, kind)
    data = load_spec_json(relative)
    rows = data.get(kind) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise SpecDataError(f"spec file {relative} has no list {kind!r}")
    return rows


def _build() -> DisarmFramework:
    try:
        tactics = {
            row["id"]: Tactic(row["id"], row["name"], row["shortname"], row["stix_id"])
            for row in _rows("tactics")
        }
        techniques = {
            row["id"]: Technique(
                row["id"], row["name"], row["tactic"], row["parent"], row["stix_id"]
            )
            for row in _rows("techniques")
        }
        counters = {
            row["id"]: Counter(
                row["id"],
                row["name"],
                row["summary"],
                row["tactic"],
                tuple(row["metatechniques"]),
                row["response_type"],
            )
            for row in _rows("counters")
        }
    except (KeyError, TypeError) as exc:
        raise SpecDataError(f"DISARM {DISARM_VERSION} reference table malformed: {exc!r}") from exc
    unknown = {t.tactic_id for t in techniques.values()} - tactics.keys()
    if unknown:
        raise SpecDataError(f"DISARM techniques name unknown tactics: {sorted(unknown)}")
    return DisarmFramework(
        DISARM_VERSION,
        MappingProxyType(tactics),
        MappingProxyType(techniques),
        MappingProxyType(counters),
    )


@functools.cache
def disarm_framework() -> DisarmFramework:
    """The DISARM 1.6 tables, read from spec/reference/ once per process."""
    return _build()
