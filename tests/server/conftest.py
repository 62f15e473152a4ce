"""Shared fixtures of the node's tests: a database of each supported kind.

Every test that takes ``storage_url`` runs twice, against SQLite (a file in
the test's tmp folder) and against PostgreSQL (127.0.0.1:5432, user
postgres). One PostgreSQL database is created per test session, with a
unique name, and dropped at the end; tests keep apart by using their own API
roots and collection ids (:func:`unique_roots`). ``fresh_storage_url`` gives an
empty database (a new PostgreSQL database per test) for the few tests that
need one, such as migrations.

Without a reachable PostgreSQL the PostgreSQL runs are skipped locally and
FAIL in CI (``CI=true``): they must never be skipped there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _databases import BACKENDS, postgres_database
from infoshare_server.backend import SqlBackend
from infoshare_server.storage import ApiRootSettings, CollectionSettings, Store

#: The paging secret of test backends (not a real secret).
TEST_SECRET = b"test-paging-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def _session_postgres() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    """ "sqlite" or "postgresql": every test using it runs once per database kind."""
    return str(request.param)


@pytest.fixture
def storage_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A storage URL of ``db_kind``: a new SQLite file, or the session's PostgreSQL database."""
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'node.db'}"
    return str(request.getfixturevalue("_session_postgres"))


@pytest.fixture
def fresh_storage_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """A storage URL of ``db_kind`` naming an empty database of its own."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with postgres_database() as url:
        yield url


def unique_roots(*modes: str) -> list[ApiRootSettings]:
    """One API root with a collection per mode ("profile"/"stix"), ids unique to the call."""
    suffix = uuid.uuid4().hex[:12]
    collections = tuple(
        CollectionSettings(
            id=str(uuid.uuid4()),
            title=f"{mode} collection {i}",
            mode=mode,  # type: ignore[arg-type]
        )
        for i, mode in enumerate(modes or ("profile",))
    )
    return [ApiRootSettings(name=f"root-{suffix}", title="Test root", collections=collections)]


BackendFactory = Callable[..., SqlBackend]


@pytest.fixture
def make_backend(storage_url: str) -> Iterator[BackendFactory]:
    """Build SqlBackends on ``storage_url`` (each its own Store, like a worker); closed after."""
    stores: list[Store] = []

    def build(
        roots: list[ApiRootSettings] | None = None, *, store: Store | None = None, **options: object
    ) -> SqlBackend:
        if store is None:
            store = Store.open(storage_url)
            stores.append(store)
        settings: dict[str, object] = {"secret": TEST_SECRET, "title": "Test node"}
        settings.update(options)
        return SqlBackend(store, api_roots=roots or unique_roots("profile", "stix"), **settings)  # type: ignore[arg-type]

    yield build
    for store in stores:
        store.close()


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Chromium (a Selenium WebDriver); skipped without one locally, failed in CI."""
    from _browser import chromium, skip_or_fail_without_browser

    skip_or_fail_without_browser()
    with chromium() as driver:
        yield driver
