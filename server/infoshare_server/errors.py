"""Errors of the node, as part of the library's one hierarchy (infoshare/errors.py).

::

    InfoshareError                      (infoshare.errors)
    └── NodeError                       base: every error the node raises on purpose
        ├── StorageError                the database cannot do what was asked
        └── RequestError                a client request the node refuses, with its HTTP status
            (also medallion's ProcessingError, so medallion's views and error
            handlers turn it into a TAXII error message with that status)

Configuration errors (they name the key and the file) belong under
:class:`NodeError` as well.
"""

from __future__ import annotations

from medallion.exceptions import ProcessingError

from infoshare.errors import InfoshareError


class NodeError(InfoshareError):
    """Base class of every error raised on purpose by the node."""


class StorageError(NodeError):
    """The database cannot do what was asked (unreachable, unknown URL, failed migration...)."""


class RequestError(NodeError, ProcessingError):  # type: ignore[misc]
    """A client request the node refuses; ``status`` is the HTTP status to answer with.

    The message says what is wrong with the request and how to fix it; it is
    sent to the client as the TAXII error ``description``.
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
