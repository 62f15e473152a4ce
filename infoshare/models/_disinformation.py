"""The profile's new object types: narrative, channel and media-content.

Implements spec/profile/04-narrative.md, spec/profile/05-channel.md and
spec/profile/06-media-content.md. Type and core property names follow
OpenCTI's, so OpenCTI imports them; each object names the profile's
extension-definition that introduces its type.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from infoshare.models._base import StixCyberObservable, StixDomainObject, StixModel
from infoshare.models._network import CoordinatedNetworkExtension
from infoshare.models._types import NonNegativeInt, Timestamp, identifier_ref
from infoshare.profile import (
    EXT_CHANNEL,
    EXT_COORDINATED_NETWORK,
    EXT_MEDIA_CONTENT,
    EXT_NARRATIVE,
)
from infoshare.stix.timestamps import timestamp_key

__all__ = [
    "Channel",
    "ChannelExtensions",
    "MediaContent",
    "MediaContentExtensions",
    "Narrative",
    "NarrativeExtensions",
    "NewScoMarker",
    "NewSdoMarker",
]

UserAccountRef = Annotated[str, identifier_ref("user-account")]

#: An absolute URL: a scheme, a colon and no white space (as media-content.json says).
_ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


def _check_url(value: str) -> str:
    if not _ABSOLUTE_URL.search(value):
        raise ValueError(f"{value!r} is not an absolute URL such as https://news.example/post/1")
    return value


AbsoluteUrl = Annotated[str, AfterValidator(_check_url)]


class NewSdoMarker(StixModel):
    """``{"extension_type": "new-sdo"}``: the extension entry of a new object type."""

    extension_type: Literal["new-sdo"]


class NewScoMarker(StixModel):
    """``{"extension_type": "new-sco"}``: the extension entry of a new observable type."""

    extension_type: Literal["new-sco"]


class NarrativeExtensions(StixModel):
    narrative: NewSdoMarker = Field(alias=EXT_NARRATIVE)


class ChannelExtensions(StixModel):
    channel: NewSdoMarker = Field(alias=EXT_CHANNEL)
    #: Present when the channel is a bot or troll network (§16.6).
    coordinated_network: CoordinatedNetworkExtension | None = Field(
        default=None, alias=EXT_COORDINATED_NETWORK
    )


class MediaContentExtensions(StixModel):
    media_content: NewScoMarker = Field(alias=EXT_MEDIA_CONTENT)


def _check_seen(first: str | None, last: str | None) -> None:
    if first is not None and last is not None and timestamp_key(last) < timestamp_key(first):
        raise ValueError(f"last_seen ({last}) is earlier than first_seen ({first}); swap them")


class Narrative(StixDomainObject):
    """A narrative: a story or claim pushed by a campaign (new-sdo ``narrative``)."""

    stix_type = "narrative"

    name: str
    description: str | None = None
    aliases: list[str] | None = Field(default=None, min_length=1)
    narrative_types: list[str] | None = Field(default=None, min_length=1)
    first_seen: Timestamp | None = None
    last_seen: Timestamp | None = None
    languages: list[str] | None = Field(default=None, min_length=1)
    extensions: NarrativeExtensions  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_seen_order(self) -> Self:
        _check_seen(self.first_seen, self.last_seen)
        return self


class Channel(StixDomainObject):
    """A channel: an account, page, outlet or network that publishes (new-sdo ``channel``)."""

    stix_type = "channel"

    name: str
    description: str | None = None
    aliases: list[str] | None = Field(default=None, min_length=1)
    channel_types: list[str] | None = Field(default=None, min_length=1)
    platform: str | None = None
    account_refs: list[UserAccountRef] | None = Field(default=None, min_length=1)
    first_seen: Timestamp | None = None
    last_seen: Timestamp | None = None
    extensions: ChannelExtensions  # type: ignore[assignment]

    @model_validator(mode="after")
    def _check_seen_order(self) -> Self:
        _check_seen(self.first_seen, self.last_seen)
        return self

    @model_validator(mode="after")
    def _check_network(self) -> Self:
        network = self.extensions.coordinated_network
        if network is None:
            return self
        members = len(set(self.account_refs or ()))
        if network.estimated_size is not None and network.estimated_size < members:
            raise ValueError(
                f"estimated_size ({network.estimated_size}) is smaller than the {members} "
                "member accounts listed in account_refs"
            )
        if network.estimated_at is not None and timestamp_key(network.estimated_at) > timestamp_key(
            self.modified
        ):
            raise ValueError(
                f"the network's estimated_at ({network.estimated_at}) is later than modified "
                f"({self.modified})"
            )
        return self


class MediaContent(StixCyberObservable):
    """A post or other published content (new-sco ``media-content``); id is UUIDv5 of url."""

    stix_type = "media-content"

    url: AbsoluteUrl
    title: str | None = None
    description: str | None = None
    content: str | None = None
    media_category: str | None = None
    publication_date: Timestamp | None = None
    platform: str | None = None
    author_ref: UserAccountRef | None = None
    language: str | None = None
    share_count: NonNegativeInt | None = None
    like_count: NonNegativeInt | None = None
    quote_count: NonNegativeInt | None = None
    reply_count: NonNegativeInt | None = None
    view_count: NonNegativeInt | None = None
    is_synthetic: bool | None = None
    archive_url: AbsoluteUrl | None = None
    hashes: dict[str, str] | None = None
    extensions: MediaContentExtensions  # type: ignore[assignment]
