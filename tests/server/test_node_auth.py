"""Password hashes for node accounts: scrypt, salted, self-describing, constant-time checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from infoshare_server.auth import (
    DEFAULT_N,
    PasswordHashError,
    UserDirectory,
    hash_password,
    parse_password_hash,
    verify_password,
)

INFOSHARE = Path(sys.executable).parent / "infoshare"
CHEAP = 2**10


@settings(max_examples=25, deadline=None)
@given(password=st.text(min_size=0, max_size=64), other=st.text(min_size=0, max_size=64))
def test_a_hash_verifies_its_password_and_nothing_else(password: str, other: str) -> None:
    encoded = hash_password(password, n=CHEAP)
    assert verify_password(password, encoded)
    assert verify_password(other, encoded) == (other == password)


def test_hashes_are_salted_and_self_describing() -> None:
    first, second = hash_password("same password", n=CHEAP), hash_password("same password", n=CHEAP)
    assert first != second
    parsed = parse_password_hash(first)
    assert (parsed.n, parsed.r, parsed.p) == (CHEAP, 8, 1)
    assert first.startswith(f"scrypt${CHEAP}$8$1$")
    assert parse_password_hash(hash_password("x")).n == DEFAULT_N


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plain-text",
        "bcrypt$10$abc",
        "scrypt$1000$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  # n not a power of two
        "scrypt$1024$8$1$!!$aGFzaA",
        "scrypt$1024$99$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "scrypt$x$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    ],
)
def test_malformed_hashes_are_refused(encoded: str) -> None:
    with pytest.raises(PasswordHashError):
        parse_password_hash(encoded)
    assert verify_password("anything", encoded) is False


def test_user_directory() -> None:
    users = UserDirectory({"analyst": hash_password("harbour lights at dusk", n=CHEAP)})
    assert users.check("analyst", "harbour lights at dusk")
    assert users.check("analyst", "harbour lights at dusk")  # remembered
    assert not users.check("analyst", "harbour lights at dawn")
    assert not users.check("nobody", "harbour lights at dusk")
    assert not users.check("analyst", "")
    assert "analyst" in users and len(users) == 1


def test_hash_password_command_reads_stdin() -> None:
    result = subprocess.run(
        [str(INFOSHARE), "node", "hash-password"],
        input="a passphrase of some length\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    encoded = result.stdout.strip()
    assert verify_password("a passphrase of some length", encoded)
    short = subprocess.run(
        [str(INFOSHARE), "node", "hash-password"],
        input="short\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert short.returncode == 2
    assert "at least 12 characters" in short.stderr
