"""What the case viewer shows: plain, immutable data.

The case reader (``cases``, ``related``) builds these through the node's one
policy object (docs/adr/0009-one-policy-object.md), so a value here never
holds anything the reader may not see; the views and the exports only render
them. Timestamps are STIX timestamp strings (RFC 3339, UTC); TLP levels are
the lower-case names of :mod:`infoshare.stix.tlp` ("clear", "green", "amber",
"amber+strict", "red"), or None when the object carries no TLP marking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

#: What a timeline entry records.
TimelineKind = Literal[
    "post",  # a media-content object, at its publication time
    "sighting",  # a sighting or observed-data, at first_seen
    "engagement",  # one version of an engagement snapshot (profile §16)
    "account-state",  # one version of an account-state (profile §16)
    "platform-action",  # one step of a task with the platform-action extension (§17)
    "event",  # an event the incident targets (for example an election)
    "withdrawal",  # a withdrawal (§20), shown to the node's operators only
]


@dataclass(frozen=True, slots=True)
class CaseFilters:
    """The case list's filters; each None means "any"."""

    #: ISO 3166-1 alpha-2 code of a country the incident targets or is located at.
    country: str | None = None
    #: A value of the FIMI incident extension's type vocabulary (profile §3.2).
    fimi_type: str | None = None
    #: The incident's determination (profile §3.2).
    determination: str | None = None
    #: The incident's status (profile §3.2).
    status: str | None = None
    #: The incident's TLP level.
    tlp: str | None = None
    #: The identity id of the incident's creator (the partner of origin).
    origin: str | None = None
    #: The incident was last modified on or after this day (UTC).
    since: date | None = None
    #: The incident was last modified on or before this day (UTC).
    until: date | None = None


@dataclass(frozen=True, slots=True)
class CaseRef:
    """Where a case is: its incident's id in one collection of one API root."""

    api_root: str
    collection_id: str
    incident_id: str


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One line of the case list, and the head of a case page."""

    ref: CaseRef
    name: str
    description: str | None
    created: str
    modified: str
    tlp: str | None
    #: The creator's identity id and name (the partner of origin).
    origin_id: str | None
    origin_name: str | None
    countries: tuple[str, ...]
    fimi_types: tuple[str, ...]
    determination: str | None
    status: str | None
    #: True only for operators, who still see withdrawn records (profile §20).
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class CasePage:
    """One page of the case list and the opaque token of the next, if any."""

    cases: tuple[CaseSummary, ...]
    next_token: str | None


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who the case is attributed to, how confidently, and on what basis (profile §3.3)."""

    actor_id: str
    actor_name: str
    actor_type: str
    confidence: int | None
    #: The DNI / ICD 203 estimative words for ``confidence`` (profile §13.2.1).
    confidence_words: str | None
    basis: str | None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: str
    kind: TimelineKind
    title: str
    detail: str | None
    object_id: str


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    type: str
    label: str
    tlp: str | None


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    #: The relationship type, or the name of the ``*_ref(s)`` property.
    label: str


@dataclass(frozen=True, slots=True)
class TechniqueUse:
    """A DISARM technique used in the case (or counted across cases)."""

    technique_id: str  # for example "T0049.003"
    name: str
    tactic_ids: tuple[str, ...]  # for example ("TA17",)
    count: int = 1


@dataclass(frozen=True, slots=True)
class LocalisedText:
    """A narrative's or a post's text: the original, and the reader's language beside it
    where a language-content object provides it."""

    object_id: str
    object_type: str
    label: str
    original_language: str | None
    original: str
    translation_language: str | None = None
    translation: str | None = None


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One item a platform action targets, with the platform's outcome (profile §17)."""

    target: str
    requested_action: str | None
    outcome: str | None
    decided: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PlatformAction:
    """A takedown request or referral, at its latest visible version (profile §17)."""

    task_id: str
    name: str
    kind: str  # "takedown-request", "referral", ...
    platform: str | None
    legal_basis: str | None
    state: str | None
    submitted: str | None
    acknowledged: str | None
    decided: str | None
    items: tuple[ActionItem, ...]
    appeal: str | None = None


@dataclass(frozen=True, slots=True)
class OpinionView:
    """An opinion another partner gave on the case (profile §18)."""

    object_id: str
    author: str | None
    opinion: str
    explanation: str | None
    created: str


@dataclass(frozen=True, slots=True)
class RelatedCase:
    """Another case the reader may see that shares something with this one."""

    summary: CaseSummary
    #: What they share, in words: "account @example", "URL https://…", "domain
    #: example.org", "content hash SHA-256 …", "narrative …", "techniques T0049, T0086".
    shared: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Case:
    """Everything the case page, the bundle, the layer and the brief show."""

    summary: CaseSummary
    co_authors: tuple[str, ...]
    attributions: tuple[Attribution, ...]
    timeline: tuple[TimelineEntry, ...]
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    techniques: tuple[TechniqueUse, ...]
    narratives: tuple[LocalisedText, ...]
    posts: tuple[LocalisedText, ...]
    platform_actions: tuple[PlatformAction, ...]
    opinions: tuple[OpinionView, ...]
    related: tuple[RelatedCase, ...]
    #: The latest visible version of every object of the case, for the STIX bundle.
    objects: tuple[Mapping[str, Any], ...] = field(default=())
    #: True when the case reached the reader's bounds (objects or depth) and was cut
    #: short: the page should say that more exists than it shows.
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """One value a case-list filter can take, and the words to show for it."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """The values the case list's filters offer, read from the incidents the reader may see.

    Each tuple is sorted by label; a value appears only if at least one visible
    incident has it, so the choices reveal nothing the list would not.
    """

    countries: tuple[Choice, ...] = ()
    fimi_types: tuple[Choice, ...] = ()
    determinations: tuple[Choice, ...] = ()
    statuses: tuple[Choice, ...] = ()
    tlps: tuple[Choice, ...] = ()
    origins: tuple[Choice, ...] = ()
    #: False when they were read from the newest incidents only (a bounded read,
    #: docs/adr/0020-bounded-work.md): older incidents may hold other values.
    complete: bool = True
