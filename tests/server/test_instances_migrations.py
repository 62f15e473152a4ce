"""Three instances started together on an empty PostgreSQL database migrate it once.

Implements "Start-up" of docs/adr/0019-several-instances.md: every process
(three gunicorn masters and their workers) brings the schema up to date under
one advisory lock, so when they all start at the same moment each migration
step is applied exactly once, the catalogue of API roots and collections is
written once, and every instance serves.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from _databases import postgres_database
from _http import get
from _instances import instances
from _node import API_ROOT, OTHER_ROOT
from infoshare_server.storage import LATEST_VERSION, MIGRATIONS


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_three_instances_starting_together_migrate_an_empty_database_once(
    tmp_path: Path,
) -> None:
    with postgres_database() as url:
        with instances(url, tmp_path, 3, workers=2) as nodes:
            for node in nodes:
                response = get(node, "taxii2/")
                assert response.status_code == 200, response.text
                assert len(response.json()["api_roots"]) == 2
        with psycopg.connect(_libpq(url)) as connection:
            versions = [
                row[0]
                for row in connection.execute(
                    "SELECT version FROM schema_version ORDER BY version"
                ).fetchall()
            ]
            roots = connection.execute("SELECT name FROM api_roots ORDER BY name").fetchall()
            collections = connection.execute("SELECT count(*) FROM collections").fetchone()
            persistence = connection.execute(
                "SELECT relpersistence FROM pg_class WHERE relname = 'rate_buckets'"
            ).fetchone()
    assert versions == [step.version for step in MIGRATIONS]
    assert versions[-1] == LATEST_VERSION
    assert [row[0] for row in roots] == sorted([API_ROOT, OTHER_ROOT])
    assert collections == (4,)
    # The shared rate-limit buckets need not survive a crash: no WAL for them.
    assert persistence == ("u",)
