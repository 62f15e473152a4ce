"""URLs: check IS-124.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 2.5
(an external reference's ``url``: "A URL reference to an external resource
[RFC3986]"), section 6.1 (artifact ``url``: "MUST be a valid URL") and section
6.15 (url ``value``: "MUST conform to [RFC3986], more specifically section
1.1.3"). A URL here is an absolute URI by the grammar of RFC 3986 section 3:
a scheme, ``:``, then authority and path, query and fragment made of the
characters that grammar allows, anything else percent-encoded. Non-ASCII
characters (IRIs, RFC 3987) and spaces must be percent-encoded. The value of
an SCO marked ``defanged`` (``hxxp://example[.]com``) is left alone: it is
altered on purpose.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any, Final

from infoshare.validation._registry import Emit, StixDict, jpath, object_check

_PCT = r"%[0-9A-Fa-f]{2}"
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
#: RFC 3986 section 3: URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ].
_URI: Final = re.compile(
    rf"""
    (?P<scheme>[A-Za-z][A-Za-z0-9+\-.]*):
    (?:
        //(?P<authority>
            (?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?
            (?P<host>\[[^\]/?#@]*\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)
            (?::[0-9]*)?
        )
        (?:/{_PCHAR}*)*
      | /(?:{_PCHAR}+(?:/{_PCHAR}*)*)?
      | {_PCHAR}+(?:/{_PCHAR}*)*
      |
    )
    (?:\?(?:{_PCHAR}|[/?])*)?
    (?:\#(?:{_PCHAR}|[/?])*)?
    \Z""",
    re.VERBOSE,
)
_ALLOWED_CHAR: Final = re.compile(rf"[{_UNRESERVED}{_SUB_DELIMS}:@/?#%]")


def _ip_literal_problem(host: str) -> str | None:
    inner = host[1:-1]
    if inner[:1] in ("v", "V") and re.fullmatch(
        rf"[vV][0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+", inner
    ):
        return None  # IPvFuture
    try:
        ipaddress.IPv6Address(inner)
    except ValueError:
        return f"the host {host} is not an IPv6 address in brackets"
    return None


@functools.lru_cache(maxsize=4096)
def url_problem(value: str) -> str | None:
    """Why ``value`` is not an RFC 3986 URL, or None when it is one."""
    match = _URI.match(value)
    if match is not None:
        host = match["host"]
        return _ip_literal_problem(host) if host and host.startswith("[") else None
    if ":" not in value or not re.match(r"[A-Za-z][A-Za-z0-9+\-.]*:", value):
        return "it has no scheme (such as https:); write the absolute URL"
    for position, char in enumerate(value):
        if char == " ":
            return f"it contains a space at position {position}; percent-encode it as %20"
        if not char.isascii():
            encoded = "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
            return (
                f"it contains the non-ASCII character {char!r} at position {position};"
                f" percent-encode it ({encoded})"
            )
        if not _ALLOWED_CHAR.match(char):
            return (
                f"it contains {char!r} at position {position}, which RFC 3986 does not allow;"
                f" percent-encode it as %{ord(char):02X}"
            )
    if re.search(r"%(?![0-9A-Fa-f]{2})", value):
        return "a % is not followed by two hexadecimal digits; write %25 for a literal %"
    return "it does not follow the URI grammar of RFC 3986 section 3 (check the host and port)"


def _check(value: Any, emit: Emit, *path: str | int) -> None:
    if isinstance(value, str):
        problem = url_problem(value)
        if problem is not None:  # the path is built only for a finding
            shown = value if len(value) <= 80 else value[:77] + "..."
            emit(jpath(*path), f"{shown!r} is not an RFC 3986 URL: {problem}")


@object_check("IS-124")
def check_urls(obj: StixDict, emit: Emit) -> None:
    """External-reference urls, an artifact's url and a url SCO's value."""
    kind = obj["type"]
    if obj.get("defanged") is not True:  # a defanged value is made invalid on purpose
        if kind == "url":
            _check(obj.get("value"), emit, "value")
        elif kind == "artifact":
            _check(obj.get("url"), emit, "url")
    references = obj.get("external_references")
    if isinstance(references, list):
        for index, reference in enumerate(references):
            if isinstance(reference, dict) and "url" in reference:
                _check(reference["url"], emit, "external_references", index, "url")
