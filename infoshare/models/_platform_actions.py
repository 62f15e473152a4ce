"""Requests to platforms, referrals to databases, and joint authorship (profile 1.1).

Implements spec/profile/17-platform-actions.md (the platform action extension
on an OASIS ``task``: legal basis, requested actions, targeted items, the
platform or the database, references, the times of each step, the outcome
for each item and appeals) and spec/profile/18-joint-work.md §18.2 (the joint
authorship extension). The validators mirror checks IS-215, IS-216, IS-307
and IS-607; the classes of the identities named (IS-308), whether the creator
is listed as its own co-author (IS-216) and the agreement of the two forms of
an attribution (IS-713) need more than the extension and are left to the
validator.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from infoshare.models._base import StixModel, StixObject
from infoshare.models._types import CountryCode, Timestamp, identifier_ref
from infoshare.profile import EXT_JOINT_AUTHORSHIP
from infoshare.stix.timestamps import timestamp_key

__all__ = [
    "Appeal",
    "ItemOutcome",
    "JointAuthorshipExtension",
    "LegalBasis",
    "PlatformActionExtension",
    "Referral",
    "joint_authorship_of",
]

#: What a request may target: posts, accounts, channels, addresses (§17.3).
TARGET_TYPES = ("media-content", "user-account", "channel", "url", "domain-name")
PENDING = "pending"
APPEALED = "appealed"
#: Item outcomes that mean nothing was done about the item (§17.1).
NOTHING_DONE = frozenset({"refused", "no-action"})

TargetRef = Annotated[str, identifier_ref(*TARGET_TYPES)]
IdentityRef = Annotated[str, identifier_ref("identity")]
AppellantRef = Annotated[str, identifier_ref("identity", "user-account")]
Text = Annotated[str, Field(min_length=1)]


def _not_before(earlier: tuple[str, str | None], later: tuple[str, str | None]) -> None:
    (first_name, first), (second_name, second) = earlier, later
    if first is not None and second is not None and timestamp_key(second) < timestamp_key(first):
        raise ValueError(
            f"{second_name} ({second}) is earlier than {first_name} ({first}); correct "
            f"whichever is wrong so that {first_name} <= {second_name}"
        )


class LegalBasis(StixModel):
    """The instrument a request or referral rests on (§17.3)."""

    kind: str
    instrument: Text
    provision: Text | None = None
    jurisdiction: CountryCode | None = None
    reference: Text | None = None
    url: Text | None = None


class Appeal(StixModel):
    """An appeal against the decision on one item (§17.5)."""

    appellant: str
    appellant_ref: AppellantRef | None = None
    appealed: Timestamp
    outcome: str | None = None
    decided: Timestamp | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.outcome not in (None, PENDING) and self.decided is None:
            raise ValueError(f"the appeal's outcome is {self.outcome!r}: add decided")
        _not_before(("appealed", self.appealed), ("the appeal's decided", self.decided))
        return self


class ItemOutcome(StixModel):
    """What became of one targeted item (§17.4)."""

    target_ref: TargetRef
    outcome: str
    decided: Timestamp | None = None
    reason: Text | None = None
    appeal: Appeal | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.outcome != PENDING and self.decided is None:
            raise ValueError(f"the outcome of {self.target_ref} is {self.outcome!r}: add decided")
        if self.outcome == APPEALED and self.appeal is None:
            raise ValueError(f"{self.target_ref} is 'appealed': add appeal")
        if self.appeal is not None:
            _not_before(("the item's decided", self.decided), ("appealed", self.appeal.appealed))
        return self


class Referral(StixModel):
    """The database a referral goes to, its record and the agreement behind it (§17.6)."""

    database_ref: IdentityRef
    record_id: Text | None = None
    agreement: LegalBasis


class PlatformActionExtension(StixModel):
    """The platform action extension, a property-extension on ``task`` (§17.2)."""

    extension_type: Literal["property-extension"]
    legal_basis: list[LegalBasis] = Field(min_length=1)
    requested_actions: list[str] = Field(min_length=1)
    target_refs: list[TargetRef] = Field(min_length=1)
    platform_ref: IdentityRef | None = None
    referral: Referral | None = None
    agency_reference: Text | None = None
    platform_reference: Text | None = None
    submitted: Timestamp
    acknowledged: Timestamp | None = None
    decided: Timestamp | None = None
    item_outcomes: list[ItemOutcome] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.platform_ref is None and self.referral is None:
            raise ValueError("name the recipient: add platform_ref, or referral for a database")
        _not_before(("submitted", self.submitted), ("acknowledged", self.acknowledged))
        before_decision = self.acknowledged or self.submitted
        _not_before(("acknowledged or submitted", before_decision), ("decided", self.decided))
        seen: set[str] = set()
        for item in self.item_outcomes or ():
            if item.target_ref not in self.target_refs:
                raise ValueError(f"{item.target_ref} has an outcome but is not in target_refs")
            if item.target_ref in seen:
                raise ValueError(f"{item.target_ref} has more than one outcome")
            seen.add(item.target_ref)
            _not_before(("submitted", self.submitted), ("the item's decided", item.decided))
            if item.outcome != PENDING and self.decided is None:
                raise ValueError("an item has been decided: add decided to the request")
        return self

    def outcome_of(self, target_ref: str) -> ItemOutcome | None:
        """The outcome recorded for one targeted item, if any."""
        return next((i for i in self.item_outcomes or () if i.target_ref == target_ref), None)


class JointAuthorshipExtension(StixModel):
    """The joint authorship extension (§18.2): the organisations that co-wrote an object."""

    extension_type: Literal["property-extension"]
    coauthor_refs: list[IdentityRef] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if len(set(self.coauthor_refs)) != len(self.coauthor_refs):
            raise ValueError("coauthor_refs lists an identity twice; list each once")
        return self


def joint_authorship_of(obj: StixObject) -> JointAuthorshipExtension | None:
    """The joint authorship extension of an incident, report, note or opinion, if any."""
    value = obj.to_dict().get("extensions", {}).get(EXT_JOINT_AUTHORSHIP)
    if value is None:
        return None
    return JointAuthorshipExtension.from_dict(value)
