"""Authentication: HTTP Basic, Bearer API tokens and client certificates → a partner.

Implements "Credentials" of docs/adr/0006-partner-access.md:

* ``Authorization: Basic`` — the node's operator accounts (``[[users]]`` in the
  configuration, scrypt hashes, see ``auth.py``) are checked first, then the
  partners' argon2id password hashes in the database.
* ``Authorization: Bearer isk_<prefix>_<secret>`` — found by its public
  prefix, compared as SHA-256 digests in constant time.
* a verified client certificate (mutual TLS, put into the WSGI environ by the
  serving layer) — found by its SHA-256 fingerprint, else by its subject.

If a request carries both a certificate that maps to a partner and an
``Authorization`` header, both must name the same partner.

The credential row is read from the database on every request (one indexed
query), so revocation takes effect at once. argon2id is slow on purpose and
HTTP Basic sends the password with every request, so a worker remembers
successful password checks keyed by an HMAC (per-process random key) of the
credential, the password and its stored hash: a remembered check is used
only while that very credential row is still active and unchanged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from infoshare_server.access._certificates import ClientCertificate, certificate_lookups
from infoshare_server.access._directory import ActiveCredential, active_credentials
from infoshare_server.access._model import Partner
from infoshare_server.access._secrets import (
    DECOY_HASH,
    token_digest,
    token_matches,
    token_prefix,
    verify_password,
)
from infoshare_server.auth import UserDirectory
from infoshare_server.storage import Store

_REMEMBER_SECONDS = 300.0
_REMEMBER_MAX = 1024
#: Longest user name or password looked at.
_MAX_FIELD = 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of authenticating one request: a partner, or why not."""

    partner: Partner | None
    #: The name (Basic user name, token prefix, certificate subject) that was tried.
    attempted: str | None
    reason: str


def parse_authorization(header: str | None) -> tuple[str, str, str] | None:
    """(scheme, first, second) of an Authorization header: ("basic", user, password) or
    ("bearer", token, ""); None when there is no header; ("invalid", "", "") otherwise."""
    if header is None or not header.strip():
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return ("invalid", "", "")
        user, colon, password = decoded.partition(":")
        if not colon:
            return ("invalid", "", "")
        return ("basic", user, password)
    if scheme.lower() == "bearer" and value:
        return ("bearer", value, "")
    return ("invalid", "", "")


class Authenticator:
    """Maps a request's credentials to a :class:`Partner`. One per worker."""

    def __init__(self, store: Store | None, operators: Mapping[str, str] | None = None) -> None:
        """``store`` holds the partners (None: only the operator accounts exist)."""
        self.store = store
        self.operators = UserDirectory(dict(operators or {}))
        self._key = secrets.token_bytes(32)
        self._remembered: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(
        self, authorization: str | None, certificate: ClientCertificate | None = None
    ) -> Outcome:
        by_certificate = self._by_certificate(certificate) if certificate is not None else None
        parsed = parse_authorization(authorization)
        if parsed is None:
            if by_certificate is not None:
                return Outcome(by_certificate, by_certificate.id, "client certificate")
            attempted = certificate.subject[:200] if certificate is not None else None
            return Outcome(None, attempted, "no credentials")
        scheme, first, second = parsed
        if scheme == "basic":
            outcome = self._basic(first[:_MAX_FIELD], second[:_MAX_FIELD])
        elif scheme == "bearer":
            outcome = self._bearer(first[:_MAX_FIELD])
        else:
            outcome = Outcome(None, None, "malformed Authorization header")
        if (
            outcome.partner is not None
            and by_certificate is not None
            and outcome.partner.id != by_certificate.id
        ):
            return Outcome(None, outcome.partner.id, "certificate names another partner")
        return outcome

    def _basic(self, user: str, password: str) -> Outcome:
        if not user or not password:
            verify_password("x", DECOY_HASH)
            return Outcome(None, user or None, "empty user name or password")
        if user in self.operators:
            if self.operators.check(user, password):
                operator = Partner(
                    id=user, name=user, identity_id=None, is_admin=True,
                    clearance="amber+strict", operator=True,
                )  # fmt: skip
                return Outcome(operator, user, "operator password")
            return Outcome(None, user, "wrong password")
        found: Sequence[ActiveCredential] = ()
        if self.store is not None:
            with self.store.reading() as connection:
                found = active_credentials(connection, "password", user)
        if not found:
            verify_password(password, DECOY_HASH)
            return Outcome(None, user, "unknown user or revoked")
        credential = found[-1]
        assert credential.secret_hash is not None
        if self._password_ok(credential.pk, password, credential.secret_hash):
            return Outcome(credential.partner, user, "password")
        return Outcome(None, user, "wrong password")

    def _password_ok(self, credential_pk: int, password: str, stored: str) -> bool:
        mark = hmac.new(
            self._key,
            b"\0".join(
                (
                    str(credential_pk).encode(),
                    password.encode("utf-8", "replace"),
                    stored.encode("utf-8"),
                )
            ),
            hashlib.sha256,
        ).digest()
        now = time.monotonic()
        with self._lock:
            seen = self._remembered.get(mark)
            if seen is not None and now - seen < _REMEMBER_SECONDS:
                return True
        if not verify_password(password, stored):
            return False
        with self._lock:
            self._remembered[mark] = now
            self._remembered.move_to_end(mark)
            while len(self._remembered) > _REMEMBER_MAX:
                self._remembered.popitem(last=False)
        return True

    def _bearer(self, token: str) -> Outcome:
        prefix = token_prefix(token)
        if prefix is None:
            return Outcome(None, None, "not an infoshare API token")
        found: Sequence[ActiveCredential] = ()
        if self.store is not None:
            with self.store.reading() as connection:
                found = active_credentials(connection, "token", prefix)
        attempted = f"token {prefix}"
        if not found:
            token_matches(token, token_digest("decoy"))
            return Outcome(None, attempted, "unknown or revoked token")
        for credential in found:
            if credential.secret_hash is not None and token_matches(token, credential.secret_hash):
                return Outcome(credential.partner, credential.partner.id, "token")
        return Outcome(None, attempted, "wrong token")

    def _by_certificate(self, certificate: ClientCertificate) -> Partner | None:
        if self.store is None:
            return None
        with self.store.reading() as connection:
            for lookup in certificate_lookups(certificate):
                found = active_credentials(connection, "certificate", lookup)
                if found:
                    return found[0].partner
        return None
