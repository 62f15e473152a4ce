"""Durable SQL storage of the node: SQLite by default, PostgreSQL to scale out.

Implements docs/adr/0004-sql-storage.md. SQLAlchemy Core, no ORM: tables in
``_tables``, engines with durability settings in ``_engine``, versioned
migrations in ``_migrations``, the catalogue of API roots and collections in
``_catalogue``, object reads and writes in ``_objects``, status resources in
``_statuses``, withdrawn ids in ``_withdrawals`` (docs/adr/0013-withdrawal.md),
and :class:`Store` tying them together.
"""

from infoshare_server.storage._catalogue import (
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    ApiRootSettings,
    Catalogue,
    CollectionKey,
    CollectionMode,
    CollectionSettings,
)
from infoshare_server.storage._engine import create_engine
from infoshare_server.storage._migrations import LATEST_VERSION, MIGRATIONS, Migration, migrate
from infoshare_server.storage._objects import (
    Inserted,
    NewObject,
    ObjectQuery,
    SharedObject,
    StoredObject,
    Visibility,
    delete_objects,
    existing_ids,
    insert_objects,
    latest_versions,
    lock_clock,
    select_objects,
    shared_objects,
)
from infoshare_server.storage._origin_migration import LOCAL_ORIGIN, REMOTE_ORIGIN_PREFIX
from infoshare_server.storage._statuses import (
    StatusDetail,
    StatusRecord,
    load_status,
    purge_statuses,
    save_status,
)
from infoshare_server.storage._store import Store
from infoshare_server.storage._withdrawals import (
    WithdrawnId,
    pending_withdrawals,
    put_in_effect,
    record_withdrawn,
    withdrawn_ids,
)

__all__ = [
    "LATEST_VERSION",
    "LOCAL_ORIGIN",
    "MIGRATIONS",
    "REMOTE_ORIGIN_PREFIX",
    "STIX_MEDIA_TYPE",
    "TAXII_MEDIA_TYPE",
    "ApiRootSettings",
    "Catalogue",
    "CollectionKey",
    "CollectionMode",
    "CollectionSettings",
    "Inserted",
    "Migration",
    "NewObject",
    "ObjectQuery",
    "SharedObject",
    "StatusDetail",
    "StatusRecord",
    "Store",
    "StoredObject",
    "Visibility",
    "WithdrawnId",
    "create_engine",
    "delete_objects",
    "existing_ids",
    "insert_objects",
    "latest_versions",
    "load_status",
    "lock_clock",
    "migrate",
    "pending_withdrawals",
    "purge_statuses",
    "put_in_effect",
    "record_withdrawn",
    "save_status",
    "select_objects",
    "shared_objects",
    "withdrawn_ids",
]
