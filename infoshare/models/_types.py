"""Value types shared by the models: identifiers, timestamps, codes, ranges.

Implements the common data types of STIX 2.1 section 2 as used by
spec/profile/03-fimi-incident.md to spec/profile/12-markings.md.

Timestamps are kept as the original ``str`` (checked with
:func:`infoshare.validation._timestamps.is_stix_timestamp`), never parsed into
``datetime``: a read followed by a write must give back the same text, and
STIX allows any number of fraction digits. Compare them with
:func:`timestamp_key`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from infoshare.validation._timestamps import is_stix_timestamp, timestamp_key

__all__ = [
    "Confidence",
    "CountryCode",
    "Identifier",
    "MarkingRef",
    "NonNegativeInt",
    "Percent",
    "Timestamp",
    "check_identifier",
    "format_timestamp",
    "identifier_ref",
    "parse_timestamp",
    "timestamp_key",
]

#: ``type--UUID`` with an RFC 4122 variant UUID (STIX 2.1 section 2.9).
_IDENTIFIER = re.compile(
    r"^([a-z0-9][a-z0-9-]*[a-z0-9])--"
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def check_identifier(value: str) -> str:
    """Accept ``<type>--<RFC 4122 UUID>``; raise ``ValueError`` with a fix otherwise."""
    if not _IDENTIFIER.match(value):
        raise ValueError(
            f"{value!r} is not a STIX identifier; write <type>--<RFC 4122 UUID>, "
            "e.g. identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"
        )
    return value


def _check_timestamp(value: str) -> str:
    if not is_stix_timestamp(value):
        raise ValueError(
            f"{value!r} is not a STIX timestamp; write an RFC 3339 UTC time with Z, "
            "e.g. 2026-03-02T08:15:00.000Z"
        )
    return value


def _check_country(value: str) -> str:
    if not _COUNTRY.match(value):
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 code; write two upper-case letters, e.g. JP"
        )
    return value


def identifier_ref(*types: str) -> AfterValidator:
    """A validator for a reference that must point at one of ``types``."""
    allowed = frozenset(types)

    def check(value: str) -> str:
        check_identifier(value)
        prefix = value.split("--", 1)[0]
        if prefix not in allowed:
            wanted = " or ".join(sorted(allowed))
            raise ValueError(f"{value!r} must reference a {wanted}, not a {prefix}")
        return value

    return AfterValidator(check)


Identifier = Annotated[str, AfterValidator(check_identifier)]
Timestamp = Annotated[str, AfterValidator(_check_timestamp)]
CountryCode = Annotated[str, AfterValidator(_check_country)]
MarkingRef = Annotated[str, identifier_ref("marking-definition")]
Confidence = Annotated[int, Field(ge=0, le=100, strict=True)]
Percent = Confidence
NonNegativeInt = Annotated[int, Field(ge=0, strict=True)]


def parse_timestamp(value: str) -> datetime:
    """The aware UTC ``datetime`` of a STIX timestamp (fraction cut to microseconds)."""
    _check_timestamp(value)
    head, _, fraction = value[:-1].partition(".")
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    seconds = head[17:19]
    if seconds == "60":  # a leap second: datetime cannot hold it, keep the last instant before
        head, micro = head[:17] + "59", 999_999
    return datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(microsecond=micro, tzinfo=UTC)


def format_timestamp(moment: datetime) -> str:
    """A STIX timestamp with millisecond precision, e.g. ``2026-11-22T10:00:00.000Z``."""
    moment = moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
