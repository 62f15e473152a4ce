"""Errors of node-to-node sync, in the library's one hierarchy.

Implements the failure rules of docs/adr/0007-sync.md: a remote that is down
or refuses the credentials is *retryable* (exponential backoff, bounded); a
remote that answers garbage is not (nothing from it is stored, and the run
reports it). Either way the local node is left as it was after its last
committed page.
"""

from __future__ import annotations

from infoshare_server.errors import NodeError


class SyncError(NodeError):
    """Sync cannot do what was asked (configuration, local collection, push rules)."""


class RemoteError(SyncError):
    """A remote node did not give a usable answer.

    ``retryable`` is True when trying again later may help (connection refused,
    timeout, 5xx, 429, refused credentials), False when the answer itself is
    unusable (not JSON, wrong media type, not a TAXII envelope, ``more``
    without ``next``).
    """

    def __init__(self, message: str, *, retryable: bool, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retryable = retryable


class RemoteUnavailable(RemoteError):
    """The remote is down, slow, overloaded or refuses our credentials (worth retrying).

    ``retry_after`` is the remote's ``Retry-After`` in seconds, when it sent one: the
    backoff waits at least that long (up to its ``max_delay``) before trying again.
    """

    def __init__(
        self, message: str, *, hint: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, retryable=True, hint=hint)
        self.retry_after = retry_after


class RemoteGarbage(RemoteError):
    """The remote answered something that is not what TAXII 2.1 promises."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, retryable=False, hint=hint)
