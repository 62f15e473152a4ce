"""Stateless, opaque ``next`` tokens for keyset paging (TAXII 2.1 §3.4.3).

Implements the paging design of docs/adr/0004-sql-storage.md. A token
carries everything needed to serve the next page, so any worker (and any
instance sharing the node's paging secret) can serve it and nothing is kept
between requests:

* the endpoint kind (objects, manifest, object, versions),
* the API root and collection it was issued for,
* a digest of the request's filters in canonical form (comma lists split,
  de-duplicated and sorted; ``limit`` and ``next`` left out; for the object
  and versions endpoints, the object id),
* the keyset position: the ``seq`` of the last row of the page,
* the partner it was issued to (docs/adr/0006-partner-access.md): a token is
  useless to anyone else.

**Opaque.** ``seq`` is node-wide: a readable position would let a client
count the rows hidden from it between two pages. So the token is sealed with
AES-256-GCM (authenticated encryption): nothing in it can be read, and
nothing changed without detection. The key is derived from the node's paging
secret with HKDF-SHA256 and the purpose label :data:`KEY_LABEL`, so the
secret itself never keys anything else the same way. The plaintext is padded
to a multiple of :data:`_PAD` bytes, so not even the token's length follows
the position.

Format: ``base64url(version || nonce(12) || ciphertext || tag(16))``, no
padding; ``version`` is one byte (:data:`_TOKEN_VERSION`), also bound as
associated data. Opening a token checks the tag first; then the kind,
collection, filters and partner must be those of the request. Any failure is
a :class:`~infoshare_server.errors.RequestError` (HTTP 400) that says which.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from infoshare_server.errors import RequestError

#: What a token pages: a TAXII endpoint, or the case viewer's list of cases (whose
#: keyset runs backwards, newest first, over every collection the reader may read).
Endpoint = Literal["objects", "manifest", "object", "versions", "cases"]

#: The filter parameters that shape a result (TAXII 2.1 §3.4.1, §3.4.2).
FILTER_KEYS = ("added_after", "match[id]", "match[spec_version]", "match[type]", "match[version]")

#: Version 1 tokens were signed but readable; version 2 tokens are sealed.
_TOKEN_VERSION = 2
#: HKDF ``info``: the paging key is used for this purpose only.
KEY_LABEL = b"infoshare node: next-token sealing key, version 2"
_NONCE_BYTES = 12
_TAG_BYTES = 16
#: The plaintext is padded to a multiple of this many bytes.
_PAD = 64
#: Digits of the position in the plaintext (a BIGINT has at most 19).
_SEQ_DIGITS = 20
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
    #: The keyset position: the ``seq`` of the last row served (sealed in the token).
    after_seq: int
    #: The id of the partner the token was issued to ("" when there is none).
    partner: str = ""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def paging_key(secret: bytes) -> bytes:
    """The 256-bit token key derived from the node's paging secret (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(secret)


class PageSigner:
    """Issues and opens sealed ``next`` tokens with a key derived from the node's secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the paging secret must be at least 16 bytes")
        self._aead = AESGCM(paging_key(secret))
        self._header = bytes([_TOKEN_VERSION])

    def issue(self, token: PageToken) -> str:
        """A sealed token for ``token``: a fresh random nonce each time."""
        if not 0 <= token.after_seq < 10**_SEQ_DIGITS:
            raise ValueError(f"a keyset position must be 0 to 10**{_SEQ_DIGITS} - 1")
        plaintext = json.dumps(
            {
                "k": token.endpoint,
                "r": token.api_root,
                "c": token.collection_id,
                "f": token.filters,
                # Fixed width, so the plaintext's length never depends on the position.
                "s": f"{token.after_seq:0{_SEQ_DIGITS}d}",
                "p": token.partner,
            },
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode("ascii")
        plaintext += b" " * (-len(plaintext) % _PAD)  # JSON allows trailing blanks
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, self._header)
        return _b64encode(self._header + nonce + sealed)

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
        truncated, altered, issued by another node, or issued for another
        endpoint, collection, set of filters or partner.
        """
        plaintext = self._opened(text)
        try:
            data = json.loads(plaintext)
            fields = (data["k"], data["r"], data["c"], data["f"], data["s"], data["p"])
        except (ValueError, KeyError, TypeError):
            raise _bad("the next token cannot be read") from None
        kind, root, collection, digest, after_seq, owner = fields
        if not isinstance(after_seq, str) or len(after_seq) != _SEQ_DIGITS:
            raise _bad("the next token cannot be read")
        if not (after_seq.isascii() and after_seq.isdigit()):
            raise _bad("the next token cannot be read")
        if root != api_root or collection != collection_id:
            raise _bad("the next token was issued for another collection")
        if kind != endpoint:
            raise _bad(f"the next token was issued for the {kind} endpoint, not {endpoint}")
        if not hmac.compare_digest(str(digest), filters):
            raise _bad("the next token was issued for other filters")
        if not hmac.compare_digest(str(owner).encode("utf-8"), partner.encode("utf-8")):
            raise _bad("the next token was issued to another partner")
        return int(after_seq)

    def _opened(self, text: str) -> bytes:
        """The plaintext of a sealed token; 400 unless it is whole and was sealed here."""
        if not isinstance(text, str) or len(text) > MAX_TOKEN_LENGTH or not text.isascii():
            raise _bad("the next token cannot be read")
        try:
            raw = base64.b64decode(
                text.encode("ascii") + b"=" * (-len(text) % 4), altchars=b"-_", validate=True
            )
        except (binascii.Error, ValueError):
            raise _bad("the next token cannot be read") from None
        body = len(raw) - 1 - _NONCE_BYTES - _TAG_BYTES
        if body < _PAD or body % _PAD or raw[:1] != self._header:
            raise _bad("the next token cannot be read (truncated, or from an older node version)")
        nonce, sealed = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, self._header)
        except InvalidTag:
            raise _bad(
                "the next token is not valid: it was altered or issued by another node"
            ) from None


def _bad(message: str) -> RequestError:
    return RequestError(
        f"{message}; send the next value of the previous response unchanged, with the same"
        " filters, or start again without next",
        400,
    )
