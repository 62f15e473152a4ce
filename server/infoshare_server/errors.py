"""Errors of the node, as part of the library's one hierarchy (infoshare/errors.py).

::

    InfoshareError                      (infoshare.errors)
    └── NodeError                       base: every error the node raises on purpose
        ├── StorageError                the database cannot do what was asked
        └── RequestError                a client request the node refuses, with its HTTP status

    TaxiiError                          (infoshare_server.http.errors) a request refused with
    │                                   a TAXII error message; also medallion's ProcessingError,
    │                                   so medallion's views and the handlers answer its status
    ├── RequestError                    (the node's refusals are TAXII refusals too)
    └── BodyTooLarge, BodyTimeout,      (infoshare_server.http.body) reading a request body
        BodyIncomplete

Configuration errors (they name the key and the file) belong under
:class:`NodeError` as well.
"""

from __future__ import annotations

from infoshare.errors import InfoshareError
from infoshare_server.http.errors import TaxiiError


class NodeError(InfoshareError):
    """Base class of every error raised on purpose by the node."""


class StorageError(NodeError):
    """The database cannot do what was asked (unreachable, unknown URL, failed migration...)."""


class RequestError(NodeError, TaxiiError):
    """A client request the node refuses; ``status`` is the HTTP status to answer with.

    The message says what is wrong with the request and how to fix it; it is
    sent to the client as the TAXII error ``description``.
    """
