"""Client certificates (mutual TLS) as the serving layer hands them to the access package.

Implements the mutual-TLS mapping of docs/adr/0006-partner-access.md. The
transport layer verifies the certificate during the TLS handshake and puts a
:class:`ClientCertificate` into the WSGI environ under
:data:`ENVIRON_KEY`; the access package maps it to a partner by its SHA-256
fingerprint or by its subject, as configured for the partner
(``infoshare partner add-certificate``).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Final

#: Where the serving layer puts the verified client certificate.
ENVIRON_KEY: Final = "infoshare.client_certificate"

_HEX_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A verified client certificate: SHA-256 fingerprint (lowercase hex, no colons)
    and subject (RFC 4514 string)."""

    fingerprint_sha256: str
    subject: str


def normalise_fingerprint(text: str) -> str:
    """``AB:CD:…`` or ``abcd…`` as 64 lowercase hex digits; ValueError if it is not one."""
    value = text.strip().replace(":", "").lower()
    if not _HEX_FINGERPRINT.match(value):
        raise ValueError("a SHA-256 fingerprint is 64 hexadecimal digits (colons allowed)")
    return value


def fingerprint_lookup(fingerprint: str) -> str:
    """The credential lookup key of a certificate fingerprint."""
    return "sha256:" + normalise_fingerprint(fingerprint)


def subject_lookup(subject: str) -> str:
    """The credential lookup key of a certificate subject (compared exactly)."""
    if not subject.strip():
        raise ValueError("a certificate subject cannot be empty")
    return "subject:" + subject.strip()


def certificate_lookups(certificate: ClientCertificate) -> tuple[str, ...]:
    """The lookup keys to try for ``certificate``, the fingerprint first."""
    keys: list[str] = []
    with contextlib.suppress(ValueError):
        keys.append(fingerprint_lookup(certificate.fingerprint_sha256))
    if certificate.subject.strip():
        keys.append(subject_lookup(certificate.subject))
    return tuple(keys)
