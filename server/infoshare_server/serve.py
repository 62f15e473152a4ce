"""Run the node under gunicorn, a production WSGI server, as the configuration says.

Implements "Configuration and running" of the TAXII 2.1 node issue
(docs/operator-guide.md). The master process checks the configuration, reads
the paging secret and opens the database once (creating or migrating its
tables) before any worker starts, so mistakes surface as one clear message.
Each worker then builds its own app and database connections after the fork;
nothing is shared between workers but the database, so any worker can serve
any request, including the next page of another worker's answer.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from infoshare_server.app import create_app, open_backend
from infoshare_server.config import NodeConfig
from infoshare_server.errors import StorageError

log = logging.getLogger(__name__)


def gunicorn_options(config: NodeConfig) -> dict[str, Any]:
    """gunicorn settings for ``config`` (bind, workers, threads, timeout, logs)."""
    server = config.server
    return {
        "bind": f"{server.host}:{server.port}",
        "workers": server.workers,
        "threads": server.threads,
        "worker_class": "gthread" if server.threads > 1 else "sync",
        "timeout": server.timeout,
        "graceful_timeout": min(server.timeout, 30),
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "infoshare-node",
        "preload_app": False,
        # gunicorn >= 25 opens a control socket at one path per user; several nodes on
        # one machine would fight over it, and the node does not need it.
        "control_socket_disable": True,
        # Long enough for match[id] filters with ~150 ids (gunicorn's maximum).
        "limit_request_line": 8190,
    }


class NodeServer(BaseApplication):  # type: ignore[misc]
    """gunicorn running one node; each worker builds its app with :func:`create_app`."""

    def __init__(self, config: NodeConfig, overrides: dict[str, Any] | None = None) -> None:
        self.node_config = config
        self.options = gunicorn_options(config) | (overrides or {})
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key == "control_socket_disable" and key not in self.cfg.settings:
                continue  # gunicorn older than 25 has no control socket
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(self.node_config)


def prepare(config: NodeConfig) -> None:
    """Fail fast, before forking: secret readable, database reachable and migrated."""
    config.paging_secret()
    try:
        backend = open_backend(config)
    except StorageError as exc:
        where = config.source if config.source is not None else "the configuration"
        raise StorageError(f"{where}: storage.url: {exc.message}", hint=exc.hint) from None
    store = getattr(backend, "store", None)
    if store is not None:  # workers open their own connections after the fork
        store.close()


def serve(config: NodeConfig) -> None:
    """Serve ``config`` with gunicorn until interrupted."""
    prepare(config)
    NodeServer(config).run()


def serve_dev(config: NodeConfig) -> None:
    """Serve with Werkzeug's single-process development server (debugging only)."""
    prepare(config)
    app = create_app(config)
    app.run(host=config.server.host, port=config.server.port, threaded=True)
