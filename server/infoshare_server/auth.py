"""The node's operator accounts (``[[users]]``): scrypt password hashes, checked in constant time.

Part of the TAXII 2.1 node issue. Since partner trust
(docs/adr/0006-partner-access.md) these are the node's operator accounts,
checked by the access package before the partners' argon2id credentials
(``access/_authenticate.py``). The configuration stores only a self-describing hash,
``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (salt and hash in unpadded URL-safe
base64), made by ``infoshare node hash-password``. A request's password is
hashed again with the stored parameters and compared with
:func:`hmac.compare_digest`.

scrypt is slow on purpose, and HTTP Basic sends the password with every
request, so a worker remembers recent *successful* checks for a short while,
keyed by an HMAC (under a per-process random key) of the user, the password
and the stored hash; nothing reversible is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from infoshare.errors import InfoshareError

SCHEME = "scrypt"
#: Default cost: 2**15 iterations, block size 8, no parallelism (about 32 MiB, tens of ms).
DEFAULT_N = 2**15
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32

#: How long a successful check is remembered, and how many are remembered.
_REMEMBER_SECONDS = 60.0
_REMEMBER_MAX = 512


class PasswordHashError(InfoshareError):
    """A stored password hash is not in the ``scrypt$n$r$p$salt$hash`` form."""


@dataclass(frozen=True)
class PasswordHash:
    """A parsed scrypt password hash."""

    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def encode(self) -> str:
        return "$".join(
            (SCHEME, str(self.n), str(self.r), str(self.p), _b64(self.salt), _b64(self.digest))
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, n: int, r: int, p: int, salt: bytes, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * r * n + 1024 * 1024,
        dklen=length,
    )


def parse_password_hash(encoded: str) -> PasswordHash:
    """Parse ``scrypt$n$r$p$salt$hash``; raises :class:`PasswordHashError` with the reason."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PasswordHashError(
            "not a password hash of the form scrypt$n$r$p$salt$hash;"
            " make one with `infoshare node hash-password`"
        )
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise PasswordHashError("password hash has a malformed number or base64 field") from None
    if n < 2**10 or n > 2**20 or n & (n - 1):
        raise PasswordHashError("password hash: n must be a power of two from 1024 to 1048576")
    if not 1 <= r <= 32 or not 1 <= p <= 16:
        raise PasswordHashError("password hash: r must be 1-32 and p 1-16")
    if len(salt) < 8 or len(digest) < 16:
        raise PasswordHashError("password hash: salt or hash is too short")
    return PasswordHash(n, r, p, salt, digest)


def hash_password(
    password: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P
) -> str:
    """Hash ``password`` with a fresh random salt; returns the encoded string for the config."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, n, r, p, salt, HASH_BYTES)
    return PasswordHash(n, r, p, salt, digest).encode()


def verify_password(password: str, encoded: str) -> bool:
    """True if ``password`` matches the encoded hash (constant-time comparison)."""
    try:
        stored = parse_password_hash(encoded)
    except PasswordHashError:
        return False
    candidate = _scrypt(password, stored.n, stored.r, stored.p, stored.salt, len(stored.digest))
    return hmac.compare_digest(candidate, stored.digest)


class UserDirectory:
    """The node's accounts: user name to password hash, with a short memory of good checks."""

    def __init__(self, hashes: Mapping[str, str]) -> None:
        self._hashes = dict(hashes)
        self._key = secrets.token_bytes(32)
        self._remembered: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()
        # Checked against when the user is unknown, so timing does not reveal user names.
        self._decoy = hash_password(secrets.token_hex(16), n=DEFAULT_N)

    def __contains__(self, name: object) -> bool:
        return name in self._hashes

    def __len__(self) -> int:
        return len(self._hashes)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The stored hash of ``name``: medallion's unused ``get_password`` hook asks for it."""
        return self._hashes.get(name, default)

    def check(self, name: str, password: str) -> bool:
        """True if ``name`` is a known user and ``password`` is theirs."""
        encoded = self._hashes.get(name)
        if encoded is None or not password:
            verify_password(password, self._decoy)
            return False
        token = hmac.new(
            self._key,
            b"\0".join(part.encode("utf-8") for part in (name, password, encoded)),
            hashlib.sha256,
        ).digest()
        now = time.monotonic()
        with self._lock:
            seen = self._remembered.get(token)
            if seen is not None and now - seen < _REMEMBER_SECONDS:
                return True
        if not verify_password(password, encoded):
            return False
        with self._lock:
            self._remembered[token] = now
            self._remembered.move_to_end(token)
            while len(self._remembered) > _REMEMBER_MAX:
                self._remembered.popitem(last=False)
        return True
