"""The node's tables (SQLAlchemy Core), in their latest form.

Implements the storage layout of docs/adr/0004-sql-storage.md. The
migrations in ``_migrations.py`` create and change these tables; a change
here always comes with a new migration step.

* ``objects`` holds every stored version of every object. ``seq`` is the
  node-wide, strictly increasing position of a row: it orders results and is
  the keyset that ``next`` tokens carry (sealed: clients never see it).
  ``date_added`` is the time of the add request that stored the row, shared by
  every row of that request and strictly increasing from one request to the
  next (see ``node_clock``), so ordering by ``seq`` is ordering by
  ``(date_added, seq)``, and ``date_added`` reveals nothing about rows a reader
  cannot see. Databases written before this rule (one microsecond per row)
  satisfy the same order. ``body`` is the JSON text exactly as received.
* ``node_clock`` is one row: the last ``seq`` and ``date_added`` handed out.
  Writers lock it for the length of their transaction, which makes commit
  order, ``seq`` order and ``date_added`` order the same on every database.
* ``statuses`` and ``status_details`` keep the status resource of every add,
  with ``created_at`` so they can be purged after the retention period.

Every filter has an index: ``(collection, seq)`` for paging,
``(collection, object_id, version_key)`` for match[id], match[version],
duplicates and the versions of one object (latest spec_version included),
``(collection, object_type, seq)`` for match[type] and
``(collection, date_added)`` for added_after. match[spec_version] is a
condition on the rows those indexes select (an object has few versions).
Migration 4 dropped ``(collection, object_id, spec_version)``: the unique
index answers the same lookups, and each index on random ids costs every
insert a random page. ``is_last`` (migration 4) marks the latest version of
each object, so the default read ("last" version of the latest spec version)
needs no per-row subquery. Migration 6 adds ``origin`` (the organisation a
version came from) and ``namespace`` (private copies of an organisation that
posted an id it could not see, docs/adr/0012-originator-control.md); the
unique key includes ``namespace``, and ``is_last`` is kept per namespace.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.Text, nullable=False),
)

node_clock = sa.Table(
    "node_clock",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("last_date_added", sa.Text, nullable=True),
)

api_roots = sa.Table(
    "api_roots",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
)

collections = sa.Table(
    "collections",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column("api_root_pk", sa.Integer, sa.ForeignKey("api_roots.pk"), nullable=False),
    sa.Column("collection_id", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    #: "profile" (FIMI profile enforced on ingest) or "stix" (plain STIX 2.1).
    sa.Column("mode", sa.Text, nullable=False),
    sa.UniqueConstraint("api_root_pk", "collection_id", name="uq_collections_root_id"),
)

objects = sa.Table(
    "objects",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("collection_pk", sa.Integer, sa.ForeignKey("collections.pk"), nullable=False),
    sa.Column("object_id", sa.Text, nullable=False),
    sa.Column("object_type", sa.Text, nullable=False),
    #: The version as clients see it: modified, else created, else date_added.
    sa.Column("version", sa.Text, nullable=False),
    #: The same instant, fixed width (nanoseconds): compared and ordered as text.
    sa.Column("version_key", sa.Text, nullable=False),
    sa.Column("spec_version", sa.Text, nullable=False),
    sa.Column("date_added", sa.Text, nullable=False),
    #: The object's JSON text exactly as it was received.
    sa.Column("body", sa.Text, nullable=False),
    #: Migration 2 (partner access): the object's TLP 2.0 level ("clear", "green",
    #: "amber", "amber+strict", "red"), None without a recognised TLP 2.0 marking.
    sa.Column("tlp", sa.Text, nullable=True),
    #: Migration 2: the id of the partner that submitted this version (None: unknown).
    sa.Column("submitter", sa.Text, nullable=True),
    #: Migration 4: this is the object's latest version: the highest spec_version and,
    #: within it, the highest version_key (maintained by every insert and delete).
    sa.Column("is_last", sa.Boolean, nullable=False, server_default=sa.false()),
    #: Migration 6 (originator control, docs/adr/0012-originator-control.md): the
    #: organisation this version came from: a partner id (its POST, or the partner
    #: record of the remote node it was pulled from), ``"@local"`` (the node's own
    #: organisation: operators) or ``"remote:<name>"`` (pulled from a remote without a
    #: partner record).
    sa.Column("origin", sa.Text, nullable=False, server_default="@local"),
    #: Migration 6: ``""`` for the collection's shared rows; otherwise the organisation
    #: whose private copy this is (it posted an id it could not see; served only to it).
    sa.Column("namespace", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint(
        "collection_pk",
        "object_id",
        "version_key",
        "namespace",
        name="uq_objects_collection_id_version",
    ),
)
sa.Index("ix_objects_collection_seq", objects.c.collection_pk, objects.c.seq)
sa.Index(
    "ix_objects_collection_type_seq",
    objects.c.collection_pk,
    objects.c.object_type,
    objects.c.seq,
)
sa.Index("ix_objects_collection_date_added", objects.c.collection_pk, objects.c.date_added)
#: Migration 6: the few private rows, found per organisation without touching the rest.
sa.Index(
    "ix_objects_private",
    objects.c.namespace,
    objects.c.collection_pk,
    objects.c.object_id,
    sqlite_where=objects.c.namespace != "",
    postgresql_where=objects.c.namespace != "",
)

statuses = sa.Table(
    "statuses",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column("status_id", sa.Text, nullable=False, unique=True),
    sa.Column("api_root_pk", sa.Integer, sa.ForeignKey("api_roots.pk"), nullable=False),
    sa.Column("collection_pk", sa.Integer, sa.ForeignKey("collections.pk"), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("request_timestamp", sa.Text, nullable=False),
    #: When the node stored this status (date_added form): purge key.
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("total_count", sa.Integer, nullable=False),
    sa.Column("success_count", sa.Integer, nullable=False),
    sa.Column("failure_count", sa.Integer, nullable=False),
    sa.Column("pending_count", sa.Integer, nullable=False),
    #: Migration 2: the partner that made the request (only it and admins see the status).
    sa.Column("partner_id", sa.Text, nullable=True),
)
sa.Index("ix_statuses_created_at", statuses.c.created_at)

status_details = sa.Table(
    "status_details",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column(
        "status_pk",
        sa.Integer,
        sa.ForeignKey("statuses.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    #: "success", "failure" or "pending".
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("object_id", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=True),
)
sa.Index("ix_status_details_status", status_details.c.status_pk, status_details.c.position)

#: The tables of schema version 1, in creation order.
VERSION_1_TABLES = (
    schema_version,
    node_clock,
    api_roots,
    collections,
    objects,
    statuses,
    status_details,
)

# --- Migration 2: partner access (docs/adr/0006-partner-access.md) ---------------------

#: Partners managed with ``infoshare partner`` (operator accounts of ``[[users]]`` live
#: in the configuration, not here).
partners = sa.Table(
    "partners",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    #: The stable partner key: HTTP Basic user name, audit and grant key.
    sa.Column("partner_id", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("identity_id", sa.Text, nullable=True),
    sa.Column("is_admin", sa.Boolean, nullable=False),
    #: Highest TLP level below RED the partner is cleared for: green, amber, amber+strict.
    sa.Column("clearance", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    #: Set when the partner is revoked: every credential stops working at once.
    sa.Column("revoked_at", sa.Text, nullable=True),
)

#: Credentials: a password (argon2id hash), API tokens (SHA-256 of the secret part,
#: looked up by their public prefix) and client certificates (fingerprint or subject).
credentials = sa.Table(
    "credentials",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column(
        "partner_pk", sa.Integer, sa.ForeignKey("partners.pk", ondelete="CASCADE"), nullable=False
    ),
    #: "password", "token" or "certificate".
    sa.Column("kind", sa.Text, nullable=False),
    #: password: the partner id; token: its public prefix; certificate:
    #: "sha256:<hex>" or "subject:<RFC 4514>".
    sa.Column("lookup", sa.Text, nullable=False),
    sa.Column("secret_hash", sa.Text, nullable=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.Text, nullable=True),
)
sa.Index("ix_credentials_kind_lookup", credentials.c.kind, credentials.c.lookup)

#: Per-collection rights of a partner (or of a ``[[users]]`` operator account, by name).
grants = sa.Table(
    "grants",
    metadata,
    sa.Column("partner_id", sa.Text, primary_key=True),
    sa.Column("collection_pk", sa.Integer, sa.ForeignKey("collections.pk"), primary_key=True),
    sa.Column("can_read", sa.Boolean, nullable=False),
    sa.Column("can_write", sa.Boolean, nullable=False),
    sa.Column("can_delete", sa.Boolean, nullable=False),
    #: A named TLP:RED recipient of everything in the collection.
    sa.Column("red_recipient", sa.Boolean, nullable=False),
)

#: The append-only audit trail (no UPDATE or DELETE path in the code).
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("pk", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("at", sa.Text, nullable=False),
    #: read, write, delete, denied, auth_failure.
    sa.Column("action", sa.Text, nullable=False),
    #: The authenticated partner, or for auth_failure the name that was tried.
    sa.Column("partner_id", sa.Text, nullable=True),
    sa.Column("authenticated", sa.Boolean, nullable=False),
    sa.Column("api_root", sa.Text, nullable=True),
    sa.Column("collection_id", sa.Text, nullable=True),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("object_count", sa.Integer, nullable=False),
    #: JSON list of the object ids (at most a page, or one add request).
    sa.Column("object_ids", sa.Text, nullable=False),
    sa.Column("source_address", sa.Text, nullable=True),
)
sa.Index("ix_audit_log_at", audit_log.c.at)
sa.Index("ix_audit_log_partner_at", audit_log.c.partner_id, audit_log.c.at)

#: The tables migration 2 creates.
VERSION_2_TABLES = (partners, credentials, grants, audit_log)
