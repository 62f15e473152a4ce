"""Storage URLs for the HTTP suite: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL is the server on 127.0.0.1:5432 (user postgres, trust auth). Each
call to :func:`postgres_database` creates a database with a unique name and
drops it afterwards. Without a reachable server the PostgreSQL runs are
skipped, except in CI (``CI=true``), where they fail: they must never be
skipped there.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
BACKENDS = ("sqlite", "postgresql")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its SQLAlchemy URL."""
    import psycopg

    name = f"infoshare_http_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        if _in_ci():
            pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is required in CI: {exc}")
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def storage_url(kind: str, folder: Path) -> Iterator[str]:
    """A storage URL of ``kind`` ("sqlite" or "postgresql") that lives for the block."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'node.db'}"
    elif kind == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        raise ValueError(kind)
