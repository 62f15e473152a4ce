"""What TLP 2.0 by origin costs a partner's read (docs/adr/0012-originator-control.md).

Fills a collection with ``--objects`` objects (``--versions`` versions each,
levels and origins mixed, a few private copies), then pages through it as a
partner outside the node's organisation, ``--page`` rows a query, with

* ``clearance``: rights and clearance only (the ADR 0006 clause, restated), and
* ``origin``: the node's clause today (the same, AND TLP 2.0 by origin and
  namespaces) for a partner holding private copies, and
* ``origin-np``: the same for a partner holding none (the node leaves out
  the per-row test for private copies then),

for the default read (latest versions) and ``match[version]=all``, and
prints rows per CPU-second of each (best of ``--repeat``). In process, no
HTTP: it isolates the query, and CPU time counts other load on the machine
less (SQLite runs in the process; for PostgreSQL it misses the server's).
SQLite by default; ``--url`` for PostgreSQL.

    python -m benchmarks.node_visibility --objects 20000 --versions 2
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from infoshare_server.access import Partner, Rights, visibility_clause, visible_levels
from infoshare_server.storage import (
    ApiRootSettings,
    CollectionSettings,
    NewObject,
    ObjectQuery,
    Store,
    Visibility,
    insert_objects,
    select_objects,
)
from infoshare_server.storage._time import version_key
from sqlalchemy.sql import ColumnElement, FromClause

LEVELS = ("clear", "green", "amber", "red", None)
ORIGINS = ("@local", "jp", "ph", "reader")


def _fill(store: Store, collection_pk: int, objects: int, versions: int) -> None:
    batch: list[NewObject] = []
    for index in range(objects):
        object_id = f"identity--{uuid.UUID(int=index + 1)}"
        for version in range(versions):
            stamp = f"2026-01-01T00:00:{version:02d}.000Z"
            level = LEVELS[(index + version) % len(LEVELS)]
            origin = ORIGINS[index % len(ORIGINS)]
            body = json.dumps({"type": "identity", "id": object_id, "modified": stamp})
            private = index % 97 == 0 and version == versions - 1
            batch.append(
                NewObject(
                    object_id, "identity", stamp, version_key(stamp), "2.1", body, level,
                    origin, origin="reader" if private else origin,
                    namespace="reader" if private else "",
                )
            )  # fmt: skip
        if len(batch) >= 5000:
            with store.writing() as connection:
                insert_objects(connection, collection_pk, batch, datetime.now(UTC))
            batch = []
    if batch:
        with store.writing() as connection:
            insert_objects(connection, collection_pk, batch, datetime.now(UTC))


def _clearance_only(partner: Partner, rights: Rights) -> Visibility:
    levels = visible_levels(partner, rights)

    def clause(table: FromClause) -> ColumnElement[bool]:
        return sa.or_(table.c.tlp.in_(levels), table.c.submitter == partner.id)

    return clause


def _read_all(store: Store, collection_pk: int, query: ObjectQuery, page: int,
              visibility: Visibility) -> int:  # fmt: skip
    after, total = 0, 0
    with store.reading() as connection:
        while True:
            rows = select_objects(
                connection, collection_pk, query, after_seq=after, limit=page,
                with_body=True, visibility=visibility,
            )  # fmt: skip
            if not rows:
                return total
            total += len(rows)
            after = rows[-1].seq


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument("--versions", type=int, default=2)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", help="a storage URL (default: a new SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.db'}"
        store = Store.open(url)
        root = ApiRootSettings(
            name="bench", title="bench", description="", max_content_length=10_000_000,
            collections=(CollectionSettings(id=str(uuid.uuid4()), title="c", mode="stix"),),
        )  # fmt: skip
        collection_pk = next(iter(store.sync_catalogue([root]).collections.values())).collection_pk
        _fill(store, collection_pk, args.objects, args.versions)
        partner = Partner("reader", "Reader", None, False, "amber")
        rights = Rights(read=True, red_recipient=True)
        clauses = {
            "clearance": _clearance_only(partner, rights),
            "origin": visibility_clause(partner, rights, "red"),
            "origin-np": visibility_clause(partner, rights, "red", private_copies=False),
        }
        for label, query in (("latest", ObjectQuery()), ("all", ObjectQuery(versions=("all",)))):
            for name, clause in clauses.items():
                best, rows = float("inf"), 0
                for _ in range(args.repeat):
                    start = time.process_time()
                    rows = _read_all(store, collection_pk, query, args.page, clause)
                    best = min(best, time.process_time() - start)
                print(f"{label:6} {name:9} {rows:7} rows  {rows / best:10,.0f} rows/s")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
