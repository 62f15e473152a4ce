"""Unit tests of the pure parts of sync: answers checked, backoff, durations, config, batches.

Issue 5, docs/adr/0007-sync.md. The behaviour partners see is tested over
real HTTP in test_sync_mesh.py, test_sync_resume.py, test_sync_tlp.py and
test_sync_remote_failures.py; these pin the rules underneath.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from infoshare_server.access import hash_password
from infoshare_server.cli_sync import parse_duration
from infoshare_server.config import ConfigError, parse_config
from infoshare_server.storage import StoredObject
from infoshare_server.sync import Backoff, RemoteGarbage, RemoteUnavailable, SyncError
from infoshare_server.sync._credentials import BearerAuth, remote_auth
from infoshare_server.sync._errors import RemoteError
from infoshare_server.sync._progress import PlainProgress, TerminalProgress
from infoshare_server.sync._push import _batches
from infoshare_server.sync._remote import _checked_page, _describe_http

from infoshare.errors import UsageError

USER_HASH = hash_password("a long test passphrase")
COLLECTION = "2d5c7a10-3b4e-4f6a-8c9d-0e1f2a3b4c01"
REMOTE_COLLECTION = "9d9d9d9d-0000-4000-8000-00000000f009"


def _response(headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.headers.update(headers)
    return response


LAST = {"X-TAXII-Date-Added-Last": "2026-10-01T00:00:00.123456Z"}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
envelope_like = st.fixed_dictionaries(
    {},
    optional={
        "more": json_values,
        "next": json_values,
        "objects": st.lists(
            st.fixed_dictionaries({}, optional={"id": json_values, "type": json_values}), max_size=3
        )
        | json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    body=json_values | envelope_like,
    with_header=st.booleans(),
    sent=st.none() | st.text(max_size=3),
)
def test_any_answer_is_a_checked_page_or_garbage(
    body: Any, with_header: bool, sent: str | None
) -> None:
    try:
        page = _checked_page(body, _response(LAST if with_header else {}), "remote", sent)
    except RemoteGarbage as exc:
        assert exc.retryable is False and exc.message.startswith("remote: ")
        return
    assert all(isinstance(o, dict) and isinstance(o["id"], str) for o in page.objects)
    if page.more:
        assert page.next and page.next != sent and page.objects
    else:
        assert page.next is None
    assert (page.date_added_last is None) == (not page.objects)


def test_more_without_next_is_garbage() -> None:
    body = {"more": True, "objects": [{"id": "note--1", "type": "note"}]}
    with pytest.raises(RemoteGarbage, match="more: true but gives no next"):
        _checked_page(body, _response(LAST), "remote", None)


def test_page_watermark_is_the_date_added_header_in_stored_form() -> None:
    body = {"objects": [{"id": "note--1", "type": "note"}]}
    page = _checked_page(
        body, _response({"X-TAXII-Date-Added-Last": "2026-10-01T09:00:00+09:00"}), "r", None
    )
    assert page.date_added_last == "2026-10-01T00:00:00.000000Z"


def test_backoff_retries_retryable_errors_with_doubling_delays() -> None:
    slept: list[float] = []
    calls = iter([RemoteUnavailable("down"), RemoteUnavailable("down"), "ok"])

    def action() -> str:
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    seen: list[tuple[int, float]] = []
    backoff = Backoff(retries=5, first_delay=0.5, max_delay=1.5, sleep=slept.append)
    assert backoff.run(action, lambda _e, n, d: seen.append((n, d))) == "ok"
    assert slept == [0.5, 1.0] and seen == [(1, 0.5), (2, 1.0)]
    assert backoff.delays() == [0.5, 1.0, 1.5, 1.5, 1.5]


def test_backoff_gives_up_after_its_retries_and_never_retries_garbage() -> None:
    slept: list[float] = []
    attempts = 0

    def down() -> None:
        nonlocal attempts
        attempts += 1
        raise RemoteUnavailable("down")

    with pytest.raises(RemoteUnavailable):
        Backoff(retries=2, first_delay=1, sleep=slept.append).run(down)
    assert attempts == 3 and slept == [1, 2]

    def garbage() -> None:
        raise RemoteGarbage("not json")

    slept.clear()
    with pytest.raises(RemoteError):
        Backoff(retries=4, sleep=slept.append).run(garbage)
    assert slept == []


def test_backoff_waits_at_least_the_remotes_retry_after_up_to_its_max_delay() -> None:
    slept: list[float] = []
    calls = iter(
        [
            RemoteUnavailable("429", retry_after=7),
            RemoteUnavailable("429", retry_after=0.1),
            RemoteUnavailable("429", retry_after=3600),
            "ok",
        ]
    )

    def action() -> str:
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    seen: list[float] = []
    backoff = Backoff(retries=5, first_delay=1, max_delay=60, sleep=slept.append)
    assert backoff.run(action, lambda _e, _n, d: seen.append(d)) == "ok"
    assert slept == seen == [7, 2, 60]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "12"}, 12.0), ({"Retry-After": "soon"}, None), ({}, None)],
)
def test_a_refusal_carries_the_remotes_retry_after(
    headers: dict[str, str], expected: float | None
) -> None:
    response = requests.Response()
    response.status_code = 429
    response.headers.update(headers)
    error = _describe_http(requests.HTTPError(response=response), "r")
    assert isinstance(error, RemoteUnavailable) and error.retry_after == expected


def test_a_retry_after_date_in_the_past_means_no_extra_wait() -> None:
    response = requests.Response()
    response.status_code = 503
    response.headers["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT"
    error = _describe_http(requests.HTTPError(response=response), "r")
    assert isinstance(error, RemoteUnavailable) and error.retry_after == 0.0


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("30s", 30), ("5m", 300), ("1.5h", 5400), ("1d", 86400)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", "m", "-5m", "0s", "0.5"])
def test_bad_durations_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text)


def _config(remote: dict[str, Any]) -> dict[str, Any]:
    return {
        "node": {"title": "Test", "secret_env": "X"},
        "api_roots": [
            {"name": "fimi", "title": "F", "collections": [{"id": COLLECTION, "title": "C"}]}
        ],
        "users": [{"name": "a", "password_hash": USER_HASH}],
        "remotes": [remote],
    }


def _remote(**changes: Any) -> dict[str, Any]:
    remote: dict[str, Any] = {
        "name": "ph",
        "api_root": "https://ph.node.example/fimi",
        "user": "jp",
        "password_env": "PW",
        "collections": [{"remote": REMOTE_COLLECTION, "local": COLLECTION}],
    }
    remote.update(changes)
    return {k: v for k, v in remote.items() if v is not None}


def test_a_remote_section_is_read(tmp_path: Path) -> None:
    config = parse_config(_config(_remote()))
    remote = config.remotes[0]
    assert remote.api_root == "https://ph.node.example/fimi/"
    assert config.local_collection(remote.collections[0]) == ("fimi", remote.collections[0].local)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "hunter2"}, "remotes[0].password: unknown key"),
        ({"password_env": None}, "user needs password_env or password_file"),
        ({"discovery": "https://ph.node.example/taxii2/"}, "exactly one of api_root"),
        ({"token_env": "T"}, "at most one of"),
        ({"api_root": "ftp://ph.node.example/"}, "must start with http"),
        (
            {"collections": [{"remote": REMOTE_COLLECTION, "local": REMOTE_COLLECTION}]},
            "is not configured here",
        ),
    ],
)
def test_bad_remote_sections_name_the_key(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(_remote(**changes)))
    assert message in caught.value.message + (caught.value.hint or "")


def test_secrets_come_from_the_environment_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoshare_server.config import RemoteSection

    base = {
        "name": "ph",
        "api_root": "http://127.0.0.1:1/fimi/",
        "collections": [{"remote": REMOTE_COLLECTION, "local": COLLECTION}],
    }
    monkeypatch.delenv("PW", raising=False)
    with pytest.raises(SyncError, match="PW is not set"):
        remote_auth(
            RemoteSection.model_validate({**base, "user": "jp", "password_env": "PW"}), tmp_path
        )
    monkeypatch.setenv("PW", "s3cret")
    auth = remote_auth(
        RemoteSection.model_validate({**base, "user": "jp", "password_env": "PW"}), tmp_path
    )
    assert isinstance(auth, requests.auth.HTTPBasicAuth) and auth.password == "s3cret"
    (tmp_path / "token").write_text("tok-123\n", encoding="utf-8")
    bearer = remote_auth(RemoteSection.model_validate({**base, "token_file": "token"}), tmp_path)
    assert isinstance(bearer, BearerAuth) and "tok-123" not in repr(bearer)
    request = requests.Request("GET", "http://127.0.0.1/").prepare()
    assert bearer(request).headers["Authorization"] == "Bearer tok-123"
    with pytest.raises(SyncError, match="cannot read the secret file"):
        remote_auth(RemoteSection.model_validate({**base, "token_file": "missing"}), tmp_path)


def _row(seq: int, size: int) -> StoredObject:
    body = json.dumps({"id": f"note--{seq}", "pad": "x" * size})
    return StoredObject(seq, f"note--{seq}", "note", "v", "2.1", "d", body)


@given(
    st.lists(st.integers(min_value=0, max_value=400), max_size=30),
    st.integers(min_value=200, max_value=2000),
)
def test_push_batches_fit_the_remote_limit_and_keep_order(sizes: list[int], limit: int) -> None:
    rows = [_row(seq, size) for seq, size in enumerate(sizes, start=1)]
    batches = _batches(rows, limit)
    flat = [
        row.seq
        for batch, too_big in batches
        for row in sorted([*batch, *too_big], key=lambda r: r.seq)
    ]
    assert flat == [row.seq for row in rows]
    for batch, too_big in batches:
        assert (
            len(('{"objects":[' + ",".join(r.body or "" for r in batch) + "]}").encode()) <= limit
        )
        assert all(len((r.body or "").encode()) + 1 > limit - 64 for r in too_big)


def test_progress_on_a_terminal_redraws_one_line_with_a_bar() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    counts = progress.start("ph push", total=4)
    counts.stored, counts.pages = 2, 1
    progress.page(counts)
    assert stream.getvalue().startswith("\r\x1b[2Kph push ") and "2/4" in stream.getvalue()
    assert "█" * 12 + "░" * 12 in stream.getvalue() and "\n" not in stream.getvalue()
    plain = io.StringIO()
    PlainProgress(plain).page(counts)
    assert plain.getvalue() == "ph push: page 1: 2 new, 0 already here, 0 refused (1 page)\n"
