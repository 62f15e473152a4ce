"""Timestamps as the store keeps them: fixed-width UTC strings that sort like time.

Implements the timestamp rules the node relies on (TAXII 2.1 §3.2 "Timestamps",
STIX 2.1 §3.2): every stored timestamp is a string of one fixed width, so the
database compares and orders them as plain text, the same way on SQLite and
PostgreSQL.

* ``date_added`` is written by the node with microsecond precision:
  ``2026-12-01T13:14:15.123456Z`` (the form clients see); the objects of one
  add request share one.
* an object's version key is its ``modified`` (or ``created``) timestamp with
  nanosecond precision: ``2026-12-01T13:14:15.123000000Z``; two spellings of
  one instant (``…15Z`` and ``…15.000Z``) get the same key.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


class TimestampError(ValueError):
    """A string is not an RFC 3339 timestamp."""


def _parse(value: str, *, allow_offset: bool) -> tuple[datetime, str]:
    """The instant (to the second) and the fraction digits (0 to 9) of ``value``."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) and len(value) <= 40 else None
    if match is None:
        raise TimestampError(
            f"{value[:60]!r} is not a timestamp like 2026-03-01T12:00:00.000Z"
            if isinstance(value, str)
            else f"{value!r} is not a timestamp string"
        )
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if zulu is None and not allow_offset:
        raise TimestampError(f"{value[:60]!r} must be in UTC and end with Z")
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute),
            min(int(second), 59), tzinfo=UTC,
        )  # fmt: skip
    except ValueError as exc:
        raise TimestampError(f"{value[:60]!r} is not a valid date and time ({exc})") from None
    if sign is not None:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        try:
            moment = moment - offset if sign == "+" else moment + offset
        except OverflowError:
            raise TimestampError(
                f"{value[:60]!r} falls outside the years 1 to 9999 once its UTC offset is applied"
            ) from None
    return moment, fraction or ""


def version_key(value: str) -> str:
    """The fixed-width (nanosecond) key of a STIX ``modified``/``created`` timestamp.

    Raises :class:`TimestampError` when ``value`` is not a STIX timestamp.
    """
    moment, fraction = _parse(value, allow_offset=False)
    return f"{_seconds(moment)}.{fraction.ljust(9, '0')}Z"


def added_after_key(value: str) -> str:
    """The stored ``date_added`` form to compare ``added_after`` against (``>``).

    Digits beyond microseconds are dropped: for a strict ``>`` against
    microsecond ``date_added`` values this gives the exact answer.
    """
    moment, fraction = _parse(value, allow_offset=True)
    return f"{_seconds(moment)}.{fraction[:6].ljust(6, '0')}Z"


def _seconds(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` with a four-digit year (``%Y`` drops the zeros of years
    before 1000 on some platforms, and the keys must sort as text)."""
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}"


def format_date_added(moment: datetime) -> str:
    """A ``date_added`` string (microseconds, UTC, Z)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # isoformat is several times faster than strftime (one call per stored object).
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_date_added(value: str) -> datetime:
    """The instant of a stored ``date_added`` string."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def next_date_added(now: datetime, last: str | None) -> datetime:
    """``now``, or one microsecond after ``last`` when the clock has not moved past it.

    Keeps ``date_added`` strictly increasing from one add request to the next
    across the node, even if the wall clock stalls or steps back (the objects
    of one request share theirs, ``_objects.insert_objects``).
    """
    return next_moment(now, parse_date_added(last) if last is not None else None)


_MICROSECOND = timedelta(microseconds=1)


def just_before(value: str) -> str:
    """The stored ``date_added`` one microsecond before ``value`` (also stored form).

    ``added_after`` set to it asks for every object added at ``value`` or later:
    what a client resumes with when a page may have ended inside a group of
    objects sharing one ``date_added``.
    """
    return format_date_added(parse_date_added(value) - _MICROSECOND)


def next_moment(now: datetime, last: datetime | None) -> datetime:
    """:func:`next_date_added` for an already parsed ``last`` (the ingest loop's form)."""
    if last is None:
        return now
    floor = last + _MICROSECOND
    return now if now >= floor else floor
