"""TAXII 2.1 media types and content negotiation (TAXII 2.1 §1.6.8).

The leaf of the node's HTTP plumbing: every other module of the package, and
the node, read the media type names from here.
"""

from __future__ import annotations

from collections.abc import Iterator

TAXII_MEDIA_TYPE = "application/taxii+json"
TAXII_VERSION = "2.1"
TAXII_MEDIA_TYPE_V21 = f"{TAXII_MEDIA_TYPE};version={TAXII_VERSION}"


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
