"""Per-item synthetic media evidence: the synthetic-media-analysis object.

Implements spec/profile/19-synthetic-media.md §19.2. Whether a media item is
synthetic is an assessment that can change (a better detector, the original
recording found), so it lives on this versioned SDO, which points at the
media-content SCO, rather than on the SCO, which has no versions.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from infoshare.models._base import StixDomainObject, StixModel
from infoshare.models._disinformation import NewSdoMarker
from infoshare.models._types import Confidence, identifier_ref
from infoshare.profile import EXT_SYNTHETIC_MEDIA_ANALYSIS, TYPE_MEDIA_CONTENT

__all__ = ["SyntheticMediaAnalysis", "SyntheticMediaAnalysisExtensions", "SyntheticMediaVerdict"]

MediaContentRef = Annotated[str, identifier_ref(TYPE_MEDIA_CONTENT)]
IdentityRef = Annotated[str, identifier_ref("identity")]
#: synthetic-media-verdict-enum (closed).
SyntheticMediaVerdict = Literal["authentic", "inconclusive", "synthetic"]


class SyntheticMediaAnalysisExtensions(StixModel):
    synthetic_media_analysis: NewSdoMarker = Field(alias=EXT_SYNTHETIC_MEDIA_ANALYSIS)


class SyntheticMediaAnalysis(StixDomainObject):
    """One organisation's assessment of whether one media item is synthetic (new-sdo)."""

    stix_type = "synthetic-media-analysis"

    media_ref: MediaContentRef
    verdict: SyntheticMediaVerdict
    synthetic_media_kinds: list[str] | None = Field(default=None, min_length=1)
    detection_methods: list[str] = Field(min_length=1)
    confidence: Confidence
    tools: list[str] | None = Field(default=None, min_length=1)
    depicted_refs: list[IdentityRef] | None = Field(default=None, min_length=1)
    description: str | None = None
    extensions: SyntheticMediaAnalysisExtensions  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_kinds(self) -> Self:
        synthetic = self.verdict == "synthetic"
        if synthetic and self.synthetic_media_kinds is None:
            raise ValueError(
                "the verdict is synthetic: say which kinds in synthetic_media_kinds "
                "(e.g. ['face-swap', 'voice-clone'])"
            )
        if not synthetic and self.synthetic_media_kinds is not None:
            raise ValueError(
                f"the verdict is {self.verdict}: leave synthetic_media_kinds out, "
                "it is given only for a synthetic verdict"
            )
        return self
