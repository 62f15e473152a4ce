"""The coordinated network extension on a channel.

Implements spec/profile/16-changing-facts.md §16.6: a bot or troll network
is a channel with this property-extension. Its validator refuses what IS-212
reports; the channel model checks the size against the members (IS-214).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from infoshare.models._base import StixModel
from infoshare.models._types import Timestamp

__all__ = ["CoordinatedNetworkExtension"]


class CoordinatedNetworkExtension(StixModel):
    """The coordinated network extension on a channel (§16.6)."""

    extension_type: Literal["property-extension"]
    coordination_indicators: list[str] = Field(min_length=1)
    estimated_size: Annotated[int, Field(ge=1, strict=True)] | None = None
    estimate_method: str | None = None
    estimated_at: Timestamp | None = None

    @model_validator(mode="after")
    def _check_estimate(self) -> Self:
        if self.estimated_size is not None and self.estimated_at is None:
            raise ValueError("estimated_size needs estimated_at, the date the estimate refers to")
        return self
