"""Secrets of the node's accounts: argon2id password hashes and API tokens, never in plaintext.

Implements "Credentials" of docs/adr/0006-partner-access.md and
docs/adr/0009-one-policy-object.md ("Authentication"):

* Passwords (HTTP Basic), of partners (in the database) and of the node's
  operator accounts (``[[users]]`` in the configuration) alike, are stored as
  salted argon2id hashes (PHC string ``$argon2id$v=19$m=…,t=…,p=…$salt$hash``),
  with the OWASP parameters (19 MiB, 2 passes, 1 lane). This is the node's
  one password scheme; scrypt hashes of older versions are refused with an
  error that says how to replace them (:func:`check_password_hash`).
* API tokens look like ``isk_<prefix>_<secret>``: ``prefix`` is 12 public hex
  digits used to find the credential, ``secret`` 32 random bytes (base64url).
  A token has 256 bits of entropy, so a fast hash is enough: the node stores
  the SHA-256 of the whole token and compares it in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX: Final = "isk_"
_TOKEN = re.compile(r"^isk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
MIN_PASSWORD_LENGTH: Final = 12

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: The most a configured hash may ask of every login: 256 MiB, 10 passes.
_MAX_MEMORY_KIB: Final = 256 * 1024
_MAX_PASSES: Final = 10


def hash_password(password: str) -> str:
    """A new salted argon2id hash of ``password``."""
    return _HASHER.hash(password)


class PasswordHashError(ValueError):
    """A configured password hash is not an argon2id hash the node can check."""


def check_password_hash(encoded: str) -> str:
    """``encoded`` if it is an argon2id PHC string; else :class:`PasswordHashError` saying why."""
    if encoded.startswith("scrypt$"):
        raise PasswordHashError(
            "this is a scrypt hash made by an older infoshare; the node now checks"
            " argon2id hashes only. Run `infoshare node hash-password` and put the"
            " $argon2id$… line it prints here"
        )
    if not encoded.startswith("$argon2id$"):
        raise PasswordHashError(
            "not an argon2id password hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash);"
            " make one with `infoshare node hash-password`"
        )
    try:
        parameters = extract_parameters(encoded)
    except InvalidHashError:
        raise PasswordHashError(
            "a malformed argon2id password hash; make a new one with `infoshare node hash-password`"
        ) from None
    if parameters.memory_cost > _MAX_MEMORY_KIB or parameters.time_cost > _MAX_PASSES:
        raise PasswordHashError(
            f"argon2id cost too high (at most m={_MAX_MEMORY_KIB} KiB and t={_MAX_PASSES}):"
            " every login would cost that much; make a new hash with"
            " `infoshare node hash-password`"
        )
    return encoded


def verify_password(password: str, encoded: str) -> bool:
    """True if ``password`` matches the argon2id hash ``encoded`` (False for a bad hash)."""
    try:
        return _HASHER.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: Checked when a user name is unknown, so the answer takes as long as for a known one.
DECOY_HASH: Final = hash_password(secrets.token_hex(16))


def new_password() -> str:
    """A random password (24 base64url characters, 144 bits)."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True, slots=True)
class NewToken:
    """A freshly made API token: ``text`` is shown once, ``digest`` is stored."""

    text: str
    prefix: str
    digest: str


def token_digest(text: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_token() -> NewToken:
    """A new random API token."""
    prefix = secrets.token_hex(6)
    text = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return NewToken(text, prefix, token_digest(text))


def token_prefix(text: str) -> str | None:
    """The public prefix of a well-formed token, else None."""
    match = _TOKEN.match(text)
    return match.group(1) if match else None


def token_matches(text: str, digest: str) -> bool:
    """Constant-time comparison of a presented token with a stored digest."""
    return hmac.compare_digest(token_digest(text).encode("ascii"), digest.encode("ascii"))
