"""Authentication: HTTP Basic, Bearer API tokens and client certificates → a partner.

Implements "Credentials" of docs/adr/0006-partner-access.md:

* ``Authorization: Basic`` — a user name is an operator account (``[[users]]``
  in the configuration) or a partner (in the database); both hold argon2id
  hashes (``_secrets``), checked by one code path and one login cache.
* ``Authorization: Bearer isk_<prefix>_<secret>`` — found by its public
  prefix, compared as SHA-256 digests in constant time.
* a verified client certificate (mutual TLS, put into the WSGI environ by the
  serving layer) — found by its SHA-256 fingerprint, else by its subject.

If a request carries both a certificate that maps to a partner and an
``Authorization`` header, both must name the same partner.

The credential row is read from the database on every request (one indexed
query), so revocation takes effect at once. argon2id is slow on purpose and
HTTP Basic sends the password with every request, so a worker remembers
successful password checks (:class:`PasswordChecks`) keyed by an HMAC
(per-process random key) of the account, the password and its stored hash: a
remembered check is used only while that very account and hash still exist.

**Equal timing.** Whether a user name is an operator, a partner or nobody,
the node does the same work: it reads the partner credentials from the
database and verifies the password against one argon2id hash — the
account's, or a decoy hash when the name is unknown or empty. Only a
correct password seen before is faster, and only for someone who knows it
(measured in docs/adr/0009-one-policy-object.md).
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
from infoshare_server.access._policy import operator_account
from infoshare_server.access._secrets import (
    DECOY_HASH,
    token_digest,
    token_matches,
    token_prefix,
    verify_password,
)
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


def _storable(name: str) -> str:
    """``name`` with NUL replaced by U+FFFD: PostgreSQL text cannot hold NUL, so a name
    with one would fail the lookup and the audit entry of the failed login. No account
    name holds either character, so the replaced name still matches nothing."""
    return name.replace("\x00", "\ufffd")


class PasswordChecks:
    """The one login cache: argon2id checks, remembering recent successes for a while.

    ``verifications`` counts the argon2id computations made (decoys included):
    the equal-timing tests assert that every failed login costs exactly one.
    """

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._remembered: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()
        self.verifications = 0

    def check(self, account: str, password: str, stored: str | None) -> bool:
        """True if ``password`` matches ``stored``, the hash of ``account``.

        ``stored`` None (no such account) costs the same argon2id check against a
        decoy hash and is always False.
        """
        if stored is None:
            self._verify(password, DECOY_HASH)
            return False
        mark = hmac.new(
            self._key,
            b"\0".join(part.encode("utf-8", "replace") for part in (account, password, stored)),
            hashlib.sha256,
        ).digest()
        now = time.monotonic()
        with self._lock:
            seen = self._remembered.get(mark)
            if seen is not None and now - seen < _REMEMBER_SECONDS:
                return True
        if not self._verify(password, stored):
            return False
        with self._lock:
            self._remembered[mark] = now
            self._remembered.move_to_end(mark)
            while len(self._remembered) > _REMEMBER_MAX:
                self._remembered.popitem(last=False)
        return True

    def _verify(self, password: str, stored: str) -> bool:
        with self._lock:
            self.verifications += 1
        return verify_password(password, stored)


class Authenticator:
    """Maps a request's credentials to a :class:`Partner`. One per worker."""

    def __init__(self, store: Store | None, operators: Mapping[str, str] | None = None) -> None:
        """``store`` holds the partners (None: only the operator accounts exist);
        ``operators`` maps each operator account name to its argon2id hash."""
        self.store = store
        self.operators = dict(operators or {})
        self.passwords = PasswordChecks()

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
            outcome = self.authenticate_password(first, second)
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

    def authenticate_password(self, user: str, password: str) -> Outcome:
        """HTTP Basic's check of a name and password that came another way (the case
        viewer's sign-in form): the same lookup, argon2id check, cache and timing."""
        return self._basic(_storable(user[:_MAX_FIELD]), password[:_MAX_FIELD])

    def _basic(self, user: str, password: str) -> Outcome:
        """One path for every name: the same query and one argon2id check (see above)."""
        account, stored = self._password_account(user)
        if not password:
            account, stored = None, None  # still one decoy check, like any other failure
        if self.passwords.check(user, password, stored) and account is not None:
            return Outcome(account, user, "password")
        if not user or not password:
            reason = "empty user name or password"
        else:
            reason = "wrong password" if account is not None else "unknown user or revoked"
        return Outcome(None, user or None, reason)

    def _password_account(self, user: str) -> tuple[Partner | None, str | None]:
        """The account named ``user`` and its stored hash, or (None, None).

        The partner credentials are read whatever the name, so an operator
        name costs the same database query as a partner's or an unknown one.
        """
        found: Sequence[ActiveCredential] = ()
        if self.store is not None and user:
            with self.store.reading() as connection:
                found = active_credentials(connection, "password", user)
        operator_hash = self.operators.get(user) if user else None
        if operator_hash is not None:
            return operator_account(user), operator_hash
        if found:
            credential = found[-1]
            return credential.partner, credential.secret_hash
        return None, None

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
