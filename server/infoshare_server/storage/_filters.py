"""Reading TAXII filter parameters into an :class:`ObjectQuery` (TAXII 2.1 §3.4).

Implements the filter rules the node applies:

* ``match[id]``, ``match[type]``, ``match[version]``, ``match[spec_version]``:
  a comma means OR; the filters are ANDed.
* ``match[version]``: "first", "last", "all" or STIX timestamps; default "last".
  A value that is none of these is a 400, not an empty result.
* ``match[spec_version]``: default: the latest spec version of each object.
* ``added_after``: an RFC 3339 timestamp; a malformed one is a 400.
* An endpoint ignores the filters it does not support, and every unknown
  parameter, as TAXII 2.1 §3.4.1 asks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from infoshare.stix.timestamps import TimestampError
from infoshare_server.errors import RequestError
from infoshare_server.storage._objects import ObjectQuery
from infoshare_server.storage._time import added_after_key, version_key

#: Values in one comma list; more is refused (400) rather than sent to the database.
MAX_FILTER_VALUES = 200
#: Length of one filter value; longer values cannot match a stored object.
MAX_VALUE_LENGTH = 512


def _values(filters: Mapping[str, str], key: str) -> tuple[str, ...]:
    raw = filters.get(key)
    if raw is None:
        return ()
    parts = tuple(dict.fromkeys(part.strip() for part in str(raw).split(",")))
    if len(parts) > MAX_FILTER_VALUES:
        raise RequestError(
            f"{key} lists {len(parts)} values; at most {MAX_FILTER_VALUES} are accepted",
            400,
        )
    return parts


def parse_query(
    filters: Mapping[str, str],
    allowed: Collection[str],
    *,
    object_id: str | None = None,
    default_versions: tuple[str, ...] = ("last",),
) -> ObjectQuery:
    """The query for ``filters``; ``allowed`` names the match fields the endpoint supports.

    ``added_after`` is always honoured; ``object_id`` pins the query to one object
    (object, versions and delete endpoints).
    """
    ids: tuple[str, ...] = ()
    if object_id is not None:
        ids = (object_id,)
    elif "id" in allowed:
        ids = _values(filters, "match[id]")
    types = _values(filters, "match[type]") if "type" in allowed else ()
    versions = default_versions
    if "version" in allowed and filters.get("match[version]") is not None:
        versions = tuple(_version(value) for value in _values(filters, "match[version]"))
    spec_versions = _values(filters, "match[spec_version]") if "spec_version" in allowed else ()
    added_after = None
    raw_added_after = filters.get("added_after")
    if raw_added_after is not None:
        try:
            added_after = added_after_key(str(raw_added_after).strip())
        except TimestampError as exc:
            raise RequestError(
                f"added_after: {exc}; give an RFC 3339 timestamp such as 2026-03-01T12:00:00.000Z",
                400,
            ) from None
    return ObjectQuery(
        ids=_matchable(ids),
        types=_matchable(types),
        versions=versions,
        spec_versions=_matchable(spec_versions),
        added_after=added_after,
    )


def _matchable(values: tuple[str, ...]) -> tuple[str, ...]:
    """Drop values no stored row can hold; if none is left, a list that matches nothing."""
    if not values:
        return ()
    kept = tuple(v for v in values if storable_text(v, MAX_VALUE_LENGTH))
    return kept or ("",)


def storable_text(value: str, max_length: int) -> bool:
    """True when ``value`` can be a stored id or type: not too long, no NUL, valid UTF-8."""
    if len(value) > max_length or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _version(value: str) -> str:
    if value in ("first", "last", "all"):
        return value
    try:
        return version_key(value)
    except TimestampError as exc:
        raise RequestError(
            f"match[version]: {exc}; use first, last, all or a timestamp such as"
            " 2026-03-01T12:00:00.000Z",
            400,
        ) from None
