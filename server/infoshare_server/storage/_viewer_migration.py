"""Schema migration 8: the case viewer's sign-in sessions.

Implements "Sessions" of docs/adr/0015-case-viewer.md. A row per signed-in
browser; the session id itself is never stored, only its SHA-256 digest, so
a copy of the database cannot be turned into a signed-in browser. Who the
session belongs to is an account name (a partner id, or an operator account
of ``[[users]]``) and its kind; the partner's rights and clearance are read
again on every request, so a partner revoked or removed loses its sessions at
once, and so does one whose password was changed (``viewer/sessions.py``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage import _tables as t

viewer_sessions = sa.Table(
    "viewer_sessions",
    t.metadata,
    #: Hex SHA-256 of the session id the browser holds in its cookie.
    sa.Column("id_digest", sa.String(64), primary_key=True),
    #: A partner id, or an operator account name.
    sa.Column("account", sa.Text, nullable=False),
    #: "partner" or "operator".
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    #: Last request seen (updated at most once a minute): the idle timeout counts from here.
    sa.Column("seen_at", sa.Text, nullable=False),
    #: The session ends at this moment whatever happens (absolute lifetime).
    sa.Column("expires_at", sa.Text, nullable=False),
    #: SHA-256 of the password hash the account signed in with: a new password (or
    #: none) ends the session.
    sa.Column("credential", sa.String(64), nullable=False),
    #: The interface language chosen while signed in (BCP 47), or None.
    sa.Column("language", sa.Text, nullable=True),
)
sa.Index("ix_viewer_sessions_account", viewer_sessions.c.kind, viewer_sessions.c.account)
sa.Index("ix_viewer_sessions_expires_at", viewer_sessions.c.expires_at)


def apply_viewer_sessions(connection: Connection) -> None:
    """Migration 8 (runs inside the migration transaction)."""
    t.metadata.create_all(connection, tables=[viewer_sessions])
