"""The FIMI incident: a STIX ``incident`` with the FIMI incident extension.

Implements spec/profile/03-fimi-incident.md (the extension, its
``attribution``, ``engagement`` and ``synthetic_media`` parts) and the optional
OASIS Incident Core extension that an incident may carry alongside.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from infoshare.models._base import KillChainPhase, StixDomainObject, StixModel
from infoshare.models._platform_actions import JointAuthorshipExtension
from infoshare.models._types import (
    Confidence,
    CountryCode,
    Identifier,
    NonNegativeInt,
    Timestamp,
    identifier_ref,
)
from infoshare.models._vocab import Determination, InvestigationStatus, Recoverability
from infoshare.profile import EXT_FIMI_INCIDENT, EXT_JOINT_AUTHORSHIP, EXT_OASIS_INCIDENT_CORE
from infoshare.stix.timestamps import timestamp_key

__all__ = [
    "Attribution",
    "Engagement",
    "EventEntry",
    "FimiIncident",
    "FimiIncidentExtension",
    "FimiIncidentExtensions",
    "Incident",
    "IncidentCoreExtension",
    "IncidentExtensions",
    "SyntheticMedia",
    "TaskEntry",
]

ActorRef = Annotated[str, identifier_ref("threat-actor", "intrusion-set", "identity")]
IdentityRef = Annotated[str, identifier_ref("identity")]
EventRef = Annotated[str, identifier_ref("event")]
TaskRef = Annotated[str, identifier_ref("task")]
ImpactRef = Annotated[str, identifier_ref("impact")]
BreakoutCategory = Annotated[int, Field(ge=1, le=6, strict=True)]


def _check_seen(first: str | None, last: str | None) -> None:
    if first is not None and last is not None and timestamp_key(last) < timestamp_key(first):
        raise ValueError(f"last_seen ({last}) is earlier than first_seen ({first}); swap them")


class Attribution(StixModel):
    """Who is assessed to be behind the incident, how sure, and on what basis."""

    actor_refs: list[ActorRef] | None = Field(default=None, min_length=1)
    attributed_country: CountryCode | None = None
    confidence: Confidence
    basis: list[str] = Field(min_length=1)
    evidence_refs: list[Identifier] | None = Field(default=None, min_length=1)
    assessed_by_ref: IdentityRef | None = None

    @model_validator(mode="after")
    def _check_subject(self) -> Self:
        if not self.actor_refs and self.attributed_country is None:
            raise ValueError("an attribution needs actor_refs or attributed_country (or both)")
        return self


class Engagement(StixModel):
    """Aggregate engagement counts over the incident."""

    share_count: NonNegativeInt | None = None
    like_count: NonNegativeInt | None = None
    quote_count: NonNegativeInt | None = None
    reply_count: NonNegativeInt | None = None
    view_count: NonNegativeInt | None = None


class SyntheticMedia(StixModel):
    """Whether AI-generated or manipulated media was used, of which kinds."""

    present: bool
    kinds: list[str] | None = Field(default=None, min_length=1)
    detection_methods: list[str] | None = Field(default=None, min_length=1)
    confidence: Confidence | None = None


class FimiIncidentExtension(StixModel):
    """The FIMI incident extension (a property-extension on ``incident``)."""

    extension_type: Literal["property-extension"]
    determination: Determination
    investigation_status: InvestigationStatus
    fimi_types: list[str] = Field(min_length=1)
    first_seen: Timestamp | None = None
    last_seen: Timestamp | None = None
    target_countries: list[CountryCode] | None = Field(default=None, min_length=1)
    target_languages: list[str] | None = Field(default=None, min_length=1)
    platforms: list[str] | None = Field(default=None, min_length=1)
    attribution: Attribution | None = None
    estimated_reach: NonNegativeInt | None = None
    engagement: Engagement | None = None
    breakout_scale: BreakoutCategory | None = None
    synthetic_media: SyntheticMedia | None = None
    event_refs: list[EventRef] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check_seen_order(self) -> Self:
        _check_seen(self.first_seen, self.last_seen)
        return self


class TaskEntry(StixModel):
    """An entry of Incident Core's ``tasks`` list (and of a task's ``subtasks``)."""

    task_ref: TaskRef
    sequence_start: bool | None = None
    next_steps: list[dict[str, Any]] | None = Field(default=None, min_length=1)


class EventEntry(StixModel):
    """An entry of Incident Core's ``events`` list (and of an event's ``subevents``)."""

    event_ref: EventRef
    sequence_start: bool | None = None
    next_steps: list[dict[str, Any]] | None = Field(default=None, min_length=1)


class IncidentCoreExtension(StixModel):
    """The OASIS Incident Core extension (incident-ef7), when an incident carries it."""

    extension_type: Literal["property-extension"]
    determination: Determination
    investigation_status: InvestigationStatus
    criticality: Confidence | None = None
    detection_methods: list[str] | None = Field(default=None, min_length=1)
    incident_types: list[str] | None = Field(default=None, min_length=1)
    events: list[EventEntry] | None = Field(default=None, min_length=1)
    tasks: list[TaskEntry] | None = Field(default=None, min_length=1)
    impact_refs: list[ImpactRef] | None = Field(default=None, min_length=1)
    recoverability: Recoverability | None = None
    scores: list[dict[str, Any]] | None = Field(default=None, min_length=1)
    impacted_entity_counts: dict[str, NonNegativeInt] | None = None


class IncidentExtensions(StixModel):
    """The ``extensions`` of an incident: the two known ones typed, others kept as read."""

    fimi: FimiIncidentExtension | None = Field(default=None, alias=EXT_FIMI_INCIDENT)
    incident_core: IncidentCoreExtension | None = Field(default=None, alias=EXT_OASIS_INCIDENT_CORE)
    joint_authorship: JointAuthorshipExtension | None = Field(
        default=None, alias=EXT_JOINT_AUTHORSHIP
    )


class FimiIncidentExtensions(IncidentExtensions):
    """Incident ``extensions`` where the FIMI incident extension is required."""

    fimi: FimiIncidentExtension = Field(alias=EXT_FIMI_INCIDENT)


class Incident(StixDomainObject):
    """A STIX 2.1 ``incident`` (section 4.6), with or without the FIMI extension."""

    stix_type = "incident"

    name: str
    description: str | None = None
    kill_chain_phases: list[KillChainPhase] | None = Field(default=None, min_length=1)
    extensions: IncidentExtensions | None = None  # type: ignore[assignment]


class FimiIncident(Incident):
    """A FIMI incident: an incident that carries the FIMI incident extension."""

    extensions: FimiIncidentExtensions

    @property
    def fimi(self) -> FimiIncidentExtension:
        """The FIMI incident extension of this incident."""
        return self.extensions.fimi

    @model_validator(mode="after")
    def _check_core_agrees(self) -> Self:
        core = self.extensions.incident_core
        fimi = self.extensions.fimi
        if core is not None:
            for name in ("determination", "investigation_status"):
                if getattr(core, name) != getattr(fimi, name):
                    raise ValueError(
                        f"the OASIS Incident Core {name} ({getattr(core, name)!r}) differs from "
                        f"the FIMI extension's ({getattr(fimi, name)!r}); make them equal"
                    )
        return self
