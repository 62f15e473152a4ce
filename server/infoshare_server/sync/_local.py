"""The local node as sync sees it: its database, its collections, its ingest path.

Implements the "via the local node's ingest path" rule of docs/adr/0007-sync.md.
``infoshare sync`` reads the node's own TOML, opens the node's database
(the same one the running node serves; both may run at once, writes are
serialised by the database) and stores pulled objects through the node's
:class:`~infoshare_server.ingest.Ingest`: the same validation, the same
duplicate rules, the same status resources as an Add Objects request.
"""

from __future__ import annotations

from infoshare_server.backend import api_root_settings
from infoshare_server.config import NodeConfig, RemoteCollectionSection
from infoshare_server.ingest import Ingest
from infoshare_server.storage import CollectionKey, Store
from infoshare_server.sync._errors import SyncError


class LocalNode:
    """The local node's store and ingest, opened from its configuration."""

    def __init__(self, config: NodeConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store if store is not None else Store.open(config.storage_url())
        catalogue = self.store.sync_catalogue(api_root_settings(config))
        self._keys = catalogue.collections
        self.ingest = Ingest(self.store, organisation=config.sharing.organisation)

    def key(self, pair: RemoteCollectionSection) -> CollectionKey:
        """Where ``pair``'s local collection lives in the database."""
        try:
            root, collection_id = self.config.local_collection(pair)
        except ValueError as exc:
            raise SyncError(str(exc)) from None
        return self._keys[(root, str(collection_id))]

    def close(self) -> None:
        """Close the database connections."""
        self.store.close()
