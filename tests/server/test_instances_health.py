"""``/healthz`` tells a load balancer when an instance's database stops taking writes.

Implements "Health checks" of docs/adr/0019-several-instances.md. The node
needs its database's primary (adds, sign-ins and rate limits write on every
request). An instance whose connections land on a read-only database (a
streaming replica, a demoted primary) answers 503 ``{"status":
"unavailable"}``, and 200 again once its connections are read-write. The
read-only database is made here by ``default_transaction_read_only``, which
PostgreSQL reports through the same setting a standby does.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import requests
from _databases import POSTGRES_ADMIN, postgres_database
from _instances import instances
from _node import RunningNode


def _health(node: RunningNode) -> tuple[int, object]:
    response = requests.get(node.url("healthz"), timeout=10)
    return response.status_code, response.json()


def _reconnect(admin: psycopg.Connection[tuple[object, ...]], database: str) -> None:
    """End the node's database sessions: its pool opens new ones with the new settings."""
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,),
    )


def test_an_instance_on_a_read_only_database_reports_itself_unavailable(
    tmp_path: Path,
) -> None:
    with postgres_database() as url, instances(url, tmp_path, 1) as (node,):
        database = url.rsplit("/", 1)[1]
        assert _health(node) == (200, {"status": "ok"})
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
            _reconnect(admin, database)
            statuses = [_health(node) for _ in range(3)]
            assert statuses == [(503, {"status": "unavailable"})] * 3, statuses
            admin.execute(f'ALTER DATABASE "{database}" RESET default_transaction_read_only')
            _reconnect(admin, database)
            assert _health(node) == (200, {"status": "ok"})
        assert "read-only" in node.log()
