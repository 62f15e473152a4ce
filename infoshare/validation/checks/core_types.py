"""The object types of STIX 2.1 and how the core checks classify them.

Data for the core checks of spec/profile/14-conformance.md §14.3 (STIX 2.1
sections 4 to 7): which types are SDOs, SROs, SCOs and meta objects, which
predefined extensions exist, which property names hold timestamps, and the
form of property names (identifiers, type names and timestamps have their
grammar in :mod:`infoshare.stix`). No checks are registered here.
"""

from __future__ import annotations

import re
from typing import Any, Final

from infoshare.profile import NEW_OBJECT_EXTENSIONS, TYPE_MEDIA_CONTENT
from infoshare.stix.timestamps import is_timestamp

SDO_TYPES: Final = frozenset(
    {
        "attack-pattern",
        "campaign",
        "course-of-action",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "malware-analysis",
        "note",
        "observed-data",
        "opinion",
        "report",
        "threat-actor",
        "tool",
        "vulnerability",
    }
)
SRO_TYPES: Final = frozenset({"relationship", "sighting"})
META_TYPES: Final = frozenset({"language-content", "marking-definition", "extension-definition"})
SCO_TYPES: Final = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
)
#: Every type STIX 2.1 itself defines.
STIX_TYPES: Final = SDO_TYPES | SRO_TYPES | META_TYPES | SCO_TYPES

#: The extension_type each object type of the profile must declare (IS-108).
NEW_OBJECT_KINDS: Final[dict[str, str]] = {
    kind: ("new-sco" if kind == TYPE_MEDIA_CONTENT else "new-sdo") for kind in NEW_OBJECT_EXTENSIONS
}
#: Types known to be SDO-like or SCO-like, STIX's own and the profile's.
SDO_LIKE_TYPES: Final = SDO_TYPES | {t for t, k in NEW_OBJECT_KINDS.items() if k == "new-sdo"}
SCO_LIKE_TYPES: Final = SCO_TYPES | {t for t, k in NEW_OBJECT_KINDS.items() if k == "new-sco"}
#: Types whose category the validator knows; any other type is a custom one.
KNOWN_TYPES: Final = STIX_TYPES | frozenset(NEW_OBJECT_KINDS)

#: Valid values of extension_type (STIX 2.1 section 7.3, extension-type-enum).
EXTENSION_TYPES: Final = frozenset(
    {"new-sdo", "new-sro", "new-sco", "property-extension", "toplevel-property-extension"}
)
NEW_OBJECT_EXTENSION_TYPES: Final = frozenset({"new-sdo", "new-sro", "new-sco"})
EXTENSION_DEFINITION_PREFIX: Final = "extension-definition--"

#: The predefined SCO extensions of STIX 2.1 section 6 and the type each belongs to.
PREDEFINED_EXTENSIONS: Final[dict[str, str]] = {
    "archive-ext": "file",
    "ntfs-ext": "file",
    "pdf-ext": "file",
    "raster-image-ext": "file",
    "windows-pebinary-ext": "file",
    "http-request-ext": "network-traffic",
    "icmp-ext": "network-traffic",
    "socket-ext": "network-traffic",
    "tcp-ext": "network-traffic",
    "windows-process-ext": "process",
    "windows-service-ext": "process",
    "unix-account-ext": "user-account",
    # The OASIS Incident Extension Suite's impact object keys its category
    # details by these predefined names (its "Impact" specification).
    "availability-ext": "impact",
    "confidentiality-ext": "impact",
    "external-ext": "impact",
    "integrity-ext": "impact",
    "monetary-ext": "impact",
    "physical-ext": "impact",
    "traceability-ext": "impact",
}

#: Timestamp properties, wherever they appear (in objects and in extensions).
TIMESTAMP_PROPERTIES: Final = frozenset(
    {
        "created",
        "modified",
        "first_seen",
        "last_seen",
        "valid_from",
        "valid_until",
        "published",
        "first_observed",
        "last_observed",
        "start_time",
        "stop_time",
        "end_time",
        "submitted",
        "analysis_started",
        "analysis_ended",
        "object_modified",
        "created_time",
        "modified_time",
        "account_created",
        "account_expires",
        "credential_last_changed",
        "account_first_login",
        "account_last_login",
        "validity_not_before",
        "validity_not_after",
        "private_key_usage_period_not_before",
        "private_key_usage_period_not_after",
        "time_date_stamp",
        "publication_date",
    }
)
#: Timestamp properties whose names are too generic to trust outside their type.
TYPE_TIMESTAMP_PROPERTIES: Final[dict[str, frozenset[str]]] = {
    "email-message": frozenset({"date"}),
    "network-traffic": frozenset({"start", "end"}),
    "file": frozenset({"ctime", "mtime", "atime"}),
    "directory": frozenset({"ctime", "mtime", "atime"}),
}
#: Custom properties with these endings are checked as timestamps when their
#: value starts like a date (``2024-…``), so that ``"3 seconds"`` is left alone.
TIMESTAMP_SUFFIXES: Final = ("_time", "_date", "_timestamp")

#: A property name: 3-250 characters of a-z, 0-9 and underscore.
PROPERTY_NAME = re.compile(r"[a-z0-9_]{3,250}\Z")


def declared_kind(obj: dict[str, Any]) -> str | None:
    """The new-sdo / new-sro / new-sco extension_type an object declares, if any."""
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        for key, value in extensions.items():
            if key.startswith(EXTENSION_DEFINITION_PREFIX) and isinstance(value, dict):
                kind = value.get("extension_type")
                if isinstance(kind, str) and kind in NEW_OBJECT_EXTENSION_TYPES:
                    return kind
    return None


def object_kind(obj: dict[str, Any]) -> str | None:
    """``sdo``, ``sro``, ``sco`` or ``meta`` for an object of a known type or of a type an
    extension declares new-sdo/new-sro/new-sco; None for a custom object of unknown kind."""
    kind = obj["type"]
    if kind in KNOWN_TYPES:
        if kind in SCO_LIKE_TYPES:
            return "sco"
        if kind in SRO_TYPES:
            return "sro"
        return "meta" if kind in META_TYPES else "sdo"
    declared = declared_kind(obj)
    return declared[4:] if declared is not None else None


#: Timestamps already seen to be valid; cleared when full, so memory stays bounded.
_GOOD_TIMESTAMPS: set[str] = set()
_TIMESTAMP_CACHE_LIMIT = 50_000


def is_valid_timestamp(value: str) -> bool:
    """:func:`~infoshare.stix.timestamps.is_timestamp`, remembering recent valid values
    (created, modified… are read by several checks, and recur across versions)."""
    if value in _GOOD_TIMESTAMPS:
        return True
    if not is_timestamp(value):
        return False
    if len(_GOOD_TIMESTAMPS) >= _TIMESTAMP_CACHE_LIMIT:
        _GOOD_TIMESTAMPS.clear()
    _GOOD_TIMESTAMPS.add(value)
    return True
