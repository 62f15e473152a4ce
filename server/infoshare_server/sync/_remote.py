"""One remote TAXII 2.1 collection, seen through taxii2-client, answers checked.

Implements the client side of docs/adr/0007-sync.md. taxii2-client
(``taxii2client.v21``) does the TAXII work: discovery, the API root, the
collection resource, Get Objects and Add Objects with its status polling.
This module adds what a replicating node needs and the client leaves out:

* a timeout on every request (``requests`` waits forever by default);
* the ``X-TAXII-Date-Added-Last`` header of each page, which becomes the
  pull watermark (the client returns only the parsed body);
* checks on every answer, so a remote that answers garbage is reported and
  nothing from it reaches the local store: a body that is not a JSON object,
  ``objects`` that is not a list of objects with string ``id`` and ``type``,
  ``more: true`` without ``next`` (on which taxii2-client 2.3's ``as_pages``
  loops forever: we never use it), a ``next`` the remote repeats, a page
  without the date-added header. A page may be empty and still say
  ``more: true``: a node that bounds the rows one page examines
  (docs/adr/0020-bounded-work.md) answers so when none of them is visible to
  the requester; the pull loop bounds how many such pages may follow in a row;
* errors mapped to :class:`RemoteUnavailable` (down, timeout, 5xx, 429,
  refused credentials: worth retrying, with the remote's ``Retry-After`` as the
  least wait) or :class:`RemoteGarbage`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from taxii2client.common import _HTTPConnection
from taxii2client.exceptions import AccessError, TAXIIServiceException
from taxii2client.v21 import ApiRoot, Collection, Server

import infoshare
from infoshare.stix.timestamps import TimestampError
from infoshare_server.storage._time import added_after_key
from infoshare_server.sync._errors import RemoteError, RemoteGarbage, RemoteUnavailable

_T = TypeVar("_T")

#: HTTP statuses after which trying again later may succeed.
_RETRYABLE_STATUSES = frozenset({401, 403, 408, 425, 429, 500, 502, 503, 504})
USER_AGENT = f"infoshare-sync/{infoshare.__version__}"


@dataclass(frozen=True, slots=True)
class Page:
    """One checked page of Get Objects."""

    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    #: ``X-TAXII-Date-Added-Last`` in stored form (None for an empty page).
    date_added_last: str | None


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """What the remote made of one Add Objects request."""

    final: bool
    successes: int
    failures: list[tuple[str, str, str]]  # (object id, version, message)
    pending: int


class _TimeoutAdapter(HTTPAdapter):
    """Gives every request a timeout, pins the configured CA file (``requests`` would let
    ``REQUESTS_CA_BUNDLE`` override it) and keeps the last response (for its headers)."""

    def __init__(self, timeout: float, verify: bool | str) -> None:
        super().__init__(max_retries=0)
        self.timeout = timeout
        self.verify = verify
        self.last_response: requests.Response | None = None

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if isinstance(self.verify, str):
            kwargs["verify"] = self.verify
        response = super().send(request, **kwargs)
        self.last_response = response
        return response


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds (delay-seconds or an HTTP-date, RFC 9110 §10.2.3), if usable."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe_http(exc: requests.HTTPError, where: str) -> RemoteError:
    response = exc.response
    code = response.status_code if response is not None else 0
    detail = ""
    if response is not None:
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("title"), str):
                detail = f": {body['title']}"
                if isinstance(body.get("description"), str):
                    detail += f" ({body['description'][:300]})"
        except ValueError:
            pass
    if code in (401, 403):
        return RemoteUnavailable(
            f"{where} refused this node's credentials (HTTP {code}){detail}",
            hint="check user/password_env/token_env of this remote, and that the remote"
            " partner still has this node's key and read/write rights",
        )
    if code in _RETRYABLE_STATUSES:
        retry_after = _retry_after(response.headers) if response is not None else None
        return RemoteUnavailable(f"{where} answered HTTP {code}{detail}", retry_after=retry_after)
    return RemoteError(f"{where} answered HTTP {code}{detail}", retryable=False)


class RemoteCollection:
    """A collection on a remote node: pages of objects in, envelopes out."""

    def __init__(
        self,
        *,
        name: str,
        api_root_url: str | None,
        discovery_url: str | None,
        collection_id: str,
        auth: requests.auth.AuthBase | None,
        verify: bool | str,
        timeout: float,
        client_certificate: tuple[str, str] | None = None,
    ) -> None:
        self.name = name
        self._adapter = _TimeoutAdapter(timeout, verify)
        self._conn = _HTTPConnection(
            verify=verify,
            version="2.1",
            auth=auth,
            user_agent=USER_AGENT,
            cert=client_certificate,
        )
        self._conn.session.mount("http://", self._adapter)
        self._conn.session.mount("https://", self._adapter)
        self._api_root_url = api_root_url
        self._discovery_url = discovery_url
        self.collection_id = collection_id
        self._collection: Any = None
        self._api_root: Any = None

    # --- connection ---------------------------------------------------------------------

    @property
    def where(self) -> str:
        """How messages name this collection."""
        return f"remote {self.name!r} collection {self.collection_id}"

    @property
    def url(self) -> str:
        """The collection's URL (the key of its watermarks)."""
        return str(self._root().url) + f"collections/{self.collection_id}/"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._conn.close()

    def _root(self) -> Any:
        if self._api_root is None:
            if self._api_root_url is not None:
                self._api_root = ApiRoot(self._api_root_url, conn=self._conn)
            else:
                assert self._discovery_url is not None
                server = self._call(
                    lambda: Server(self._discovery_url, conn=self._conn), "discovery"
                )
                root = self._call(lambda: server.default, "discovery")
                roots = self._call(lambda: server.api_roots, "discovery")
                if root is None and len(roots) == 1:
                    root = roots[0]
                if root is None:
                    raise RemoteError(
                        f"remote {self.name!r}: its discovery names no default API root",
                        retryable=False,
                        hint="set api_root to the URL of the API root to use instead",
                    )
                self._api_root = root
        return self._api_root

    def _collection_endpoint(self) -> Any:
        if self._collection is None:
            collection = Collection(self.url, conn=self._conn)
            self._call(collection.refresh, "the collection resource")
            self._collection = collection
        return self._collection

    def _call(self, action: Callable[[], _T], what: str) -> _T:
        where = f"{self.where} ({what})"
        try:
            return action()
        except requests.HTTPError as exc:
            raise _describe_http(exc, where) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RemoteUnavailable(
                f"{where}: cannot reach the remote node: {exc.__class__.__name__}",
                hint="check that the remote node is up and its URL in [[remotes]]",
            ) from None
        except AccessError as exc:
            raise RemoteError(
                f"{where}: {exc}",
                retryable=False,
                hint="ask the remote node's operator for read (pull) or write (push) rights",
            ) from None
        except TAXIIServiceException as exc:
            raise RemoteGarbage(f"{where}: not a TAXII 2.1 answer: {_first_line(exc)}") from None
        except requests.RequestException as exc:
            raise RemoteUnavailable(f"{where}: {exc.__class__.__name__}: {exc}") from None
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise RemoteGarbage(
                f"{where}: not a TAXII 2.1 answer ({exc.__class__.__name__}: {exc})"
            ) from None

    # --- pull ---------------------------------------------------------------------------

    def get_page(self, *, added_after: str | None, next_token: str | None, limit: int) -> Page:
        """One page of every version added after ``added_after`` (following ``next_token``)."""
        collection = self._collection_endpoint()
        filters: dict[str, Any] = {"limit": limit, "version": "all"}
        if added_after is not None:
            filters["added_after"] = added_after
        if next_token is not None:
            filters["next"] = next_token
        body = self._call(lambda: collection.get_objects(**filters), "get objects")
        response = self._adapter.last_response
        return _checked_page(body, response, self.where, next_token)

    # --- push ---------------------------------------------------------------------------

    def max_content_length(self) -> int | None:
        """The largest request body the remote's API root accepts, when it says."""
        value = self._call(lambda: self._root().max_content_length, "API root information")
        return value if isinstance(value, int) and value > 0 else None

    def add(self, envelope_text: str, *, wait_seconds: float) -> PushOutcome:
        """POST an envelope; wait (at most ``wait_seconds``) for its status to be final."""
        collection = self._collection_endpoint()
        status = self._call(
            lambda: collection.add_objects(
                envelope_text.encode("utf-8"),
                wait_for_completion=True,
                poll_interval=0.5,
                timeout=wait_seconds,
            ),
            "add objects",
        )
        failures: list[tuple[str, str, str]] = []
        for item in status.failures:
            if isinstance(item, dict):
                failures.append(
                    (
                        str(item.get("id", "?")),
                        str(item.get("version", "?")),
                        str(item.get("message", "")),
                    )
                )
        return PushOutcome(
            final=status.status == "complete",
            successes=int(status.success_count),
            failures=failures,
            pending=int(status.pending_count),
        )


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__


def _checked_page(
    body: object, response: requests.Response | None, where: str, sent_next: str | None
) -> Page:
    if not isinstance(body, dict):
        raise RemoteGarbage(f"{where}: the answer is not a JSON object (a TAXII envelope)")
    objects = body.get("objects", [])
    if not isinstance(objects, list):
        raise RemoteGarbage(f"{where}: the envelope's objects is not a list")
    for index, item in enumerate(objects):
        if not isinstance(item, dict):
            raise RemoteGarbage(f"{where}: objects[{index}] is not a JSON object")
        if not isinstance(item.get("id"), str) or not isinstance(item.get("type"), str):
            raise RemoteGarbage(f"{where}: objects[{index}] has no string id and type")
    more = body.get("more", False)
    if not isinstance(more, bool):
        raise RemoteGarbage(f"{where}: the envelope's more is not true or false")
    token = body.get("next")
    if token is not None and (not isinstance(token, str) or not token):
        raise RemoteGarbage(f"{where}: the envelope's next is not a non-empty string")
    if more and token is None:
        raise RemoteGarbage(
            f"{where}: the envelope says more: true but gives no next token",
            hint="the remote node breaks TAXII 2.1 §3.4.3; tell its operator",
        )
    if more and token == sent_next:
        raise RemoteGarbage(f"{where}: the remote repeats the same next token (a loop)")
    last: str | None = None
    if objects:
        header = response.headers.get("X-TAXII-Date-Added-Last") if response is not None else None
        if not header:
            raise RemoteGarbage(
                f"{where}: a page of objects without the X-TAXII-Date-Added-Last header",
                hint="TAXII 2.1 §5.4 requires it; without it the pull cannot resume",
            )
        try:
            last = added_after_key(header)
        except TimestampError:
            raise RemoteGarbage(
                f"{where}: X-TAXII-Date-Added-Last is not a timestamp: {header[:60]!r}"
            ) from None
    return Page(objects, more, token if more else None, last)


@contextmanager
def opened(collection: RemoteCollection) -> Iterator[RemoteCollection]:
    """Close ``collection``'s connections when the block ends."""
    try:
        yield collection
    finally:
        collection.close()


def dumps_envelope(bodies: list[str]) -> str:
    """A TAXII envelope around stored object bodies (JSON text), without re-parsing them."""
    return '{"objects":[' + ",".join(bodies) + "]}"
