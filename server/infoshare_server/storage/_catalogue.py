"""API roots and collections: what the node serves, and their keys in the database.

Implements TAXII 2.1 §4.2 (API root) and §5.1-5.2 (collections) on the store.
The node's configuration is the source of truth: at startup
:func:`sync_catalogue` writes the configured API roots and collections into
their tables (insert or update, never delete: stored objects keep their
collection) and returns the database keys the object queries use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from infoshare_server.storage import _tables as t

#: The media type of the TAXII version the node speaks.
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
#: The STIX media type collections hold.
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"

CollectionMode = Literal["profile", "stix"]


@dataclass(frozen=True, slots=True)
class CollectionSettings:
    """One collection as configured (TAXII 2.1 §5.2.1), plus how ingest validates it.

    ``mode`` "profile": every posted object must pass the FIMI profile;
    "stix": plain STIX 2.1 rules only.
    """

    id: str
    title: str
    description: str = ""
    alias: str | None = None
    can_read: bool = True
    can_write: bool = True
    media_types: tuple[str, ...] = (STIX_MEDIA_TYPE,)
    mode: CollectionMode = "profile"

    def resource(self) -> dict[str, object]:
        """The TAXII collection resource."""
        out: dict[str, object] = {"id": self.id, "title": self.title}
        if self.description:
            out["description"] = self.description
        if self.alias:
            out["alias"] = self.alias
        out["can_read"] = self.can_read
        out["can_write"] = self.can_write
        out["media_types"] = list(self.media_types)
        return out


@dataclass(frozen=True, slots=True)
class ApiRootSettings:
    """One API root as configured (TAXII 2.1 §4.2.1), served under ``/<name>/``."""

    name: str
    title: str
    description: str = ""
    max_content_length: int = 10 * 1024 * 1024
    collections: tuple[CollectionSettings, ...] = field(default_factory=tuple)

    def resource(self) -> dict[str, object]:
        """The TAXII API root resource."""
        out: dict[str, object] = {"title": self.title}
        if self.description:
            out["description"] = self.description
        out["versions"] = [TAXII_MEDIA_TYPE]
        out["max_content_length"] = self.max_content_length
        return out


@dataclass(frozen=True, slots=True)
class CollectionKey:
    """Where a configured collection lives in the database."""

    api_root_pk: int
    collection_pk: int
    settings: CollectionSettings


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The database keys of the configured API roots (by name) and collections
    (by API root name and collection id)."""

    roots: dict[str, int]
    collections: dict[tuple[str, str], CollectionKey]


def sync_catalogue(connection: Connection, roots: Sequence[ApiRootSettings]) -> Catalogue:
    """Write the configured API roots and collections; their database keys.

    Runs inside the caller's write transaction.
    """
    root_keys: dict[str, int] = {}
    keys: dict[tuple[str, str], CollectionKey] = {}
    for root in roots:
        root_pk = _upsert(
            connection,
            t.api_roots,
            {"name": root.name},
            {"title": root.title, "description": root.description},
        )
        root_keys[root.name] = root_pk
        for collection in root.collections:
            collection_pk = _upsert(
                connection,
                t.collections,
                {"api_root_pk": root_pk, "collection_id": collection.id},
                {"title": collection.title, "mode": collection.mode},
            )
            keys[(root.name, collection.id)] = CollectionKey(root_pk, collection_pk, collection)
    return Catalogue(root_keys, keys)


def _upsert(
    connection: Connection, table: sa.Table, match: dict[str, object], values: dict[str, object]
) -> int:
    where = sa.and_(*(table.c[name] == value for name, value in match.items()))
    pk = connection.execute(sa.select(table.c.pk).where(where)).scalar()
    if pk is None:
        result = connection.execute(sa.insert(table).values(**match, **values))
        inserted = result.inserted_primary_key
        assert inserted is not None
        return int(inserted[0])
    connection.execute(sa.update(table).where(table.c.pk == pk).values(**values))
    return int(pk)
