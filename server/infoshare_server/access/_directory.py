"""Partners, credentials and grants in the node's database (schema migration 2).

Implements the storage of docs/adr/0006-partner-access.md ("Partners",
"Credentials", "Rights"). Everything is read from the database on every
request, so a change made with ``infoshare partner`` (in any process) takes
effect at once in every worker: a revoked partner or credential stops
working with the next request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.access._model import CLEARANCES, PARTNER_ID, Clearance, Partner, Rights
from infoshare_server.access._secrets import NewToken, new_token
from infoshare_server.errors import NodeError
from infoshare_server.storage import Store
from infoshare_server.storage import _tables as t

CredentialKind = str  # "password", "token" or "certificate"


class PartnerError(NodeError):
    """A partner command cannot be carried out (unknown partner, bad value...)."""


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    """A partner as stored."""

    pk: int
    partner_id: str
    name: str
    identity_id: str | None
    is_admin: bool
    clearance: Clearance
    created_at: str
    revoked_at: str | None

    def partner(self) -> Partner:
        return Partner(
            id=self.partner_id,
            name=self.name,
            identity_id=self.identity_id,
            is_admin=self.is_admin,
            clearance=self.clearance,
        )


@dataclass(frozen=True, slots=True)
class ActiveCredential:
    """A credential that is not revoked, of a partner that is not revoked."""

    pk: int
    secret_hash: str | None
    partner: Partner


def _record(row: sa.Row[tuple[object, ...]]) -> PartnerRecord:
    p = row._mapping
    return PartnerRecord(
        int(p["pk"]), p["partner_id"], p["name"], p["identity_id"], bool(p["is_admin"]),
        p["clearance"], p["created_at"], p["revoked_at"],
    )  # fmt: skip


def check_partner_id(partner_id: str) -> str:
    if not PARTNER_ID.match(partner_id):
        raise PartnerError(
            f"partner id {partner_id[:80]!r} is not allowed",
            hint="use 2-63 lowercase letters, digits, dots, dashes or underscores,"
            " starting with a letter or digit (e.g. coastal-agency)",
        )
    return partner_id


def check_clearance(clearance: str) -> Clearance:
    if clearance not in CLEARANCES:
        raise PartnerError(
            f"clearance {clearance!r} is not one of {', '.join(CLEARANCES)}",
            hint="RED is not a clearance: name the partner a RED recipient of a collection"
            " with `infoshare partner grant … --red`",
        )
    return clearance


class Directory:
    """Partner management over a :class:`~infoshare_server.storage.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- partners ---------------------------------------------------------------------

    def add(
        self,
        partner_id: str,
        name: str,
        *,
        identity_id: str | None = None,
        is_admin: bool = False,
        clearance: str = "green",
    ) -> PartnerRecord:
        check_partner_id(partner_id)
        level = check_clearance(clearance)
        with self.store.writing() as connection:
            if _find(connection, partner_id) is not None:
                raise PartnerError(f"partner {partner_id!r} already exists")
            connection.execute(
                sa.insert(t.partners).values(
                    partner_id=partner_id, name=name or partner_id, identity_id=identity_id,
                    is_admin=is_admin, clearance=level, created_at=now_text(), revoked_at=None,
                )
            )  # fmt: skip
            record = _find(connection, partner_id)
        assert record is not None
        return record

    def get(self, partner_id: str) -> PartnerRecord | None:
        with self.store.reading() as connection:
            return _find(connection, partner_id)

    def require(self, connection: Connection, partner_id: str) -> PartnerRecord:
        record = _find(connection, partner_id)
        if record is None:
            raise PartnerError(
                f"no partner {partner_id!r}", hint="see `infoshare partner list --config …`"
            )
        return record

    def all(self) -> list[PartnerRecord]:
        with self.store.reading() as connection:
            rows = connection.execute(sa.select(t.partners).order_by(t.partners.c.partner_id))
            return [_record(row) for row in rows]

    def update(
        self,
        partner_id: str,
        *,
        clearance: str | None = None,
        is_admin: bool | None = None,
        identity_id: str | None = None,
    ) -> PartnerRecord:
        values: dict[str, object] = {}
        if clearance is not None:
            values["clearance"] = check_clearance(clearance)
        if is_admin is not None:
            values["is_admin"] = is_admin
        if identity_id is not None:
            values["identity_id"] = identity_id
        with self.store.writing() as connection:
            record = self.require(connection, partner_id)
            if values:
                connection.execute(
                    sa.update(t.partners).where(t.partners.c.pk == record.pk).values(**values)
                )
            updated = _find(connection, partner_id)
        assert updated is not None
        return updated

    def revoke(self, partner_id: str) -> None:
        """Revoke the partner and every credential it holds (effective at once)."""
        stamp = now_text()
        with self.store.writing() as connection:
            record = self.require(connection, partner_id)
            connection.execute(
                sa.update(t.partners).where(t.partners.c.pk == record.pk).values(revoked_at=stamp)
            )
            _revoke_credentials(connection, record.pk, None, stamp)

    # --- credentials ------------------------------------------------------------------

    def set_password(self, partner_id: str, password_hash: str) -> None:
        """Replace the partner's password (the old one stops working at once)."""
        with self.store.writing() as connection:
            record = self.require(connection, partner_id)
            stamp = now_text()
            _revoke_credentials(connection, record.pk, "password", stamp)
            _insert_credential(connection, record.pk, "password", partner_id, password_hash, stamp)

    def issue_token(self, partner_id: str, *, replace: bool = True) -> NewToken:
        """A new API token for the partner; with ``replace``, its other tokens are revoked."""
        token = new_token()
        with self.store.writing() as connection:
            record = self.require(connection, partner_id)
            stamp = now_text()
            if replace:
                _revoke_credentials(connection, record.pk, "token", stamp)
            _insert_credential(connection, record.pk, "token", token.prefix, token.digest, stamp)
        return token

    def revoke_token(self, partner_id: str, prefix: str) -> bool:
        with self.store.writing() as connection:
            record = self.require(connection, partner_id)
            c = t.credentials
            result = connection.execute(
                sa.update(c)
                .where(c.c.partner_pk == record.pk, c.c.kind == "token", c.c.lookup == prefix)
                .where(c.c.revoked_at.is_(None))
                .values(revoked_at=now_text())
            )
            return bool(result.rowcount)

    def add_certificate(self, partner_id: str, lookup: str) -> None:
        """Map a client certificate (``sha256:…`` or ``subject:…`` lookup) to the partner."""
        with self.store.writing() as connection:
            record = self.require(connection, partner_id)
            for other in _active(connection, "certificate", lookup):
                raise PartnerError(
                    f"that certificate already belongs to partner {other.partner.id!r}"
                )
            _insert_credential(connection, record.pk, "certificate", lookup, None, now_text())

    def credentials_of(self, partner_id: str) -> list[tuple[str, str, str, str | None]]:
        """(kind, lookup, created_at, revoked_at) of every credential the partner had."""
        with self.store.reading() as connection:
            record = self.require(connection, partner_id)
            c = t.credentials
            rows = connection.execute(
                sa.select(c.c.kind, c.c.lookup, c.c.created_at, c.c.revoked_at)
                .where(c.c.partner_pk == record.pk)
                .order_by(c.c.pk)
            )
            return [(r.kind, r.lookup, r.created_at, r.revoked_at) for r in rows]

    # --- grants -----------------------------------------------------------------------

    def grant(
        self,
        partner_id: str,
        collection_pk: int,
        rights: Rights,
        *,
        operator: bool = False,
    ) -> None:
        """Set the partner's rights in one collection (replacing what was there)."""
        with self.store.writing() as connection:
            is_admin = operator or self.require(connection, partner_id).is_admin
            if rights.delete and not is_admin:
                raise PartnerError(
                    f"partner {partner_id!r} is not an administrator: only administrators may"
                    " delete",
                    hint="make it one with `infoshare partner set … --admin`, or leave out"
                    " --delete",
                )
            g = t.grants
            connection.execute(
                sa.delete(g).where(g.c.partner_id == partner_id, g.c.collection_pk == collection_pk)
            )
            if rights.read or rights.write or rights.delete or rights.red_recipient:
                connection.execute(
                    sa.insert(g).values(
                        partner_id=partner_id, collection_pk=collection_pk,
                        can_read=rights.read, can_write=rights.write,
                        can_delete=rights.delete, red_recipient=rights.red_recipient,
                    )
                )  # fmt: skip

    def grants_of(self, partner_id: str) -> dict[int, Rights]:
        with self.store.reading() as connection:
            return grants_of(connection, partner_id)


def grants_of(connection: Connection, partner_id: str) -> dict[int, Rights]:
    """The partner's stored rights, by collection key."""
    g = t.grants
    rows = connection.execute(sa.select(g).where(g.c.partner_id == partner_id))
    return {
        int(r.collection_pk): Rights(
            bool(r.can_read), bool(r.can_write), bool(r.can_delete), bool(r.red_recipient)
        )
        for r in rows
    }


#: Built once: every request runs it, and building a statement costs more than running it.
_GRANT = sa.select(t.grants).where(
    t.grants.c.partner_id == sa.bindparam("partner_id"),
    t.grants.c.collection_pk == sa.bindparam("collection_pk"),
)


def grant_of(connection: Connection, partner_id: str, collection_pk: int) -> Rights | None:
    row = connection.execute(
        _GRANT, {"partner_id": partner_id, "collection_pk": collection_pk}
    ).first()
    if row is None:
        return None
    return Rights(
        bool(row.can_read), bool(row.can_write), bool(row.can_delete), bool(row.red_recipient)
    )


def active_credentials(
    connection: Connection, kind: CredentialKind, lookup: str
) -> Sequence[ActiveCredential]:
    """The credentials of ``kind`` with ``lookup`` that work now (one indexed query)."""
    return _active(connection, kind, lookup)


def _active(connection: Connection, kind: str, lookup: str) -> list[ActiveCredential]:
    c, p = t.credentials, t.partners
    rows = connection.execute(
        sa.select(c.c.pk.label("credential_pk"), c.c.secret_hash, p)
        .select_from(c.join(p, p.c.pk == c.c.partner_pk))
        .where(c.c.kind == kind, c.c.lookup == lookup)
        .where(c.c.revoked_at.is_(None), p.c.revoked_at.is_(None))
        .order_by(c.c.pk)
    )
    return [
        ActiveCredential(int(row.credential_pk), row.secret_hash, _record(row).partner())
        for row in rows
    ]


def _find(connection: Connection, partner_id: str) -> PartnerRecord | None:
    row = connection.execute(
        sa.select(t.partners).where(t.partners.c.partner_id == partner_id)
    ).first()
    return _record(row) if row is not None else None


def _insert_credential(
    connection: Connection, partner_pk: int, kind: str, lookup: str, secret: str | None, stamp: str
) -> None:
    connection.execute(
        sa.insert(t.credentials).values(
            partner_pk=partner_pk, kind=kind, lookup=lookup, secret_hash=secret,
            created_at=stamp, revoked_at=None,
        )
    )  # fmt: skip


def _revoke_credentials(
    connection: Connection, partner_pk: int, kind: str | None, stamp: str
) -> None:
    c = t.credentials
    stmt = sa.update(c).where(c.c.partner_pk == partner_pk, c.c.revoked_at.is_(None))
    if kind is not None:
        stmt = stmt.where(c.c.kind == kind)
    connection.execute(stmt.values(revoked_at=stamp))
