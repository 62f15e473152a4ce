"""Strict reading (spec §14.2): repeated names, several objects arrays, the depth
limit everywhere, integers too long to read; and parsed objects held to the
same rules."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.validation import ValidationOptions, Validator
from infoshare.validation._json_text import MAX_INTEGER_DIGITS, TextProblem, locate_problems
from infoshare.validation._reader import MAX_DEPTH, BundleReader

BUNDLE_ID = "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"
Problem = tuple[str, str, int | None, int | None, str]


def read(data: str | bytes, chunk_bytes: int = 1 << 20) -> tuple[list[Any], list[Problem]]:
    raw = data.encode() if isinstance(data, str) else data
    problems: list[Problem] = []
    reader = BundleReader(io.BytesIO(raw), lambda *p: problems.append(p), chunk_bytes=chunk_bytes)
    return list(reader), problems


def where(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(check, path) for check, _, _, _, path in problems]


def envelope(members: str) -> str:
    return f'{{"type": "bundle", "id": "{BUNDLE_ID}", {members}}}'


# --- repeated names (IS-007) ------------------------------------------------------------


def test_a_repeated_name_is_reported_at_every_depth_with_path_and_line() -> None:
    text = envelope(
        '"objects": [\n{"type": "note", "type": "note"},\n'
        '{"type": "note", "x_a": [1, {"b": 1,\n "b": 2}], "x_c": {"d": {"e": 0, "e": 0}}}]'
    )
    items, problems = read(text)
    assert where(problems) == [
        ("IS-007", "$.objects[0].type"),
        ("IS-007", "$.objects[1].x_a[1].b"),
        ("IS-007", "$.objects[1].x_c.d.e"),
    ]
    assert [p[2] for p in problems] == [2, 4, 4]
    assert problems[1][3] == 2  # the column of the second "b"
    assert "appears more than once" in problems[0][1]
    assert len(items) == 2  # still checked: the finding already fails the bundle


def test_repeated_names_in_the_envelope_and_its_properties() -> None:
    text = (
        f'{{"type": "bundle", "id": "{BUNDLE_ID}", "id": "{BUNDLE_ID}",'
        ' "x_meta": {"k": 1, "k": 2}, "objects": []}'
    )
    _, problems = read(text)
    assert where(problems) == [("IS-007", "$.id"), ("IS-007", "$.x_meta.k")]


def test_a_repeated_name_in_a_single_object_input() -> None:
    _, problems = read('{"type": "note", "content": "a", "content": "b"}')
    assert ("IS-007", "$.content") in where(problems)


def test_names_equal_after_unescaping_are_the_same_name() -> None:
    _, problems = read(envelope(r'"objects": [{"type": "note", "t\u0079pe": "note"}]'))
    assert where(problems) == [("IS-007", "$.objects[0].type")]


def test_the_same_name_in_different_objects_is_fine() -> None:
    text = envelope('"objects": [{"type": "a", "x": {"type": 1}}, {"type": "b", "x": [{"x": 1}]}]')
    assert read(text)[1] == []


@settings(max_examples=40, deadline=None)
@given(chunk=st.integers(min_value=1, max_value=40))
def test_findings_do_not_depend_on_how_the_input_is_chunked(chunk: int) -> None:
    text = envelope(
        '"objects": [{"type": "note", "x_a": {"b": 1, "b": 2}}, {"type": "n", "type": 1}]'
    )
    assert read(text, chunk_bytes=chunk) == read(text)


# --- several objects arrays -------------------------------------------------------------


def _note(created: str, content: str) -> dict[str, Any]:
    return {
        "type": "note",
        "spec_version": "2.1",
        "id": "note--0b80b257-9c4a-4e8c-a608-1ebb4c178c4d",
        "created": created,
        "modified": "2026-04-14T09:30:00.000Z",
        "content": content,
        "object_refs": ["note--0b80b257-9c4a-4e8c-a608-1ebb4c178c4d"],
    }


def test_a_second_objects_array_is_reported_and_numbered_on() -> None:
    first = json.dumps([_note("2026-04-14T09:30:00.000Z", "first")])
    second = json.dumps([{"type": "x"}, _note("2026-04-13T09:30:00.000Z", "second")])
    text = envelope(f'"objects": {first},\n"objects": {second}')
    items, problems = read(text)
    assert where(problems) == [("IS-007", "$.objects")]
    assert problems[0][2] == 2 and "more than one 'objects'" in problems[0][1]
    assert [index for index, _, _ in items] == [0, 1, 2]

    # IS-111 (no version twice) is a profile rule: STIX lets a bundle repeat an object.
    report = Validator(ValidationOptions(mode="profile")).validate_bytes(text.encode())
    ids = {f.check_id for f in report.findings}
    # The two conflicting versions of the note, one in each array, are still compared.
    assert {"IS-007", "IS-111"} <= ids, report.findings
    conflict = next(f for f in report.findings if f.check_id == "IS-111")
    assert conflict.object_index == 2


# --- depth everywhere (IS-004) ----------------------------------------------------------


def nested(levels: int) -> str:
    """A JSON value that is ``levels`` containers deep."""
    return "[" * levels + "]" * levels


def test_depth_limit_applies_to_bundle_properties() -> None:
    # The bundle is level 1, so its properties may be 63 levels deep.
    assert read(envelope(f'"x_tree": {nested(MAX_DEPTH - 1)}, "objects": []'))[1] == []
    items, problems = read(envelope(f'"x_tree": {nested(MAX_DEPTH)}, "objects": [{{"type": "n"}}]'))
    assert where(problems) == [("IS-004", "$.x_tree")] and len(items) == 1


def test_depth_limit_applies_to_a_single_object() -> None:
    items, problems = read(f'{{"type": "note", "x_tree": {nested(MAX_DEPTH)}}}')
    assert ("IS-004", "$.x_tree") in where(problems) and items == []
    items, _ = read(f'{{"type": "note", "x_tree": {nested(MAX_DEPTH - 1)}}}')
    assert len(items) == 1


def test_depth_beyond_the_c_scanners_limit_is_still_a_finding() -> None:
    _, problems = read(envelope(f'"x_tree": {nested(200_000)}, "objects": []'))
    assert where(problems)[0] == ("IS-004", "$.x_tree")


# --- integers too long to read (IS-004) -------------------------------------------------


@pytest.mark.parametrize("sign", ["", "-"])
def test_an_integer_longer_than_the_limit_is_named_with_its_path(sign: str) -> None:
    number = sign + "7" * (MAX_INTEGER_DIGITS + 1)
    text = envelope(f'"objects": [{{"type": "note"}}, {{"type": "note", "x_n": [0, {number}]}}]')
    items, problems = read(text)
    assert where(problems) == [("IS-004", "$.objects[1].x_n[1]")]
    assert "4,301 digits" in problems[0][1] and "STIX integer" in problems[0][1]
    assert "invalid JSON" not in problems[0][1]
    assert len(items) == 1  # the object with the number is not checked


def test_the_longest_integer_read_and_long_floats_are_fine() -> None:
    digits = "7" * MAX_INTEGER_DIGITS
    items, problems = read(
        envelope(f'"objects": [{{"type": "n", "a": {digits}, "b": 1.{digits}}}]')
    )
    assert problems == [] and items[0][2]["a"] == int(digits)


def test_a_long_integer_on_the_bundle_itself() -> None:
    _, problems = read(envelope(f'"x_n": {"1" * 5000}, "objects": []'))
    assert where(problems) == [("IS-004", "$.x_n")]


# --- the slow path's walk ---------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=30,
    )
)
def test_the_walk_finds_nothing_in_json_that_has_no_repeats(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, indent=3)):
        assert locate_problems(text, 0) == []


def test_the_walk_names_each_repeat() -> None:
    text = '{"a": [{"x": 1, "y": {"x": 1}, "x": 2}], "a": null}'
    found = [(p.problem, p.path, p.detail) for p in locate_problems(text, 0)]
    assert found == [
        (TextProblem.DUPLICATE_NAME, ".a[0].x", "x"),
        (TextProblem.DUPLICATE_NAME, ".a", "a"),
    ]


# --- parsed objects (validate_objects) --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "check_id", "text"),
    [
        (10**5000, "IS-004", "too large"),
        (-(10**4300), "IS-004", "too large"),
        (float("nan"), "IS-001", "not a JSON number"),
        (float("inf"), "IS-001", "not a JSON number"),
        ({1: "a"}, "IS-001", "not a string"),
        ({"a"}, "IS-001", "Python type set"),
    ],
    ids=["5000-digits", "4301-digits", "nan", "inf", "int-name", "set"],
)
def test_parsed_objects_are_held_to_the_readers_rules(value: Any, check_id: str, text: str) -> None:
    obj = {"type": "note", "id": "note--0b80b257-9c4a-4e8c-a608-1ebb4c178c4d", "x_v": [value]}
    report = Validator().validate_objects([{"type": "note"}, obj])
    refused = [f for f in report.findings if f.object_index == 1]
    assert [(f.check_id, f.json_path) for f in refused] == [(check_id, "$.objects[1].x_v[0]")]
    assert text in refused[0].message and refused[0].object_id == obj["id"]


def test_parsed_objects_nested_too_deep_are_refused() -> None:
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH - 1):
        deep = [deep]
    fine = {"type": "note", "x_tree": deep}  # the object is level 1, its lists levels 2 to 64
    too_deep = {"type": "note", "x": {"x_tree": deep}}
    report = Validator(ValidationOptions(mode="stix")).validate_objects([too_deep, fine])
    deep_findings = [f for f in report.findings if f.check_id == "IS-004"]
    assert [f.object_index for f in deep_findings] == [0]
    assert deep_findings[0].json_path.startswith("$.objects[0].x.x_tree")
    assert report.objects_checked == 1


@pytest.mark.parametrize("interpreter_limit", [0, 640, 100_000])
def test_the_integer_limit_does_not_depend_on_the_interpreters(interpreter_limit: int) -> None:
    long_ok, too_long = "8" * MAX_INTEGER_DIGITS, "9" * (MAX_INTEGER_DIGITS + 1)
    expected = int(long_ok)
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(interpreter_limit)
    try:
        items, problems = read(envelope(f'"objects": [{{"type": "n", "a": {long_ok}}}]'))
        assert problems == [] and items[0][2]["a"] == expected
        items, problems = read(envelope(f'"objects": [{{"type": "n", "a": {too_long}}}]'))
        assert where(problems) == [("IS-004", "$.objects[0].a")] and items == []
    finally:
        sys.set_int_max_str_digits(before)
