"""Rate limits hold across instances: one bucket per partner and address for the whole node.

Implements the checks of docs/adr/0019-several-instances.md ("Rate
limits"). Two real instances on one PostgreSQL database, each with two
gunicorn workers, share their buckets (``rate_buckets``, migration 9):

* a partner whose requests are spread over both instances (and their
  workers) gets 429 with ``Retry-After`` after the node-wide burst, not after
  twice the burst, nor after a worker's share of it, and its case-viewer
  pages draw from the same bucket;
* wrong credentials sent to both instances from one address use up that
  address's one allowance, on both;
* when the database cannot answer a bucket statement (the table is gone, or
  locked), requests are let through with a warning in the log, never a 500.

The shared buckets are also checked in-process against the in-memory ones
(same answers for the same takes), for atomicity (threads of two engines
racing for one bucket get exactly the burst) and for their pruning.
"""

from __future__ import annotations

import http.client
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests
from _databases import postgres_database
from _http import TAXII, assert_taxii_error, get
from _instances import instances
from _node import OTHER_PASSWORD, OTHER_USER, PASSWORD, USER, RunningNode
from _transport import node_config
from _viewer_web import page, signed_in
from hypothesis import given, settings
from hypothesis import strategies as st
from infoshare_server.config import load_config
from infoshare_server.ratelimit import BACK_OFF, RateLimits, SharedTokenBuckets, TokenBuckets
from infoshare_server.storage import Store
from infoshare_server.storage._rate_buckets import bucket_engine
from sqlalchemy.engine import Engine

#: One token in 20 s: no token comes back while a test runs, however slow the machine.
RATE = 0.05
BURST = 6


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="module")
def limited_pair(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningNode, RunningNode]]:
    folder: Path = tmp_path_factory.mktemp("instances-limits")
    limits = {"rate_per_partner": RATE, "burst": BURST}
    with postgres_database() as url, instances(url, folder, 2, limits=limits, workers=2) as nodes:
        yield nodes[0], nodes[1]


def _port(node: RunningNode) -> int:
    return int(node.base_url.rsplit(":", 1)[1])


def _from(node: RunningNode, address: str, user: str, password: str) -> int:
    """GET /taxii2/ on ``node`` from the loopback ``address``; the status."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", _port(node), timeout=30, source_address=(address, 0)
    )
    try:
        authorization = str(requests.auth._basic_auth_str(user, password))
        headers = {"Accept": TAXII, "Authorization": authorization}
        connection.request("GET", "/taxii2/", headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_partner_spread_over_two_instances_gets_the_node_wide_burst(
    limited_pair: tuple[RunningNode, RunningNode],
) -> None:
    start = time.monotonic()
    responses = [get(limited_pair[n % 2], "taxii2/") for n in range(2 * BURST)]
    elapsed = time.monotonic() - start
    statuses = [response.status_code for response in responses]
    # The whole burst, though four workers served it (not a worker's share) ...
    assert statuses[:BURST] == [200] * BURST, statuses
    # ... and no more than the burst plus what the rate refilled meanwhile (not twice).
    assert statuses.count(200) <= BURST + RATE * elapsed + 1, (statuses, elapsed)
    refused = next(response for response in responses if response.status_code == 429)
    body = assert_taxii_error(refused, 429)
    assert "Retry-After" in body["description"]
    assert 1 <= int(refused.headers["Retry-After"]) <= int(1 / RATE) + 1
    # Both instances refuse now; another partner is served by both.
    for node in limited_pair:
        assert get(node, "taxii2/").status_code == 429
        assert get(node, "taxii2/", auth=(OTHER_USER, OTHER_PASSWORD)).status_code == 200
    # The case viewer's pages draw from the same bucket: signed in on B, refused on A.
    viewer = signed_in(limited_pair[1], USER, PASSWORD)
    refused_page = page(viewer, limited_pair[0], "/")
    assert refused_page.status_code == 429, refused_page.text[:500]
    assert int(refused_page.headers["Retry-After"]) >= 1


def test_wrong_credentials_sent_to_both_instances_use_one_address_allowance(
    limited_pair: tuple[RunningNode, RunningNode],
) -> None:
    statuses = [
        _from(limited_pair[n % 2], "127.0.0.3", USER, "not-the-password-at-all")
        for n in range(BURST + 3)
    ]
    assert statuses[:BURST] == [401] * BURST, statuses
    assert 429 in statuses[BURST:], statuses
    for node in limited_pair:
        # Even the right password is refused from that address, on either instance ...
        assert _from(node, "127.0.0.3", OTHER_USER, OTHER_PASSWORD) == 429
        # ... but not from another address.
        assert _from(node, "127.0.0.1", OTHER_USER, OTHER_PASSWORD) == 200


def test_a_database_that_cannot_charge_lets_requests_through_without_a_500(
    tmp_path: Path,
) -> None:
    limits = {"rate_per_partner": RATE, "burst": BURST}
    with postgres_database() as url, instances(url, tmp_path, 1, limits=limits) as (node,):
        with psycopg.connect(_libpq(url), autocommit=True) as admin:
            admin.execute("ALTER TABLE rate_buckets RENAME TO rate_buckets_away")
            statuses = [get(node, "taxii2/").status_code for _ in range(2 * BURST)]
            assert statuses == [200] * (2 * BURST)
            assert "rate limit not applied" in node.log()

            admin.execute("ALTER TABLE rate_buckets_away RENAME TO rate_buckets")
            time.sleep(BACK_OFF + 0.5)  # the worker asks the database again after that
            statuses = [get(node, "taxii2/").status_code for _ in range(2 * BURST)]
            assert 429 in statuses, statuses  # limited again once the table answers

            # A table locked by someone else: the request waits for the bucket
            # statement's time limit, then is let through.
            with psycopg.connect(_libpq(url)) as locker:
                locker.execute("LOCK TABLE rate_buckets IN ACCESS EXCLUSIVE MODE")
                start = time.monotonic()
                answer = get(node, "taxii2/", auth=(OTHER_USER, OTHER_PASSWORD))
                waited = time.monotonic() - start
                # Within the back-off, requests do not wait for the database at all.
                start = time.monotonic()
                again = get(node, "taxii2/", auth=(OTHER_USER, OTHER_PASSWORD))
                waited_again = time.monotonic() - start
                locker.rollback()
            assert answer.status_code == 200, answer.text
            assert waited < 10, waited
            assert again.status_code == 200, again.text
            assert waited_again < 1.0, waited_again
        assert "Traceback" not in node.log()


# -- the shared buckets in-process, on a real database ---------------------------------------


@pytest.fixture(scope="module")
def bucket_store() -> Iterator[Store]:
    with postgres_database() as url:
        store = Store.open(url)
        yield store
        store.close()


@pytest.fixture(scope="module")
def engine(bucket_store: Store) -> Iterator[Engine]:
    built = bucket_engine(bucket_store.engine.url, 2)
    yield built
    built.dispose()


OPERATIONS = st.lists(st.sampled_from(["take", "debt", "wait"]), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(burst=st.integers(min_value=1, max_value=5), operations=OPERATIONS)
def test_shared_buckets_answer_like_the_in_memory_ones(
    engine: Engine, burst: int, operations: list[str]
) -> None:
    # A rate so low that the time the statements take refills nothing that matters.
    rate = 1e-6
    shared = SharedTokenBuckets(engine, rate, burst)
    memory = TokenBuckets(rate, burst, clock=lambda: 0.0)
    key = f"partner:{uuid.uuid4()}"
    for operation in operations:
        if operation == "wait":
            got, expected = shared.wait(key), memory.wait(key)
        else:
            debt = operation == "debt"
            got, expected = shared.take(key, debt=debt), memory.take(key, debt=debt)
        assert (got == 0) == (expected == 0), (operation, got, expected)
        assert got == pytest.approx(expected, rel=1e-3)


def test_two_instances_draw_from_one_bucket_and_it_refills(bucket_store: Store) -> None:
    first = SharedTokenBuckets(bucket_engine(bucket_store.engine.url, 1), 1.0, 3)
    second = SharedTokenBuckets(bucket_engine(bucket_store.engine.url, 1), 1.0, 3)
    key = f"partner:{uuid.uuid4()}"
    assert [first.take(key), second.take(key), first.take(key)] == [0.0, 0.0, 0.0]
    wait = second.take(key)
    assert 0 < wait <= 1.0
    time.sleep(wait + 0.02)
    assert first.wait(key) == 0.0
    assert second.take(key) == 0.0
    first.engine.dispose()
    second.engine.dispose()


def test_pruning_deletes_only_buckets_that_are_full_again(
    bucket_store: Store, engine: Engine
) -> None:
    buckets = SharedTokenBuckets(engine, 0.2, 2)
    old, recent = f"address:{uuid.uuid4()}", f"address:{uuid.uuid4()}"
    for key in (old, old, old, recent):
        buckets.take(key, debt=True)
    with bucket_store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE rate_buckets SET updated_at = updated_at - interval '1 hour'"
            f" WHERE key = '{old}'"
        )
    assert buckets.prune() >= 1
    with bucket_store.engine.begin() as connection:
        kept = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT key FROM rate_buckets WHERE key IN (%(a)s, %(b)s)", {"a": old, "b": recent}
            )
        }
    assert kept == {recent}
    # A pruned bucket starts full again, as it would have been.
    assert [buckets.take(old), buckets.take(old)] == [0.0, 0.0]
    assert buckets.take(old) > 0


def test_where_a_node_keeps_its_buckets(bucket_store: Store, tmp_path: Path) -> None:
    """Shared in PostgreSQL by default, per worker when the operator says so or on SQLite."""

    def limits_for(storage_url: str, **extra: object) -> RateLimits:
        path = tmp_path / f"node-{uuid.uuid4().hex[:8]}.toml"
        path.write_text(node_config(storage_url, 6100, limits={"rate_per_partner": 10, **extra}))
        config = load_config(path)
        store = bucket_store if storage_url.startswith("postgresql") else None
        return RateLimits.for_node(config, store)

    url = bucket_store.engine.url.render_as_string(hide_password=False)
    shared = limits_for(url)
    assert isinstance(shared.partners, SharedTokenBuckets)
    assert (shared.partners.rate, shared.partners.burst) == (10, 40)
    per_worker = limits_for(url, shared_buckets=False)
    assert isinstance(per_worker.partners, TokenBuckets)
    assert isinstance(limits_for(f"sqlite:///{tmp_path / 'node.db'}").partners, TokenBuckets)


def test_concurrent_takes_from_two_instances_grant_exactly_the_burst(bucket_store: Store) -> None:
    """Sixteen threads on two engines race for one bucket: the upsert is atomic, so exactly
    ``burst`` takes find a token (the rate is too low to refill any during the race)."""
    burst = 20
    engines = [bucket_engine(bucket_store.engine.url, 8) for _ in range(2)]
    sides = [SharedTokenBuckets(engine, 1e-6, burst) for engine in engines]
    key = f"partner:{uuid.uuid4()}"
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            waits = list(pool.map(lambda n: sides[n % 2].take(key), range(120)))
    finally:
        for engine in engines:
            engine.dispose()
    assert waits.count(0.0) == burst
    assert all(wait > 0 for wait in waits if wait != 0.0)
