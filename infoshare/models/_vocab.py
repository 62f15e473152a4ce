"""Vocabularies of the profile: closed ones as ``Literal`` types, open ones as tuples.

Implements the vocabulary tables of spec/profile/03-fimi-incident.md to
spec/profile/08-oasis-incident-suite.md. Closed vocabularies (enumerations)
are enforced by the models; open vocabularies (``-ov``) accept any string,
and their suggested values are listed here for builders and user interfaces.
"""

from __future__ import annotations

from typing import Final, Literal

Determination = Literal["blocked", "confirmed", "failed-attempt", "false-positive", "suspected"]
InvestigationStatus = Literal["new", "open", "closed"]
EventStatus = Literal["ongoing", "occurred", "not-occurred", "pending", "undetermined"]
TaskOutcome = Literal["cancelled", "failed", "ongoing", "pending", "successful", "unknown"]
TimeFidelity = Literal["second", "minute", "hour", "day", "month", "year"]
Recoverability = Literal["not-applicable", "regular", "supplemented", "extended", "not-recoverable"]
OpinionValue = Literal["strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"]
ExtensionType = Literal[
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"
]
TlpLevel = Literal["clear", "green", "amber", "amber+strict", "red"]

FIMI_TYPE_OV: Final = (
    "disinformation",
    "misinformation",
    "malinformation",
    "influence-operation",
    "fraud-scam",
    "election-interference",
    "coordinated-inauthentic-behaviour",
    "impersonation",
    "harassment-campaign",
)
PLATFORM_OV: Final = (
    "x",
    "facebook",
    "instagram",
    "threads",
    "tiktok",
    "youtube",
    "telegram",
    "line",
    "whatsapp",
    "wechat",
    "weibo",
    "reddit",
    "bluesky",
    "vk",
    "zalo",
    "kakaotalk",
    "website",
    "messaging-app",
    "other",
)
SYNTHETIC_MEDIA_OV: Final = (
    "deepfake-video",
    "deepfake-audio",
    "voice-clone",
    "face-swap",
    "synthetic-image",
    "ai-generated-text",
    "synthetic-persona",
)
ATTRIBUTION_BASIS_OV: Final = (
    "technical-indicators",
    "behavioural-patterns",
    "content-analysis",
    "infrastructure-overlap",
    "financial-trail",
    "open-source-reporting",
    "partner-intelligence",
    "platform-disclosure",
    "self-declaration",
)
CHANNEL_TYPE_OV: Final = (
    "social-media-account",
    "social-media-page",
    "messaging-channel",
    "video-channel",
    "website",
    "news-outlet",
    "state-affiliated-media",
    "bot-network",
    "advertising-account",
    "forum",
)
MEDIA_CATEGORY_OV: Final = (
    "post",
    "reply",
    "quote-post",
    "repost",
    "article",
    "video",
    "image",
    "audio",
    "livestream",
    "advertisement",
    "comment",
)
ACCOUNT_CLASS_OV: Final = (
    "private-person",
    "public-figure",
    "government-official",
    "government-account",
    "state-affiliated-media",
    "media-organisation",
    "commercial",
    "inauthentic",
    "unknown",
)
EXTERNAL_IMPACT_OV: Final = (
    "economic",
    "emergency-services",
    "foreign-relations",
    "national-security",
    "public-confidence",
    "public-health",
    "public-safety",
)
TASK_TYPE_OV: Final = (
    "administrative",
    "attribution",
    "containment",
    "declared",
    "detected",
    "eradication",
    "escalated",
    "exercised-control",
    "external-intelligence",
    "external-outreach",
    "external-support",
    "implemented-control",
    "investigation",
    "negotiation",
    "playbook-execution",
    "playbook-step-execution",
    "ransom-payment",
    "recovery",
    "reported",
    "routine-updates",
    "victim-notification",
)
