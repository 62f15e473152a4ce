"""Limits a partner sees over real HTTP: 413 for big bodies, page size, 429 with Retry-After.

The node runs as a real process (``infoshare serve``, one gunicorn worker)
with a small rate limit. Bodies over ``max_content_length`` get 413 whether
they declare their length or stream it chunked, and the node answers while
the client is still sending (it does not wait for, or keep, the rest). A
partner that exceeds its burst gets 429 with ``Retry-After`` while another
partner is served normally; a client hammering the node with wrong
credentials is limited by its source address, whatever ``X-Forwarded-For``
it claims, and a partner at another address is unaffected. Pure functions
(the token buckets, the body reader) are unit-tested as well.
"""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from _cases import envelope, identity
from _http import TAXII, assert_taxii_error, get, objects_path, post
from _node import (
    API_ROOT,
    MAX_CONTENT_LENGTH,
    MAX_PAGE_SIZE,
    OTHER_PASSWORD,
    OTHER_USER,
    PASSWORD,
    STIX_COLLECTION,
    USER,
    RunningNode,
)
from _transport import node_config, started_node
from hypothesis import given, settings
from hypothesis import strategies as st
from infoshare_server.config import LimitsSection
from infoshare_server.http.body import read_body
from infoshare_server.http.errors import TaxiiError
from infoshare_server.ratelimit import RateLimits, TokenBuckets, address_key

STIX_OBJECTS = objects_path(API_ROOT, STIX_COLLECTION)
RATE = 1
BURST = 5


def _healthy(node: RunningNode) -> bool:
    return requests.get(node.url("healthz"), timeout=2).status_code == 200


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    """A node with the suite's limits and no rate limit (body and page tests)."""
    folder: Path = tmp_path_factory.mktemp("transport-limits")
    url = f"sqlite:///{folder / 'node.db'}"
    with started_node(
        folder, lambda port: node_config(url, port, limits={"rate_per_partner": 0}), _healthy
    ) as running:
        yield running
    assert "internal error" not in running.log(), running.log()


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[RunningNode]:
    """A fresh node allowing each partner RATE requests a second and a burst of BURST."""
    url = f"sqlite:///{tmp_path / 'node.db'}"
    limits = {"rate_per_partner": RATE, "burst": BURST}
    with started_node(tmp_path, lambda port: node_config(url, port, limits=limits), _healthy) as n:
        yield n
    assert "internal error" not in n.log(), n.log()


def _basic(user: str, password: str) -> str:
    return str(requests.auth._basic_auth_str(user, password))


def _port(node: RunningNode) -> int:
    return int(node.base_url.rsplit(":", 1)[1])


# -- 413 -------------------------------------------------------------------------------------


def _chunked_head(node: RunningNode) -> bytes:
    return (
        f"POST /{STIX_OBJECTS} HTTP/1.1\r\nHost: 127.0.0.1:{_port(node)}\r\n"
        f"Authorization: {_basic(USER, PASSWORD)}\r\nAccept: {TAXII}\r\n"
        f"Content-Type: {TAXII}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    reader = sock.makefile("rb")
    status_line = reader.readline().decode("latin-1")
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return int(status_line.split()[1]), headers, body


def test_chunked_body_over_the_limit_is_413_while_it_is_still_being_sent(
    node: RunningNode,
) -> None:
    total = MAX_CONTENT_LENGTH * 64
    sent = [0]
    done = threading.Event()
    sock = socket.create_connection(("127.0.0.1", _port(node)), timeout=30)

    def send() -> None:
        chunk = b"a" * 65536
        try:
            sock.sendall(_chunked_head(node) + b'e\r\n{"objects": ["\r\n')
            while sent[0] < total:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent[0] += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the node closed the connection after answering
        finally:
            done.set()

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        status, headers, body = _read_response(sock)
        sent_when_answered = sent[0]
    finally:
        sock.close()
        done.wait(30)
    assert status == 413, body
    assert headers["content-type"].replace(" ", "") == TAXII
    assert json.loads(body)["http_status"] == "413"
    assert str(MAX_CONTENT_LENGTH) in json.loads(body)["description"]
    assert sent_when_answered < total


def test_declared_body_over_the_limit_is_413(node: RunningNode) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", _port(node), timeout=30)
    try:
        connection.putrequest("POST", "/" + STIX_OBJECTS)
        for name, value in (
            ("Authorization", _basic(USER, PASSWORD)),
            ("Accept", TAXII),
            ("Content-Type", TAXII),
            ("Content-Length", str(MAX_CONTENT_LENGTH + 1)),
        ):
            connection.putheader(name, value)
        connection.endheaders()  # no body at all: the length alone is refused
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["http_status"] == "413"
    finally:
        connection.close()


def test_chunked_body_within_the_limit_is_accepted(node: RunningNode) -> None:
    objs = [identity(f"Estuary Watch Desk {n}") for n in range(3)]
    data = json.dumps(envelope(*objs)).encode()

    def pieces() -> Iterator[bytes]:  # a generator: requests sends it chunked
        for start in range(0, len(data), 100):
            yield data[start : start + 100]

    response = requests.post(
        node.url(STIX_OBJECTS),
        data=pieces(),
        headers={"Accept": TAXII, "Content-Type": TAXII},
        auth=(USER, PASSWORD),
        timeout=60,
    )
    assert response.status_code == 202, response.text
    assert response.json()["success_count"] == 3


def test_page_size_is_capped_at_max_page_size(node: RunningNode) -> None:
    objs = [identity(f"Lagoon Listening Post {n}") for n in range(MAX_PAGE_SIZE + 7)]
    assert post(node, STIX_OBJECTS, envelope(*objs)).status_code == 202
    ids = {str(o["id"]) for o in objs}
    response = get(node, STIX_OBJECTS, {"limit": str(MAX_PAGE_SIZE * 100)})
    assert response.status_code == 200
    body = response.json()
    assert len(body["objects"]) == MAX_PAGE_SIZE
    assert body["more"] is True
    seen = {o["id"] for o in body["objects"]}
    while body.get("more"):
        body = get(node, STIX_OBJECTS, {"next": body["next"]}).json()
        assert len(body["objects"]) <= MAX_PAGE_SIZE
        seen |= {o["id"] for o in body["objects"]}
    assert ids <= seen


# -- 429 -------------------------------------------------------------------------------------


def test_a_partner_over_its_burst_gets_429_and_another_partner_does_not(
    limited: RunningNode,
) -> None:
    statuses = [get(limited, "taxii2/").status_code for _ in range(BURST)]
    assert statuses == [200] * BURST
    refused = None
    for _ in range(3):
        response = get(limited, "taxii2/")
        if response.status_code == 429:
            refused = response
            break
    assert refused is not None, "no 429 after the burst"
    body = assert_taxii_error(refused, 429)
    assert "Retry-After" in body["description"]
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= BURST // RATE + 1

    other = get(limited, "taxii2/", auth=(OTHER_USER, OTHER_PASSWORD))
    assert other.status_code == 200, other.text

    time.sleep(retry_after + 0.2)
    assert get(limited, "taxii2/").status_code == 200


def _from(node: RunningNode, address: str, authorization: str, **headers: str) -> int:
    connection = http.client.HTTPConnection(
        "127.0.0.1", _port(node), timeout=30, source_address=(address, 0)
    )
    try:
        connection.request(
            "GET", "/taxii2/", headers={"Accept": TAXII, "Authorization": authorization, **headers}
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_wrong_credentials_are_limited_by_address_and_other_addresses_are_not(
    limited: RunningNode,
) -> None:
    wrong = _basic(USER, "not-the-password-at-all")
    statuses = [
        _from(limited, "127.0.0.2", wrong, **{"X-Forwarded-For": f"198.51.100.{n}"})
        for n in range(BURST + 3)
    ]
    assert statuses[:BURST] == [401] * BURST
    assert 429 in statuses[BURST:], statuses
    # Even the right password is refused from that address for now ...
    assert _from(limited, "127.0.0.2", _basic(USER, PASSWORD)) == 429
    # ... but not from another address.
    assert _from(limited, "127.0.0.1", _basic(USER, PASSWORD)) == 200


# -- unit tests of the pure parts ------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(min_value=0.1, max_value=50),
    burst=st.integers(min_value=1, max_value=20),
    gaps=st.lists(st.floats(min_value=0, max_value=2), min_size=1, max_size=200),
)
def test_token_buckets_never_allow_more_than_burst_plus_rate_times_time(
    rate: float, burst: int, gaps: list[float]
) -> None:
    clock = _Clock()
    buckets = TokenBuckets(rate, burst, clock=clock)
    start = clock.now
    allowed = 0
    for gap in gaps:
        clock.now += gap
        wait = buckets.take("partner:north")
        if wait == 0:
            allowed += 1
        else:
            assert wait > 0
            # The promised wait is enough: afterwards a token is there.
            clock.now += wait
            assert buckets.wait("partner:north") <= 1e-9
        assert allowed <= burst + rate * (clock.now - start) + 1e-6
    # Another key has its own, full bucket.
    assert buckets.take("partner:south") == 0


def test_token_buckets_refill_and_retry_after_is_exact() -> None:
    clock = _Clock()
    buckets = TokenBuckets(2.0, 2, clock=clock)
    assert buckets.take("k") == 0
    assert buckets.take("k") == 0
    assert buckets.take("k") == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.wait("k") == 0
    assert buckets.take("k") == 0
    # Charged after the fact with no token left: a debt, paid off before the next token.
    assert buckets.take("k", debt=True) == pytest.approx(1.0)
    assert buckets.wait("k") == pytest.approx(1.0)
    clock.now += 0.99
    assert buckets.wait("k") > 0


def test_the_rate_is_shared_out_between_workers() -> None:
    limits = LimitsSection(rate_per_partner=20, burst=40)
    limiter = RateLimits(limits, workers=4)
    assert limiter.partners.rate == pytest.approx(5)
    assert limiter.partners.burst == pytest.approx(10)
    assert not RateLimits(LimitsSection(rate_per_partner=0), workers=2).enabled


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "address:192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "address:2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "address:2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "address:192.0.2.7"),
        (None, "address:unknown"),
    ],
)
def test_address_keys_group_ipv6_by_network(address: str | None, key: str) -> None:
    assert address_key(address) == key


class _EndlessStream:
    """A chunked body that never ends; counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else size
        self.read_bytes += size
        return b"x" * size


def test_an_endless_body_is_read_only_to_just_past_the_limit() -> None:
    stream = _EndlessStream()
    environ = {"wsgi.input": stream, "wsgi.input_terminated": True}
    with pytest.raises(TaxiiError) as refused:
        read_body(environ, 10_000, timeout=5)
    assert refused.value.status == 413
    assert stream.read_bytes == 10_001


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    stream = _EndlessStream()
    environ = {"wsgi.input": stream, "CONTENT_LENGTH": "10001"}
    with pytest.raises(TaxiiError) as refused:
        read_body(environ, 10_000, timeout=5)
    assert refused.value.status == 413
    assert stream.read_bytes == 0


def test_a_body_shorter_than_declared_is_400_and_a_good_one_is_served_again() -> None:
    environ: dict[str, object] = {"wsgi.input": io.BytesIO(b"12345"), "CONTENT_LENGTH": "9"}
    with pytest.raises(TaxiiError) as refused:
        read_body(environ, 10_000, timeout=5)
    assert refused.value.status == 400
    environ = {"wsgi.input": io.BytesIO(b"123456789"), "wsgi.input_terminated": True}
    assert read_body(environ, 10_000, timeout=5) == b"123456789"
    assert environ["CONTENT_LENGTH"] == "9"
    assert environ["wsgi.input"].read() == b"123456789"  # type: ignore[attr-defined]
