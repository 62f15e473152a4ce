"""Objects and shortcuts for the backend-level tests (no HTTP).

Objects are plain STIX 2.1 identities of invented organisations, in as many
versions as a test needs; :func:`put` stores rows directly (bypassing
validation) for cases validation would refuse, such as STIX 2.0 objects.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from infoshare_server.backend import SqlBackend
from infoshare_server.ingest import _prepare
from infoshare_server.storage import CollectionKey, NewObject, insert_objects

Obj = dict[str, Any]
ALL = ("id", "type", "version", "spec_version")
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def stamp(minutes: int) -> str:
    """A STIX timestamp ``minutes`` after 2026-03-01T12:00Z."""
    return f"{(T0 + timedelta(minutes=minutes)):%Y-%m-%dT%H:%M:%S.000Z}"


def organisation(
    name: str = "Harbour Lantern Cooperative (fictional)",
    *,
    object_id: str | None = None,
    modified: int = 0,
    spec_version: str = "2.1",
) -> Obj:
    return {
        "type": "identity",
        "spec_version": spec_version,
        "id": object_id or f"identity--{uuid.uuid4()}",
        "created": stamp(0),
        "modified": stamp(modified),
        "name": name,
        "identity_class": "organization",
    }


def place(name: str = "Saltmarsh Bay (fictional)") -> Obj:
    return {
        "type": "location",
        "spec_version": "2.1",
        "id": f"location--{uuid.uuid4()}",
        "created": stamp(0),
        "modified": stamp(0),
        "name": name,
        "country": "NO",
    }


def key_of(backend: SqlBackend, mode: str = "stix") -> tuple[str, str, CollectionKey]:
    """The API root name, collection id and key of the backend's collection of ``mode``."""
    for (root, collection), key in backend.collection_keys.items():
        if key.settings.mode == mode:
            return root, collection, key
    raise LookupError(mode)


def put(backend: SqlBackend, objects: list[Obj], *, mode: str = "stix", now: datetime = T0) -> None:
    """Store ``objects`` as they are (no validation), in one transaction."""
    _, _, key = key_of(backend, mode)
    rows: list[NewObject] = []
    for obj in objects:
        prepared = _prepare(obj)
        assert isinstance(prepared, NewObject), prepared
        rows.append(prepared)
    with backend.store.writing() as connection:
        insert_objects(connection, key.collection_pk, rows, now)


def add(backend: SqlBackend, objects: list[Obj], *, mode: str = "stix") -> dict[str, Any]:
    """POST ``objects`` through the backend; the status resource."""
    root, collection, _ = key_of(backend, mode)
    return backend.add_objects(root, collection, {"objects": objects}, datetime.now(UTC))


def read_all(
    backend: SqlBackend,
    filters: dict[str, str] | None = None,
    *,
    limit: int = 100,
    mode: str = "stix",
    endpoint: str = "objects",
) -> list[Any]:
    """Every item of every page of ``endpoint`` for ``filters``, following ``next``."""
    root, collection, _ = key_of(backend, mode)
    args = dict(filters or {})
    items: list[Any] = []
    for _ in range(10_000):
        if endpoint == "objects":
            envelope, _headers = backend.get_objects(root, collection, args, ALL, limit)
        else:
            envelope, _headers = backend.get_object_manifest(root, collection, args, ALL, limit)
        items.extend(envelope.get("objects", []))
        if not envelope.get("more"):
            assert "next" not in envelope
            return items
        assert envelope["next"]
        args["next"] = envelope["next"]
    raise AssertionError("paging did not end")
