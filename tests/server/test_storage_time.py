"""The store's timestamp parser never fails with anything but TimestampError.

``added_after`` comes from clients: any RFC 3339-shaped text, whatever its
date, fraction and UTC offset, gives either a stored-form key or a
:class:`TimestampError` (a 400 with its message), never an OverflowError or
ValueError (a 500). :func:`just_before` is the sync pull's resume point. Keys are fixed-width
text that sorts like time, years before 1000 included.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from infoshare_server.storage._time import (
    TimestampError,
    added_after_key,
    format_date_added,
    just_before,
    parse_date_added,
    version_key,
)


@given(
    year=st.integers(0, 9999),
    month=st.integers(0, 13),
    day=st.integers(0, 32),
    hour=st.integers(0, 24),
    minute=st.integers(0, 60),
    fraction=st.text(alphabet="0123456789", max_size=9),
    offset=st.one_of(
        st.just("Z"),
        st.tuples(st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99)).map(
            lambda t: f"{t[0]}{t[1]:02d}:{t[2]:02d}"
        ),
    ),
)
def test_added_after_gives_a_key_or_a_timestamp_error(
    year: int, month: int, day: int, hour: int, minute: int, fraction: str, offset: str
) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00"
    text += f".{fraction}" if fraction else ""
    text += offset
    try:
        key = added_after_key(text)
    except TimestampError as exc:
        assert text[:20] in str(exc)
        return
    moment = parse_date_added(key)
    assert datetime(1, 1, 1, tzinfo=UTC) <= moment


@pytest.mark.parametrize("text", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-00:01"])
def test_an_offset_past_the_calendar_is_named(text: str) -> None:
    with pytest.raises(TimestampError, match="outside the years 1 to 9999"):
        added_after_key(text)


def test_just_before_is_one_microsecond_earlier() -> None:
    stamp = "2026-12-01T13:14:15.000000Z"
    assert just_before(stamp) == "2026-12-01T13:14:14.999999Z"
    moment = parse_date_added(stamp)
    assert just_before(stamp) == format_date_added(moment - timedelta(microseconds=1))


def test_keys_of_years_before_1000_sort_like_time() -> None:
    """``added_after=0999-…`` must come before every date_added the node writes."""
    early = added_after_key("0999-01-01T00:00:00Z")
    assert early == "0999-01-01T00:00:00.000000Z"
    assert early < format_date_added(datetime(2026, 1, 1, tzinfo=UTC))
    assert version_key("0042-03-04T05:06:07.5Z") == "0042-03-04T05:06:07.500000000Z"
