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

Where the buckets live (docs/adr/0019-several-instances.md, "Rate limits"):

* PostgreSQL: in the database (:class:`SharedTokenBuckets`, table
  ``rate_buckets`` of migration 9), one bucket per partner or address for the
  whole node, however many workers and instances serve it; the rate and burst
  are the configured, node-wide values. A take is one atomic upsert that reads
  the database's clock, autocommitted, on an unlogged table, with
  ``synchronous_commit = off``: no fsync, about one round trip to the
  database, about 300 µs measured on the development machine (PostgreSQL 15 on the
  same host, ``benchmarks/rate_buckets.py``; the in-memory take below costs
  about 2 µs, a take on a logged table with a durable commit 0.7-4 ms). The
  check of an address before authentication is one primary-key read, about
  200 µs. If the database cannot answer a bucket statement within a second,
  the request is let through and a warning logged (rate limits protect the
  node; they do not decide who may see what). Buckets untouched long enough
  to be full again are deleted now and then, in bounded batches.
* SQLite (one machine): in the memory of each gunicorn worker
  (:class:`TokenBuckets`), the node's rate and burst divided by the number of
  workers: a durable SQLite write per request would cost milliseconds and
  serialise all requests on the database lock. A partner whose requests all
  reach one worker (one kept-alive connection) gets that worker's share.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, Response, request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from infoshare_server.access import current_partner
from infoshare_server.config import LimitsSection, NodeConfig
from infoshare_server.errors import RequestError
from infoshare_server.storage import Store
from infoshare_server.storage._engine import is_sqlite
from infoshare_server.storage._rate_buckets import (
    bucket_engine,
    prune_buckets,
    take_token,
    tokens_now,
)

log = logging.getLogger(__name__)

#: Buckets kept per worker; the least recently used are forgotten beyond this.
MAX_BUCKETS = 50_000
#: Seconds between two prunings of the shared buckets by one worker.
PRUNE_EVERY = 60.0
#: Most buckets one pruning deletes per statement, and statements per pruning.
PRUNE_BATCH = 1000
PRUNE_BATCHES = 10
#: Seconds between two warnings about a failing bucket statement in one worker.
WARN_EVERY = 60.0
#: Seconds a worker lets requests through without asking, after a bucket statement
#: failed: a stalled database then delays one request now and then, not every one.
BACK_OFF = 5.0


class Buckets(Protocol):
    """Token buckets by key: what :class:`RateLimits` (and the case viewer) draw from."""

    rate: float
    burst: float

    def take(self, key: str, *, debt: bool = False) -> float: ...

    def wait(self, key: str) -> float: ...


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


class SharedTokenBuckets:
    """Token buckets in the database, shared by every worker of every instance on it.

    The same semantics as :class:`TokenBuckets` (``take``, ``take`` with
    ``debt``, ``wait``), kept in ``rate_buckets`` (PostgreSQL only) and timed
    by the database's clock. A bucket statement that fails or times out lets
    the request through (0.0) and logs a warning at most once a minute; for
    :data:`BACK_OFF` seconds after, requests are let through without asking.
    """

    def __init__(self, engine: Engine, rate: float, burst: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self.engine = engine
        #: Untouched this long, a bucket is full again (even one in debt): deleting it
        #: changes nothing. A minute more, for clocks read at slightly different moments.
        self.idle_seconds = (burst + 1) / rate + 60.0
        self._lock = threading.Lock()
        self._next_prune = time.monotonic() + PRUNE_EVERY
        self._next_warning = 0.0
        self._failures = 0
        self._ask_again = 0.0

    def take(self, key: str, *, debt: bool = False) -> float:
        """Take one token for ``key``: 0.0 if there was one, else seconds until there is
        (see :meth:`TokenBuckets.take`)."""
        if self._backing_off():
            return 0.0
        self._prune_when_due()
        try:
            with self.engine.connect() as connection:
                granted, tokens = take_token(connection, key, self.rate, self.burst, debt=debt)
        except SQLAlchemyError as exc:
            self._let_through(exc)
            return 0.0
        return 0.0 if granted else (1 - tokens) / self.rate

    def wait(self, key: str) -> float:
        """Seconds until ``key`` has a token (0.0: it has one now); takes nothing."""
        if self._backing_off():
            return 0.0
        try:
            with self.engine.connect() as connection:
                tokens = tokens_now(connection, key, self.rate, self.burst)
        except SQLAlchemyError as exc:
            self._let_through(exc)
            return 0.0
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def prune(self) -> int:
        """Delete buckets that are full again, in bounded batches; how many went."""
        deleted = 0
        with self.engine.connect() as connection:
            for _ in range(PRUNE_BATCHES):
                count = prune_buckets(connection, self.idle_seconds, PRUNE_BATCH)
                deleted += count
                if count < PRUNE_BATCH:
                    break
        return deleted

    def _prune_when_due(self) -> None:
        now = time.monotonic()
        with self._lock:
            if now < self._next_prune:
                return
            self._next_prune = now + PRUNE_EVERY
        try:
            self.prune()
        except SQLAlchemyError as exc:
            self._let_through(exc)

    def _backing_off(self) -> bool:
        return time.monotonic() < self._ask_again

    def _let_through(self, exc: SQLAlchemyError) -> None:
        now = time.monotonic()
        with self._lock:
            self._ask_again = now + BACK_OFF
            self._failures += 1
            if now < self._next_warning:
                return
            self._next_warning = now + WARN_EVERY
            failures, self._failures = self._failures, 0
        log.warning(
            "rate limit not applied: the shared buckets in the database did not answer"
            " (%d time(s) since the last warning; requests are let through): %s: %s",
            failures,
            exc.__class__.__name__,
            str(exc).splitlines()[0] if str(exc) else "",
        )


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

    With ``engine`` (PostgreSQL), the buckets are :class:`SharedTokenBuckets`
    in that database and the rate and burst are the node's; without, they are
    this worker's :class:`TokenBuckets` with its share of the rate and burst.

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
        engine: Engine | None = None,
    ) -> None:
        self.enabled = limits.rate_per_partner > 0
        self.partners: Buckets
        self.addresses: Buckets
        if engine is not None:
            rate, burst = limits.rate_per_partner or 1.0, float(limits.burst)
            # One table, one set of buckets: the keys say partner or address, so one
            # object serves both, and one pruning, back-off and warning cover the table.
            self.partners = self.addresses = SharedTokenBuckets(engine, rate, burst)
        else:
            workers = max(1, workers)
            rate = limits.rate_per_partner / workers
            burst = max(1.0, limits.burst / workers)
            self.partners = TokenBuckets(rate or 1.0, burst, clock=clock)
            self.addresses = TokenBuckets(rate or 1.0, burst, clock=clock)
        self._address = address or (lambda: request.remote_addr)

    @classmethod
    def for_node(
        cls,
        config: NodeConfig,
        store: Store | None,
        *,
        address: Callable[[], str | None] | None = None,
    ) -> RateLimits:
        """The limits of a worker of the node ``config`` describes: shared buckets in
        ``store`` when it is PostgreSQL (unless ``limits.shared_buckets`` is false),
        this worker's own otherwise."""
        engine = None
        if (
            store is not None
            and not is_sqlite(store.engine)
            and config.limits.rate_per_partner > 0
            and config.limits.shared_buckets
        ):
            engine = bucket_engine(store.engine.url, config.server.threads)
        return cls(config.limits, config.server.workers, address=address, engine=engine)

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
