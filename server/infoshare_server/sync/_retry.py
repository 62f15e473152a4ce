"""Retrying a remote request with exponential backoff, bounded.

Implements the "down or refusing credentials: a clear error and a retry with
backoff" rule of issue 5 (docs/adr/0007-sync.md). Only a
:class:`RemoteError` marked ``retryable`` is tried again; the delays are
``first_delay``, twice that, four times... capped at ``max_delay``, at most
``retries`` times. A remote's ``Retry-After`` (see
:attr:`RemoteUnavailable.retry_after`) lengthens a wait, never beyond
``max_delay``. Nothing is committed by a failed request, so retrying it (or
giving up) never loses or duplicates data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from infoshare_server.sync._errors import RemoteError, RemoteUnavailable

_T = TypeVar("_T")

#: Told about each retry: the error, the attempt number (1-based), the delay before it.
OnRetry = Callable[[RemoteError, int, float], None]


@dataclass(frozen=True)
class Backoff:
    """How often and how patiently to retry a failing remote."""

    retries: int = 5
    first_delay: float = 1.0
    max_delay: float = 300.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delays(self) -> list[float]:
        """The waits before each retry, in order."""
        return [min(self.first_delay * 2**n, self.max_delay) for n in range(self.retries)]

    def run(self, action: Callable[[], _T], on_retry: OnRetry | None = None) -> _T:
        """``action()``, retried after retryable :class:`RemoteError`; the last error re-raised."""
        for attempt, delay in enumerate([*self.delays(), None], start=1):
            try:
                return action()
            except RemoteError as exc:
                if not exc.retryable or delay is None:
                    raise
                if isinstance(exc, RemoteUnavailable) and exc.retry_after is not None:
                    delay = max(delay, min(exc.retry_after, self.max_delay))
                if on_retry is not None:
                    on_retry(exc, attempt, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
