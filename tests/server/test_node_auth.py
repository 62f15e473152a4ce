"""Passwords of the node's accounts: one argon2id scheme, one login cache, equal work.

Operator accounts (``[[users]]``) and partners share the scheme and the code
path of ``access/_authenticate.py``: docs/adr/0009-one-policy-object.md,
"Authentication". The timing property is asserted structurally: every failed
login costs exactly one argon2id verification, whoever the name belongs to,
so a response time cannot tell the names apart (the wall-clock measurement
is in the ADR, not in a timed test).
"""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from infoshare_server.access import (
    Authenticator,
    Directory,
    PasswordHashError,
    check_password_hash,
    hash_password,
    verify_password,
)
from infoshare_server.storage import Store

INFOSHARE = Path(sys.executable).parent / "infoshare"
OPERATOR_PASSWORD = "harbour lights at dusk"
PARTNER_PASSWORD = "reef markers at dawn"


@settings(max_examples=10, deadline=None)
@given(password=st.text(min_size=0, max_size=64), other=st.text(min_size=0, max_size=64))
def test_a_hash_verifies_its_password_and_nothing_else(password: str, other: str) -> None:
    encoded = hash_password(password)
    assert verify_password(password, encoded)
    assert verify_password(other, encoded) == (other == password)


def test_hashes_are_salted_argon2id() -> None:
    first, second = hash_password("same password"), hash_password("same password")
    assert first != second
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password_hash(first) == first


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("", "not an argon2id password hash"),
        ("plain-text", "not an argon2id password hash"),
        ("bcrypt$10$abc", "not an argon2id password hash"),
        ("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "not an argon2id"),
        ("$argon2id$v=19$m=19456", "malformed argon2id"),
        ("$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "cost too high"),
        ("$argon2id$v=19$m=19456,t=99,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "cost too high"),
        (
            "scrypt$32768$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "Run `infoshare node hash-password`",
        ),
    ],
)
def test_unusable_hashes_are_refused_with_the_reason(encoded: str, message: str) -> None:
    with pytest.raises(PasswordHashError, match=message.replace("$", r"\$").replace("`", ".")):
        check_password_hash(encoded)
    assert verify_password("anything", encoded) is False


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def authenticator(storage_url: str) -> Iterator[Authenticator]:
    store = Store.open(storage_url)
    try:
        directory = Directory(store)
        if directory.get("reef-unit") is None:
            directory.add("reef-unit", "Reef Unit (fictional)")
        directory.set_password("reef-unit", hash_password(PARTNER_PASSWORD))
        yield Authenticator(store, {"harbour-ops": hash_password(OPERATOR_PASSWORD)})
    finally:
        store.close()


def test_operators_and_partners_log_in_through_one_path(authenticator: Authenticator) -> None:
    operator = authenticator.authenticate(_basic("harbour-ops", OPERATOR_PASSWORD)).partner
    partner = authenticator.authenticate(_basic("reef-unit", PARTNER_PASSWORD)).partner
    assert operator is not None and operator.operator and operator.is_admin
    assert partner is not None and partner.id == "reef-unit" and not partner.operator


@pytest.mark.parametrize(
    ("user", "password", "reason"),
    [
        ("nobody-here", "any password at all", "unknown user or revoked"),
        ("harbour-ops", "a wrong password", "wrong password"),
        ("reef-unit", "a wrong password", "wrong password"),
        ("harbour-ops", "", "empty user name or password"),
        ("", "a password", "empty user name or password"),
        # PostgreSQL text cannot hold NUL: still a plain failed login, not a database error.
        ("reef\x00unit", "reef markers at dawn", "unknown user or revoked"),
    ],
)
def test_every_failed_login_costs_exactly_one_argon2_check(
    authenticator: Authenticator, user: str, password: str, reason: str
) -> None:
    """Known operators, known partners and unknown names do the same work."""
    before = authenticator.passwords.verifications
    outcome = authenticator.authenticate(_basic(user, password))
    assert outcome.partner is None and outcome.reason == reason
    assert authenticator.passwords.verifications == before + 1


def test_a_good_password_is_checked_once_then_remembered(authenticator: Authenticator) -> None:
    """One login cache for both kinds of account."""
    for user, password in (("harbour-ops", OPERATOR_PASSWORD), ("reef-unit", PARTNER_PASSWORD)):
        before = authenticator.passwords.verifications
        assert authenticator.authenticate(_basic(user, password)).partner is not None
        assert authenticator.authenticate(_basic(user, password)).partner is not None
        assert authenticator.passwords.verifications == before + 1


def test_a_replaced_password_is_not_remembered(storage_url: str) -> None:
    store = Store.open(storage_url)
    try:
        directory = Directory(store)
        if directory.get("tide-desk") is None:
            directory.add("tide-desk", "Tide Desk (fictional)")
        directory.set_password("tide-desk", hash_password("the first passphrase"))
        authenticator = Authenticator(store)
        assert authenticator.authenticate(_basic("tide-desk", "the first passphrase")).partner
        directory.set_password("tide-desk", hash_password("the second passphrase"))
        assert not authenticator.authenticate(_basic("tide-desk", "the first passphrase")).partner
        assert authenticator.authenticate(_basic("tide-desk", "the second passphrase")).partner
    finally:
        store.close()


def test_hash_password_command_emits_argon2id() -> None:
    result = subprocess.run(
        [str(INFOSHARE), "node", "hash-password"],
        input="a passphrase of some length\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    encoded = result.stdout.strip()
    assert encoded.startswith("$argon2id$")
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
