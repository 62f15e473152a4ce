"""Helpers of the transport tests: throwaway certificates, and nodes with their own limits.

Certificates are made inside the test with the ``cryptography`` package: a
certificate authority for the node, one for the partners, one that nobody
trusts, and leaf certificates issued by them. Nodes are started like the
rest of the HTTP suite (``infoshare serve`` in its own process group), from
the suite's configuration with extra keys in ``[limits]`` and ``[server]`` and
an optional ``[tls]`` section.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _node import INFOSHARE, SECRET, SECRET_ENV, RunningNode, config_text, free_port, kill_hard
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

STARTUP_SECONDS = 60.0


# -- certificates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """A certificate and its key, written as PEM files."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    cert_path: Path
    key_path: Path

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "XX"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write(
    folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> Issued:
    folder.mkdir(parents=True, exist_ok=True)
    cert_path = folder / f"{stem}.crt"
    key_path = folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return Issued(cert, key, cert_path, key_path)


def make_ca(folder: Path, stem: str, organisation: str) -> Issued:
    """A self-signed certificate authority."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"{organisation} test CA", organisation)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _write(folder, stem, cert, key)


def issue(
    ca: Issued, folder: Path, stem: str, common_name: str, organisation: str, *, server: bool
) -> Issued:
    """A leaf certificate signed by ``ca``: a server's (for 127.0.0.1) or a client's."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
    return _write(folder, stem, builder.sign(ca.key, hashes.SHA256()), key)


@dataclass(frozen=True)
class Pki:
    """The node's CA and certificate, the partners' CA with two clients, and a stranger."""

    node_ca: Issued
    node: Issued
    partner_ca: Issued
    partner: Issued
    other_partner: Issued
    stranger_ca: Issued
    stranger: Issued


def make_pki(folder: Path) -> Pki:
    node_ca = make_ca(folder, "node-ca", "Ministry of Coastal Affairs (fictional)")
    partner_ca = make_ca(folder, "partner-ca", "Partner Agencies Federation (fictional)")
    stranger_ca = make_ca(folder, "stranger-ca", "Unknown Relay Services (fictional)")
    north, south = "Northern Media Agency", "Southern Media Agency"
    return Pki(
        node_ca=node_ca,
        node=issue(node_ca, folder, "node", "127.0.0.1", "Coastal Affairs", server=True),
        partner_ca=partner_ca,
        partner=issue(partner_ca, folder, "partner", "desk.north.example", north, server=False),
        other_partner=issue(partner_ca, folder, "other", "desk.south.example", south, server=False),
        stranger_ca=stranger_ca,
        stranger=issue(stranger_ca, folder, "stranger", "desk.north.example", north, server=False),
    )


def client_context(
    pki: Pki, client: Issued | None = None, *, maximum: ssl.TLSVersion | None = None
) -> ssl.SSLContext:
    """A client context trusting the node's CA, presenting ``client`` when given."""
    context = ssl.create_default_context(cafile=str(pki.node_ca.cert_path))
    if client is not None:
        context.load_cert_chain(str(client.cert_path), str(client.key_path))
    if maximum is not None:
        context.maximum_version = maximum
    return context


# -- nodes -----------------------------------------------------------------------------------


def node_config(
    storage_url: str,
    port: int,
    *,
    limits: dict[str, object] | None = None,
    server: dict[str, object] | None = None,
    tls: dict[str, str] | None = None,
    sections: dict[str, dict[str, object]] | None = None,
) -> str:
    """The suite's configuration with extra ``[limits]``/``[server]`` keys, ``[tls]`` and
    other ``sections``."""
    text = config_text(storage_url, port)
    text = text.replace("rate_per_partner = 0", "")
    for section, extra in (("[limits]", limits), ("[server]", server)):
        for key, value in (extra or {}).items():
            text = text.replace(f"{section}\n", f"{section}\n{key} = {_toml(value)}\n", 1)
    if tls is not None:
        text = text.replace(
            f'base_url = "http://127.0.0.1:{port}"', f'base_url = "https://127.0.0.1:{port}"'
        )
        text += "\n[tls]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in tls.items())
    for name, keys in (sections or {}).items():
        text += f"\n[{name}]\n" + "".join(
            f"{key} = {_toml(value)}\n" for key, value in keys.items()
        )
    return text


def _toml(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value).lower() if isinstance(value, bool) else str(value)


@contextmanager
def started_node(
    folder: Path,
    config: Callable[[int], str],
    ready: Callable[[RunningNode], bool],
    scheme: str = "http",
) -> Iterator[RunningNode]:
    """Run ``infoshare serve`` on ``config(port)`` until ``ready(node)``; stop it afterwards."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / f"node-{port}.toml"
    config_path.write_text(config(port), encoding="utf-8")
    log_path = folder / f"node-{port}.log"
    env = dict(os.environ, **{SECRET_ENV: SECRET})
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(INFOSHARE), "serve", "--config", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    node = RunningNode(f"{scheme}://127.0.0.1:{port}", process, log_path, config_path)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the node exited with {process.returncode}:\n{node.log()}")
            try:
                if ready(node):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the node did not become ready:\n{node.log()}")
            time.sleep(0.1)
        yield node
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_hard(process)
