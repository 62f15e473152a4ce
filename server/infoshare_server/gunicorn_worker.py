"""gunicorn's threaded worker, with its own error pages in TAXII JSON instead of HTML.

Implements "No 500, no HTML" of docs/operator-guide.md ("What answers in
TAXII JSON"). gunicorn refuses some requests before the application sees
them: a malformed request line or header (400), a request line longer than
``limit_request_line`` (414), too many or too large headers (431), an
unsupported transfer coding (501), and answers with a small HTML page of
its own. :class:`TaxiiThreadWorker` keeps gunicorn's decision (status,
reason, message, access log, logging) and only rewrites that page as a TAXII
2.1 error message (TAXII 2.1 §3.6.1, ``application/taxii+json;version=2.1``)
just before it is written to the client's socket.

What it cannot cover: a connection that never forms an HTTP request (a TLS
handshake that fails, a client that closes early) gets no answer at all,
and gunicorn's master process answers nothing itself.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from infoshare_server.http.media import TAXII_MEDIA_TYPE_V21

#: The page gunicorn writes (``gunicorn.util.write_error``): status line, headers, HTML.
_PAGE = re.compile(
    rb"\AHTTP/1\.1 (?P<status>\d{3}) (?P<reason>[^\r\n]*)\r\n.*?\r\n\r\n"
    rb".*?</h1>\s*(?P<message>.*?)\s*</body>",
    re.DOTALL,
)

#: What a client can do about each refusal gunicorn makes.
_HINTS = {
    400: "the request is not well-formed HTTP/1.1; check the request line and headers",
    414: "send fewer match[id] values per request, or split it into several requests",
    431: "the request has too many or too large headers",
    501: "use no Transfer-Encoding other than chunked",
}


def taxii_error_page(page: bytes) -> bytes:
    """gunicorn's HTML error response ``page`` as a TAXII error message response.

    Anything that is not such a page is returned unchanged.
    """
    match = _PAGE.match(page)
    if match is None:
        return page
    status = int(match["status"])
    reason = match["reason"].decode("latin-1")
    message = html.unescape(match["message"].decode("latin-1")).strip()
    hint = _HINTS.get(status)
    description = "; ".join(part for part in (message, hint) if part) or reason
    body = json.dumps(
        {"title": reason, "description": description, "http_status": str(status)}
    ).encode("ascii")
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {TAXII_MEDIA_TYPE_V21}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _RewritingSocket:
    """The client socket, as gunicorn's error writer uses it, with the page rewritten."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(taxii_error_page(bytes(data)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class TaxiiThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's ``gthread`` worker whose own error pages are TAXII error messages."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        super().handle_error(req, _RewritingSocket(client), addr, exc)
