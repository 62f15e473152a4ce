"""HTTP around medallion's views that would otherwise answer 500 or in HTML.

Implements "No 500, no HTML" of docs/operator-guide.md ("What answers in
TAXII JSON"), with the request checks of ``protocol.py`` and the error
messages of ``http/errors.py``:

* **HEAD** (RFC 9110 §9.3.2: the GET response without its content).
  medallion's views for ``…/objects/`` and ``…/objects/<id>/`` branch on the
  method and return nothing for HEAD, which Flask turns into a 500.
  :class:`HeadAsGet` runs a HEAD request as the GET it mirrors (same checks,
  same rights, same audit entry, recorded as GET) and drops the body; the
  status and headers, ``Content-Length`` included, are those of the GET.
* **Trailing-slash redirects.** TAXII 2.1 URLs end with ``/``; Werkzeug
  answers a URL without it with a 308 redirect whose body is an HTML page.
  :class:`NodeFlask` answers the same 308 (same ``Location``) with a TAXII
  JSON body that names the canonical URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Request, Response
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from infoshare_server.http.errors import taxii_error

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class HeadAsGet:
    """WSGI middleware: a HEAD request is served as its GET, without the body."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") != "HEAD":
            return self.app(environ, start_response)
        environ["REQUEST_METHOD"] = "GET"
        body = self.app(environ, start_response)
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return []


class CanonicalURL(HTTPException):
    """The resource lives at ``location`` (the same URL with a trailing slash)."""

    code = 308

    def __init__(self, location: str) -> None:
        super().__init__(f"TAXII URLs end with a slash; this resource is at {location}")
        self.location = location


def canonical_url_response(error: CanonicalURL) -> Response:
    """The 308 answer: TAXII JSON, with ``Location`` for clients that follow it."""
    return taxii_error(
        308, "Permanent Redirect", str(error.description), {"Location": error.location}
    )


class NodeFlask(Flask):
    """Flask whose routing redirects become :class:`CanonicalURL` (answered in TAXII JSON)."""

    def raise_routing_exception(self, request: Request) -> Any:
        routing = request.routing_exception
        if isinstance(routing, RequestRedirect):
            raise CanonicalURL(routing.new_url)
        return super().raise_routing_exception(request)
