"""Identifiers that the FIMI exchange profile fixes once and for all.

Implements the identifier tables of spec/profile/03-fimi-incident.md to
spec/profile/12-markings.md. Every stable id that code elsewhere needs is
defined here and nowhere else.
"""

from __future__ import annotations

from typing import Final

PROFILE_VERSION: Final = "1.1.0"
STIX_SPEC_VERSION: Final = "2.1"

#: Identity of the infoshare profile itself: creator of its extension-definitions.
PROFILE_IDENTITY_ID: Final = "identity--60c0c4b3-fe73-4770-9728-fd68dc01fca4"

# --- This profile's own extension-definitions (spec/extension-definitions/) ---
EXT_FIMI_INCIDENT: Final = "extension-definition--3ba9b24c-9d3d-4058-bbaa-5122a117db38"
EXT_NARRATIVE: Final = "extension-definition--f7b3445a-f83c-4b20-929c-cf520f8d25fb"
EXT_CHANNEL: Final = "extension-definition--800ff917-02d7-4237-942c-deb2caec12c1"
EXT_MEDIA_CONTENT: Final = "extension-definition--0e82d571-4ad2-487e-ac3e-b2e3d4c1eb8b"
EXT_FIMI_ACCOUNT: Final = "extension-definition--05f60771-3a0b-42c0-a67c-ec36f1c333f8"
# Profile 1.1: per-item synthetic media (§19) and withdrawal (§20).
EXT_SYNTHETIC_MEDIA_ANALYSIS: Final = "extension-definition--e3f73631-6ceb-4bfe-bcfd-a125517573dd"
EXT_WITHDRAWAL: Final = "extension-definition--8eb8ed65-5365-4b3d-bb6b-3d94a13b852e"
#: Profile 1.1: requests to platforms and referrals to databases, on a task (§17).
EXT_PLATFORM_ACTION: Final = "extension-definition--cc974303-e09b-488b-9384-5a449773228b"
#: Profile 1.1: co-authoring organisations of an incident, report, note or opinion (§18).
EXT_JOINT_AUTHORSHIP: Final = "extension-definition--a88e0f78-60c2-42be-8696-ef65b73a7c44"
# Profile 1.1, changing facts and coordinated networks (spec/profile/16-changing-facts.md)
EXT_ACCOUNT_STATE: Final = "extension-definition--ce910066-c390-4888-a644-04523ade0ef5"
EXT_ENGAGEMENT: Final = "extension-definition--1ad3daa2-aa5f-4b02-a187-9cfdd389e7d6"
EXT_COORDINATED_NETWORK: Final = "extension-definition--99ac2a99-3e94-4567-9d36-91d523c0bdda"

# --- OASIS Incident Extension Suite, reused by its published ids ---
EXT_OASIS_INCIDENT_CORE: Final = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
EXT_OASIS_EVENT: Final = "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e"
EXT_OASIS_IMPACT: Final = "extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9"
EXT_OASIS_TASK: Final = "extension-definition--2074a052-8be4-4932-849e-f5e7798e0030"

# --- TLP 2.0 (OASIS extension on marking-definition) ---
EXT_TLP_2_0: Final = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_CLEAR: Final = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_GREEN: Final = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_AMBER: Final = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TLP_AMBER_STRICT: Final = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP_RED: Final = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

#: TLP 2.0 marking id -> the `tlp_2_0` value of its extension, most open first.
TLP_2_0_LEVELS: Final[dict[str, str]] = {
    TLP_CLEAR: "clear",
    TLP_GREEN: "green",
    TLP_AMBER: "amber",
    TLP_AMBER_STRICT: "amber+strict",
    TLP_RED: "red",
}

#: TLP 1.0 marking ids built into STIX 2.1 (section 7.2.1.4). Not accepted by
#: the profile as the required marking, but recognised to give a useful hint.
TLP_1_0_IDS: Final[frozenset[str]] = frozenset(
    {
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",  # white
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",  # green
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",  # amber
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",  # red
    }
)

# --- Object types the profile defines or reuses ---
TYPE_NARRATIVE: Final = "narrative"
TYPE_CHANNEL: Final = "channel"
TYPE_MEDIA_CONTENT: Final = "media-content"
TYPE_EVENT: Final = "event"
TYPE_IMPACT: Final = "impact"
TYPE_TASK: Final = "task"
TYPE_SYNTHETIC_MEDIA_ANALYSIS: Final = "synthetic-media-analysis"
TYPE_WITHDRAWAL: Final = "withdrawal"
TYPE_ACCOUNT_STATE: Final = "account-state"
TYPE_ENGAGEMENT: Final = "engagement"

#: New object types and the extension-definition that introduces each.
NEW_OBJECT_EXTENSIONS: Final[dict[str, str]] = {
    TYPE_NARRATIVE: EXT_NARRATIVE,
    TYPE_CHANNEL: EXT_CHANNEL,
    TYPE_MEDIA_CONTENT: EXT_MEDIA_CONTENT,
    TYPE_EVENT: EXT_OASIS_EVENT,
    TYPE_IMPACT: EXT_OASIS_IMPACT,
    TYPE_TASK: EXT_OASIS_TASK,
    TYPE_SYNTHETIC_MEDIA_ANALYSIS: EXT_SYNTHETIC_MEDIA_ANALYSIS,
    TYPE_WITHDRAWAL: EXT_WITHDRAWAL,
    TYPE_ACCOUNT_STATE: EXT_ACCOUNT_STATE,
    TYPE_ENGAGEMENT: EXT_ENGAGEMENT,
}
