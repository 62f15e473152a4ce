"""TAXII 2.1 request rules medallion's views get wrong, checked before they run.

Implements TAXII 2.1 §1.6.8 (content negotiation), §3.4-§3.6 (filtering and
paging parameters) and §5.5 (Add Objects: media type, size, envelope) for the
node issue; the body is read within the size and time limits of the
partner-trust issue (``body.py``). medallion's views are used unchanged:
a ``before_request`` hook (:class:`RequestChecks`) checks the request the
way the specification says, answers with the right status (400, 406, 408, 413, 415, 422) when it is
wrong, and otherwise rewrites the ``Accept`` and ``Content-Type`` headers to
the canonical TAXII 2.1 media type so medallion's stricter checks (which
refuse the version-less ``application/taxii+json``) pass. The request body is
parsed once here; Flask caches the result, so the view and the backend reuse
it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from infoshare.stix.envelope import taxii_envelope_problems
from infoshare.stix.timestamps import TimestampError, parse_timestamp
from infoshare_server.http.body import read_body
from infoshare_server.http.errors import TaxiiError
from infoshare_server.http.media import (
    TAXII_MEDIA_TYPE,
    TAXII_MEDIA_TYPE_V21,
    accepts_taxii,
    is_taxii_content_type,
)
from infoshare_server.http.rawjson import encode

#: Deepest nesting of arrays and objects accepted in a request body.
MAX_JSON_DEPTH = 64

#: Longest ``limit`` accepted (Python converts no longer digit string to a number); a
#: larger but well-formed limit is capped at ``limits.max_page_size`` like any other.
MAX_LIMIT_DIGITS = 4300

#: Blueprints that are not TAXII endpoints: the health check, the profile site and the
#: case viewer's HTML pages (docs/adr/0015-case-viewer.md), which check their own requests.
_NOT_TAXII = frozenset({"health", "viewer", "spec_site"})
#: Paths whose POST takes a body (TAXII 2.1 §5.5 Add Objects).
_OBJECTS_PATH = re.compile(r"^/[^/]+/collections/[^/]+/objects/$")


class StrictJSONProvider(DefaultJSONProvider):
    """JSON as RFC 8259 defines it: ``NaN`` and ``Infinity`` are not numbers.

    Keys keep their order in responses (resources read like the specification's examples).

    Stored objects (:class:`~infoshare_server.http.rawjson.RawJSON`) are written as their
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


# -- request checks ------------------------------------------------------------------------


def _fail(message: str, status: int) -> TaxiiError:
    return TaxiiError(message, status)


def _check_parameters() -> None:
    added_after = request.args.get("added_after")
    problem = None if added_after is None else _timestamp_problem(added_after)
    if problem is not None:
        raise _fail(
            f"added_after: {problem}; give an RFC 3339 timestamp such as 2026-03-01T12:00:00.000Z",
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


def _timestamp_problem(value: str) -> str | None:
    """Why ``value`` is not an RFC 3339 timestamp (an offset is allowed), or None."""
    try:
        parse_timestamp(value, allow_offset=True)
    except TimestampError as exc:
        return str(exc)
    return None


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


def _check_add_objects(max_content_length: int, body_timeout: float) -> None:
    if not is_taxii_content_type(request.headers.get("Content-Type")):
        raise _fail(
            f"Content-Type must be {TAXII_MEDIA_TYPE_V21} (or {TAXII_MEDIA_TYPE});"
            f" got {request.headers.get('Content-Type', 'none')!r}",
            415,
        )
    body = read_body(request.environ, max_content_length, body_timeout)
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
    problems = taxii_envelope_problems(envelope)
    if problems:
        raise _fail(problems[0].message, 422)
    if not envelope["objects"]:
        raise _fail("the envelope's objects list is empty; send at least one object", 422)
    # The same media type in its canonical spelling, which medallion's own check accepts.
    request.environ["CONTENT_TYPE"] = TAXII_MEDIA_TYPE_V21


class RequestChecks:
    """The ``before_request`` hook for every TAXII endpoint (not /healthz).

    ``may_send_body`` says whether the requester is authenticated: a body is
    read only for them (the node passes its access package's answer, so this
    package needs to know nothing of partners). A POST's body is read within
    ``max_content_length`` bytes and ``body_timeout`` seconds.
    """

    def __init__(
        self, *, max_content_length: int, body_timeout: float, may_send_body: Callable[[], bool]
    ) -> None:
        self.max_content_length = max_content_length
        self.body_timeout = body_timeout
        self.may_send_body = may_send_body

    def __call__(self) -> None:
        if request.endpoint is None or request.blueprint in _NOT_TAXII:
            return
        if not accepts_taxii(request.headers.get("Accept")):
            raise _fail(
                f"this node answers only with {TAXII_MEDIA_TYPE_V21}; put it (or"
                f" {TAXII_MEDIA_TYPE}) in the Accept header",
                406,
            )
        request.environ["HTTP_ACCEPT"] = TAXII_MEDIA_TYPE_V21
        _check_parameters()
        if request.method == "POST" and _OBJECTS_PATH.match(request.path) and self.may_send_body():
            _check_add_objects(self.max_content_length, self.body_timeout)
