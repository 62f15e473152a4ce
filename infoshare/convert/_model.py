"""The shape of every conversion between the profile and the tools agencies run.

A conversion reads one document of a source format and writes one document of
a target format. Nothing is dropped silently: whatever the target has no home
for is **kept aside** in a documented place (a note, a custom property, a MISP
attribute comment...) and listed in the report, and whatever the source lacks
and the target needs (for example the TLP to apply when the source has none)
is asked of the user through :class:`ConversionOptions` and listed as
**needed** until it is given. docs/bridges.md says, per direction, what is
mapped, what is kept aside and where, and what is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: Every format a conversion reads or writes. ``profile`` is this project's STIX 2.1
#: profile; ``navigator`` is a DISARM Navigator layer and is only ever a target.
Format = Literal["opencti", "misp", "disinfox", "profile", "navigator"]

FORMATS: tuple[Format, ...] = ("opencti", "misp", "disinfox", "profile", "navigator")


@dataclass(frozen=True, slots=True)
class ConversionOptions:
    """What the user supplies that a source may lack."""

    #: TLP 2.0 level to mark objects with when the source marks none ("clear", "green",
    #: "amber", "amber+strict", "red"). None: such objects are listed as needing one.
    tlp: str | None = None
    #: Identity (name) of the organisation converting, used as ``created_by_ref`` where
    #: the source names no author. None: such objects are listed as needing one.
    author_name: str | None = None
    #: ISO 3166-1 alpha-2 country of the author's organisation, where it is asked for.
    author_country: str | None = None
    #: Name of the case or collection, for targets that need one (a Navigator layer).
    title: str | None = None


@dataclass(frozen=True, slots=True)
class KeptAside:
    """Something of the source the target has no field for, and where it was put."""

    #: The source object (STIX id, MISP uuid...) or a JSON path into the source.
    source: str
    #: What it is: a property name, an object type, a relationship type.
    what: str
    #: Where it went in the output: "note note--…", "property x_opencti_…",
    #: "MISP attribute comment"; never empty.
    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class Needed:
    """Something the target requires that the source lacks: what to supply, and how."""

    #: The option that supplies it (a ConversionOptions field / the CLI flag), e.g. "--tlp".
    option: str
    #: What lacks it: object ids, or a count and one example.
    affected: tuple[str, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class ConversionReport:
    """What one conversion did, for people and for the retention table."""

    source: Format
    target: Format
    #: Output object counts by type (STIX type, MISP object name, "technique" for layers).
    converted: Mapping[str, int]
    kept_aside: tuple[KeptAside, ...] = ()
    needed: tuple[Needed, ...] = ()
    #: Plain-language remarks (normalisations made, for example TLP 1.0 ids replaced).
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when nothing more is needed from the user."""
        return not self.needed


@dataclass(frozen=True, slots=True)
class Conversion:
    """The output document (a STIX bundle, a MISP event, a Navigator layer) and its report."""

    output: Mapping[str, Any]
    report: ConversionReport = field()
