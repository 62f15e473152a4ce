"""From STIX JSON to the right model: the table of types and :func:`parse_object`.

Implements the object catalogue of spec/profile/02-overview.md: every type the
profile defines or reuses maps to its model; any other type is carried
through as :class:`GenericStixObject`, unchanged (spec/profile/14-conformance.md,
check IS-801).
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import model_validator

from infoshare.errors import ModelError
from infoshare.models._base import StixObject
from infoshare.models._changing_facts import AccountState, EngagementMeasurement
from infoshare.models._disinformation import Channel, MediaContent, Narrative
from infoshare.models._domain_objects import (
    AttackPattern,
    Campaign,
    CourseOfAction,
    Identity,
    IntrusionSet,
    Location,
    Note,
    Opinion,
    Report,
    ThreatActor,
)
from infoshare.models._incident import FimiIncident, Incident
from infoshare.models._meta_objects import ExtensionDefinition, LanguageContent, MarkingDefinition
from infoshare.models._oasis import Event, Impact, Task
from infoshare.models._observables import DomainName, Url, UserAccount
from infoshare.models._relationships import Relationship, Sighting
from infoshare.models._synthetic_media import SyntheticMediaAnalysis
from infoshare.models._withdrawal import Withdrawal
from infoshare.profile import EXT_FIMI_INCIDENT
from infoshare.stix.envelope import member_problem
from infoshare.stix.identifiers import is_type_name

__all__ = ["MODEL_BY_TYPE", "GenericStixObject", "model_for", "parse_object"]


class GenericStixObject(StixObject):
    """An object of a type the profile does not model: kept exactly as read."""

    @model_validator(mode="after")
    def _check_type_name(self) -> Self:
        if not is_type_name(self.type):
            raise ValueError(
                f"type {self.type!r} is not a STIX type name "
                "(3-250 characters of a-z, 0-9 and single hyphens)"
            )
        return self


#: STIX type -> model class. ``incident`` maps to :class:`Incident`;
#: :func:`parse_object` picks :class:`FimiIncident` when the FIMI extension is present.
MODEL_BY_TYPE: dict[str, type[StixObject]] = {
    cls.stix_type: cls
    for cls in (
        AccountState,
        AttackPattern,
        Campaign,
        Channel,
        CourseOfAction,
        DomainName,
        EngagementMeasurement,
        Event,
        ExtensionDefinition,
        Identity,
        Impact,
        Incident,
        IntrusionSet,
        LanguageContent,
        Location,
        MarkingDefinition,
        MediaContent,
        Narrative,
        Note,
        Opinion,
        Relationship,
        Report,
        Sighting,
        SyntheticMediaAnalysis,
        Task,
        ThreatActor,
        Url,
        UserAccount,
        Withdrawal,
    )
    if cls.stix_type is not None
}


def model_for(data: dict[str, Any]) -> type[StixObject]:
    """The model class that :func:`parse_object` uses for ``data``."""
    kind = data.get("type")
    if kind == "incident":
        extensions = data.get("extensions")
        if isinstance(extensions, dict) and EXT_FIMI_INCIDENT in extensions:
            return FimiIncident
        return Incident
    if isinstance(kind, str):
        return MODEL_BY_TYPE.get(kind, GenericStixObject)
    return GenericStixObject


def parse_object(data: dict[str, Any]) -> StixObject:
    """Build the model for one STIX object dict. ``data`` is never changed.

    Raises :class:`ModelError` naming the property path when ``data`` breaks
    a rule of STIX 2.1 or of the profile.
    """
    problem = member_problem(data)
    if problem is not None:
        raise ModelError(f"not a STIX object: {problem}")
    return model_for(data).from_dict(data)
