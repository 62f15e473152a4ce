"""STIX timestamps: the one grammar, parsing, precision and order.

Implements STIX 2.1 Errata 01 §2.16 (timestamp) and the precision rule of
§3.2 (common properties: ``created`` and ``modified`` are precise to the
millisecond at least) (https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html),
on top of RFC 3339 §5.6 and §5.7.

The grammar is ``YYYY-MM-DDTHH:mm:ss[.s+]Z``:

* digits are ASCII ``0``-``9`` only. RFC 3339 §5.6 defines ``DIGIT`` as
  ASCII; Python's ``\\d`` and ``int()`` would also take full-width (U+FF10…) or
  Arabic-Indic (U+0660…) digits, so this module never uses them on unchecked text;
* ``T`` and ``Z`` are upper case (STIX writes them so; the lower-case
  letters RFC 3339 tolerates are refused), and the zone is always ``Z``;
* any number of fraction digits (STIX sets no upper bound), none without
  the dot;
* the date and time name a real instant: the day exists in that month of
  that year, and the year is 0001 or later (``0000`` has no ``datetime``);
* a second of ``60`` only at 23:59:60 UTC on 30 June or 31 December.
  RFC 3339 §5.7 allows 60 only where a leap second occurs, and every leap
  second inserted so far fell there. This module checks that structural
  rule rather than the IERS table of past leap seconds: the table would
  need a code change whenever a new one is announced, and would make the
  validity of a timestamp depend on the version of infoshare, while the
  rule refuses every impossible ``:60`` (another minute, another day).

Timestamps stay strings in the models and the validator (a read followed by
a write gives back the same text); :func:`timestamp_key` orders them and
:func:`parse_timestamp` turns one into a ``datetime`` when arithmetic is
needed.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import UTC, datetime, timedelta
from typing import Final

from infoshare.errors import ModelError

__all__ = [
    "EXAMPLE",
    "TimestampError",
    "compare_timestamps",
    "format_timestamp",
    "has_millisecond_precision",
    "is_timestamp",
    "parse_timestamp",
    "timestamp_key",
]

#: A valid timestamp, for messages that tell a user what to write.
EXAMPLE: Final = "2026-03-02T08:15:00.000Z"

_DATE_TIME = (
    r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(?:\.([0-9]+))?"
)
#: The STIX form: UTC with ``Z``. Used with fullmatch; ``[0-9]`` is ASCII only.
_TIMESTAMP: Final = re.compile(_DATE_TIME + "Z")
#: The same date and time with an RFC 3339 numeric offset instead of ``Z``
#: (only for :func:`parse_timestamp` with ``allow_offset``).
_WITH_OFFSET: Final = re.compile(_DATE_TIME + r"(?:Z|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))")
#: Longest text looked at: a timestamp with a nanosecond fraction and an offset
#: is 35 characters; anything far longer is refused without a regex run.
_MAX_PARSED_LENGTH: Final = 64


class TimestampError(ModelError):
    """A string is not a STIX timestamp (STIX 2.1 §2.16)."""


def is_timestamp(value: str) -> bool:
    """True for ``2024-05-01T09:30:00Z`` or ``2024-05-01T09:30:00.123Z`` naming a real instant."""
    if _TIMESTAMP.fullmatch(value) is None:
        return False
    if value[8:10] <= "28" and value[17] != "6":  # every month has these days: no calendar
        return value[:4] != "0000"
    return _real_instant(value)


def _real_instant(value: str) -> bool:
    year, month, day = int(value[:4]), int(value[5:7]), int(value[8:10])
    if year < 1 or day > monthrange(year, month)[1]:
        return False
    return value[17:19] != "60" or _leap_second_point(month, day, value[11:16])


def _leap_second_point(month: int, day: int, hour_minute: str) -> bool:
    """True at the minute that may end with a leap second: 23:59 UTC on 30 June or 31 December."""
    return hour_minute == "23:59" and (month, day) in ((6, 30), (12, 31))


def parse_timestamp(value: str, *, allow_offset: bool = False) -> datetime:
    """The aware UTC ``datetime`` of a STIX timestamp.

    The fraction is cut (not rounded) to microseconds, the precision of
    ``datetime``. A leap second (``23:59:60.5``) becomes the last
    microsecond before the next minute, which ``datetime`` can hold.

    ``allow_offset`` also accepts an RFC 3339 numeric offset such as
    ``+02:00`` in place of ``Z`` (for query parameters a person types; STIX
    content is always UTC); the result is converted to UTC, and a leap
    second must then fall on 23:59:60 UTC once the offset is applied.

    Raises :class:`TimestampError` naming what is wrong.
    """
    if not isinstance(value, str):
        raise TimestampError(f"{value!r} is not a timestamp string; write e.g. {EXAMPLE}")
    shown = repr(value[:60])
    grammar = _WITH_OFFSET if allow_offset else _TIMESTAMP
    match = grammar.fullmatch(value) if len(value) <= _MAX_PARSED_LENGTH else None
    if match is None:
        zone = "Z or an offset such as +02:00" if allow_offset else "Z"
        raise TimestampError(
            f"{shown} is not a timestamp: write YYYY-MM-DDTHH:mm:ss[.s+] and {zone} with ASCII"
            f" digits and an upper-case T, e.g. {EXAMPLE}"
        )
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction = match[7] or ""
    if year < 1 or day > monthrange(year, month)[1]:
        raise TimestampError(f"{shown} names a day that does not exist")
    moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    if allow_offset and match[8] is not None:
        offset = timedelta(hours=int(match[9]), minutes=int(match[10]))
        try:
            moment = moment - offset if match[8] == "+" else moment + offset
        except OverflowError:
            raise TimestampError(
                f"{shown} falls outside the years 1 to 9999 once its UTC offset is applied"
            ) from None
    if second == 60:
        if not _leap_second_point(moment.month, moment.day, f"{moment:%H:%M}"):
            raise TimestampError(
                f"{shown} has second 60, which exists only as a leap second at 23:59:60 UTC"
                " on 30 June or 31 December"
            )
        return moment.replace(microsecond=999_999)
    return moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))


def format_timestamp(moment: datetime) -> str:
    """A STIX timestamp with millisecond precision, e.g. ``2026-11-22T10:00:00.000Z``.

    A naive ``moment`` is taken to be UTC.
    """
    moment = moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def has_millisecond_precision(value: str) -> bool:
    """True when a valid timestamp gives at least three fraction digits (STIX 2.1 §3.2).

    ``created`` and ``modified`` MUST be precise to the millisecond:
    ``…:00.000Z`` and ``…:00.123456Z`` are, ``…:00Z`` and ``…:00.5Z`` are not.
    """
    return len(value) >= 24 and value[19] == "."


def timestamp_key(value: str) -> tuple[str, str]:
    """A key that orders valid timestamps in time, whatever their precision.

    Plain string comparison gets ``…:00Z`` and ``…:00.5Z`` the wrong way
    round; this key compares the date and time to the second as text (a leap
    second ``:60`` sorts after ``:59``), then the fraction without trailing
    zeros, so ``…:00.5Z`` and ``…:00.500Z`` are equal.
    """
    fraction = value[20:-1].rstrip("0") if len(value) > 20 and value[19] == "." else ""
    return value[:19], fraction


def compare_timestamps(first: str, second: str) -> int:
    """-1, 0 or 1 as valid timestamp ``first`` is earlier than, the same instant as, or later
    than ``second`` (``…:00Z`` and ``…:00.000Z`` are the same instant)."""
    a, b = timestamp_key(first), timestamp_key(second)
    return (a > b) - (a < b)
