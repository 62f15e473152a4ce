"""Standard STIX 2.1 domain objects that the profile uses.

Implements STIX 2.1 sections 4.1-4.17 as profiled by
spec/profile/09-standard-objects.md: who (threat-actor, intrusion-set,
campaign, identity), where (location), how (attack-pattern citing DISARM,
course-of-action) and what was said about it (report, note, opinion).
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from infoshare.models._base import KillChainPhase, StixDomainObject
from infoshare.models._types import CountryCode, Identifier, Timestamp
from infoshare.models._vocab import OpinionValue
from infoshare.stix.timestamps import timestamp_key

__all__ = [
    "AttackPattern",
    "Campaign",
    "CourseOfAction",
    "Identity",
    "IntrusionSet",
    "Location",
    "Note",
    "Opinion",
    "Report",
    "ThreatActor",
]

Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


def _check_seen(first: str | None, last: str | None) -> None:
    if first is not None and last is not None and timestamp_key(last) < timestamp_key(first):
        raise ValueError(f"last_seen ({last}) is earlier than first_seen ({first}); swap them")


class _Seen(StixDomainObject):
    first_seen: Timestamp | None = None
    last_seen: Timestamp | None = None

    @model_validator(mode="after")
    def _check_seen_order(self) -> Self:
        _check_seen(self.first_seen, self.last_seen)
        return self


class ThreatActor(_Seen):
    """STIX 2.1 section 4.16: an actor believed to operate with malicious intent."""

    stix_type = "threat-actor"

    name: str
    description: str | None = None
    threat_actor_types: list[str] | None = Field(default=None, min_length=1)
    aliases: list[str] | None = Field(default=None, min_length=1)
    roles: list[str] | None = Field(default=None, min_length=1)
    goals: list[str] | None = Field(default=None, min_length=1)
    sophistication: str | None = None
    resource_level: str | None = None
    primary_motivation: str | None = None
    secondary_motivations: list[str] | None = Field(default=None, min_length=1)
    personal_motivations: list[str] | None = Field(default=None, min_length=1)


class IntrusionSet(_Seen):
    """STIX 2.1 section 4.8: behaviours and resources with a common controlling actor."""

    stix_type = "intrusion-set"

    name: str
    description: str | None = None
    aliases: list[str] | None = Field(default=None, min_length=1)
    goals: list[str] | None = Field(default=None, min_length=1)
    resource_level: str | None = None
    primary_motivation: str | None = None
    secondary_motivations: list[str] | None = Field(default=None, min_length=1)


class Campaign(_Seen):
    """STIX 2.1 section 4.2: a set of activities over a period against targets."""

    stix_type = "campaign"

    name: str
    description: str | None = None
    aliases: list[str] | None = Field(default=None, min_length=1)
    objective: str | None = None


class Identity(StixDomainObject):
    """STIX 2.1 section 4.5: an agency, platform operator, person or group."""

    stix_type = "identity"

    name: str
    description: str | None = None
    roles: list[str] | None = Field(default=None, min_length=1)
    identity_class: str | None = None
    sectors: list[str] | None = Field(default=None, min_length=1)
    contact_information: str | None = None


class Location(StixDomainObject):
    """STIX 2.1 section 4.11: a place, by region, country or coordinates."""

    stix_type = "location"

    name: str | None = None
    description: str | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    precision: float | None = None
    region: str | None = None
    country: CountryCode | None = None
    administrative_area: str | None = None
    city: str | None = None
    street_address: str | None = None
    postal_code: str | None = None

    @model_validator(mode="after")
    def _check_place(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together; give both or neither")
        if self.region is None and self.country is None and self.latitude is None:
            raise ValueError("a location needs region, country, or latitude and longitude")
        if self.precision is not None and self.latitude is None:
            raise ValueError("precision needs latitude and longitude")
        return self


class AttackPattern(StixDomainObject):
    """STIX 2.1 section 4.1: a technique, in the profile usually a DISARM one."""

    stix_type = "attack-pattern"

    name: str
    description: str | None = None
    aliases: list[str] | None = Field(default=None, min_length=1)
    kill_chain_phases: list[KillChainPhase] | None = Field(default=None, min_length=1)


class CourseOfAction(StixDomainObject):
    """STIX 2.1 section 4.3: a response, in the profile often a DISARM counter."""

    stix_type = "course-of-action"

    name: str
    description: str | None = None


class Report(StixDomainObject):
    """STIX 2.1 section 4.14: a published collection of intelligence."""

    stix_type = "report"

    name: str
    description: str | None = None
    report_types: list[str] | None = Field(default=None, min_length=1)
    published: Timestamp
    object_refs: list[Identifier] = Field(min_length=1)


class Note(StixDomainObject):
    """STIX 2.1 section 4.12: analyst text about other objects."""

    stix_type = "note"

    abstract: str | None = None
    content: str
    authors: list[str] | None = Field(default=None, min_length=1)
    object_refs: list[Identifier] = Field(min_length=1)


class Opinion(StixDomainObject):
    """STIX 2.1 section 4.13: an assessment of whether other objects are correct."""

    stix_type = "opinion"

    explanation: str | None = None
    authors: list[str] | None = Field(default=None, min_length=1)
    opinion: OpinionValue
    object_refs: list[Identifier] = Field(min_length=1)
