"""TAXII 2.1 request rules medallion's views get wrong, checked before they run.

Implements TAXII 2.1 §1.6.8 (content negotiation), §3.4-§3.6 (filtering and
paging parameters) and §5.5 (Add Objects: media type, size, envelope) for the
node issue; the body is read within the size and time limits of the
partner-trust issue (request_body.py). medallion's views are used unchanged:
a ``before_request`` hook checks the request the way the specification says,
answers with the right status (400, 406, 408, 413, 415, 422) when it is
wrong, and otherwise rewrites the ``Accept`` and ``Content-Type`` headers to
the canonical TAXII 2.1 media type so medallion's stricter checks (which
refuse the version-less ``application/taxii+json``) pass. The request body is
parsed once here; Flask caches the result, so the view and the backend reuse
it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider
from medallion.exceptions import ProcessingError
from werkzeug.exceptions import BadRequest

from infoshare_server.rawjson import encode
from infoshare_server.request_body import read_body

TAXII_MEDIA_TYPE = "application/taxii+json"
TAXII_VERSION = "2.1"
TAXII_MEDIA_TYPE_V21 = f"{TAXII_MEDIA_TYPE};version={TAXII_VERSION}"

#: Deepest nesting of arrays and objects accepted in a request body.
MAX_JSON_DEPTH = 64

#: Longest ``limit`` accepted (Python converts no longer digit string to a number); a
#: larger but well-formed limit is capped at ``limits.max_page_size`` like any other.
MAX_LIMIT_DIGITS = 4300

#: Paths whose POST takes a body (TAXII 2.1 §5.5 Add Objects).
_OBJECTS_PATH = re.compile(r"^/[^/]+/collections/[^/]+/objects/$")

_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$", re.ASCII
)


class StrictJSONProvider(DefaultJSONProvider):
    """JSON as RFC 8259 defines it: ``NaN`` and ``Infinity`` are not numbers.

    Keys keep their order in responses (resources read like the specification's examples).

    Stored objects (:class:`~infoshare_server.rawjson.RawJSON`) are written as their
    stored text, not parsed and encoded again.
    """

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return encode(obj, lambda value: super(StrictJSONProvider, self).dumps(value, **kwargs))

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _reject_constant)
        return super().loads(s, **kwargs)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


# -- media types ---------------------------------------------------------------------------


def _media_ranges(header: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Split an Accept or Content-Type header into (type, parameters) pairs."""
    for item in header.split(","):
        pieces = item.split(";")
        media = pieces[0].strip().lower()
        if not media:
            continue
        params: dict[str, str] = {}
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        yield media, params


def _quality(params: dict[str, str]) -> float:
    try:
        return float(params.get("q", "1"))
    except ValueError:
        return 0.0


def accepts_taxii(header: str | None) -> bool:
    """True if an Accept header admits a TAXII 2.1 response (§1.6.8).

    ``application/taxii+json`` without a version means the latest version the
    server supports, which is 2.1; ``*/*`` and ``application/*`` admit it too,
    and so does a request with no Accept header at all (RFC 9110 §12.5.1).
    """
    if header is None or not header.strip():
        return True
    for media, params in _media_ranges(header):
        if _quality(params) <= 0:
            continue
        if media in ("*/*", "application/*"):
            return True
        if media == TAXII_MEDIA_TYPE and params.get("version", TAXII_VERSION) == TAXII_VERSION:
            return True
    return False


def is_taxii_content_type(header: str | None) -> bool:
    """True if a Content-Type names a TAXII 2.1 body (version-less means 2.1)."""
    if header is None:
        return False
    ranges = list(_media_ranges(header))
    if len(ranges) != 1:
        return False
    media, params = ranges[0]
    if params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        return False
    return media == TAXII_MEDIA_TYPE and params.get("version", TAXII_VERSION) == TAXII_VERSION


# -- request checks ------------------------------------------------------------------------


def _fail(message: str, status: int) -> ProcessingError:
    return ProcessingError(message, status)


def _check_parameters() -> None:
    added_after = request.args.get("added_after")
    if added_after is not None and not _valid_timestamp(added_after):
        raise _fail(
            "added_after must be a timestamp such as 2026-03-01T12:00:00.000Z"
            f" (got {added_after[:64]!r})",
            400,
        )
    limit = request.args.get("limit")
    if limit is not None and not _valid_limit(limit):
        raise _fail(
            f"limit must be a positive whole number of at most {MAX_LIMIT_DIGITS} digits"
            f" (got {limit[:64]!r})",
            400,
        )


def _valid_limit(limit: str) -> bool:
    """A positive whole number short enough to convert."""
    return limit.isascii() and limit.isdigit() and len(limit) <= MAX_LIMIT_DIGITS and int(limit) > 0


def _valid_timestamp(value: str) -> bool:
    if not _TIMESTAMP.match(value):
        return False
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    head, dot, rest = text.partition(".")
    if dot:  # datetime takes at most six fractional digits
        digits = re.match(r"\d+", rest)
        assert digits is not None
        text = head + "." + digits.group(0)[:6].ljust(6, "0") + rest[digits.end() :]
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _depth_ok(value: Any) -> bool:
    """True when no value of ``value`` (itself at depth 1) lies deeper than MAX_JSON_DEPTH.

    Walks the containers level by level and never visits scalars (most of a
    STIX object), so the check costs a fraction of parsing the body.
    """
    level: list[Any] = [value] if isinstance(value, (dict, list)) else []
    depth = 1
    while level:
        # The members of the containers at ``depth`` lie at ``depth + 1``.
        if depth >= MAX_JSON_DEPTH and any(level):
            return False
        deeper: list[Any] = []
        for item in level:
            members = item.values() if isinstance(item, dict) else item
            deeper.extend(member for member in members if isinstance(member, (dict, list)))
        level = deeper
        depth += 1
    return True


def _check_add_objects() -> None:
    if not is_taxii_content_type(request.headers.get("Content-Type")):
        raise _fail(
            f"Content-Type must be {TAXII_MEDIA_TYPE_V21} (or {TAXII_MEDIA_TYPE});"
            f" got {request.headers.get('Content-Type', 'none')!r}",
            415,
        )
    limits = current_app.node_config.limits  # type: ignore[attr-defined]
    body = read_body(request.environ, limits.max_content_length, limits.body_timeout)
    if not body:
        raise _fail("the request body is empty; send an envelope with an objects list", 400)
    try:
        envelope = request.get_json(force=True)
    except BadRequest:
        raise _fail("the request body is not valid JSON", 400) from None
    except RecursionError:
        raise _fail("the request body is nested too deeply", 400) from None
    if not _depth_ok(envelope):
        raise _fail(f"the request body is nested deeper than {MAX_JSON_DEPTH} levels", 400)
    if not isinstance(envelope, dict):
        raise _fail("the request body must be a JSON object (a TAXII envelope)", 422)
    objects = envelope.get("objects")
    if not isinstance(objects, list) or not objects:
        raise _fail("the envelope must have an objects property: a non-empty list", 422)
    for index, item in enumerate(objects):
        if not isinstance(item, dict):
            raise _fail(
                f"objects[{index}] is a {type(item).__name__}; every item must be a STIX object",
                422,
            )
    # The same media type in its canonical spelling, which medallion's own check accepts.
    request.environ["CONTENT_TYPE"] = TAXII_MEDIA_TYPE_V21


def check_request() -> None:
    """``before_request`` hook for every TAXII endpoint (not /healthz)."""
    if request.endpoint is None or request.blueprint == "health":
        return
    if not accepts_taxii(request.headers.get("Accept")):
        raise _fail(
            f"this node answers only with {TAXII_MEDIA_TYPE_V21}; put it (or"
            f" {TAXII_MEDIA_TYPE}) in the Accept header",
            406,
        )
    request.environ["HTTP_ACCEPT"] = TAXII_MEDIA_TYPE_V21
    _check_parameters()
    if request.method == "POST" and _OBJECTS_PATH.match(request.path) and _authenticated():
        _check_add_objects()


def _authenticated() -> bool:
    """Read a body only for an authenticated partner (any credential kind, see access/)."""
    from infoshare_server.access import current_partner  # access imports this module

    return current_partner() is not None
