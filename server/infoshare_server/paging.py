"""Stateless, opaque ``next`` tokens for keyset paging (TAXII 2.1 §3.4.3).

Implements the paging design of docs/adr/0004-sql-storage.md. A token
carries everything needed to serve the next page, so any worker can serve it
and nothing is kept between requests:

* the endpoint kind (objects, manifest, object, versions),
* the API root and collection it was issued for,
* a digest of the request's filters in canonical form (comma lists split,
  de-duplicated and sorted; ``limit`` and ``next`` left out; for the object
  and versions endpoints, the object id),
* the keyset position: the ``seq`` of the last row of the page,
* the partner it was issued to (docs/adr/0006-partner-access.md): a token is
  useless to anyone else.

Format: ``base64url(payload) "." base64url(HMAC-SHA256(secret, payload))``,
no padding. The payload is compact JSON. Decoding checks the signature in
constant time first, then that the kind, collection and filters are those of
the request; any mismatch is a :class:`~infoshare_server.errors.RequestError`
(HTTP 400) that says which.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from infoshare_server.errors import RequestError

Endpoint = Literal["objects", "manifest", "object", "versions"]

#: The filter parameters that shape a result (TAXII 2.1 §3.4.1, §3.4.2).
FILTER_KEYS = ("added_after", "match[id]", "match[spec_version]", "match[type]", "match[version]")

_TOKEN_VERSION = 1
#: Tokens longer than this are refused before any work.
MAX_TOKEN_LENGTH = 2048


def filter_digest(filters: Mapping[str, str], object_id: str | None = None) -> str:
    """A digest of the filters that shape a result, the same for equivalent requests.

    ``match[type]=a,b`` and ``match[type]=b,a`` give the same digest; unknown
    parameters, ``limit`` and ``next`` do not count.
    """
    canonical: dict[str, object] = {}
    for key in FILTER_KEYS:
        value = filters.get(key)
        if value is None:
            continue
        if key == "added_after":
            canonical[key] = value.strip()
        else:
            canonical[key] = sorted({part.strip() for part in value.split(",")})
    if object_id is not None:
        canonical["object"] = object_id
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class PageToken:
    """What a ``next`` token says."""

    endpoint: Endpoint
    api_root: str
    collection_id: str
    filters: str
    after_seq: int
    #: The id of the partner the token was issued to ("" when there is none).
    partner: str = ""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageSigner:
    """Issues and checks ``next`` tokens with the node's secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the paging secret must be at least 16 bytes")
        self._secret = secret

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def issue(self, token: PageToken) -> str:
        payload = json.dumps(
            {
                "v": _TOKEN_VERSION,
                "k": token.endpoint,
                "r": token.api_root,
                "c": token.collection_id,
                "f": token.filters,
                "s": token.after_seq,
                "p": token.partner,
            },
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode("ascii")
        return f"{_b64encode(payload)}.{_b64encode(self._mac(payload))}"

    def check(
        self,
        text: str,
        *,
        endpoint: Endpoint,
        api_root: str,
        collection_id: str,
        filters: str,
        partner: str = "",
    ) -> int:
        """The keyset position in ``text`` if it was issued for this very request.

        Raises :class:`RequestError` (400) for a token that is malformed,
        altered, issued by another node, or issued for another endpoint,
        collection, set of filters or partner.
        """
        payload = self._verified_payload(text)
        try:
            data = json.loads(payload)
            fields = (data["v"], data["k"], data["r"], data["c"], data["f"], data["s"])
            owner = str(data.get("p", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise _bad("the next token cannot be read") from None
        version, kind, root, collection, digest, after_seq = fields
        if version != _TOKEN_VERSION or not isinstance(after_seq, int) or after_seq < 0:
            raise _bad("the next token cannot be read")
        if root != api_root or collection != collection_id:
            raise _bad("the next token was issued for another collection")
        if kind != endpoint:
            raise _bad(f"the next token was issued for the {kind} endpoint, not {endpoint}")
        if not hmac.compare_digest(str(digest), filters):
            raise _bad("the next token was issued for other filters")
        if not hmac.compare_digest(owner.encode("utf-8"), partner.encode("utf-8")):
            raise _bad("the next token was issued to another partner")
        return after_seq

    def _verified_payload(self, text: str) -> bytes:
        if not isinstance(text, str) or len(text) > MAX_TOKEN_LENGTH or text.count(".") != 1:
            raise _bad("the next token cannot be read")
        encoded, _, signature = text.partition(".")
        try:
            payload = _b64decode(encoded)
            mac = _b64decode(signature)
        except (binascii.Error, ValueError):
            raise _bad("the next token cannot be read") from None
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise _bad("the next token is not valid: it was altered or issued by another node")
        return payload


def _bad(message: str) -> RequestError:
    return RequestError(
        f"{message}; send the next value of the previous response unchanged, with the same"
        " filters, or start again without next",
        400,
    )
