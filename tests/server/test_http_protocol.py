"""The TAXII 2.1 request rules of http/protocol.py, and the catch-all of http/errors.py.

The media-type rules are pure functions, tested over many inputs; the
catch-all is tested in-process with a backend that fails on purpose, because
no bad input over HTTP can reach it (test_http_bad_input.py proves that).
"""

from __future__ import annotations

import base64
import logging
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from infoshare_server.access import hash_password
from infoshare_server.app import create_app
from infoshare_server.config import parse_config
from infoshare_server.http.media import (
    TAXII_MEDIA_TYPE_V21,
    accepts_taxii,
    is_taxii_content_type,
)
from medallion.backends.base import Backend


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (None, True),
        ("", True),
        ("application/taxii+json;version=2.1", True),
        ("application/taxii+json", True),
        ("Application/TAXII+JSON; Version=2.1", True),
        ('application/taxii+json; version="2.1"', True),
        ("*/*", True),
        ("application/*", True),
        ("text/html, application/xhtml+xml, */*;q=0.8", True),
        ("application/taxii+json;version=2.0", False),
        ("application/taxii+json;version=2.1;q=0", False),
        ("application/json", False),
        ("application/stix+json;version=2.1", False),
        ("text/*", False),
        ("*/*;q=0", False),
        ("application/taxii+json;q=abc", False),
    ],
)
def test_accept_header(header: str | None, ok: bool) -> None:
    assert accepts_taxii(header) is ok


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("application/taxii+json;version=2.1", True),
        ("application/taxii+json", True),
        ("application/taxii+json; charset=utf-8", True),
        ("application/taxii+json;version=2.1;charset=latin-1", False),
        ("application/taxii+json;version=2.0", False),
        ("application/json", False),
        ("application/taxii+json, application/json", False),
        (None, False),
        ("", False),
    ],
)
def test_content_type_header(header: str | None, ok: bool) -> None:
    assert is_taxii_content_type(header) is ok


@given(st.text(max_size=300))
def test_media_type_parsing_never_raises(header: str) -> None:
    assert isinstance(accepts_taxii(header), bool)
    assert isinstance(is_taxii_content_type(header), bool)


class _FailingBackend(Backend):  # type: ignore[misc]
    def server_discovery(self) -> dict[str, object]:
        raise RuntimeError("the disk is on fire")


def test_the_catch_all_logs_and_answers_with_a_taxii_500(caplog: pytest.LogCaptureFixture) -> None:
    config = parse_config(
        {
            "node": {"title": "T", "secret_env": "UNUSED"},
            "api_roots": [
                {
                    "name": "fimi",
                    "title": "F",
                    "collections": [{"id": str(uuid.uuid4()), "title": "c"}],
                }
            ],
            "users": [{"name": "analyst", "password_hash": hash_password("long enough secret")}],
        }
    )
    client = create_app(config, backend=_FailingBackend()).test_client()
    token = base64.b64encode(b"analyst:long enough secret").decode()
    with caplog.at_level(logging.ERROR):
        response = client.get(
            "/taxii2/", headers={"Authorization": f"Basic {token}", "Accept": TAXII_MEDIA_TYPE_V21}
        )
    assert response.status_code == 500
    assert response.headers["Content-Type"] == TAXII_MEDIA_TYPE_V21
    body = response.get_json(force=True)
    assert body["http_status"] == "500"
    assert "disk" not in body["description"]  # internals are logged, not sent
    assert "the disk is on fire" in caplog.text


class _UnreachableStore:
    def reading(self) -> object:
        raise OSError("connection refused")


class _BackendWithoutDatabase(Backend):  # type: ignore[misc]
    store = _UnreachableStore()


def test_health_is_503_when_the_database_does_not_answer(caplog: pytest.LogCaptureFixture) -> None:
    config = parse_config(
        {
            "node": {"title": "T", "secret_env": "UNUSED"},
            "api_roots": [{"name": "fimi", "title": "F"}],
            "users": [{"name": "analyst", "password_hash": hash_password("long enough secret")}],
        }
    )
    client = create_app(config, backend=_BackendWithoutDatabase()).test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    assert "connection refused" in caplog.text
