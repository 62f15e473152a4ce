"""Run the node under gunicorn, a production WSGI server, as the configuration says.

Implements "Configuration and running" of the TAXII 2.1 node issue and the
threads, timeouts and TLS of the partner-trust issue (docs/operator-guide.md).
The master process checks the configuration, reads the paging secret, loads
the TLS files and opens the database once (creating or migrating its tables)
before any worker starts, so mistakes surface as one clear message. Each
worker then builds its own app and database connections after the fork;
nothing is shared between workers but the database, so any worker can serve
any request, including the next page of another worker's answer.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from infoshare_server.app import create_app, open_backend
from infoshare_server.config import NodeConfig
from infoshare_server.db_timeouts import apply_statement_timeout
from infoshare_server.errors import StorageError
from infoshare_server.storage import Store
from infoshare_server.tls import ClientCertificates, server_context, tls_files

log = logging.getLogger(__name__)


def gunicorn_options(config: NodeConfig) -> dict[str, Any]:
    """gunicorn settings for ``config`` (bind, workers, threads, timeouts, TLS, logs).

    Always gunicorn's threaded worker: its main loop waits for idle and
    kept-alive connections without holding a thread, and a client that sends
    its request slowly holds one thread of one worker (for at most
    ``limits.body_timeout`` while its body arrives), not the whole worker. It
    runs as :class:`~infoshare_server.gunicorn_worker.TaxiiThreadWorker`, which
    answers gunicorn's own refusals (400, 414, 431) in TAXII JSON.
    """
    server = config.server
    options: dict[str, Any] = {
        "bind": f"{server.host}:{server.port}",
        "workers": server.workers,
        "threads": server.threads,
        # gunicorn's gthread worker, its own error pages in TAXII JSON (gunicorn_worker.py).
        "worker_class": "infoshare_server.gunicorn_worker.TaxiiThreadWorker",
        "timeout": server.timeout,
        "graceful_timeout": min(server.timeout, 30),
        # Seconds an idle kept-alive connection stays open.
        "keepalive": 5,
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
    if config.tls is not None:
        certificate, key, client_ca = tls_files(config)
        options |= {
            "certfile": str(certificate),
            "keyfile": str(key),
            "ssl_context": _ssl_context_hook(config),
        }
        if client_ca is not None:
            options["ca_certs"] = str(client_ca)
    return options


def _ssl_context_hook(config: NodeConfig) -> Callable[[Any, Any], ssl.SSLContext]:
    """gunicorn's ``ssl_context`` setting: one context per worker, built on first use."""
    contexts: list[ssl.SSLContext] = []

    def ssl_context(_gunicorn_config: Any, _default_factory: Any) -> ssl.SSLContext:
        if not contexts:
            contexts.append(server_context(config))
        return contexts[0]

    return ssl_context


def _worker_app(config: NodeConfig) -> Flask:
    """The app of one worker: the node, its statement timeout, its client certificates."""
    app = create_app(config)
    store = getattr(app.medallion_backend, "store", None)  # type: ignore[attr-defined]
    if isinstance(store, Store):
        apply_statement_timeout(store.engine, config.limits.statement_timeout)
    app.wsgi_app = ClientCertificates(  # type: ignore[method-assign]
        app.wsgi_app,
        header=config.proxy.client_certificate_header,
        trusted_proxies=config.access.trusted_proxies,
    )
    return app


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
        return _worker_app(self.node_config)


def prepare(config: NodeConfig) -> None:
    """Fail fast, before forking: secret readable, TLS files usable, database migrated."""
    config.paging_secret()
    if config.tls is not None:
        server_context(config)
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
    if config.tls is not None:
        log.warning("--dev serves plain HTTP: the [tls] section is ignored")
    app = _worker_app(config)
    app.run(host=config.server.host, port=config.server.port, threaded=True)
