"""Per-partner request rate limits: token buckets, answered with 429 and Retry-After.

Implements "Limits" of the partner-trust issue (docs/operator-guide.md, "Rate
limits and timeouts"). Every request to a TAXII endpoint by an authenticated
partner takes one token from that partner's bucket
(``current_partner().id``); every request refused with 401 (no or wrong
credentials) takes one from the bucket of its source address, and an address
whose bucket is empty is refused before its credentials are even checked, so
a client hammering the node with bad credentials is limited too and costs no
password hashing. A bucket holds at most ``burst`` tokens and refills at
``rate_per_partner`` tokens a second; an empty bucket means 429 with a
``Retry-After`` header saying when the next token arrives.

Where the buckets live: in the memory of each gunicorn worker, with the
node's rate and burst divided by the number of workers. Measured on the
development machine, taking a token from memory costs about 1.3 µs; keeping
the buckets in the shared database instead costs one committed write per
request, about 5 ms on SQLite and 6 ms on PostgreSQL (each commit is made
durable), which would make every read as expensive as a write and serialise
all requests on the bucket rows. The price is precision: the node-wide total
stays near the configured rate, but a partner whose requests all reach one
worker (one kept-alive connection) gets that worker's share. Several nodes
behind a load balancer each apply their own limit (see the operator guide).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, request

from infoshare_server.access import current_partner
from infoshare_server.config import LimitsSection
from infoshare_server.errors import RequestError

#: Buckets kept per worker; the least recently used are forgotten beyond this.
MAX_BUCKETS = 50_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Token buckets by key: ``rate`` tokens a second, at most ``burst`` at once (thread-safe)."""

    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = MAX_BUCKETS,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._max = max_buckets
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def _refill(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
            self._buckets[key] = bucket
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
            return bucket
        self._buckets.move_to_end(key)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate)
        bucket.updated = now
        return bucket

    def take(self, key: str, *, debt: bool = False) -> float:
        """Take one token for ``key``: 0.0 if there was one, else seconds until there is.

        With ``debt``, the token is taken even when there is none (down to at
        most one token below zero): for charging a request that has already
        been served.
        """
        now = self._clock()
        with self._lock:
            bucket = self._refill(key, now)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            if debt:
                bucket.tokens = max(-1.0, bucket.tokens - 1)
            return (1 - bucket.tokens) / self.rate

    def wait(self, key: str) -> float:
        """Seconds until ``key`` has a token (0.0: it has one now); takes nothing."""
        now = self._clock()
        with self._lock:
            bucket = self._refill(key, now)
            return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / self.rate


def address_key(address: str | None) -> str:
    """The bucket key of a source address; IPv6 clients are grouped by their /64 network."""
    if not address:
        return "address:unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address}"
    if parsed.version == 6:
        mapped = parsed.ipv4_mapped
        if mapped is not None:
            return f"address:{mapped}"
        network = ipaddress.ip_network(f"{parsed}/64", strict=False)
        return f"address:{network}"
    return f"address:{parsed}"


class TooManyRequests(RequestError):
    """429: the requester used up its tokens; ``retry_after`` is in whole seconds."""

    def __init__(self, retry_after: int, who: str) -> None:
        super().__init__(
            f"too many requests from {who}: wait {retry_after} s (Retry-After) and slow down;"
            " this node limits the request rate of each partner",
            429,
        )
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class RateLimits:
    """The request rate limits of one worker, as three Flask hooks (see :meth:`install`).

    * before authentication, :meth:`refuse_blocked_address`: a source address
      whose bucket is empty gets 429 at once, before any password is hashed;
    * after authentication, :meth:`charge_partner`: the partner's request takes
      a token from the partner's bucket (429 when it is empty);
    * after the response, :meth:`charge_failure`: a request refused with 401
      (no or wrong credentials) takes a token from its source address's bucket.
    """

    def __init__(
        self,
        limits: LimitsSection,
        workers: int,
        *,
        address: Callable[[], str | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        workers = max(1, workers)
        rate = limits.rate_per_partner / workers
        burst = max(1.0, limits.burst / workers)
        self.enabled = rate > 0
        self.partners = TokenBuckets(rate or 1.0, burst, clock=clock)
        self.addresses = TokenBuckets(rate or 1.0, burst, clock=clock)
        self._address = address or (lambda: request.remote_addr)

    def install_before_authentication(self, app: Flask) -> None:
        """Register the hook that must run before the authentication hook."""
        app.before_request(self.refuse_blocked_address)

    def install_after_authentication(self, app: Flask) -> None:
        """Register the hooks that must run after the authentication hook.

        Register the request checks that read the body after these, so a
        refused request is refused before its body is read.
        """
        app.before_request(self.charge_partner)
        app.after_request(self.charge_failure)

    @staticmethod
    def _applies() -> bool:
        return request.endpoint is not None and request.blueprint != "health"

    def refuse_blocked_address(self) -> None:
        if not self.enabled or not self._applies():
            return
        key = address_key(self._address())
        wait = self.addresses.wait(key)
        if wait > 0:
            raise TooManyRequests(max(1, math.ceil(wait)), "this address")

    def charge_partner(self) -> None:
        if not self.enabled or not self._applies():
            return
        partner = current_partner()
        if partner is None:
            return
        wait = self.partners.take(f"partner:{partner.id}")
        if wait > 0:
            raise TooManyRequests(max(1, math.ceil(wait)), "this partner")

    def charge_failure(self, response: Response) -> Response:
        if self.enabled and response.status_code == 401 and current_partner() is None:
            self.addresses.take(address_key(self._address()), debt=True)
        return response
