"""HTTPS served by the node itself, TLS 1.2 or later, and mutual TLS, over real connections.

Every certificate is made inside the test (tests/server/_transport.py): a CA
for the node, a CA for the partners with two client certificates, and a CA
nobody trusts. The node runs as a real process with a ``[tls]`` section:

* HTTPS works; plain HTTP on the same port does not; TLS 1.1 and lower are
  refused (a control server proves the test client can speak TLS 1.1, so the
  refusal is the node's);
* with ``client_certificates = "required"`` a client without a certificate,
  or with one from another CA, is refused during the handshake, and a client
  with a certificate from the configured CA is accepted; the certificate
  reaches the access package, which maps it to a partner by fingerprint or
  by subject: a request without any Authorization header is served;
* with ``"optional"``, clients without a certificate use their password.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import threading
import time
import urllib.parse
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from _http import TAXII
from _node import OTHER_PASSWORD, OTHER_USER, RunningNode
from _transport import Issued, Pki, client_context, make_pki, node_config, started_node
from infoshare_server.access import Directory, fingerprint_lookup, subject_lookup
from infoshare_server.storage import Store
from infoshare_server.tls import certificate_of

TIMEOUT = 30


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@contextmanager
def _tls_node(
    folder: Path, pki: Pki, client_certificates: str | None, ready_with: Issued | None
) -> Iterator[tuple[RunningNode, str]]:
    url = f"sqlite:///{folder / 'node.db'}"
    tls = {"certificate": str(pki.node.cert_path), "key": str(pki.node.key_path)}
    if client_certificates is not None:
        tls["client_ca"] = str(pki.partner_ca.cert_path)
        tls["client_certificates"] = client_certificates

    def ready(node: RunningNode) -> bool:
        cert = (str(ready_with.cert_path), str(ready_with.key_path)) if ready_with else None
        response = requests.get(
            node.url("healthz"), verify=str(pki.node_ca.cert_path), cert=cert, timeout=2
        )
        return response.status_code == 200

    config = lambda port: node_config(url, port, limits={"rate_per_partner": 0}, tls=tls)  # noqa: E731
    with started_node(folder, config, ready, scheme="https") as node:
        yield node, url
    assert "internal error" not in node.log(), node.log()


@pytest.fixture(scope="module")
def https_node(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[RunningNode]:
    with _tls_node(tmp_path_factory.mktemp("https"), pki, None, None) as (node, _):
        yield node


@pytest.fixture(scope="module")
def mtls_node(
    tmp_path_factory: pytest.TempPathFactory, pki: Pki
) -> Iterator[tuple[RunningNode, str]]:
    with _tls_node(tmp_path_factory.mktemp("mtls"), pki, "required", pki.partner) as running:
        yield running


@pytest.fixture(scope="module")
def optional_node(
    tmp_path_factory: pytest.TempPathFactory, pki: Pki
) -> Iterator[tuple[RunningNode, str]]:
    with _tls_node(tmp_path_factory.mktemp("optional"), pki, "optional", None) as running:
        yield running


def _port(node: RunningNode) -> int:
    return int(node.base_url.rsplit(":", 1)[1])


def _handshake(port: int, context: ssl.SSLContext) -> str:
    """Connect, finish the handshake, make one request; the negotiated TLS version."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = tls.recv(65536)  # TLS 1.3 reports a refused client certificate only here
        if not answer:
            raise ConnectionResetError("the node closed the connection")
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        return str(tls.version())


# -- HTTPS -----------------------------------------------------------------------------------


def test_https_serves_the_node(https_node: RunningNode, pki: Pki) -> None:
    response = requests.get(
        https_node.url("taxii2/"),
        headers={"Accept": TAXII},
        auth=(OTHER_USER, OTHER_PASSWORD),
        verify=str(pki.node_ca.cert_path),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    assert response.json()["api_roots"][0].startswith(https_node.base_url)


def test_plain_http_is_not_served_on_the_https_port(https_node: RunningNode) -> None:
    plain = https_node.base_url.replace("https://", "http://")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(plain + "/healthz", timeout=TIMEOUT)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3_are_accepted(
    https_node: RunningNode, pki: Pki, version: ssl.TLSVersion
) -> None:
    context = client_context(pki, maximum=version)
    context.minimum_version = version
    assert (
        _handshake(_port(https_node), context)
        == {
            ssl.TLSVersion.TLSv1_2: "TLSv1.2",
            ssl.TLSVersion.TLSv1_3: "TLSv1.3",
        }[version]
    )


def _legacy_context(pki: Pki, version: ssl.TLSVersion) -> ssl.SSLContext:
    """A client that speaks only ``version`` (an old TLS), at OpenSSL's lowest security level."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context = client_context(pki)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = version
        context.maximum_version = version
    return context


def _legacy_server(pki: Pki, version: ssl.TLSVersion) -> tuple[socket.socket, threading.Thread]:
    """A control server that accepts ``version``: proof the client can speak it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = version
        context.maximum_version = version
    context.load_cert_chain(str(pki.node.cert_path), str(pki.node.key_path))
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                tls.recv(65536)
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        except (OSError, ssl.SSLError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1])
def test_tls_1_1_and_lower_are_refused(
    https_node: RunningNode, pki: Pki, version: ssl.TLSVersion
) -> None:
    context = _legacy_context(pki, version)
    listener, thread = _legacy_server(pki, version)
    try:
        control = _handshake(listener.getsockname()[1], context)
    except ssl.SSLError as exc:  # pragma: no cover - depends on the OpenSSL build
        pytest.skip(f"this OpenSSL cannot speak {version.name} at all: {exc}")
    finally:
        thread.join(10)
        listener.close()
    assert control.replace(".", "_") == version.name
    with pytest.raises(ssl.SSLError) as refused:
        _handshake(_port(https_node), context)
    assert (
        "PROTOCOL_VERSION" in str(refused.value).upper()
        or "UNSUPPORTED" in str(refused.value).upper()
    ), refused.value


# -- mutual TLS ------------------------------------------------------------------------------


def test_a_client_without_a_certificate_is_refused_when_one_is_required(
    mtls_node: tuple[RunningNode, str], pki: Pki
) -> None:
    node, _ = mtls_node
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _handshake(_port(node), client_context(pki))


def test_a_certificate_from_another_ca_is_refused(
    mtls_node: tuple[RunningNode, str], optional_node: tuple[RunningNode, str], pki: Pki
) -> None:
    for node, _ in (mtls_node, optional_node):
        with pytest.raises((ssl.SSLError, ConnectionError)):
            _handshake(_port(node), client_context(pki, pki.stranger))


def test_a_certificate_from_the_configured_ca_is_accepted(
    mtls_node: tuple[RunningNode, str], pki: Pki
) -> None:
    node, _ = mtls_node
    assert _handshake(_port(node), client_context(pki, pki.partner)).startswith("TLSv1.")


def _discovery(node: RunningNode, pki: Pki, client: Issued | None, **kw: object) -> int:
    cert = (str(client.cert_path), str(client.key_path)) if client is not None else None
    response = requests.get(
        node.url("taxii2/"),
        headers={"Accept": TAXII},
        verify=str(pki.node_ca.cert_path),
        cert=cert,
        timeout=TIMEOUT,
        **kw,  # type: ignore[arg-type]
    )
    return response.status_code


def test_the_client_certificate_reaches_the_access_package(
    mtls_node: tuple[RunningNode, str], pki: Pki
) -> None:
    node, url = mtls_node
    store = Store.open(url)
    try:
        directory = Directory(store)
        directory.add("north-media", "Northern Media Agency (fictional)")
        directory.add("south-media", "Southern Media Agency (fictional)")
        # Before any mapping, a certificate alone authenticates nobody.
        assert _discovery(node, pki, pki.partner) == 401
        north = certificate_of(pki.partner.der)
        directory.add_certificate("north-media", fingerprint_lookup(north.fingerprint_sha256))
        assert _discovery(node, pki, pki.partner) == 200
        assert _discovery(node, pki, pki.other_partner) == 401
        south = certificate_of(pki.other_partner.der)
        assert "CN=desk.south.example" in south.subject
        directory.add_certificate("south-media", subject_lookup(south.subject))
        assert _discovery(node, pki, pki.other_partner) == 200
    finally:
        store.close()


def test_optional_client_certificates_let_password_clients_in(
    optional_node: tuple[RunningNode, str], pki: Pki
) -> None:
    node, _ = optional_node
    assert _discovery(node, pki, None, auth=(OTHER_USER, OTHER_PASSWORD)) == 200
    assert _discovery(node, pki, None) == 401


def test_certificate_fingerprint_and_subject_are_read_from_der(pki: Pki) -> None:
    certificate = certificate_of(pki.partner.der)
    assert len(certificate.fingerprint_sha256) == 64
    assert certificate.fingerprint_sha256 == certificate.fingerprint_sha256.lower()
    assert certificate.subject == "CN=desk.north.example,O=Northern Media Agency,C=XX"


# -- behind a reverse proxy that terminates mutual TLS ---------------------------------------

PROXY = "127.0.0.2"
HEADER = "X-Client-Certificate"


@pytest.fixture(scope="module")
def proxied_node(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningNode, str]]:
    folder = tmp_path_factory.mktemp("proxied")
    url = f"sqlite:///{folder / 'node.db'}"
    sections: dict[str, dict[str, object]] = {
        "access": {"trusted_proxies": [PROXY]},
        "proxy": {"client_certificate_header": HEADER},
    }

    def ready(node: RunningNode) -> bool:
        return requests.get(node.url("healthz"), timeout=2).status_code == 200

    def config(port: int) -> str:
        return node_config(url, port, limits={"rate_per_partner": 0}, sections=sections)

    with started_node(folder, config, ready) as node:
        yield node, url
    assert "internal error" not in node.log(), node.log()


def _via(node: RunningNode, source: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection(
        "127.0.0.1", _port(node), timeout=TIMEOUT, source_address=(source, 0)
    )
    try:
        connection.request("GET", "/taxii2/", headers={"Accept": TAXII, **headers})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_trusted_proxy_can_pass_the_client_certificate(
    proxied_node: tuple[RunningNode, str], pki: Pki
) -> None:
    node, url = proxied_node
    store = Store.open(url)
    try:
        directory = Directory(store)
        directory.add("north-media", "Northern Media Agency (fictional)")
        north = certificate_of(pki.partner.der)
        directory.add_certificate("north-media", fingerprint_lookup(north.fingerprint_sha256))
    finally:
        store.close()
    pem = pki.partner.cert_path.read_text(encoding="ascii")
    as_nginx = {HEADER: urllib.parse.quote(pem, safe="")}  # $ssl_client_escaped_cert
    as_haproxy = {HEADER: base64.b64encode(pki.partner.der).decode()}  # ssl_c_der,base64
    assert _via(node, PROXY, as_nginx) == 200
    assert _via(node, PROXY, as_haproxy) == 200
    # The same header from anywhere else is ignored: no credentials, 401.
    assert _via(node, "127.0.0.1", as_nginx) == 401
    # A certificate of nobody, or garbage, authenticates nobody.
    stranger = {HEADER: base64.b64encode(pki.stranger.der).decode()}
    assert _via(node, PROXY, stranger) == 401
    assert _via(node, PROXY, {HEADER: "not a certificate"}) == 401


def test_a_body_trickled_over_tls_is_cut_off_at_the_body_timeout(
    tmp_path_factory: pytest.TempPathFactory, pki: Pki
) -> None:
    """Over TLS the connection is closed at the deadline (no 408: the session is cut)."""
    folder = tmp_path_factory.mktemp("tls-slow")
    url = f"sqlite:///{folder / 'node.db'}"
    tls = {"certificate": str(pki.node.cert_path), "key": str(pki.node.key_path)}

    def ready(node: RunningNode) -> bool:
        response = requests.get(node.url("healthz"), verify=str(pki.node_ca.cert_path), timeout=2)
        return response.status_code == 200

    def config(port: int) -> str:
        limits: dict[str, object] = {"rate_per_partner": 0, "body_timeout": 2}
        return node_config(url, port, limits=limits, tls=tls, server={"threads": 1})

    with started_node(folder, config, ready, scheme="https") as node:
        token = requests.auth._basic_auth_str(OTHER_USER, OTHER_PASSWORD)
        head = (
            f"POST /fimi/collections/5a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c02/objects/ HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nAuthorization: {token}\r\nAccept: {TAXII}\r\n"
            f"Content-Type: {TAXII}\r\nContent-Length: 100\r\n\r\n"
        ).encode()
        context = client_context(pki)
        started = time.monotonic()
        closed = False
        with (
            socket.create_connection(("127.0.0.1", _port(node)), timeout=TIMEOUT) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as conn,
        ):
            conn.sendall(head + b"{")
            conn.settimeout(1.0)
            for _ in range(10):
                try:
                    closed = conn.recv(65536) == b""
                    break
                except TimeoutError:
                    conn.sendall(b" ")  # one byte a second
                except OSError:  # reset or TLS error: closed all the same
                    closed = True
                    break
        seconds = time.monotonic() - started
        # The only thread is free again: the next partner is served.
        after = requests.get(
            node.url("taxii2/"),
            headers={"Accept": TAXII},
            auth=(OTHER_USER, OTHER_PASSWORD),
            verify=str(pki.node_ca.cert_path),
            timeout=TIMEOUT,
        )
        log = node.log()
    assert closed
    assert 2 <= seconds < 2 + 3
    assert after.status_code == 200
    assert "internal error" not in log, log
