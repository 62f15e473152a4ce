"""Facts that change over time: the account-state and engagement objects.

Implements spec/profile/16-changing-facts.md §16.3 and §16.4: objects whose
versions form a series. The validators here refuse what checks IS-210,
IS-211 and IS-604 report, so a model that builds is an object those checks
accept. The coordinated network extension is in :mod:`._network`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from infoshare.models._base import StixDomainObject, StixModel
from infoshare.models._disinformation import NewSdoMarker
from infoshare.models._types import NonNegativeInt, Timestamp, identifier_ref
from infoshare.profile import EXT_ACCOUNT_STATE, EXT_ENGAGEMENT
from infoshare.stix.timestamps import timestamp_key

__all__ = [
    "ACCOUNT_STATES",
    "COUNT_PROPERTIES",
    "AccountState",
    "AccountStateExtensions",
    "EngagementExtensions",
    "EngagementMeasurement",
]

#: account-state-enum (spec/vocabularies/account-state-enum.json), closed.
ACCOUNT_STATES: tuple[str, ...] = ("active", "restricted", "suspended", "deleted", "restored")
AccountStateValue = Literal["active", "restricted", "suspended", "deleted", "restored"]

#: The counts an engagement measures (§16.4), at least one per version.
COUNT_PROPERTIES: tuple[str, ...] = (
    "share_count",
    "like_count",
    "quote_count",
    "reply_count",
    "view_count",
    "follower_count",
)

AccountOrChannelRef = Annotated[str, identifier_ref("user-account", "channel")]
SubjectRef = Annotated[str, identifier_ref("media-content", "user-account", "channel", "narrative")]
ChannelRef = Annotated[str, identifier_ref("channel")]
IdentityRef = Annotated[str, identifier_ref("identity")]


def _not_after(name: str, value: str | None, limit_name: str, limit: str | None) -> None:
    if value is None or limit is None:
        return
    if timestamp_key(value) > timestamp_key(limit):
        raise ValueError(
            f"{name} ({value}) is later than {limit_name} ({limit}): a version cannot record "
            "what had not happened yet"
        )


class AccountStateExtensions(StixModel):
    account_state: NewSdoMarker = Field(alias=EXT_ACCOUNT_STATE)


class AccountState(StixDomainObject):
    """The state of an account or channel on its platform (new-sdo ``account-state``).

    Each change of state is a new version (spec/profile/16-changing-facts.md §16.3).
    """

    stix_type = "account-state"

    account_ref: AccountOrChannelRef
    state: AccountStateValue
    state_since: Timestamp
    decided_by_ref: IdentityRef | None = None
    reason: str | None = None
    description: str | None = None
    extensions: AccountStateExtensions  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_since(self) -> Self:
        _not_after("state_since", self.state_since, "modified", self.modified)
        return self


class EngagementExtensions(StixModel):
    engagement: NewSdoMarker = Field(alias=EXT_ENGAGEMENT)


class EngagementMeasurement(StixDomainObject):
    """One measurement of engagement (new-sdo ``engagement``); its versions are the series.

    Named for what one version is, to keep it apart from the incident's aggregate
    :class:`~infoshare.models.Engagement` (spec/profile/16-changing-facts.md §16.4).
    """

    stix_type = "engagement"

    subject_ref: SubjectRef
    amplifier_ref: ChannelRef | None = None
    measured_at: Timestamp
    counted_from: Timestamp | None = None
    share_count: NonNegativeInt | None = None
    like_count: NonNegativeInt | None = None
    quote_count: NonNegativeInt | None = None
    reply_count: NonNegativeInt | None = None
    view_count: NonNegativeInt | None = None
    follower_count: NonNegativeInt | None = None
    measured_by_ref: IdentityRef | None = None
    measurement_method: str | None = None
    description: str | None = None
    extensions: EngagementExtensions  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_measurement(self) -> Self:
        if all(getattr(self, name) is None for name in COUNT_PROPERTIES):
            raise ValueError(f"a measurement gives at least one of {', '.join(COUNT_PROPERTIES)}")
        if self.measured_by_ref is None and self.measurement_method is None:
            raise ValueError("a measurement names its source: measured_by_ref, measurement_method")
        _not_after("measured_at", self.measured_at, "modified", self.modified)
        _not_after("counted_from", self.counted_from, "measured_at", self.measured_at)
        return self

    def counts(self) -> dict[str, int]:
        """The counts this version gives, by property name."""
        found = {name: getattr(self, name) for name in COUNT_PROPERTIES}
        return {name: value for name, value in found.items() if value is not None}
