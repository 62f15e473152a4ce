"""Every error the node sends is a TAXII 2.1 error message (§3.6.1), never an HTML page.

Part of the node issue: medallion's ``ProcessingError``/``BackendError``,
Werkzeug's HTTP errors (404 for unknown paths, 405, 413 from
``MAX_CONTENT_LENGTH``...), authentication failures and, as a last resort,
any unexpected exception become ``application/taxii+json;version=2.1``
bodies with ``title``, ``description`` and ``http_status``. The last resort
logs the traceback and answers 500; the HTTP test suite proves that bad input
never reaches it.
"""

from __future__ import annotations

import json
import logging

from flask import Flask, Response
from medallion.exceptions import MedallionError, ProcessingError
from werkzeug.exceptions import HTTPException

from infoshare.errors import InfoshareError
from infoshare_server.http.media import TAXII_MEDIA_TYPE_V21

log = logging.getLogger(__name__)


class TaxiiError(InfoshareError, ProcessingError):  # type: ignore[misc]
    """A request refused with a TAXII error message; ``status`` is the HTTP status.

    The message says what is wrong with the request and how to fix it; it is
    sent to the client as the error's ``description``. Being a medallion
    ``ProcessingError``, medallion's views and our handlers answer it with
    that status. The node's own refusals (``infoshare_server.errors.RequestError``)
    are a kind of it.
    """

    def __init__(self, message: str, status: int = 400, *, hint: str | None = None) -> None:
        # Both bases define __init__ differently: set what each expects directly.
        Exception.__init__(self, message)
        self.message = message
        self.hint = hint
        self.status = status
        self.root_exception = None

    def __str__(self) -> str:
        return self.message


def taxii_error(
    status: int, title: str, description: str, headers: dict[str, str] | None = None
) -> Response:
    """A TAXII error message response."""
    body = {"title": title, "description": description, "http_status": str(status)}
    return Response(json.dumps(body), status=status, headers=headers, mimetype=TAXII_MEDIA_TYPE_V21)


def _medallion_error(error: MedallionError) -> Response:
    status = int(error.status)
    headers = getattr(error, "headers", None)
    return taxii_error(status, _TITLES.get(status, "Error"), str(error.message), headers)


def _http_error(error: HTTPException) -> Response:
    status = int(error.code or 500)
    headers = {
        name: value
        for name, value in error.get_headers()
        if name.lower() in ("allow", "www-authenticate", "retry-after")
    }
    return taxii_error(
        status, _TITLES.get(status, error.name), error.description or error.name, headers
    )


def internal_error(error: Exception) -> Response:
    """The last resort: log ``error`` with its traceback and answer a TAXII 500."""
    return _unexpected(error)


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("internal error while serving a TAXII request")
    return taxii_error(
        500,
        "Internal Server Error",
        "The node failed to process the request. The failure is logged; please report it.",
    )


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def register_error_handlers(app: Flask) -> None:
    """Make every error response of ``app`` a TAXII error message."""
    app.register_error_handler(MedallionError, _medallion_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
