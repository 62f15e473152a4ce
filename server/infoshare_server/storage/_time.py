"""Timestamps as the store keeps them: fixed-width UTC strings that sort like time.

Implements the timestamp rules the node relies on (TAXII 2.1 §3.2 "Timestamps",
STIX 2.1 §3.2): every stored timestamp is a string of one fixed width, so the
database compares and orders them as plain text, the same way on SQLite and
PostgreSQL. What a timestamp is, is decided by :mod:`infoshare.stix.timestamps`;
this module only shapes the node's keys from it.

* ``date_added`` is written by the node with microsecond precision:
  ``2026-12-01T13:14:15.123456Z`` (the form clients see); the objects of one
  add request share one.
* an object's version key is its ``modified`` (or ``created``) timestamp with
  nanosecond precision: ``2026-12-01T13:14:15.123000000Z``; two spellings of
  one instant (``…15Z`` and ``…15.000Z``) get the same key.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infoshare.stix.timestamps import TimestampError, is_timestamp, parse_timestamp

#: Fraction digits of a version key: nanoseconds.
_KEY_DIGITS = 9


def version_key(value: str) -> str:
    """The fixed-width (nanosecond) key of a STIX ``modified``/``created`` timestamp.

    ``value`` must be a STIX timestamp (:func:`infoshare.stix.timestamps.is_timestamp`)
    with at most nine fraction digits: the node keeps versions apart to the
    nanosecond, and a finer fraction cut to that would merge distinct versions.
    A leap second keeps its ``:60``, which sorts after ``:59`` as text.

    Raises :class:`TimestampError` naming what is wrong.
    """
    if not isinstance(value, str) or not is_timestamp(value):
        parse_timestamp(value)  # raises TimestampError with the reason
        raise TimestampError(f"{value[:60]!r} is not a STIX timestamp")
    fraction = value[20:-1] if value[19] == "." else ""
    if len(fraction) > _KEY_DIGITS:
        raise TimestampError(
            f"{value[:60]!r} is more precise than a nanosecond; this node keeps versions"
            " apart to the nanosecond: give at most nine fraction digits"
        )
    return f"{value[:19]}.{fraction.ljust(_KEY_DIGITS, '0')}Z"


def added_after_key(value: str) -> str:
    """The stored ``date_added`` form to compare ``added_after`` against (``>``).

    ``value`` is a STIX timestamp, or the same with an RFC 3339 offset such
    as ``+02:00`` in place of ``Z`` (clients and operators type these).
    Digits beyond microseconds are dropped: for a strict ``>`` against
    microsecond ``date_added`` values this gives the exact answer.
    """
    return format_date_added(parse_timestamp(value, allow_offset=True))


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
