"""Tables of node-to-node sync (schema version 3): watermarks, provenance, rejections.

Implements the storage side of docs/adr/0007-sync.md (issue 5, "Node-to-node
exchange"). They live beside the node's own tables, in the same metadata, and
are created by migration step 3 in ``_migrations.py``.

* ``sync_state`` is one row per (remote, direction, remote collection, local
  collection): for a pull, the ``date_added`` of the last remote object taken
  (the next pull asks for ``added_after`` it); for a push, the last local
  ``seq`` the remote has acknowledged. A pull writes it in the same
  transaction as the objects of the page, so a run killed at any moment
  resumes from the last page it committed.
* ``provenance`` is one row per stored version that arrived by sync: which
  remote and remote collection it came from, and when it arrived. The object's
  JSON is never changed. Deleting the object deletes its provenance.
* ``sync_rejections`` keeps every object a pull refused (the check ids are in
  ``message``), so no refused object disappears without a trace.
"""

from __future__ import annotations

import sqlalchemy as sa

from infoshare_server.storage._tables import metadata

sync_state = sa.Table(
    "sync_state",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    #: The ``name`` of the ``[[remotes]]`` entry.
    sa.Column("remote", sa.Text, nullable=False),
    #: "pull" or "push".
    sa.Column("direction", sa.Text, nullable=False),
    #: The remote collection's URL (API root URL + collections/<id>/).
    sa.Column("remote_collection", sa.Text, nullable=False),
    sa.Column(
        "collection_pk",
        sa.Integer,
        sa.ForeignKey("collections.pk"),
        nullable=False,
    ),
    #: Pull: the remote ``date_added`` of the last object taken (stored form).
    sa.Column("pulled_until", sa.Text, nullable=True),
    #: Push: the last local ``seq`` the remote acknowledged.
    sa.Column("pushed_until", sa.BigInteger, nullable=True),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.UniqueConstraint(
        "remote", "direction", "remote_collection", "collection_pk", name="uq_sync_state_key"
    ),
)

provenance = sa.Table(
    "provenance",
    metadata,
    sa.Column(
        "seq",
        sa.BigInteger,
        sa.ForeignKey("objects.seq", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("remote", sa.Text, nullable=False),
    sa.Column("remote_collection", sa.Text, nullable=False),
    #: When this node stored it (UTC, the same form as ``objects.date_added``).
    sa.Column("arrived_at", sa.Text, nullable=False),
)
sa.Index("ix_provenance_remote", provenance.c.remote, provenance.c.seq)

sync_rejections = sa.Table(
    "sync_rejections",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column("remote", sa.Text, nullable=False),
    sa.Column("remote_collection", sa.Text, nullable=False),
    sa.Column("collection_pk", sa.Integer, sa.ForeignKey("collections.pk"), nullable=False),
    sa.Column("object_id", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    #: Why: the check ids and messages of the ingest failure.
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("rejected_at", sa.Text, nullable=False),
)
sa.Index("ix_sync_rejections_remote", sync_rejections.c.remote, sync_rejections.c.rejected_at)

#: The tables of schema step 3, in creation order.
SYNC_TABLES = (sync_state, provenance, sync_rejections)
