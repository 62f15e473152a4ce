"""A running node with partners, for the partner-access suite (tests/server/test_access_*.py).

The node is the suite's usual one (``_node.config_text``: four collections in
two API roots, the operator account ``analyst``); the partners below are
written into its database with the access package's own API, exactly as
``infoshare partner`` does. :func:`expected_rights` and :func:`sees` restate
the rules of docs/adr/0006-partner-access.md independently of the code under
test, so the tests compare the node's answers with this table.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from _databases import storage_url
from _http import TAXII, TIMEOUT
from _node import (
    API_ROOT,
    OTHER_COLLECTION,
    OTHER_ROOT,
    PASSWORD,
    PROFILE_COLLECTION,
    READ_ONLY_COLLECTION,
    STIX_COLLECTION,
    USER,
    RunningNode,
    node_for,
)
from infoshare_server.access import Directory, Rights, hash_password
from infoshare_server.backend import api_root_settings
from infoshare_server.config import load_config
from infoshare_server.storage import CollectionKey, Store

from infoshare.profile import TLP_AMBER, TLP_AMBER_STRICT, TLP_CLEAR, TLP_GREEN, TLP_RED

#: The operator account of the suite's configuration ([[users]]).
OPERATOR = USER
#: partner id -> (administrator, clearance)
PARTNERS: dict[str, tuple[bool, str]] = {
    "clear-reader": (False, "clear"),
    "green-reader": (False, "green"),
    "amber-reader": (False, "amber"),
    "strict-red": (False, "amber+strict"),
    "writer-only": (False, "amber+strict"),
    "outsider": (False, "amber+strict"),
    "admin-deleter": (True, "green"),
}
#: (partner, collection) -> stored grant
GRANTS: dict[tuple[str, str], Rights] = {
    ("clear-reader", STIX_COLLECTION): Rights(read=True),
    ("green-reader", STIX_COLLECTION): Rights(read=True),
    ("green-reader", READ_ONLY_COLLECTION): Rights(read=True, write=True),
    ("green-reader", OTHER_COLLECTION): Rights(read=True),
    ("amber-reader", STIX_COLLECTION): Rights(read=True, write=True),
    ("amber-reader", OTHER_COLLECTION): Rights(read=True, write=True),
    ("strict-red", STIX_COLLECTION): Rights(read=True, red_recipient=True),
    ("strict-red", OTHER_COLLECTION): Rights(read=True, red_recipient=True),
    ("writer-only", STIX_COLLECTION): Rights(write=True),
    ("admin-deleter", STIX_COLLECTION): Rights(read=True, write=True, delete=True),
    ("admin-deleter", PROFILE_COLLECTION): Rights(read=True),
}
ALL_REQUESTERS = (OPERATOR, *PARTNERS)
#: (API root, collection id, configured can_read, configured can_write)
COLLECTIONS = (
    (API_ROOT, PROFILE_COLLECTION, True, True),
    (API_ROOT, STIX_COLLECTION, True, True),
    (API_ROOT, READ_ONLY_COLLECTION, True, False),
    (OTHER_ROOT, OTHER_COLLECTION, True, True),
)
ROOT_OF = {collection: root for root, collection, _, _ in COLLECTIONS}

LEVELS: tuple[str | None, ...] = ("clear", "green", "amber", "amber+strict", "red", None)
ORDER = ("clear", "green", "amber", "amber+strict", "red")
MARKING = {
    "clear": TLP_CLEAR,
    "green": TLP_GREEN,
    "amber": TLP_AMBER,
    "amber+strict": TLP_AMBER_STRICT,
    "red": TLP_RED,
}


def password_of(partner: str) -> str:
    return PASSWORD if partner == OPERATOR else f"{partner} long passphrase"


def expected_rights(partner: str, collection: str) -> Rights:
    """Rights after the node's rules: grants capped by the collection, delete for admins."""
    _, _, can_read, can_write = next(c for c in COLLECTIONS if c[1] == collection)
    if partner == OPERATOR:
        return Rights(can_read, can_write, can_write, False)
    grant = GRANTS.get((partner, collection), Rights())
    admin = PARTNERS[partner][0]
    return Rights(
        grant.read and can_read,
        grant.write and can_write,
        grant.delete and admin and can_write,
        grant.red_recipient,
    )


def clearance_of(partner: str) -> str:
    return "amber+strict" if partner == OPERATOR else PARTNERS[partner][1]


def sees(partner: str, collection: str, level: str | None, submitter: str) -> bool:
    """Whether ``partner`` may see an object of ``level`` submitted by ``submitter``.

    The suite's node has the default ``[sharing]`` (every partner in the GREEN
    community, no local partners, no agreements), so TLP 2.0 by origin
    (docs/adr/0012-originator-control.md) lets a partner other than the
    submitter see AMBER, AMBER+STRICT and RED only when an operator (the node's
    own organisation) submitted it.
    """
    rights = expected_rights(partner, collection)
    if not rights.read:
        return False
    if submitter == partner:
        return True
    effective = "red" if level is None else level  # the default policy for unmarked objects
    if partner != OPERATOR and submitter != OPERATOR and effective not in ("clear", "green"):
        return False  # another organisation's AMBER/RED is not passed on
    if effective == "red":
        return rights.red_recipient
    return ORDER.index(effective) <= ORDER.index(clearance_of(partner))


def marked_identity(level: str | None, name: str | None = None, **extra: Any) -> dict[str, Any]:
    """A plain-STIX identity marked with TLP ``level`` (None: no marking)."""
    obj: dict[str, Any] = {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid4()}",
        "created": "2026-03-01T09:00:00.000Z",
        "modified": "2026-03-01T09:00:00.000Z",
        "name": name or f"Fictional organisation ({level or 'unmarked'})",
        "identity_class": "organization",
    }
    if level is not None:
        obj["object_marking_refs"] = [MARKING[level]]
    obj.update(extra)
    return obj


@dataclass
class AccessNode:
    """A running node, its database and the partners' API tokens."""

    node: RunningNode
    store: Store
    keys: dict[tuple[str, str], CollectionKey]
    tokens: dict[str, str]

    def get(
        self,
        partner: str,
        path: str,
        params: dict[str, str] | None = None,
        *,
        token: bool = False,
    ) -> requests.Response:
        return requests.get(
            self.node.url(path),
            params=params,
            timeout=TIMEOUT,
            **_credentials(self, partner, token),
        )

    def post(self, partner: str, path: str, objects: list[dict[str, Any]]) -> requests.Response:
        kwargs = _credentials(self, partner, False)
        kwargs["headers"]["Content-Type"] = TAXII
        return requests.post(
            self.node.url(path), json={"objects": objects}, timeout=TIMEOUT, **kwargs
        )

    def delete(self, partner: str, path: str) -> requests.Response:
        return requests.delete(
            self.node.url(path), timeout=TIMEOUT, **_credentials(self, partner, False)
        )

    def add(self, partner: str, collection: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.post(partner, objects_path(collection), objects)
        assert response.status_code == 202, response.text
        status: dict[str, Any] = response.json()
        assert status["success_count"] == len(objects), status
        return status


def _credentials(node: AccessNode, partner: str, token: bool) -> dict[str, Any]:
    headers = {"Accept": TAXII}
    if token:
        headers["Authorization"] = f"Bearer {node.tokens[partner]}"
        return {"headers": headers}
    return {"headers": headers, "auth": (partner, password_of(partner))}


def objects_path(collection: str) -> str:
    return f"{ROOT_OF[collection]}/collections/{collection}/objects/"


def collection_path(collection: str, rest: str = "") -> str:
    return f"{ROOT_OF[collection]}/collections/{collection}/{rest}"


@contextmanager
def access_node(kind: str, folder: Path, workers: int = 1) -> Iterator[AccessNode]:
    """A node on a ``kind`` database with :data:`PARTNERS` and :data:`GRANTS` in it."""
    with storage_url(kind, folder) as url, node_for(url, folder, workers) as node:
        config = load_config(node.config_path)
        store = Store.open(config.storage_url())
        try:
            keys = store.sync_catalogue(api_root_settings(config)).collections
            directory = Directory(store)
            tokens: dict[str, str] = {}
            for partner, (admin, clearance) in PARTNERS.items():
                directory.add(partner, partner.title(), is_admin=admin, clearance=clearance)
                directory.set_password(partner, hash_password(password_of(partner)))
                tokens[partner] = directory.issue_token(partner).text
            for (partner, collection), rights in GRANTS.items():
                key = keys[(ROOT_OF[collection], collection)]
                directory.grant(partner, key.collection_pk, rights)
            yield AccessNode(node, store, keys, tokens)
            log = node.log()
        finally:
            store.close()
        assert "internal error" not in log, log
