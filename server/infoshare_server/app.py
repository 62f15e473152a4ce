"""Build the node's Flask application: medallion's TAXII 2.1 views over our backend.

Implements the "Storage"/"Protocol" wiring of the TAXII 2.1 node issue
(docs/architecture.md, "The node"). medallion's four blueprints (discovery,
collections, objects, manifest) are registered unchanged on a fresh Flask
app; they read ``current_app.medallion_backend``, ``current_app.taxii_config``
and ``current_app.users_backend`` and are guarded by medallion's module-global
HTTP Basic ``auth``. Who the requester is and what it may see is decided by
the access package (docs/adr/0006-partner-access.md): its ``before_request``
hook authenticates every TAXII request (HTTP Basic, Bearer token or client
certificate) and stores the partner in ``flask.g``; medallion's ``auth`` then
just accepts that partner, and the backend asks the access package for rights
and visibility. Where medallion departs from the specification, the ``http`` package
(request checks, TAXII error bodies) corrects it around the views, never
inside them.
"""

from __future__ import annotations

import logging

import medallion
from flask import Flask, Response
from medallion.backends.base import Backend
from medallion.views import collections, discovery, manifest, objects

from infoshare_server import spec_site
from infoshare_server.access import (
    AccessControl,
    AccessSettings,
    Partner,
    current_partner,
    unauthorized,
)
from infoshare_server.access._origin import sharing_settings
from infoshare_server.backend import SqlBackend
from infoshare_server.config import NodeConfig
from infoshare_server.db_timeouts import register_database_errors
from infoshare_server.health import health_blueprint
from infoshare_server.http.edges import (
    CanonicalURL,
    HeadAsGet,
    NodeFlask,
    canonical_url_response,
)
from infoshare_server.http.errors import register_error_handlers
from infoshare_server.http.protocol import RequestChecks, StrictJSONProvider
from infoshare_server.ratelimit import RateLimits
from infoshare_server.storage import Store
from infoshare_server.viewer.web import install as install_viewer

log = logging.getLogger(__name__)


def _verify_password(_username: str, _password: str) -> Partner | None:
    """medallion's ``auth`` calls this for every TAXII endpoint: the partner the access
    package authenticated before the view (None → 401)."""
    return current_partner()


class _NoStoredPasswords:
    """``current_app.users_backend``: medallion looks up a stored password there before
    calling ``verify_password``; the access package keeps none in memory."""

    def __contains__(self, _name: object) -> bool:
        return False  # medallion's unused stored-password lookup finds nothing


def _hook_authentication() -> None:
    """Point medallion's module-global ``auth`` at the access package (idempotent)."""
    medallion.auth.verify_password(_verify_password)
    medallion.auth.error_handler(lambda _status=401: unauthorized())


def access_control(config: NodeConfig, store: Store | None) -> AccessControl:
    """The access package for ``config``: operator accounts, policy, database."""
    return AccessControl(
        store,
        operators={user.name: user.password_hash for user in config.users},
        settings=AccessSettings(
            unmarked_tlp=config.access.unmarked_tlp,
            trusted_proxies=tuple(config.access.trusted_proxies),
            sharing=sharing_settings(config.sharing),
        ),
    )


def open_backend(config: NodeConfig) -> Backend:
    """The node's SQL backend for ``config`` (creates or migrates its tables)."""
    return SqlBackend.from_config(config)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def create_app(config: NodeConfig, backend: Backend | None = None) -> Flask:
    """A new Flask app serving the node described by ``config``.

    ``backend`` defaults to :func:`open_backend`; tests may pass another
    medallion backend.
    """
    app = NodeFlask("infoshare_server")
    app.wsgi_app = HeadAsGet(app.wsgi_app)  # type: ignore[method-assign]
    app.json = StrictJSONProvider(app)
    app.config.update(MAX_CONTENT_LENGTH=config.limits.max_content_length)
    app.node_config = config  # type: ignore[attr-defined]
    served = backend if backend is not None else open_backend(config)
    app.medallion_backend = served  # type: ignore[attr-defined]
    app.taxii_config = {"max_page_size": config.limits.max_page_size}  # type: ignore[attr-defined]
    store = getattr(served, "store", None)
    access = access_control(config, store if isinstance(store, Store) else None)
    if isinstance(served, SqlBackend):
        served.access = access
    app.access_control = access  # type: ignore[attr-defined]
    app.users_backend = _NoStoredPasswords()  # type: ignore[attr-defined]
    _hook_authentication()
    rate_limits = RateLimits.for_node(
        config, store if isinstance(store, Store) else None, address=access.source_address
    )
    rate_limits.install_before_authentication(app)
    app.before_request(access.authenticate_request)
    rate_limits.install_after_authentication(app)
    app.before_request(
        RequestChecks(
            max_content_length=config.limits.max_content_length,
            body_timeout=config.limits.body_timeout,
            may_send_body=lambda: current_partner() is not None,
        )
    )
    app.after_request(_security_headers)
    app.after_request(access.audit_denied)
    register_error_handlers(app)
    register_database_errors(app)
    app.register_error_handler(CanonicalURL, canonical_url_response)
    app.register_blueprint(health_blueprint)
    spec_site.install(app, config.spec_site_folder())
    install_viewer(app, config, access, rate_limits)
    for blueprint in (
        discovery.discovery_bp,
        collections.collections_bp,
        objects.objects_bp,
        manifest.manifest_bp,
    ):
        app.register_blueprint(blueprint)
    log.info("node %r ready with %d API root(s)", config.node.title, len(config.api_roots))
    return app
