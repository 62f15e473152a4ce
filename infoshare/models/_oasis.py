"""The OASIS Incident Extension Suite objects: event, impact and task.

Implements spec/profile/08-oasis-incident-suite.md, which reuses the
published objects of oasis-open/cti-stix-common-objects (incident-ef7) by
their extension-definition ids: events such as elections, external impacts
such as loss of public confidence, and tasks such as takedown requests to a
platform, each with its outcome.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from infoshare.models._base import StixDomainObject, StixModel
from infoshare.models._incident import EventEntry, TaskEntry
from infoshare.models._platform_actions import PlatformActionExtension
from infoshare.models._types import (
    Confidence,
    Identifier,
    NonNegativeInt,
    Timestamp,
    identifier_ref,
)
from infoshare.models._vocab import EventStatus, Recoverability, TaskOutcome, TimeFidelity
from infoshare.profile import (
    EXT_OASIS_EVENT,
    EXT_OASIS_IMPACT,
    EXT_OASIS_TASK,
    EXT_PLATFORM_ACTION,
)
from infoshare.stix.timestamps import timestamp_key

__all__ = [
    "ChangedObject",
    "Event",
    "EventExtensions",
    "Impact",
    "ImpactExtensions",
    "Task",
    "TaskExtensions",
]

SightingRef = Annotated[str, identifier_ref("sighting")]
ImpactRef = Annotated[str, identifier_ref("impact")]


class _NewSdo(StixModel):
    extension_type: Literal["new-sdo"]


class EventExtensions(StixModel):
    event: _NewSdo = Field(alias=EXT_OASIS_EVENT)


class ImpactExtensions(StixModel):
    """Impact ``extensions``: the new-sdo entry plus the category extensions (``*-ext``)."""

    impact: _NewSdo = Field(alias=EXT_OASIS_IMPACT)


class TaskExtensions(StixModel):
    """Task ``extensions``: the new-sdo entry, and the profile's platform action (§17)."""

    task: _NewSdo = Field(alias=EXT_OASIS_TASK)
    platform_action: PlatformActionExtension | None = Field(default=None, alias=EXT_PLATFORM_ACTION)


class ChangedObject(StixModel):
    """A state change caused by an event or a task."""

    state_change_type: str
    initial_ref: Identifier | None = None
    result_ref: Identifier | None = None

    @model_validator(mode="after")
    def _check_refs(self) -> Self:
        if self.initial_ref is None and self.result_ref is None:
            raise ValueError("a state change needs initial_ref or result_ref (or both)")
        return self


def _check_times(start: str | None, end: str | None) -> None:
    if start is not None and end is not None and timestamp_key(end) < timestamp_key(start):
        raise ValueError(f"end_time ({end}) is earlier than start_time ({start}); swap them")


class _Timed(StixDomainObject):
    start_time: Timestamp | None = None
    start_time_fidelity: TimeFidelity | None = None
    end_time: Timestamp | None = None
    end_time_fidelity: TimeFidelity | None = None

    @model_validator(mode="after")
    def _check_time_order(self) -> Self:
        _check_times(self.start_time, self.end_time)
        return self


class Event(_Timed):
    """Something that happened or may happen, e.g. an election (OASIS ``event``)."""

    stix_type = "event"

    status: EventStatus
    name: str | None = Field(default=None, min_length=1)
    description: str | None = None
    event_types: list[str] | None = Field(default=None, min_length=1)
    goal: str | None = Field(default=None, min_length=1)
    changed_objects: list[ChangedObject] | None = Field(default=None, min_length=1)
    sighting_refs: list[SightingRef] | None = None
    subevents: list[EventEntry] | None = Field(default=None, min_length=1)
    extensions: EventExtensions  # type: ignore[assignment]


class Impact(_Timed):
    """An effect of an incident, e.g. on public confidence (OASIS ``impact``)."""

    stix_type = "impact"

    impact_category: str
    criticality: Confidence | None = None
    description: str | None = None
    impacted_entity_counts: dict[str, NonNegativeInt] | None = None
    impacted_refs: list[Identifier] | None = Field(default=None, min_length=1)
    superseded_by_ref: ImpactRef | None = None
    recoverability: Recoverability | None = None
    extensions: ImpactExtensions  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_category(self) -> Self:
        key = self.category_key
        if self.category_extension is None:
            raise ValueError(
                f"impact_category is {self.impact_category!r}: add extensions[{key!r}] with "
                "the details of the impact"
            )
        if self.superseded_by_ref is not None and self.end_time is None:
            raise ValueError("an impact with superseded_by_ref needs an end_time")
        return self

    @property
    def category_key(self) -> str:
        """The key of the category extension: ``impact_category`` with the ``-ext`` suffix."""
        category = self.impact_category
        return category if category.endswith("-ext") else f"{category}-ext"

    @property
    def category_extension(self) -> dict[str, Any] | None:
        """The ``<impact_category>-ext`` entry of ``extensions``, when present."""
        extra = self.extensions.model_extra or {}
        value = extra.get(self.category_key)
        return value if isinstance(value, dict) else None


class Task(_Timed):
    """An action taken or requested, e.g. a takedown request to a platform (OASIS ``task``)."""

    stix_type = "task"

    outcome: TaskOutcome
    name: str | None = None
    description: str | None = None
    task_types: list[str] | None = Field(default=None, min_length=1)
    error: str | None = None
    priority: Confidence | None = None
    changed_objects: list[ChangedObject] | None = Field(default=None, min_length=1)
    impacted_entity_counts: dict[str, NonNegativeInt] | None = None
    subtasks: list[TaskEntry] | None = Field(default=None, min_length=1)
    extensions: TaskExtensions  # type: ignore[assignment]

    @property
    def platform_action(self) -> PlatformActionExtension | None:
        """The platform action extension (spec/profile/17-platform-actions.md), if any."""
        return self.extensions.platform_action
