"""The access package at work in the node: one object per worker, plus Flask glue.

Implements docs/adr/0006-partner-access.md for the app (``app.py``):

* :meth:`AccessControl.authenticate_request` runs before every TAXII
  endpoint, maps the credentials to a :class:`Partner`, builds the request's
  one :class:`~infoshare_server.access.Policy` and stores it in
  ``flask.g.policy``, or answers 401 (with ``WWW-Authenticate``) and audits
  the failure. There is no anonymous access, discovery included.
* the backend asks that policy (:func:`current_policy`) every question of
  trust, and records reads, writes and deletes with :meth:`audit` /
  :meth:`entry`.
* the source address is the peer's address; ``X-Forwarded-For`` is believed
  only when the peer is one of the configured trusted proxies.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Mapping, Sequence

from flask import Response, g, has_request_context, request
from sqlalchemy.engine import Connection

from infoshare_server.access._audit import Action, AuditEntry, write_entry
from infoshare_server.access._authenticate import Authenticator
from infoshare_server.access._certificates import ENVIRON_KEY, ClientCertificate
from infoshare_server.access._directory import now_text
from infoshare_server.access._model import AccessSettings, Partner
from infoshare_server.access._policy import Policy
from infoshare_server.http.errors import taxii_error
from infoshare_server.storage import Store

log = logging.getLogger(__name__)

_COLLECTION_PATH = re.compile(r"^/([^/]+)/(?:collections/([^/]+)/|status/)")

#: Blueprints that are public or authenticate their requests themselves: the health
#: check, the published profile site (public), and the case viewer (its own sign-in
#: sessions, docs/adr/0015-case-viewer.md).
OWN_AUTHENTICATION = frozenset({"health", "viewer", "spec_site"})

#: The challenges a 401 carries: HTTP Basic or an API token.
CHALLENGE = 'Basic realm="infoshare", Bearer realm="infoshare"'


def current_policy() -> Policy | None:
    """The policy of the current request (None outside a request or before auth)."""
    if not has_request_context():
        return None
    policy = g.get("policy")
    return policy if isinstance(policy, Policy) else None


def current_partner() -> Partner | None:
    """The partner making the current request (None outside a request or before auth)."""
    policy = current_policy()
    return policy.requester if policy is not None else None


def unauthorized() -> Response:
    """A TAXII 401 error with both challenges."""
    return taxii_error(
        401,
        "Unauthorized",
        "Send valid credentials: HTTP Basic (partner id and password) or an API token"
        " as Authorization: Bearer isk_…",
        {"WWW-Authenticate": CHALLENGE},
    )


class AccessControl:
    """Authentication, the per-request policy and the audit trail of one node (one per worker)."""

    def __init__(
        self,
        store: Store | None,
        *,
        operators: Mapping[str, str] | None = None,
        settings: AccessSettings | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or AccessSettings()
        self.authenticator = Authenticator(store, operators)
        self._proxies = tuple(
            ipaddress.ip_network(proxy, strict=False) for proxy in self.settings.trusted_proxies
        )

    # --- authentication ----------------------------------------------------------------

    def authenticate_request(self) -> Response | None:
        """Flask ``before_request`` hook: sets ``g.policy`` or answers 401."""
        if request.endpoint is None or request.blueprint in OWN_AUTHENTICATION:
            return None
        certificate = request.environ.get(ENVIRON_KEY)
        outcome = self.authenticator.authenticate(
            request.headers.get("Authorization"),
            certificate if isinstance(certificate, ClientCertificate) else None,
        )
        if outcome.partner is None:
            self.audit(None, self.entry("auth_failure", 401, attempted=outcome.attempted))
            log.info("authentication failed (%s) from %s", outcome.reason, self.source_address())
            return unauthorized()
        g.policy = self.policy_for(outcome.partner)
        return None

    def policy_for(self, requester: Partner) -> Policy:
        """The one policy of a request made by ``requester``."""
        return Policy.for_requester(requester, self.store, self.settings)

    # --- audit --------------------------------------------------------------------------

    def entry(
        self,
        action: Action,
        status_code: int,
        *,
        object_ids: Sequence[str] = (),
        object_count: int | None = None,
        attempted: str | None = None,
    ) -> AuditEntry:
        """An audit entry for the current request."""
        partner = current_partner()
        api_root, collection_id = _location(request.path)
        return AuditEntry(
            at=now_text(),
            action=action,
            partner_id=partner.id if partner is not None else attempted,
            authenticated=partner is not None,
            method=request.method,
            path=request.path,
            status_code=status_code,
            api_root=api_root,
            collection_id=collection_id,
            object_ids=tuple(object_ids),
            object_count=len(object_ids) if object_count is None else object_count,
            source_address=self.source_address(),
        )

    def audit(self, connection: Connection | None, entry: AuditEntry) -> None:
        """Append ``entry``: inside ``connection``'s transaction, or in one of its own.

        An entry of its own for a read is committed before the response is
        sent but without waiting for the disk (SQLite ``synchronous=NORMAL``
        in WAL mode: it survives a crash of the node, not a power loss right
        after it; see "Audit trail" in docs/adr/0006-partner-access.md). Every
        other entry of its own (denials, failed logins) is committed durably.
        """
        if connection is not None:
            write_entry(connection, entry)
            return
        if self.store is None:
            log.warning("no database to audit %s by %s", entry.action, entry.partner_id)
            return
        with self.store.writing(durable=entry.action != "read") as own:
            write_entry(own, entry)

    def audit_denied(self, response: Response) -> Response:
        """Flask ``after_request`` hook: a 403 to an authenticated partner is audited."""
        if response.status_code == 403 and current_partner() is not None:
            self.audit(None, self.entry("denied", 403))
        return response

    def source_address(self) -> str | None:
        """The client's address; X-Forwarded-For only from a trusted proxy."""
        peer = request.remote_addr
        if not self._proxies or peer is None or not self._trusted(peer):
            return peer
        forwarded = [
            part.strip()
            for header in request.headers.getlist("X-Forwarded-For")
            for part in header.split(",")
            if part.strip()
        ]
        for hop in reversed(forwarded):
            if not self._trusted(hop):
                return hop[:100]
        return forwarded[0][:100] if forwarded else peer

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._proxies)


def _location(path: str) -> tuple[str | None, str | None]:
    match = _COLLECTION_PATH.match(path)
    if match is None:
        root = path.strip("/").split("/", 1)[0]
        return (root or None, None) if root and root != "taxii2" else (None, None)
    return match.group(1), match.group(2)
