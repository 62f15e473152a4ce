"""HTTPS served by the node itself: TLS 1.2 or later, and mutual TLS with client certificates.

Implements the "TLS" part of the partner-trust issue (docs/operator-guide.md,
"TLS and mutual TLS"). :func:`server_context` builds the one
:class:`ssl.SSLContext` a worker uses for every connection from the ``[tls]``
section: the node's certificate and key, TLS 1.2 as the oldest version, and,
when ``client_ca`` is set, verification of client certificates against that
CA (``optional`` or ``required``).

:class:`ClientCertificates` is the WSGI middleware that tells the app who is
on the other end of a mutual TLS connection: for a certificate the handshake
verified, it puts an :class:`~infoshare_server.access.ClientCertificate`
(SHA-256 fingerprint of the DER certificate, subject as an RFC 4514 string)
into ``environ["infoshare.client_certificate"]``. The access package maps it
to a partner. Nothing a client sends can set that key: the middleware removes
it first and fills it only from the TLS connection itself, or, behind a
reverse proxy that terminates mutual TLS, from the proxy's certificate header
(``proxy.client_certificate_header``) on requests from a trusted proxy.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import ssl
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from infoshare_server.access._certificates import ENVIRON_KEY, ClientCertificate
from infoshare_server.config import ConfigError, NodeConfig, TlsSection

log = logging.getLogger(__name__)

_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _path(config: NodeConfig, path: Path) -> Path:
    return path if path.is_absolute() else config.base_dir / path


def tls_files(config: NodeConfig) -> tuple[Path, Path, Path | None]:
    """The certificate, key and client CA files of ``config.tls``, resolved."""
    tls = config.tls
    assert tls is not None
    client_ca = _path(config, tls.client_ca) if tls.client_ca is not None else None
    return _path(config, tls.certificate), _path(config, tls.key), client_ca


def server_context(config: NodeConfig) -> ssl.SSLContext:
    """The server-side TLS context of ``config.tls``; raises :class:`ConfigError` if unusable."""
    tls: TlsSection | None = config.tls
    if tls is None:
        raise ConfigError("the configuration has no [tls] section")
    where = config.source if config.source is not None else "the configuration"
    certificate, key, client_ca = tls_files(config)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = _VERSIONS[tls.minimum_version]
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE
    try:
        context.load_cert_chain(certfile=certificate, keyfile=key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"{where}: tls.certificate / tls.key: cannot load {certificate} with {key}: {exc}",
            hint="give a PEM certificate chain and its unencrypted PEM private key",
        ) from None
    if client_ca is None:
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        context.load_verify_locations(cafile=client_ca)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"{where}: tls.client_ca: cannot load {client_ca}: {exc}",
            hint="give a PEM file with the certificate authorities of your partners",
        ) from None
    required = tls.client_certificates == "required"
    context.verify_mode = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL
    return context


def certificate_of(der: bytes) -> ClientCertificate:
    """The fingerprint and subject of a DER-encoded certificate."""
    subject = x509.load_der_x509_certificate(der).subject.rfc4514_string()
    return ClientCertificate(fingerprint_sha256=hashlib.sha256(der).hexdigest(), subject=subject)


def peer_certificate(sock: object) -> ClientCertificate | None:
    """The verified client certificate of a TLS socket, or None (plain TCP, no certificate)."""
    if not isinstance(sock, ssl.SSLSocket):
        return None
    if sock.context.verify_mode == ssl.CERT_NONE:
        return None  # never asked for, so never verified
    der = sock.getpeercert(binary_form=True)
    return certificate_of(der) if der else None


def forwarded_certificate(value: str) -> ClientCertificate | None:
    """The certificate a reverse proxy passed in a header: URL-encoded PEM or base64 DER."""
    text = urllib.parse.unquote(value.strip())
    try:
        if "-----BEGIN CERTIFICATE-----" in text:
            pem = x509.load_pem_x509_certificate(text.encode("ascii"))
            return certificate_of(pem.public_bytes(serialization.Encoding.DER))
        return certificate_of(base64.b64decode(text, validate=True))
    except (ValueError, UnicodeEncodeError):
        return None


class ClientCertificates:
    """WSGI middleware: ``environ["infoshare.client_certificate"]`` from the TLS connection.

    Behind a reverse proxy that terminates mutual TLS, the certificate comes
    from ``header`` instead, and only when the peer is one of
    ``trusted_proxies``; the header is removed from every request, so the app
    never sees one a client made up.
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        header: str | None = None,
        trusted_proxies: Sequence[str] = (),
    ) -> None:
        self.app = app
        self._header = "HTTP_" + header.upper().replace("-", "_") if header else None
        self._trusted = tuple(ipaddress.ip_network(p, strict=False) for p in trusted_proxies)

    def _from_trusted_proxy(self, environ: dict[str, Any]) -> bool:
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(peer in network for network in self._trusted)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ.pop(ENVIRON_KEY, None)
        forwarded = environ.pop(self._header, None) if self._header else None
        certificate = peer_certificate(environ.get("gunicorn.socket"))
        if certificate is None and forwarded and self._from_trusted_proxy(environ):
            certificate = forwarded_certificate(forwarded)
            if certificate is None:
                log.warning("the proxy's client certificate header could not be read")
        if certificate is not None:
            environ[ENVIRON_KEY] = certificate
        return self.app(environ, start_response)
