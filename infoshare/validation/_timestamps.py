"""STIX 2.1 timestamps (STIX 2.1 section 3.2): RFC 3339, UTC, with ``Z``.

Used by check IS-104 (valid timestamps), IS-105, IS-115 and IS-601 (order) and
IS-113 (millisecond precision).
"""

from __future__ import annotations

import re
from calendar import monthrange

# \Z, not $: "$" would also accept a trailing newline.
_TIMESTAMP = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?Z\Z"
)


def is_stix_timestamp(value: str) -> bool:
    """True for ``2024-05-01T09:30:00Z`` or ``2024-05-01T09:30:00.123Z`` on a real date."""
    if _TIMESTAMP.match(value) is None:
        return False
    day = value[8:10]
    if day <= "28":  # every month has these days: skip the calendar (hot path)
        return value[:4] != "0000"
    year = int(value[:4])
    return year >= 1 and int(day) <= monthrange(year, int(value[5:7]))[1]


def timestamp_key(value: str) -> tuple[str, str]:
    """A sort key that orders valid timestamps in time, whatever their precision.

    Plain string comparison gets ``...:00Z`` and ``...:00.5Z`` the wrong way
    round; this key compares the seconds part, then the fraction, padded.
    """
    fraction = value[20:-1] if len(value) > 20 and value[19] == "." else ""
    return value[:19], fraction.ljust(9, "0")


def has_millisecond_precision(value: str) -> bool:
    """True if a valid timestamp has at least three digits of fractional seconds
    (``2024-05-01T09:30:00.123Z``), as STIX 2.1 section 3.2 requires of
    ``created`` and ``modified``."""
    return len(value) >= 24 and value[19] == "."
