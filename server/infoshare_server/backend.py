"""medallion's backend on SQL storage: every TAXII 2.1 endpoint, one query each.

Implements TAXII 2.1 §4 (discovery, API root, status) and §5 (collections,
manifest, objects, object, versions, delete) behind medallion's views, as
decided in docs/adr/0004-sql-storage.md:

* Reads run one SQL query with the filters (``storage._filters``), version
  selection, visibility and keyset paging inside it; pages are ordered by
  ``date_added`` (the store's ``seq``). A page examines a bounded window of
  the collection (``storage._pages``, docs/adr/0020-bounded-work.md): a
  reader who may see few of its rows gets a short, possibly empty, page with
  ``more`` and ``next``. Stored JSON goes out unchanged: its
  text is spliced into the response (``http/rawjson.py``), never re-encoded or
  passed through models.
* ``next`` tokens are stateless and signed (``paging.py``): any worker serves
  any page; ``more: true`` always comes with ``next``.
* ``X-TAXII-Date-Added-First``/``-Last`` give the ``date_added`` of the first
  and last item of the page.
* Adds go through :class:`~infoshare_server.ingest.Ingest`.
* Trust (docs/adr/0009-one-policy-object.md): this module decides nothing
  about who may see or do what. When the app plugs in an
  :class:`~infoshare_server.access.AccessControl` (``backend.access``), each
  request's :class:`~infoshare_server.access.Policy` answers every such
  question (API roots, collections and their ``can_read``/``can_write``,
  the visibility clause handed to every storage read and delete, status
  resources, ``next`` token owners, adding versions, withdrawing) and the
  access package audits reads, writes and deletes. Without it (library use,
  unit tests) an unrestricted policy shows everything configured.
* Refusals are :class:`~infoshare_server.errors.RequestError` (a medallion
  ``ProcessingError``) with the right status, never a 500.

The API roots and collections are the configured ones, held in memory (they
are also written to the database, where objects and statuses point at them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from medallion.backends.base import Backend
from sqlalchemy.engine import Connection

from infoshare_server.access import AccessControl, Policy, current_policy
from infoshare_server.access._audit import Action
from infoshare_server.errors import RequestError
from infoshare_server.http.rawjson import RawJSON
from infoshare_server.ingest import MAX_ID_LENGTH, Ingest
from infoshare_server.paging import Endpoint, PageSigner, PageToken, filter_digest
from infoshare_server.storage import (
    ApiRootSettings,
    CollectionKey,
    CollectionSettings,
    ObjectQuery,
    StatusRecord,
    Store,
    StoredObject,
    Visibility,
    delete_objects,
    load_status,
    select_objects,
)
from infoshare_server.storage._filters import parse_query, storable_text
from infoshare_server.storage._pages import MAX_ROWS_EXAMINED, select_page

if TYPE_CHECKING:
    from infoshare_server.config import NodeConfig

Headers = dict[str, str]
Envelope = dict[str, Any]


class SqlBackend(Backend):  # type: ignore[misc]
    """The node's medallion backend over a :class:`~infoshare_server.storage.Store`."""

    def __init__(
        self,
        store: Store | str,
        *,
        api_roots: Sequence[ApiRootSettings],
        secret: bytes,
        title: str,
        description: str = "",
        contact: str = "",
        default_api_root: str | None = None,
        base_url: str | None = None,
        max_page_size: int = 100,
        status_retention: timedelta = timedelta(days=7),
        visibility: Visibility | None = None,
        organisation: str | None = None,
        max_rows_examined: int = MAX_ROWS_EXAMINED,
    ) -> None:
        """Serve ``api_roots`` from ``store`` (a :class:`Store` or a storage URL).

        Arguments:
            store: the database; a URL (``sqlite:///path``,
                ``postgresql+psycopg://…``) is opened and migrated here.
            api_roots: the configured API roots with their collections; they are
                written to the database (insert or update) at construction.
            secret: the node secret that signs ``next`` tokens (at least 16
                bytes; the same on every worker of a node).
            title, description, contact: the discovery resource.
            default_api_root: name of the default API root, if any.
            base_url: the public URL of the node (``https://node.example``),
                used to write API root URLs in discovery; when None, the URL
                of the current Flask request is used.
            max_page_size: the largest page served, whatever ``limit`` asks.
            status_retention: how long status resources are kept (>= 24 h).
            visibility: an optional clause builder restricting every read to
                the rows a caller may see (see ``storage._objects``) when no
                access control is plugged in; with ``access`` set, each
                request's policy gives the clause instead.
            organisation: the STIX identity id of the node's own organisation
                (``[sharing] organisation``): operators own what it created.
            max_rows_examined: the rows of a collection one page may examine
                (``storage._pages``, docs/adr/0020-bounded-work.md; at least the
                page size); a page that reaches it before it is full ends early
                with ``more`` and ``next``.

        No global state: several backends can exist in one process.
        """
        if max_page_size < 1:
            raise ValueError("max_page_size must be at least 1")
        if max_rows_examined < 1:
            raise ValueError("max_rows_examined must be at least 1")
        self.max_rows_examined = max_rows_examined
        self.store = store if isinstance(store, Store) else Store.open(store)
        self.title = title
        self.description = description
        self.contact = contact
        self.default_api_root = default_api_root
        self.base_url = base_url.rstrip("/") if base_url else None
        self.max_page_size = max_page_size
        self.api_roots = {root.name: root for root in api_roots}
        catalogue = self.store.sync_catalogue(api_roots)
        self._root_pks: dict[str, int] = catalogue.roots
        self._keys: dict[tuple[str, str], CollectionKey] = catalogue.collections
        self._keys_by_pk = {key.collection_pk: key for key in self._keys.values()}
        self._signer = PageSigner(secret)
        self.organisation = organisation
        self.ingest = Ingest(
            self.store, status_retention=status_retention, organisation=organisation
        )
        #: Partner access; set by the app (``app.py``). None: no restriction.
        self.access: AccessControl | None = None
        self._open_policy = Policy.unrestricted(visibility)

    def close(self) -> None:
        """Close the database connections of this backend's store."""
        self.store.close()

    @classmethod
    def from_config(cls, config: NodeConfig) -> SqlBackend:
        """The backend a node configuration describes (opens and migrates its database)."""
        roots = api_root_settings(config)
        default = next((root.name for root in config.api_roots if root.default), None)
        return cls(
            config.storage_url(),
            api_roots=roots,
            secret=config.paging_secret(),
            title=config.node.title,
            description=config.node.description,
            contact=config.node.contact,
            default_api_root=default,
            base_url=config.node.base_url,
            max_page_size=config.limits.max_page_size,
            organisation=config.sharing.organisation,
        )

    # --- discovery and API roots (TAXII 2.1 §4) -----------------------------------------

    def server_discovery(self) -> dict[str, Any]:
        base = self._base_url()
        out: dict[str, Any] = {"title": self.title}
        if self.description:
            out["description"] = self.description
        if self.contact:
            out["contact"] = self.contact
        visible = [name for name in self.api_roots if self._root_visible(name)]
        if self.default_api_root in visible:
            out["default"] = f"{base}/{self.default_api_root}/"
        out["api_roots"] = [f"{base}/{name}/" for name in visible]
        return out

    def _base_url(self) -> str:
        if self.base_url is not None:
            return self.base_url
        from flask import has_request_context, request

        return request.host_url.rstrip("/") if has_request_context() else ""

    def get_api_root_information(self, api_root: str) -> dict[str, object] | None:
        root = self.api_roots.get(api_root)
        if root is None or not self._root_visible(api_root):
            return None
        return root.resource()

    def get_status(self, api_root: str, status_id: str) -> dict[str, object] | None:
        root_pk = self._root_pks.get(api_root)
        if root_pk is None or not _storable(status_id, 100):
            return None
        policy = self._policy()
        with self.store.reading() as connection:
            record = load_status(connection, root_pk, status_id)
            if record is None:
                return None
            key = self._keys_by_pk.get(record.collection_pk) if record.collection_pk else None
            shown = policy.status_view(connection, record, key)
        return shown.resource() if shown is not None else None

    # --- trust (docs/adr/0009-one-policy-object.md) -------------------------------------

    def _policy(self) -> Policy:
        """The request's policy; unrestricted without access control; 401 if it is missing."""
        if self.access is None:
            return self._open_policy
        policy = current_policy()
        if policy is None:
            raise RequestError("authentication required", 401)
        return policy

    def _root_visible(self, api_root: str) -> bool:
        return self._policy().may_see_api_root(
            key for (root, _), key in self._keys.items() if root == api_root
        )

    def _visible_resource(self, key: CollectionKey) -> dict[str, object] | None:
        rights = self._policy().rights(key)
        if not rights.any:
            return None
        resource = key.settings.resource()
        resource["can_read"] = rights.read
        resource["can_write"] = rights.write
        return resource

    def _audit(self, connection: Connection | None, action: Action, ids: Sequence[str],
               status: int, count: int | None = None) -> None:  # fmt: skip
        if self.access is not None:
            entry = self.access.entry(action, status, object_ids=ids, object_count=count)
            self.access.audit(connection, entry)

    # --- collections (TAXII 2.1 §5.1, §5.2) ---------------------------------------------

    def get_collections(self, api_root: str) -> dict[str, object] | None:
        root = self.api_roots.get(api_root)
        if root is None:
            return None
        if not self._root_visible(api_root):
            return None
        resources = [
            resource
            for c in root.collections
            if (resource := self._visible_resource(self._keys[(api_root, c.id)])) is not None
        ]
        if not resources:
            return {}
        return {"collections": resources}

    def get_collection(self, api_root: str, collection_id: str) -> dict[str, object] | None:
        key = self._keys.get((api_root, collection_id))
        return self._visible_resource(key) if key is not None else None

    @property
    def collection_keys(self) -> dict[tuple[str, str], CollectionKey]:
        """The database key of every served collection, by (API root name, collection id)."""
        return dict(self._keys)

    def _key(self, api_root: str, collection_id: str) -> CollectionKey:
        key = self._keys.get((api_root, collection_id))
        if key is None:
            raise RequestError(
                f"collection {collection_id[:100]!r} not found in API root {api_root[:100]!r}", 404
            )
        return key

    # --- reads (TAXII 2.1 §5.3, §5.4, §5.6, §5.8) ---------------------------------------

    def get_objects(
        self,
        api_root: str,
        collection_id: str,
        filter_args: Mapping[str, str],
        allowed_filters: Sequence[str],
        limit: int,
    ) -> tuple[Envelope, Headers]:
        query = parse_query(filter_args, allowed_filters)
        rows, more, token = self._page(
            "objects", api_root, collection_id, filter_args, query, limit, with_body=True
        )
        return _envelope("objects", [_parse(r) for r in rows], more, token), _headers(rows)

    def get_object_manifest(
        self,
        api_root: str,
        collection_id: str,
        filter_args: Mapping[str, str],
        allowed_filters: Sequence[str],
        limit: int,
    ) -> tuple[Envelope, Headers]:
        query = parse_query(filter_args, allowed_filters)
        rows, more, token = self._page(
            "manifest", api_root, collection_id, filter_args, query, limit, with_body=False
        )
        return _envelope("objects", [_manifest(r) for r in rows], more, token), _headers(rows)

    def get_object(
        self,
        api_root: str,
        collection_id: str,
        object_id: str,
        filter_args: Mapping[str, str],
        allowed_filters: Sequence[str],
        limit: int,
    ) -> tuple[Envelope, Headers]:
        query = parse_query(filter_args, allowed_filters, object_id=_pinned(object_id))
        rows, more, token = self._page(
            "object", api_root, collection_id, filter_args, query, limit,
            with_body=True, object_id=object_id,
        )  # fmt: skip
        if not rows and "next" not in filter_args:
            self._require_object(api_root, collection_id, object_id)
        self._audit(None, "read", [object_id] if rows else [], 200, len(rows))
        return _envelope("objects", [_parse(r) for r in rows], more, token), _headers(rows)

    def get_object_versions(
        self,
        api_root: str,
        collection_id: str,
        object_id: str,
        filter_args: Mapping[str, str],
        allowed_filters: Sequence[str],
        limit: int,
    ) -> tuple[Envelope, Headers]:
        query = parse_query(
            filter_args,
            allowed_filters,
            object_id=_pinned(object_id),
            default_versions=("all",),
        )
        rows, more, token = self._page(
            "versions", api_root, collection_id, filter_args, query, limit,
            with_body=False, object_id=object_id,
        )  # fmt: skip
        if not rows and "next" not in filter_args:
            self._require_object(api_root, collection_id, object_id)
        self._audit(None, "read", [object_id] if rows else [], 200, len(rows))
        return _envelope("versions", [r.version for r in rows], more, token), _headers(rows)

    def _page(
        self,
        endpoint: Endpoint,
        api_root: str,
        collection_id: str,
        filter_args: Mapping[str, str],
        query: ObjectQuery,
        limit: int,
        *,
        with_body: bool,
        object_id: str | None = None,
    ) -> tuple[list[StoredObject], bool, str | None]:
        key = self._key(api_root, collection_id)
        # One read transaction for the rights and the rows (docs/adr/0004, Performance).
        policy = self._policy()
        with self.store.reading() as connection:
            visibility = policy.readable(key, connection)
            owner = policy.token_owner
            size = _page_size(limit, self.max_page_size)
            digest = filter_digest(filter_args, object_id)
            after_seq = 0
            if "next" in filter_args:
                after_seq = self._signer.check(
                    str(filter_args["next"]),
                    endpoint=endpoint,
                    api_root=api_root,
                    collection_id=collection_id,
                    filters=digest,
                    partner=owner,
                )
            page = select_page(
                connection,
                key.collection_pk,
                query,
                after_seq=after_seq,
                limit=size + 1,
                with_body=with_body,
                visibility=visibility,
                window=self.max_rows_examined,
            )
        rows = page.rows[:size]
        # A page full to size + 1 continues after its last row; a page that ended at its
        # window continues after the window, whether or not it holds rows (ADR 0020).
        resume = rows[-1].seq if len(page.rows) > size else page.resume_after
        token = None
        if resume is not None:
            token = self._signer.issue(
                PageToken(endpoint, api_root, collection_id, digest, resume, owner)
            )
        more = token is not None
        if object_id is None:  # the object and versions endpoints audit after their 404 check
            self._audit(None, "read", [row.object_id for row in rows], 200)
        return rows, more, token

    def _require_object(self, api_root: str, collection_id: str, object_id: str) -> None:
        """404 unless the collection holds a version of ``object_id`` the caller may see."""
        key = self._key(api_root, collection_id)
        visibility = self._policy().readable(key)
        pinned = _pinned(object_id)
        with self.store.reading() as connection:
            found = select_objects(
                connection,
                key.collection_pk,
                ObjectQuery(ids=(pinned,), versions=("all",), spec_versions=()),
                limit=1,
                with_body=False,
                visibility=visibility,
            )
        if not found:
            raise RequestError(f"object {object_id[:MAX_ID_LENGTH]!r} not found", 404)

    # --- writes (TAXII 2.1 §5.5, §5.7) --------------------------------------------------

    def add_objects(
        self, api_root: str, collection_id: str, objs: object, request_time: datetime
    ) -> dict[str, object]:
        key = self._key(api_root, collection_id)
        policy = self._policy()
        policy.require_write(key)
        writer = policy.writer(key)

        def audit(connection: Connection, record: StatusRecord, added: object) -> None:
            ids = [d.object_id for d in record.details if d.outcome == "success"]
            self._audit(connection, "write", ids, 202)

        def withdrawn(connection: Connection, withdrawals: list[tuple[str, list[str]]]) -> None:
            for withdrawal_id, refs in withdrawals:
                self._audit(connection, "withdraw", [withdrawal_id, *refs], 202)

        record = self.ingest.add(
            key,
            objs,
            request_time,
            within=audit if self.access is not None else None,
            submitter=policy.requester.id if policy.requester is not None else None,
            writer=writer,
            visibility=policy.referable(key),
            on_withdrawn=withdrawn if self.access is not None else None,
        )
        return record.resource()

    def delete_object(
        self,
        api_root: str,
        collection_id: str,
        object_id: str,
        filter_args: Mapping[str, str],
        allowed_filters: Sequence[str],
    ) -> None:
        key = self._key(api_root, collection_id)
        policy = self._policy()
        policy.require_delete(key)
        query = parse_query(
            filter_args, allowed_filters, object_id=_pinned(object_id), default_versions=("all",)
        )
        with self.store.writing() as connection:
            refusal = policy.may_withdraw(connection, key, _pinned(object_id))
            if refusal is not None:
                raise RequestError(refusal, 403)
            visibility = policy.visibility(key, connection)
            deleted = delete_objects(connection, key.collection_pk, query, visibility=visibility)
            if deleted:
                self._audit(connection, "delete", [object_id], 200, deleted)
        if not deleted:
            raise RequestError(f"object {object_id[:MAX_ID_LENGTH]!r} not found", 404)


def _storable(value: str, max_length: int) -> bool:
    return isinstance(value, str) and bool(value) and storable_text(value, max_length)


def _pinned(object_id: str) -> str:
    """The id to look up: an id that cannot be stored becomes one that matches nothing."""
    return object_id if _storable(object_id, MAX_ID_LENGTH) else ""


def _page_size(limit: object, max_page_size: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        try:
            limit = int(str(limit))
        except ValueError:
            raise RequestError("limit must be a positive whole number", 400) from None
    if limit < 1:
        raise RequestError("limit must be a positive whole number", 400)
    return min(limit, max_page_size)


def _parse(row: StoredObject) -> RawJSON:
    """The stored object, to be written into the response as stored (see ``http/rawjson.py``)."""
    assert row.body is not None
    return RawJSON(row.body)


def _manifest(row: StoredObject) -> dict[str, str]:
    return {
        "id": row.object_id,
        "date_added": row.date_added,
        "version": row.version,
        "media_type": f"application/stix+json;version={row.spec_version}",
    }


def _envelope(name: str, items: list[Any], more: bool, token: str | None) -> Envelope:
    if not items and not more:
        return {}
    out: Envelope = {"more": more}
    if token is not None:
        out["next"] = token
    out[name] = items
    return out


def _headers(rows: Sequence[StoredObject]) -> Headers:
    if not rows:
        return {}
    return {
        "X-TAXII-Date-Added-First": rows[0].date_added,
        "X-TAXII-Date-Added-Last": rows[-1].date_added,
    }


def api_root_settings(config: NodeConfig) -> list[ApiRootSettings]:
    """The API roots and collections a node configuration describes."""
    return [
        ApiRootSettings(
            name=root.name,
            title=root.title,
            description=root.description,
            max_content_length=config.limits.max_content_length,
            collections=tuple(
                CollectionSettings(
                    id=str(c.id),
                    title=c.title,
                    description=c.description,
                    alias=c.alias,
                    can_read=c.can_read,
                    can_write=c.can_write,
                    media_types=tuple(c.media_types),
                    mode=c.mode,
                )
                for c in root.collections
            ),
        )
        for root in config.api_roots
    ]
