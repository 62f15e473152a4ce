"""The case viewer's sign-in sessions, kept in the node's database (schema migration 8).

Implements "Sessions" of docs/adr/0015-case-viewer.md:

* a session id is 32 random bytes (``secrets.token_urlsafe``); the database
  keeps only its SHA-256 digest;
* a session ends after ``idle`` without a request, at ``lifetime`` after
  sign-in whatever happens, and at sign-out (its row is deleted);
* every request reads the account again: a partner revoked or removed, or an
  operator account no longer in the configuration, or an account whose
  password was changed (the row keeps a SHA-256 of the password hash signed in
  with), finds its sessions deleted on its next request, and a changed
  clearance applies at once;
* the CSRF token of a session is an HMAC of a fixed label keyed by the
  session id (a synchronizer token that needs no storage, and that no copy of
  the database can compute).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import sqlalchemy as sa

from infoshare_server.access import Partner, operator_account
from infoshare_server.access._directory import active_credentials
from infoshare_server.storage import Store
from infoshare_server.storage._viewer_migration import viewer_sessions

AccountKind = Literal["partner", "operator"]

#: ``seen_at`` is written at most this often (one write per minute, not per request).
_TOUCH_EVERY = timedelta(seconds=60)
#: Longest session id looked at (ours are 43 characters).
_MAX_ID = 128
_CSRF_LABEL = b"infoshare viewer: CSRF synchronizer token"


def digest(session_id: str) -> str:
    """The stored form of a session id."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def csrf_token(session_id: str) -> str:
    """The synchronizer token every form of the session carries."""
    return hmac.new(session_id.encode("utf-8"), _CSRF_LABEL, hashlib.sha256).hexdigest()


def csrf_ok(session_id: str, token: str | None) -> bool:
    """True if ``token`` is the session's CSRF token (constant-time comparison)."""
    if not token or len(token) > _MAX_ID:
        return False
    return hmac.compare_digest(csrf_token(session_id), token)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Session:
    """A live session and the account it belongs to, as of this request."""

    session_id: str
    partner: Partner
    kind: AccountKind
    language: str | None

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_id)


class Sessions:
    """Create, find and end sessions in ``store``."""

    def __init__(
        self,
        store: Store,
        *,
        operators: Mapping[str, str],
        idle: timedelta,
        lifetime: timedelta,
    ) -> None:
        self.store = store
        self.operators = operators
        self.idle = idle
        self.lifetime = lifetime

    def start(self, partner: Partner, *, language: str | None = None) -> str:
        """A new session for ``partner`` (just authenticated); returns its id."""
        session_id = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        kind: AccountKind = "operator" if partner.operator else "partner"
        found = self._account(kind, partner.id)
        if found is None:
            raise LookupError(f"the account {partner.id!r} has no password to sign in with")
        with self.store.writing() as connection:
            connection.execute(
                sa.delete(viewer_sessions).where(viewer_sessions.c.expires_at < _stamp(now))
            )
            connection.execute(
                sa.insert(viewer_sessions).values(
                    id_digest=digest(session_id),
                    account=partner.id,
                    kind=kind,
                    created_at=_stamp(now),
                    seen_at=_stamp(now),
                    expires_at=_stamp(now + self.lifetime),
                    credential=found[1],
                    language=language,
                )
            )
        return session_id

    def find(self, session_id: str | None) -> Session | None:
        """The live session of ``session_id``, or None (unknown, expired or account gone).

        An expired session, or one whose account no longer exists or is
        revoked, is deleted here.
        """
        if not session_id or len(session_id) > _MAX_ID:
            return None
        key = digest(session_id)
        now = datetime.now(UTC)
        with self.store.reading() as connection:
            row = connection.execute(
                sa.select(viewer_sessions).where(viewer_sessions.c.id_digest == key)
            ).first()
        if row is None:
            return None
        record = row._mapping
        expired = (
            _parse(record["expires_at"]) <= now or _parse(record["seen_at"]) + self.idle <= now
        )
        found = None if expired else self._account(record["kind"], record["account"])
        if found is None or not hmac.compare_digest(found[1], record["credential"]):
            self._delete(key)
            return None
        partner = found[0]
        if now - _parse(record["seen_at"]) >= _TOUCH_EVERY:
            with self.store.writing(durable=False) as connection:
                connection.execute(
                    sa.update(viewer_sessions)
                    .where(viewer_sessions.c.id_digest == key)
                    .values(seen_at=_stamp(now))
                )
        return Session(session_id, partner, record["kind"], record["language"])

    def _account(self, kind: str, account: str) -> tuple[Partner, str] | None:
        """The account as it is now and the digest of its password hash, or None if it
        no longer exists, is revoked or has no password (one indexed query)."""
        if kind == "operator":
            stored = self.operators.get(account)
            return None if stored is None else (operator_account(account), _fingerprint(stored))
        with self.store.reading() as connection:
            found = active_credentials(connection, "password", account)
        if not found or found[-1].secret_hash is None:
            return None
        return found[-1].partner, _fingerprint(found[-1].secret_hash)

    def set_language(self, session_id: str, language: str) -> None:
        with self.store.writing(durable=False) as connection:
            connection.execute(
                sa.update(viewer_sessions)
                .where(viewer_sessions.c.id_digest == digest(session_id))
                .values(language=language)
            )

    def end(self, session_id: str) -> None:
        """Sign-out: the session's row is deleted."""
        self._delete(digest(session_id))

    def end_all(self, kind: AccountKind, account: str) -> int:
        """Delete every session of an account; how many there were."""
        with self.store.writing() as connection:
            result = connection.execute(
                sa.delete(viewer_sessions).where(
                    viewer_sessions.c.kind == kind, viewer_sessions.c.account == account
                )
            )
            return int(result.rowcount or 0)

    def _delete(self, key: str) -> None:
        with self.store.writing() as connection:
            connection.execute(sa.delete(viewer_sessions).where(viewer_sessions.c.id_digest == key))
