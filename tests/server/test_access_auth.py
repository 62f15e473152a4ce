"""Authentication of partners: HTTP Basic (argon2id), Bearer tokens, client certificates.

Over real HTTP where a partner would see it (401s, revocation while the node
runs, key rotation through the CLI); the certificate-to-partner mapping is
unit-tested here with certificates made inside the test (the TLS handshake
itself is tested end to end by the transport suite).
"""

from __future__ import annotations

import base64
import datetime
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from _access import (
    OPERATOR,
    AccessNode,
    access_node,
    collection_path,
    marked_identity,
    password_of,
)
from _databases import BACKENDS
from _http import TAXII, TIMEOUT
from _node import API_ROOT, SECRET, SECRET_ENV, STIX_COLLECTION, config_text
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from infoshare_server.access import (
    CHALLENGE,
    Authenticator,
    ClientCertificate,
    Directory,
    fingerprint_lookup,
    hash_password,
    parse_authorization,
    subject_lookup,
    verify_password,
)
from infoshare_server.access._secrets import new_token, token_matches, token_prefix
from infoshare_server.storage import Store

INFOSHARE = Path(sys.executable).parent / "infoshare"


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"access-auth-{request.param}")
    with access_node(request.param, folder) as running:
        yield running


def _raw(node: AccessNode, authorization: str | None) -> requests.Response:
    headers = {"Accept": TAXII}
    if authorization is not None:
        headers["Authorization"] = authorization
    return requests.get(node.node.url("taxii2/"), headers=headers, timeout=TIMEOUT)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(INFOSHARE), *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        _basic("green-reader", "not the passphrase"),
        _basic("green-reader", ""),
        _basic("nobody-here", password_of("green-reader")),
        _basic(OPERATOR, "wrong operator password"),
        "Bearer isk_000000000000_" + "A" * 43,
        "Bearer not-a-token",
        "Bearer ",
        "Basic !!!not base64!!!",
        "Basic " + base64.b64encode(b"no colon").decode(),
        "Digest username=green-reader",
    ],
)
def test_wrong_or_unknown_credentials_get_401(node: AccessNode, authorization: str | None) -> None:
    response = _raw(node, authorization)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert response.headers["Content-Type"].replace(" ", "") == TAXII
    assert response.json()["http_status"] == "401"


def test_a_tampered_token_gets_401_and_the_real_one_works(node: AccessNode) -> None:
    token = node.tokens["green-reader"]
    assert _raw(node, f"Bearer {token}").status_code == 200
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert _raw(node, f"Bearer {tampered}").status_code == 401
    assert _raw(node, f"bearer {token}").status_code == 200  # the scheme is case-insensitive


def test_requests_authenticated_by_token_get_the_same_protocol_checks(node: AccessNode) -> None:
    url = node.node.url(collection_path(STIX_COLLECTION, "objects/"))
    headers = {"Accept": TAXII, "Authorization": f"Bearer {node.tokens['amber-reader']}"}
    wrong_type = requests.post(
        url, data="{}", headers={**headers, "Content-Type": "text/plain"}, timeout=TIMEOUT
    )
    assert wrong_type.status_code == 415, wrong_type.text
    not_json = requests.post(
        url,
        data='{"objects": [NaN]}',
        headers={**headers, "Content-Type": TAXII},
        timeout=TIMEOUT,
    )
    assert not_json.status_code == 400, not_json.text
    ok = requests.post(
        url,
        json={"objects": [marked_identity("amber")]},
        headers={**headers, "Content-Type": TAXII},
        timeout=TIMEOUT,
    )
    assert ok.status_code == 202, ok.text


def test_cli_add_grant_revoke_takes_effect_at_once(node: AccessNode) -> None:
    config = str(node.node.config_path)
    added = _cli("partner", "add", "lagoon-office", "--name", "Lagoon Office (fictional)",
                 "--clearance", "amber", "--config", config)  # fmt: skip
    assert added.returncode == 0, added.stderr
    password = re.search(r"password\s+(\S+)", added.stdout)
    token = re.search(r"token\s+(isk_\S+)", added.stdout)
    assert password and token, added.stdout
    granted = _cli("partner", "grant", "lagoon-office", STIX_COLLECTION, "--read",
                   "--config", config)  # fmt: skip
    assert granted.returncode == 0, granted.stderr
    objects = collection_path(STIX_COLLECTION, "objects/")
    basic = _basic("lagoon-office", password.group(1))
    bearer = f"Bearer {token.group(1)}"
    for authorization in (basic, bearer):
        response = requests.get(
            node.node.url(objects),
            headers={"Accept": TAXII, "Authorization": authorization},
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
    # rotate: the old token stops, the new one works, the password is untouched
    rotated = _cli("partner", "rotate-key", "lagoon-office", "--config", config)
    assert rotated.returncode == 0, rotated.stderr
    new_token_text = re.search(r"token\s+(isk_\S+)", rotated.stdout)
    assert new_token_text
    assert _raw(node, bearer).status_code == 401
    assert _raw(node, f"Bearer {new_token_text.group(1)}").status_code == 200
    assert _raw(node, basic).status_code == 200  # remembered check, still valid
    # revoke while the node runs: every credential fails with the very next request
    revoked = _cli("partner", "revoke", "lagoon-office", "--config", config)
    assert revoked.returncode == 0, revoked.stderr
    assert _raw(node, basic).status_code == 401
    assert _raw(node, f"Bearer {new_token_text.group(1)}").status_code == 401
    listing = _cli("partner", "list", "--json", "--config", config)
    assert listing.returncode == 0, listing.stderr
    assert '"revoked_at": null' not in listing.stdout.split('"lagoon-office"')[1].split("}")[0]


def test_no_plaintext_secret_is_stored(node: AccessNode) -> None:
    config = str(node.node.config_path)
    added = _cli("partner", "add", "reef-unit", "--config", config)
    assert added.returncode == 0, added.stderr
    password = re.search(r"password\s+(\S+)", added.stdout)
    token = re.search(r"token\s+(isk_\S+)", added.stdout)
    assert password and token
    with node.store.reading() as connection:
        dump = "\n".join(
            repr(tuple(row))
            for table in ("partners", "credentials", "audit_log")
            for row in connection.exec_driver_sql(f"SELECT * FROM {table}")
        )
    assert password.group(1) not in dump
    assert token.group(1) not in dump
    # The secret part follows "isk_<prefix>_" and may itself contain "_".
    assert token.group(1).split("_", 2)[2] not in dump
    assert "$argon2id$" in dump
    assert password.group(1) not in node.node.log()


def test_cli_refuses_bad_input(node: AccessNode) -> None:
    config = str(node.node.config_path)
    assert _cli("partner", "add", "Bad Name", "--config", config).returncode != 0
    twice = _cli("partner", "add", "green-reader", "--config", config)
    assert twice.returncode != 0 and "already exists" in twice.stderr
    delete = _cli("partner", "grant", "green-reader", STIX_COLLECTION, "--delete",
                  "--config", config)  # fmt: skip
    assert delete.returncode != 0 and "administrator" in delete.stderr
    unknown = _cli("partner", "revoke", "no-such-partner", "--config", config)
    assert unknown.returncode != 0 and "no partner" in unknown.stderr


# -- pure functions ----------------------------------------------------------------------


def test_passwords_are_salted_argon2id() -> None:
    first, second = hash_password("a fictional passphrase"), hash_password("a fictional passphrase")
    assert first != second and first.startswith("$argon2id$")
    assert verify_password("a fictional passphrase", first)
    assert not verify_password("another passphrase", first)
    assert not verify_password("anything", "not a hash")


def test_tokens_have_a_public_prefix_and_are_stored_as_digests() -> None:
    token = new_token()
    assert token_prefix(token.text) == token.prefix
    assert token.digest != token.text and token.text not in token.digest
    assert token_matches(token.text, token.digest)
    assert not token_matches(token.text + "x", token.digest)
    assert token_prefix("isk_short") is None


def test_parse_authorization() -> None:
    assert parse_authorization(None) is None
    assert parse_authorization(_basic("a", "b:c")) == ("basic", "a", "b:c")
    assert parse_authorization("Bearer abc") == ("bearer", "abc", "")
    assert parse_authorization("Negotiate xyz")[0] == "invalid"  # type: ignore[index]


# -- client certificates (mutual TLS mapping) -------------------------------------------


def _certificate(common_name: str) -> ClientCertificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fictional Coastal Agency"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return ClientCertificate(cert.fingerprint(hashes.SHA256()).hex(), cert.subject.rfc4514_string())


@pytest.fixture
def directory(tmp_path: Path) -> Iterator[tuple[Store, Directory]]:
    store = Store.open(f"sqlite:///{tmp_path / 'node.db'}")
    directory = Directory(store)
    for partner in ("coastal-agency", "harbour-watch"):
        directory.add(partner, partner)
        directory.set_password(partner, hash_password(f"{partner} passphrase"))
    yield store, directory
    store.close()


def test_a_certificate_maps_to_its_partner_by_fingerprint_or_subject(
    directory: tuple[Store, Directory],
) -> None:
    store, partners = directory
    by_fingerprint = _certificate("gateway.coastal-agency.example")
    by_subject = _certificate("gateway.harbour-watch.example")
    stranger = _certificate("gateway.unknown.example")
    partners.add_certificate(
        "coastal-agency", fingerprint_lookup(by_fingerprint.fingerprint_sha256)
    )
    partners.add_certificate("harbour-watch", subject_lookup(by_subject.subject))
    auth = Authenticator(store)
    outcome = auth.authenticate(None, by_fingerprint)
    assert outcome.partner is not None and outcome.partner.id == "coastal-agency"
    outcome = auth.authenticate(None, by_subject)
    assert outcome.partner is not None and outcome.partner.id == "harbour-watch"
    assert auth.authenticate(None, stranger).partner is None
    # a certificate and a password of the same partner: fine; of different partners: refused
    same = auth.authenticate(_basic("coastal-agency", "coastal-agency passphrase"), by_fingerprint)
    assert same.partner is not None and same.partner.id == "coastal-agency"
    mixed = auth.authenticate(_basic("harbour-watch", "harbour-watch passphrase"), by_fingerprint)
    assert mixed.partner is None
    # a certificate no partner claims does not block password authentication
    alone = auth.authenticate(_basic("harbour-watch", "harbour-watch passphrase"), stranger)
    assert alone.partner is not None and alone.partner.id == "harbour-watch"
    # revoking the partner revokes its certificate mapping at once
    partners.revoke("coastal-agency")
    assert auth.authenticate(None, by_fingerprint).partner is None


def test_a_certificate_belongs_to_one_partner(directory: tuple[Store, Directory]) -> None:
    _, partners = directory
    cert = _certificate("shared.example")
    partners.add_certificate("coastal-agency", fingerprint_lookup(cert.fingerprint_sha256))
    with pytest.raises(Exception, match="already belongs"):
        partners.add_certificate("harbour-watch", fingerprint_lookup(cert.fingerprint_sha256))
    with pytest.raises(ValueError):
        fingerprint_lookup("not-a-fingerprint")
    colons = ":".join(cert.fingerprint_sha256[i : i + 2] for i in range(0, 64, 2)).upper()
    assert fingerprint_lookup(colons) == fingerprint_lookup(cert.fingerprint_sha256)


def test_the_app_reads_the_certificate_from_the_wsgi_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoshare_server.app import create_app
    from infoshare_server.config import load_config

    monkeypatch.setenv(SECRET_ENV, SECRET)
    path = tmp_path / "node.toml"
    path.write_text(config_text(f"sqlite:///{tmp_path / 'node.db'}", 6199), encoding="utf-8")
    app = create_app(load_config(path))
    store = app.medallion_backend.store  # type: ignore[attr-defined]
    partners = Directory(store)
    partners.add("coastal-agency", "Coastal Agency")
    cert = _certificate("gateway.coastal-agency.example")
    partners.add_certificate("coastal-agency", fingerprint_lookup(cert.fingerprint_sha256))
    client = app.test_client()
    ok = client.get(
        "/taxii2/", headers={"Accept": TAXII}, environ_base={"infoshare.client_certificate": cert}
    )
    assert ok.status_code == 200  # no rights yet: an empty discovery, but authenticated
    assert ok.get_json()["api_roots"] == []
    other = _certificate("gateway.unknown.example")
    refused = client.get(
        "/taxii2/", headers={"Accept": TAXII}, environ_base={"infoshare.client_certificate": other}
    )
    assert refused.status_code == 401
    store.close()


def test_cli_adds_a_clear_only_partner_that_sees_only_tlp_clear(node: AccessNode) -> None:
    config = str(node.node.config_path)
    added = _cli("partner", "add", "public-desk", "--clearance", "clear", "--config", config)
    assert added.returncode == 0, added.stderr
    assert "partner public-desk added (clearance clear)" in added.stdout
    password = re.search(r"password\s+(\S+)", added.stdout)
    assert password is not None
    granted = _cli("partner", "grant", "public-desk", STIX_COLLECTION, "--read",
                   "--config", config)  # fmt: skip
    assert granted.returncode == 0, granted.stderr
    clear, green = marked_identity("clear"), marked_identity("green")
    node.add(OPERATOR, STIX_COLLECTION, [clear, green])
    response = requests.get(
        node.node.url(f"{API_ROOT}/collections/{STIX_COLLECTION}/objects/"),
        params={"limit": "1000"},
        headers={"Accept": TAXII},
        auth=("public-desk", password.group(1)),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    seen = {obj["id"] for obj in response.json()["objects"]}
    assert clear["id"] in seen and green["id"] not in seen
    bad = _cli("partner", "set", "public-desk", "--clearance", "white", "--config", config)
    assert bad.returncode == 2 and "invalid choice: 'white'" in bad.stderr
