"""STIX 2.1 relationship objects: relationship and sighting (sections 5.1, 5.2).

The relationship types the profile allows between its objects are listed in
spec/profile/10-relationships.md and checked by the validator (IS-302), not here.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from infoshare.models._base import StixRelationshipObject
from infoshare.models._types import Identifier, Timestamp, identifier_ref
from infoshare.stix.timestamps import timestamp_key

__all__ = ["Relationship", "Sighting"]

ObservedDataRef = Annotated[str, identifier_ref("observed-data")]
WhereSightedRef = Annotated[str, identifier_ref("identity", "location")]
Count = Annotated[int, Field(ge=0, le=999_999_999, strict=True)]
_RELATIONSHIP_TYPE = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Relationship(StixRelationshipObject):
    """A typed link from ``source_ref`` to ``target_ref``."""

    stix_type = "relationship"

    relationship_type: str = Field(pattern=_RELATIONSHIP_TYPE)
    description: str | None = None
    source_ref: Identifier
    target_ref: Identifier
    start_time: Timestamp | None = None
    stop_time: Timestamp | None = None

    @model_validator(mode="after")
    def _check_times(self) -> Self:
        start, stop = self.start_time, self.stop_time
        if start is not None and stop is not None and timestamp_key(stop) <= timestamp_key(start):
            raise ValueError(f"stop_time ({stop}) must be later than start_time ({start})")
        return self


class Sighting(StixRelationshipObject):
    """The belief that something was seen, where and how often."""

    stix_type = "sighting"

    description: str | None = None
    first_seen: Timestamp | None = None
    last_seen: Timestamp | None = None
    count: Count | None = None
    sighting_of_ref: Identifier
    observed_data_refs: list[ObservedDataRef] | None = Field(default=None, min_length=1)
    where_sighted_refs: list[WhereSightedRef] | None = Field(default=None, min_length=1)
    summary: bool | None = None

    @model_validator(mode="after")
    def _check_seen(self) -> Self:
        first, last = self.first_seen, self.last_seen
        if first is not None and last is not None and timestamp_key(last) < timestamp_key(first):
            raise ValueError(f"last_seen ({last}) is earlier than first_seen ({first}); swap them")
        return self
