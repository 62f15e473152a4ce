"""infoshare.stix: the one home of the STIX basics (identifiers, timestamps,
envelope, references, TLP) and its public surface."""

from __future__ import annotations

import ast
import importlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare import profile as P
from infoshare.errors import ModelError
from infoshare.stix import envelope, identifiers, references, timestamps
from infoshare.stix.envelope import (
    bundle_problems,
    member_problem,
    objects_problems,
    taxii_envelope_problems,
)
from infoshare.stix.identifiers import (
    STIX_NAMESPACE,
    canonical_json,
    expected_sco_id,
    identifier_type,
    identifier_uuid_version,
    is_identifier,
    is_type_name,
    is_uuid4_identifier,
)
from infoshare.stix.references import iter_references, reference_ids
from infoshare.stix.timestamps import (
    TimestampError,
    compare_timestamps,
    format_timestamp,
    has_millisecond_precision,
    is_timestamp,
    parse_timestamp,
    timestamp_key,
)

UUID4 = "2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"

# --- public surface ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["envelope", "identifiers", "references", "timestamps", "tlp"])
def test_each_module_exports_a_sorted_all_of_its_public_names(name: str) -> None:
    module = importlib.import_module(f"infoshare.stix.{name}")
    exported = module.__all__
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    defined: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update(t.id for t in targets if isinstance(t, ast.Name))
    public = {n for n in defined if not n.startswith("_")}
    assert set(exported) == public


def test_every_module_docstring_cites_its_stix_section() -> None:
    for module, section in [
        (identifiers, "§2.9"),
        (timestamps, "§2.16"),
        (envelope, "§8"),
        (references, "§3.1"),
    ]:
        assert module.__doc__ is not None and section in module.__doc__
        assert "docs.oasis-open.org/cti/stix/v2.1" in module.__doc__


# --- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        f"identity--{UUID4}",
        f"x-acme-widget--{UUID4}",
        f"ipv4-addr--{uuid.uuid5(STIX_NAMESPACE, 'x')}",
        f"abc--{uuid.uuid1()}",
        f"{'a' * 250}--{UUID4}",
        "indicator--0198a7b2-4c1e-7d2a-8b3c-4d5e6f708192",  # UUIDv7 (RFC 9562)
    ],
)
def test_identifiers_accepted(value: str) -> None:
    assert is_identifier(value)
    assert identifier_type(value) == value.split("--")[0]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (f"identity--{UUID4.upper()}", "upper-case UUID (RFC 4122 §3 writes lower case)"),
        (f"identity--{UUID4[:-1]}F", "one upper-case hex digit"),
        (f"Identity--{UUID4}", "upper-case type"),
        (f"ab--{UUID4}", "type shorter than 3"),
        (f"{'a' * 251}--{UUID4}", "type longer than 250"),
        (f"-abc--{UUID4}", "leading hyphen"),
        (f"abc---{UUID4}", "trailing hyphen"),
        (f"ab--cd--{UUID4}", "double hyphen inside the type"),
        (f"x_acme--{UUID4}", "underscore in the type"),
        ("identity--2f3c6f25-7b0a-0c3e-9a55-0c9d0f3e8b11", "version 0"),
        ("identity--2f3c6f25-7b0a-9c3e-9a55-0c9d0f3e8b11", "version 9"),
        ("identity--2f3c6f25-7b0a-4c3e-ca55-0c9d0f3e8b11", "variant 110 (Microsoft)"),
        ("identity--2f3c6f25-7b0a-4c3e-7a55-0c9d0f3e8b11", "variant 0 (NCS)"),
        ("identity--2f3c6f257b0a4c3e9a550c9d0f3e8b11", "no hyphens"),
        (f"identity--{UUID4}\n", "trailing newline"),
        (f"identity--{UUID4} ", "trailing space"),
        ("identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b1١", "an Arabic-Indic digit"),  # noqa: RUF001
        ("identity--２f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11", "a full-width digit"),  # noqa: RUF001
        ("identity", "no UUID"),
        ("", "empty"),
    ],
)
def test_identifiers_refused(value: str, why: str) -> None:
    assert not is_identifier(value), why
    assert identifier_type(value) is None


def test_type_names() -> None:
    assert is_type_name("x-mitre-tactic") and is_type_name("abc") and is_type_name("a" * 250)
    for bad in ["ab", "a" * 251, "-abc", "abc-", "a--b", "ABC", "a_b", "ab c", "ab\n", "ab٣"]:
        assert not is_type_name(bad), bad


def test_uuid_versions() -> None:
    assert is_uuid4_identifier(f"identity--{uuid.uuid4()}")
    assert identifier_uuid_version(f"url--{uuid.uuid5(STIX_NAMESPACE, 'a')}") == 5
    assert not is_uuid4_identifier(f"url--{uuid.uuid5(STIX_NAMESPACE, 'a')}")
    assert identifier_uuid_version(f"identity--{UUID4.upper()}") is None


# The python-stix2 library (OASIS) computes SCO ids independently: an oracle for ours.
_SCO_CASES: list[tuple[str, dict[str, Any]]] = [
    ("url", {"value": "https://a.example/path?q=1"}),
    ("domain-name", {"value": "example.org"}),
    ("email-addr", {"value": "someone@a.example"}),
    ("ipv4-addr", {"value": "198.51.100.7"}),
    ("mac-addr", {"value": "00:00:ab:cd:ef:01"}),
    ("mutex", {"name": "Global\\fictional"}),
    ("autonomous-system", {"number": 64500}),
    ("directory", {"path": "C:\\Users\\fictional"}),
    ("user-account", {"account_type": "twitter", "user_id": "1234", "account_login": "n"}),
    ("user-account", {"user_id": "only-this"}),
    ("software", {"name": "Fictional Editor", "vendor": "Example", "version": "1.0"}),
    ("file", {"name": "a.txt", "hashes": {"SHA-256": "a" * 64, "MD5": "b" * 32}}),
    ("file", {"name": "ü ✓ 😀.txt"}),
    ("x509-certificate", {"serial_number": "36:f7:d4:32:f4:ab:70:ea"}),
    (
        "windows-registry-key",
        {"key": "HKEY_LOCAL_MACHINE\\SYSTEM", "values": [{"name": "Foo", "data": "qwerty"}]},
    ),
]


@pytest.mark.parametrize(("kind", "props"), _SCO_CASES)
def test_expected_sco_id_matches_the_oasis_library(kind: str, props: dict[str, Any]) -> None:
    oasis = stix2.parse({"type": kind, "spec_version": "2.1", **props}, allow_custom=True)
    assert expected_sco_id({"type": kind, **props}) == oasis["id"]


def test_expected_sco_id_when_the_rule_names_no_id() -> None:
    assert expected_sco_id({"type": "process", "pid": 4}) is None  # always UUIDv4 (§6.13)
    assert expected_sco_id({"type": "identity", "name": "x"}) is None  # not an SCO
    assert expected_sco_id({"type": "url"}) is None  # no contributing property present
    assert expected_sco_id({"type": "url", "value": float("nan")}) is None  # not JSON
    assert expected_sco_id({"type": 5, "value": "x"}) is None
    media = expected_sco_id({"type": P.TYPE_MEDIA_CONTENT, "url": "https://a.example/p/1"})
    expected = uuid.uuid5(STIX_NAMESPACE, '{"url":"https://a.example/p/1"}')
    assert media == f"media-content--{expected}"


@pytest.mark.parametrize(
    ("value", "text"),
    [  # RFC 8785 Appendix B
        (0.0, "0"),
        (-0.0, "0"),
        (5e-324, "5e-324"),
        (-5e-324, "-5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992, "9007199254740992"),
        (295147905179352830000, "295147905179352830000"),
        (9.999999999999997e22, "9.999999999999997e+22"),
        (1e23, "1e+23"),
        (1e21, "1e+21"),
        (999999999999999700000.0, "999999999999999700000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (333333333.3333333, "333333333.3333333"),
        (1.0, "1"),
    ],
)
def test_canonical_json_numbers(value: float, text: str) -> None:
    assert canonical_json(value) == text


def test_canonical_json_structure_and_refusals() -> None:
    # Keys sort by UTF-16 code units: U+1F600 (D83D DE00) before U+FFFF.
    assert canonical_json({"b": [True, None], "a": "é\n", "\uffff": 1, "😀": 2}) == (
        '{"a":"é\\n","b":[true,null],"😀":2,"\uffff":1}'
    )
    for bad in [float("inf"), {1: "x"}, {"a": object()}, "\ud800", 10**400]:
        with pytest.raises(ValueError):
            canonical_json(bad)


# --- timestamps -------------------------------------------------------------------------------

VALID_TIMESTAMPS = [
    "2024-05-01T09:30:00Z",
    "2024-05-01T09:30:00.1Z",
    "2024-05-01T09:30:00.123Z",
    "2024-05-01T09:30:00.123456789123Z",
    "2024-02-29T00:00:00.000Z",
    "2000-02-29T23:59:59.999Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999Z",
    "2016-12-31T23:59:60Z",  # the last leap second so far
    "2015-06-30T23:59:60.500Z",
    "2031-12-31T23:59:60Z",  # a future one falls in the same place
]
INVALID_TIMESTAMPS = [
    ("2024-05-01t09:30:00Z", "lower-case t"),
    ("2024-05-01T09:30:00z", "lower-case z"),
    ("2024-05-01T09:30:00+00:00", "an offset instead of Z"),
    ("2024-05-01T09:30:00", "no zone"),
    ("2024-05-01 09:30:00Z", "a space instead of T"),
    ("2024-05-01T09:30:00.Z", "a dot without digits"),
    ("２０２４-05-01T09:30:00Z", "full-width digits"),  # noqa: RUF001
    ("٢٠٢٤-05-01T09:30:00Z", "Arabic-Indic digits"),
    ("2024-05-01T09:30:00.١٢٣Z", "Arabic-Indic fraction digits"),  # noqa: RUF001
    ("2024-05-0१T09:30:00Z", "a Devanagari digit"),
    ("2023-02-29T00:00:00Z", "29 February of a common year"),
    ("1900-02-29T00:00:00Z", "1900 was no leap year"),
    ("2024-04-31T00:00:00Z", "31 April"),
    ("0000-01-01T00:00:00Z", "year zero"),
    ("2024-13-01T00:00:00Z", "month 13"),
    ("2024-05-01T24:00:00Z", "hour 24"),
    ("2024-05-01T09:60:00Z", "minute 60"),
    ("2024-05-01T09:30:60Z", "second 60 at another minute"),
    ("2016-12-31T22:59:60Z", "second 60 an hour early"),
    ("2016-12-30T23:59:60Z", "second 60 on another day"),
    ("2016-03-31T23:59:60Z", "second 60 at the end of March"),
    ("2016-12-31T23:59:61Z", "second 61"),
    ("2024-05-01T09:30:00Z\n", "a trailing newline"),
    ("24-05-01T09:30:00Z", "a two-digit year"),
    ("", "empty"),
]


@pytest.mark.parametrize("value", VALID_TIMESTAMPS)
def test_timestamps_accepted(value: str) -> None:
    assert is_timestamp(value)
    parse_timestamp(value)


@pytest.mark.parametrize(("value", "why"), INVALID_TIMESTAMPS)
def test_timestamps_refused(value: str, why: str) -> None:
    assert not is_timestamp(value), why
    with pytest.raises(TimestampError):
        parse_timestamp(value)


def test_timestamp_error_belongs_to_the_one_hierarchy() -> None:
    with pytest.raises(ModelError, match="leap second"):
        parse_timestamp("2024-05-01T09:30:60Z")
    with pytest.raises(TimestampError, match="ASCII digits"):
        parse_timestamp("２０２４-05-01T09:30:00Z")  # noqa: RUF001
    with pytest.raises(TimestampError, match="does not exist"):
        parse_timestamp("2023-02-29T00:00:00Z")
    with pytest.raises(TimestampError, match="not a timestamp string"):
        parse_timestamp(20240501)  # type: ignore[arg-type]
    with pytest.raises(TimestampError):
        parse_timestamp("2024-05-01T09:30:00." + "1" * 10_000 + "Z")


def test_parse_timestamp() -> None:
    assert parse_timestamp("2024-05-01T09:30:00.1234567Z") == datetime(
        2024, 5, 1, 9, 30, 0, 123456, tzinfo=UTC
    )
    leap = parse_timestamp("2016-12-31T23:59:60.5Z")
    assert leap == datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def test_offsets_only_when_allowed() -> None:
    with pytest.raises(TimestampError, match="and Z"):
        parse_timestamp("2024-05-01T11:30:00+02:00")
    moment = parse_timestamp("2024-05-01T11:30:00+02:00", allow_offset=True)
    assert moment == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    assert parse_timestamp("2024-05-01T09:30:00Z", allow_offset=True) == moment
    # A leap second in another zone sits where 23:59:60 UTC is.
    parse_timestamp("2017-01-01T00:59:60+01:00", allow_offset=True)
    with pytest.raises(TimestampError, match="leap second"):
        parse_timestamp("2016-12-31T23:59:60+01:00", allow_offset=True)
    for bad in ["2024-05-01T11:30:00+2:00", "2024-05-01T11:30:00+24:00", "2024-05-01T11:30:00z"]:
        with pytest.raises(TimestampError):
            parse_timestamp(bad, allow_offset=True)


def test_millisecond_precision() -> None:
    assert has_millisecond_precision("2024-05-01T09:30:00.000Z")
    assert has_millisecond_precision("2024-05-01T09:30:00.123456Z")
    assert not has_millisecond_precision("2024-05-01T09:30:00Z")
    assert not has_millisecond_precision("2024-05-01T09:30:00.12Z")


def test_format_timestamp() -> None:
    moment = datetime(2026, 11, 22, 11, 0, 0, 123999, tzinfo=timedelta_zone(1))
    assert format_timestamp(moment) == "2026-11-22T10:00:00.123Z"
    assert format_timestamp(datetime(2026, 11, 22)) == "2026-11-22T00:00:00.000Z"
    assert is_timestamp(format_timestamp(datetime.now(UTC)))


def timedelta_zone(hours: int) -> Any:
    from datetime import timezone

    return timezone(timedelta(hours=hours))


def test_compare_timestamps() -> None:
    assert compare_timestamps("2024-05-01T09:30:00Z", "2024-05-01T09:30:00.000Z") == 0
    assert compare_timestamps("2024-05-01T09:30:00.5Z", "2024-05-01T09:30:00.50Z") == 0
    assert compare_timestamps("2024-05-01T09:30:00Z", "2024-05-01T09:30:00.001Z") == -1
    assert compare_timestamps("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999Z") == 1
    assert compare_timestamps("2016-12-31T23:59:60.9Z", "2017-01-01T00:00:00Z") == -1


_MOMENTS = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))


def _spell(moment: datetime, digits: int, extra_zeros: int) -> str:
    fraction = f"{moment.microsecond:06d}"[:digits] + "0" * extra_zeros if digits else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + (
        f".{fraction}Z" if fraction else "Z"
    )


@settings(max_examples=300, deadline=None)
@given(
    _MOMENTS,
    _MOMENTS,
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_timestamp_order_is_time_order(
    a: datetime, b: datetime, da: int, db: int, za: int, zb: int
) -> None:
    a = a.replace(microsecond=int(f"{a.microsecond:06d}"[:da].ljust(6, "0")) if da else 0)
    b = b.replace(microsecond=int(f"{b.microsecond:06d}"[:db].ljust(6, "0")) if db else 0)
    first, second = _spell(a, da, za), _spell(b, db, zb)
    assert is_timestamp(first) and is_timestamp(second)
    assert compare_timestamps(first, second) == (a > b) - (a < b)
    assert parse_timestamp(first) == a.replace(tzinfo=UTC)
    assert (timestamp_key(first) < timestamp_key(second)) == (a < b)


# --- envelope ---------------------------------------------------------------------------------

BUNDLE_ID = f"bundle--{UUID4}"


def _paths(problems: list[envelope.EnvelopeProblem]) -> list[str]:
    return [problem.path for problem in problems]


def test_bundle_envelope() -> None:
    assert bundle_problems({"type": "bundle", "id": BUNDLE_ID}) == []
    assert bundle_problems({"type": "bundle", "id": BUNDLE_ID, "objects": [{"type": "x"}]}) == []
    assert _paths(bundle_problems([])) == ["$"]
    assert _paths(bundle_problems({"type": "Bundle", "id": BUNDLE_ID})) == ["$.type"]
    single = bundle_problems({"type": "identity", "id": f"identity--{UUID4}"})
    assert "single 'identity' object" in single[0].message
    assert "single" not in bundle_problems({"type": "identity", "objects": []})[0].message
    assert "single" not in bundle_problems({"type": "x"}, objects_read_apart=True)[0].message
    for bad_id in [None, 5, f"identity--{UUID4}", f"bundle--{UUID4.upper()}", "bundle--1"]:
        problems = bundle_problems({"type": "bundle", "id": bad_id})
        assert _paths(problems) == ["$.id"], bad_id
    both = bundle_problems({"type": "bundle", "objects": {"a": 1}})
    assert _paths(both) == ["$.id", "$.objects"]
    members = bundle_problems({"type": "bundle", "id": BUNDLE_ID, "objects": [{}, 5, None]})
    assert _paths(members) == ["$.objects[1]", "$.objects[2]"]
    assert "JSON number" in members[0].message and "JSON null" in members[1].message
    # A streaming reader checks the members itself.
    apart = {"type": "bundle", "id": BUNDLE_ID, "objects": "not read"}
    assert bundle_problems(apart, objects_read_apart=True) == []


def test_objects_and_members() -> None:
    assert objects_problems([{"type": "x"}, {}]) == []
    assert _paths(objects_problems("x", path="$.body")) == ["$.body"]
    assert member_problem({"type": "identity"}) is None
    assert "string 'type'" in (member_problem({"type": 5}) or "")
    assert "JSON array" in (member_problem([]) or "")


def test_taxii_envelope() -> None:
    assert taxii_envelope_problems({"objects": [{"id": "x"}]}) == []
    assert taxii_envelope_problems({"type": "bundle", "objects": []}) == []
    assert "no objects" in taxii_envelope_problems({"more": False})[0].message
    assert _paths(taxii_envelope_problems({"objects": [{}, "x"]})) == ["$.objects[1]"]
    assert "JSON string" in taxii_envelope_problems("objects")[0].message


# --- references -------------------------------------------------------------------------------


def test_reference_walk_finds_every_reference_with_its_path_in_document_order() -> None:
    obj = {
        "type": "incident",
        "created_by_ref": "identity--1",
        "object_marking_refs": ["marking-definition--1", 7, "marking-definition--2"],
        "granular_markings": [{"marking_ref": "marking-definition--3", "selectors": ["name"]}],
        "extensions": {
            P.EXT_FIMI_INCIDENT: {"attribution": [{"actor_refs": ["threat-actor--1"]}]},
            "x-ext": {"nested": [[{"sample_ref": "file--1"}]], "bad_ref": 5, "bad_refs": "x"},
        },
        7: {"hidden_ref": "not a member name"},
        "last_ref": "identity--2",
    }
    found = iter_references(obj)  # type: ignore[arg-type]
    assert found == [
        ("identity--1", ("created_by_ref",)),
        ("marking-definition--1", ("object_marking_refs", 0)),
        ("marking-definition--2", ("object_marking_refs", 2)),
        ("marking-definition--3", ("granular_markings", 0, "marking_ref")),
        ("threat-actor--1", ("extensions", P.EXT_FIMI_INCIDENT, "attribution", 0, "actor_refs", 0)),
        ("file--1", ("extensions", "x-ext", "nested", 0, 0, "sample_ref")),
        ("identity--2", ("last_ref",)),
    ]
    assert sorted(reference_ids(obj)) == sorted(ref for ref, _ in found)  # type: ignore[arg-type]


def test_reference_walk_survives_hostile_depth() -> None:
    deep: dict[str, Any] = {"type": "x"}
    node = deep
    for _ in range(20_000):
        node["n"] = [{}]
        node = node["n"][0]
    node["deep_ref"] = "identity--1"
    assert reference_ids(deep) == ["identity--1"]
    (ref, path), *_ = iter_references(deep)
    assert ref == "identity--1" and len(path) == 40_001


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["a", "b_ref", "c_refs", "x_ref", "d", "e_refs"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=30,
    )
)
def test_both_walks_agree_with_a_plain_recursive_definition(value: Any) -> None:
    obj = {"type": "x", "v": value}

    def expected(node: Any, path: tuple[str | int, ...]) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        if isinstance(node, dict):
            for key, item in node.items():
                if key.endswith("_ref"):
                    if isinstance(item, str):
                        out.append((item, (*path, key)))
                elif key.endswith("_refs"):
                    if isinstance(item, list):
                        out += [
                            (r, (*path, key, i)) for i, r in enumerate(item) if isinstance(r, str)
                        ]
                else:
                    out += expected(item, (*path, key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                out += expected(item, (*path, index))
        return out

    assert iter_references(obj) == expected(obj, ())
    assert sorted(reference_ids(obj)) == sorted(ref for ref, _ in expected(obj, ()))
    json.dumps(obj)  # the generated values are JSON
