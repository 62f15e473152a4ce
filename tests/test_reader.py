"""The streaming reader (layers 1-2): every input gives objects or findings, never an exception."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.validation._reader import MAX_DEPTH, BundleReader

BUNDLE_ID = "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"


def read(
    data: bytes, chunk_bytes: int = 1 << 20
) -> tuple[list[tuple[int, int, Any]], list[tuple[str, str, int | None, int | None, str]]]:
    problems: list[tuple[str, str, int | None, int | None, str]] = []
    reader = BundleReader(io.BytesIO(data), lambda *p: problems.append(p), chunk_bytes=chunk_bytes)
    return list(reader), problems


def bundle(objects: list[Any], **extra: Any) -> bytes:
    return json.dumps(
        {"type": "bundle", "id": BUNDLE_ID, "objects": objects, **extra}, indent=1
    ).encode()


SAMPLE = [
    {"type": "note", "id": f"note--{i}", "content": "é ✓ 日本語", "n": [1, {"a": None}]}
    for i in range(5)
]


def test_objects_come_back_with_their_lines() -> None:
    items, problems = read(bundle(SAMPLE))
    assert problems == []
    assert [obj for _, _, obj in items] == SAMPLE
    lines = [line for _, line, _ in items]
    assert lines == sorted(lines) and lines[0] == 5


def test_keys_in_any_order_and_envelope_after_objects() -> None:
    data = b'{"objects": [{"type": "x"}], "id": "' + BUNDLE_ID.encode() + b'", "type": "bundle"}'
    items, problems = read(data)
    assert problems == [] and len(items) == 1


@given(st.integers(min_value=1, max_value=64))
def test_tiny_chunks_give_the_same_result(chunk: int) -> None:
    assert read(bundle(SAMPLE), chunk_bytes=chunk) == read(bundle(SAMPLE))


def test_every_truncation_is_reported_never_raised() -> None:
    data = bundle(SAMPLE)
    for cut in range(len(data) - 1):
        items, problems = read(data[:cut], chunk_bytes=7)
        assert problems, f"truncation at {cut} went unnoticed"
        assert problems[0][0] in {"IS-001", "IS-003", "IS-002"}
        assert len(items) <= len(SAMPLE)


def test_truncated_file_says_so_with_line_and_column() -> None:
    data = bundle(SAMPLE)[:-40]
    _, problems = read(data)
    check, message, line, column, _ = problems[-1]
    assert check == "IS-001" and "truncated" in message
    assert line is not None and line > 1 and column is not None


def test_invalid_utf8_names_the_offset() -> None:
    data = bundle([{"type": "note", "content": "x"}]).replace(b'"x"', b'"\xff\xfe"')
    _, problems = read(data)
    assert problems[0][0] == "IS-002" and "not valid UTF-8" in problems[0][1]


def test_utf16_and_empty_and_whitespace() -> None:
    assert read(bundle([]).decode().encode("utf-16"))[1][0][0] == "IS-002"
    assert read(b"")[1][0][0] == "IS-003"
    assert read(b" \n\t ")[1][0][0] == "IS-003"


def test_utf8_bom_is_accepted() -> None:
    items, problems = read(b"\xef\xbb\xbf" + bundle(SAMPLE))
    assert problems == [] and len(items) == len(SAMPLE)


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    deep = (
        b'{"type": "bundle", "id": "'
        + BUNDLE_ID.encode()
        + b'", "objects": ['
        + b"[" * 100_000
        + b"]" * 100_000
        + b"]}"
    )
    items, problems = read(deep)
    assert items == [] and problems[0][0] == "IS-004"
    nested: Any = {"type": "note"}
    for _ in range(MAX_DEPTH + 1):
        nested = {"type": "note", "inner": nested}
    items, problems = read(bundle([nested, {"type": "note"}]))
    assert [p[0] for p in problems] == ["IS-004"] and len(items) == 1


def test_not_json_constants_and_trailing_data() -> None:
    assert read(bundle([{"type": "x", "v": 1}]).replace(b"1", b"NaN"))[1][0][0] == "IS-001"
    assert read(bundle([]) + b"{}")[1][0][0] == "IS-001"


def test_envelope_problems() -> None:
    assert [p[0] for p in read(b'{"type": "bundle", "id": "bundle--x", "objects": []}')[1]] == [
        "IS-005"
    ]
    assert [p[0] for p in read(b"[]")[1]] == ["IS-005"]
    assert [p[0] for p in read(b'"text"')[1]] == ["IS-005"]
    items, problems = read(b'{"type": "incident", "id": "incident--1"}')
    assert len(items) == 1 and problems[0][0] == "IS-005" and "single 'incident'" in problems[0][1]
    _, problems = read(b'{"type": "bundle", "id": "' + BUNDLE_ID.encode() + b'", "objects": 5}')
    assert [p[0] for p in problems] == ["IS-005"]


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    read(data, chunk_bytes=16)


@settings(max_examples=200)
@given(st.text(alphabet='{}[]",:0123456789 \n\\tfrnueal-.', max_size=120))
def test_random_json_like_text_never_raises(text: str) -> None:
    read(text.encode(), chunk_bytes=5)
