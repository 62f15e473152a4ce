"""Stateless ``next`` tokens (TAXII 2.1 §3.4.3) and keyset paging across workers."""

from __future__ import annotations

import base64
import threading
import time

import pytest
from _backend_cases import ALL, add, key_of, organisation, read_all
from hypothesis import given, settings
from hypothesis import strategies as st
from infoshare_server.errors import RequestError
from infoshare_server.paging import PageSigner, PageToken, filter_digest
from infoshare_server.storage import select_objects
from infoshare_server.storage._objects import ObjectQuery

SIGNER = PageSigner(b"k" * 32)
TOKEN = PageToken("objects", "fimi", "c-1", filter_digest({"match[type]": "identity"}), 42)


def _check(text: str, **overrides: str) -> int:
    request = {
        "endpoint": "objects",
        "api_root": "fimi",
        "collection_id": "c-1",
        "filters": filter_digest({"match[type]": "identity"}),
    }
    request.update(overrides)
    return SIGNER.check(text, **request)  # type: ignore[arg-type]


def test_a_token_round_trips() -> None:
    assert _check(SIGNER.issue(TOKEN)) == 42


def test_the_filter_digest_is_canonical() -> None:
    a = filter_digest({"match[type]": "b,a,a", "limit": "5", "next": "x", "sort": "z"})
    assert a == filter_digest({"match[type]": "a,b"})
    assert a != filter_digest({"match[type]": "a"})
    assert a != filter_digest({"match[type]": "a,b"}, "identity--1")
    assert filter_digest({}) != filter_digest({"added_after": "2026-01-01T00:00:00Z"})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"collection_id": "c-2"}, "another collection"),
        ({"api_root": "other"}, "another collection"),
        ({"endpoint": "manifest"}, "objects endpoint"),
        ({"filters": filter_digest({"match[type]": "location"})}, "other filters"),
    ],
)
def test_a_token_replayed_elsewhere_is_refused(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(RequestError, match=message) as caught:
        _check(SIGNER.issue(TOKEN), **overrides)
    assert caught.value.status == 400


def _raw(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_tampered_truncated_or_foreign_token_is_refused() -> None:
    text = SIGNER.issue(TOKEN)
    raw = _raw(text)
    flipped = [
        _b64(raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1 :]) for i in (1, 13, 20, len(raw) - 1)
    ]
    cases = {
        **{f"bit flipped at {i}": bad for i, bad in zip((1, 13, 20, -1), flipped, strict=True)},
        "another node": PageSigner(b"another-node-secret-0123456789ab").issue(TOKEN),
        "truncated by one byte": _b64(raw[:-1]),
        "truncated to half": text[: len(text) // 2],
        "old signed format": "eyJ2IjoxfQ.c2ln",
        "version byte changed": _b64(b"\x01" + raw[1:]),
        "empty": "",
        "not base64": "not a token!",
        "non-ascii": "é" * 40,
        "NUL": "\x00" * 40,
        "huge": "x" * 5000,
    }
    for name, bad in cases.items():
        with pytest.raises(RequestError) as caught:
            _check(bad)
        assert caught.value.status == 400, name
        message = str(caught.value.message)
        assert "next token" in message and "start again without next" in message, name
    for bad in [*flipped, cases["another node"]]:
        with pytest.raises(RequestError, match="altered or issued by another node"):
            _check(bad)
    with pytest.raises(RequestError, match="truncated"):
        _check(cases["truncated by one byte"])


def test_nothing_in_a_token_is_readable() -> None:
    """No position, id, collection or partner appears in the token's bytes, in any
    encoding a client might try; equal requests get different tokens."""
    secret = "north-media-partner"
    position = 9_876_543_210
    token = PageToken("objects", "fimi-root", "c-7a1f", filter_digest({}), position, secret)
    texts = [SIGNER.issue(token) for _ in range(20)]
    assert len(set(texts)) == 20  # a fresh nonce each time: issues cannot be compared
    for text in texts:
        raw = _raw(text)
        for needle in (str(position), "fimi-root", "c-7a1f", secret, '"s"', "objects"):
            assert needle.encode() not in raw
            assert needle not in text
        assert position.to_bytes(8, "big") not in raw and position.to_bytes(8, "little") not in raw
        assert _check(text, api_root="fimi-root", collection_id="c-7a1f",
                      filters=filter_digest({}), partner=secret) == position  # fmt: skip


def test_the_token_length_does_not_follow_the_position() -> None:
    lengths = {len(SIGNER.issue(PageToken("objects", "fimi", "c-1", "d", seq))) for seq in
               (1, 9, 10, 99_999, 10**12, 10**17)}  # fmt: skip
    assert len(lengths) == 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_is_never_accepted_and_never_crashes(text: str) -> None:
    with pytest.raises(RequestError):
        _check(text)


def test_pages_cover_everything_once_with_more_and_next(make_backend) -> None:  # type: ignore[no-untyped-def]
    backend = make_backend()
    objects = [organisation(f"Tideway Council {i} (fictional)") for i in range(23)]
    add(backend, objects)
    for limit in (1, 5, 22, 23, 100):
        assert read_all(backend, limit=limit) == objects
    root, collection, _ = key_of(backend)
    envelope, headers = backend.get_objects(root, collection, {}, ALL, 10)
    assert envelope["more"] is True and len(envelope["objects"]) == 10
    manifest = read_all(backend, endpoint="manifest")
    assert headers == {
        "X-TAXII-Date-Added-First": manifest[0]["date_added"],
        "X-TAXII-Date-Added-Last": manifest[9]["date_added"],
    }
    # a token is bound to its filters, endpoint and collection
    filters = {"next": envelope["next"], "match[type]": "identity"}
    with pytest.raises(RequestError, match="other filters"):
        backend.get_objects(root, collection, filters, ALL, 10)
    with pytest.raises(RequestError, match="objects endpoint"):
        backend.get_object_manifest(root, collection, {"next": envelope["next"]}, ALL, 10)
    other = make_backend()
    other_root, other_collection, _ = key_of(other)
    with pytest.raises(RequestError, match="another collection"):
        other.get_objects(other_root, other_collection, {"next": envelope["next"]}, ALL, 10)
    stix_collection = key_of(backend, "profile")[1]
    with pytest.raises(RequestError, match="another collection"):
        backend.get_objects(root, stix_collection, {"next": envelope["next"]}, ALL, 10)


def test_two_workers_share_the_paging(make_backend) -> None:  # type: ignore[no-untyped-def]
    one = make_backend()
    two = make_backend(list(one.api_roots.values()))  # same node, own connection pool
    objects = [organisation() for _ in range(9)]
    add(one, objects[:5])
    add(two, objects[5:])
    root, collection, _ = key_of(one)
    seen: list[dict[str, object]] = []
    args: dict[str, str] = {"match[type]": "identity"}
    for turn in range(100):
        worker = (one, two)[turn % 2]
        envelope, _ = worker.get_objects(root, collection, args, ALL, 2)
        seen.extend(envelope.get("objects", []))
        if not envelope.get("more"):
            break
        args = {"match[type]": "identity", "next": envelope["next"]}
    assert seen == objects


def test_paging_with_concurrent_writers_misses_nothing(make_backend) -> None:  # type: ignore[no-untyped-def]
    """Writers on several workers add while a reader pages: the reader ends up with
    every object, once, and seq order, date_added order and commit order agree
    (the objects of one request share their date_added)."""
    reader = make_backend()
    roots = list(reader.api_roots.values())
    writers = [make_backend(roots) for _ in range(3)]
    batches = [[organisation() for _ in range(4)] for _ in range(15)]
    errors: list[BaseException] = []

    def write(worker_index: int) -> None:
        try:
            for batch in batches[worker_index::3]:
                add(writers[worker_index], batch)
                time.sleep(0.01)  # let the reader page between writes
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    root, collection, key = key_of(reader)
    seen: list[str] = []
    filters: dict[str, str] = {}  # the watermark, as a sync client keeps it
    args: dict[str, str] = {}
    while True:
        writing = any(thread.is_alive() for thread in threads)
        envelope, headers = reader.get_objects(root, collection, args, ALL, 3)
        seen.extend(o["id"] for o in envelope.get("objects", []))
        if envelope.get("more"):
            args = {**filters, "next": envelope["next"]}
            continue
        if not writing:
            break
        if headers:
            filters = {"added_after": headers["X-TAXII-Date-Added-Last"]}
        args = dict(filters)
    for thread in threads:
        thread.join()
    assert not errors
    expected = {o["id"] for batch in batches for o in batch}
    assert len(seen) == len(set(seen)) and set(seen) == expected
    with reader.store.reading() as connection:
        rows = select_objects(connection, key.collection_pk, ObjectQuery(versions=("all",)))
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    dates = [r.date_added for r in rows]
    # One date_added per add request, strictly increasing from one request to the next.
    assert dates == sorted(dates) and len(set(dates)) == len(batches)
    assert all(len(set(dates[i : i + 4])) == 1 for i in range(0, len(dates), 4))
