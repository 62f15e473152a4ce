"""Build the node's Flask application: medallion's TAXII 2.1 views over our backend.

Implements the "Storage"/"Protocol" wiring of the TAXII 2.1 node issue
(docs/architecture.md, "The node"). medallion's four blueprints (discovery,
collections, objects, manifest) are registered unchanged on a fresh Flask
app; they read ``current_app.medallion_backend``, ``current_app.taxii_config``
and ``current_app.users_backend`` and are guarded by medallion's module-global
HTTP Basic ``auth``, whose password check we supply (auth.py). Where medallion
departs from the specification, protocol.py and protocol_errors.py correct it
around the views, never inside them.
"""

from __future__ import annotations

import logging

import medallion
from flask import Flask, Response
from medallion.backends.base import Backend
from medallion.views import collections, discovery, manifest, objects

from infoshare_server.auth import UserDirectory
from infoshare_server.config import NodeConfig
from infoshare_server.health import health_blueprint
from infoshare_server.protocol import StrictJSONProvider, check_request
from infoshare_server.protocol_errors import register_error_handlers, unauthorized

log = logging.getLogger(__name__)


def _verify_password(username: str, password: str) -> str | None:
    """medallion's ``auth`` calls this for every request to a TAXII endpoint."""
    from flask import current_app

    users: UserDirectory = current_app.users_backend  # type: ignore[attr-defined]
    if username and users.check(username, password):
        return username
    return None


def _hook_authentication() -> None:
    """Point medallion's module-global HTTP Basic ``auth`` at our hashed accounts (idempotent)."""
    medallion.auth.verify_password(_verify_password)
    medallion.auth.error_handler(unauthorized)


def open_backend(config: NodeConfig) -> Backend:
    """The node's SQL backend for ``config`` (creates or migrates its tables)."""
    from infoshare_server.backend import SqlBackend

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
    app = Flask("infoshare_server")
    app.json = StrictJSONProvider(app)
    app.config.update(MAX_CONTENT_LENGTH=config.limits.max_content_length)
    app.node_config = config  # type: ignore[attr-defined]
    app.medallion_backend = backend if backend is not None else open_backend(config)  # type: ignore[attr-defined]
    app.taxii_config = {"max_page_size": config.limits.max_page_size}  # type: ignore[attr-defined]
    app.users_backend = UserDirectory(  # type: ignore[attr-defined]
        {user.name: user.password_hash for user in config.users}
    )
    _hook_authentication()
    app.before_request(check_request)
    app.after_request(_security_headers)
    register_error_handlers(app)
    app.register_blueprint(health_blueprint)
    for blueprint in (
        discovery.discovery_bp,
        collections.collections_bp,
        objects.objects_bp,
        manifest.manifest_bp,
    ):
        app.register_blueprint(blueprint)
    log.info("node %r ready with %d API root(s)", config.node.title, len(config.api_roots))
    return app
