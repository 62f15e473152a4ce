"""The schema compiler (infoshare/validation/_schema.py) agrees with ``jsonschema``.

The STIX 2.1 core schemas (spec/schemas/stix/) are compiled into fast checks;
these tests hold the compiled form to the reference implementation on the
conformance fixtures and on generated objects, and test each keyword.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from infoshare.errors import SpecDataError
from infoshare.validation._schema import Check, SchemaSet, render_path
from infoshare.validation._schemas_loaded import STIX_SCHEMA_BASE, schema_set

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "spec" / "schemas"
CONFORMANCE = ROOT / "spec" / "conformance"

T0 = "2026-03-02T08:15:00.000Z"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
REF = "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"
SDO_BASE = {"spec_version": "2.1", "created": T0, "modified": T0}

#: A minimal valid object of every STIX 2.1 type (without type and id).
VALID: dict[str, dict[str, Any]] = {
    "attack-pattern": {**SDO_BASE, "name": "Flood hashtags"},
    "campaign": {**SDO_BASE, "name": "Operation Paper Lantern"},
    "course-of-action": {**SDO_BASE, "name": "Pre-bunk the claim"},
    "grouping": {**SDO_BASE, "context": "suspicious-activity", "object_refs": [REF]},
    "identity": {**SDO_BASE, "name": "Fictional Agency"},
    "incident": {**SDO_BASE, "name": "Fabricated ballots video"},
    "indicator": {**SDO_BASE, "pattern": "[url:value = 'x']", "pattern_type": "stix",
                  "valid_from": T0},
    "infrastructure": {**SDO_BASE, "name": "Bot farm"},
    "intrusion-set": {**SDO_BASE, "name": "Paper Lantern Group"},
    "location": {**SDO_BASE, "country": "JP"},
    "malware": {**SDO_BASE, "is_family": False},
    "malware-analysis": {**SDO_BASE, "product": "sandbox", "result": "benign"},
    "note": {**SDO_BASE, "content": "Checked.", "object_refs": [REF]},
    "observed-data": {**SDO_BASE, "first_observed": T0, "last_observed": T0, "number_observed": 1,
                      "object_refs": [REF]},
    "opinion": {**SDO_BASE, "opinion": "agree", "object_refs": [REF]},
    "report": {**SDO_BASE, "name": "Weekly", "published": T0, "object_refs": [REF]},
    "threat-actor": {**SDO_BASE, "name": "Paper Lantern"},
    "tool": {**SDO_BASE, "name": "Scheduler"},
    "vulnerability": {**SDO_BASE, "name": "Unmoderated comments"},
    "relationship": {**SDO_BASE, "relationship_type": "uses", "source_ref": REF, "target_ref": REF},
    "sighting": {**SDO_BASE, "sighting_of_ref": REF, "count": 3},
    "language-content": {**SDO_BASE, "object_ref": REF, "contents": {"ja": {"name": "x"}}},
    "marking-definition": {"spec_version": "2.1", "created": T0, "definition_type": "statement",
                           "definition": {"statement": "Copyright"}},
    "extension-definition": {**SDO_BASE, "created_by_ref": REF, "name": "ext", "schema": "s",
                             "version": "1.0", "extension_types": ["new-sdo"]},
    "artifact": {"payload_bin": "aGVsbG8="},
    "autonomous-system": {"number": 64500},
    "directory": {"path": "/tmp"},
    "domain-name": {"value": "example.org"},
    "email-addr": {"value": "press@example.org"},
    "email-message": {"is_multipart": False},
    "file": {"name": "leak.pdf"},
    "ipv4-addr": {"value": "192.0.2.1"},
    "ipv6-addr": {"value": "2001:db8::1"},
    "mac-addr": {"value": "00:00:5e:00:53:01"},
    "mutex": {"name": "m"},
    "network-traffic": {"protocols": ["tcp"], "src_ref": REF},
    "process": {"pid": 4},
    "software": {"name": "Browser"},
    "url": {"value": "https://example.org"},
    "user-account": {"account_login": "kestrel_truth_2026"},
    "windows-registry-key": {"key": "HKEY_LOCAL_MACHINE\\System"},
    "x509-certificate": {"serial_number": "01"},
}  # fmt: skip


def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.rglob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        if isinstance(document, dict) and "$id" in document:
            resources.append((document["$id"], Resource.from_contents(document)))
    return Registry().with_resources(resources)  # type: ignore[no-any-return]


REGISTRY = _registry()
SCHEMA_IDS = {kind: f"{STIX_SCHEMA_BASE}{kind}.json" for kind in VALID}
REFERENCE = {
    kind: jsonschema.Draft202012Validator(schema_set().document(uri), registry=REGISTRY)
    for kind, uri in SCHEMA_IDS.items()
}
COMPILED = {kind: schema_set().compile(uri) for kind, uri in SCHEMA_IDS.items()}


def failures(check: Check, value: Any) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    check(
        value,
        None,
        lambda path, message, keyword: found.append((render_path(path), message, keyword)),
    )
    return found


def assert_agree(kind: str, obj: Any) -> None:
    expected = REFERENCE[kind].is_valid(obj)
    got = failures(COMPILED[kind], obj)
    assert (not got) == expected, (kind, obj, got)


def stix_object(kind: str, **changes: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "id": f"{kind}--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
        **VALID[kind],
        **changes,
    }


def test_every_stix_type_has_a_schema_and_an_example() -> None:
    names = {p.stem for p in (SCHEMAS / "stix").glob("*.json")} - {"common"}
    assert names == set(VALID)
    for kind in VALID:
        document = schema_set().document(SCHEMA_IDS[kind])
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_minimal_objects_are_valid(kind: str) -> None:
    obj = stix_object(kind)
    assert REFERENCE[kind].is_valid(obj)
    assert failures(COMPILED[kind], obj) == []


def test_schemas_are_open_to_custom_properties() -> None:
    for kind in VALID:
        assert_agree(kind, stix_object(kind, x_fictional_note={"any": ["thing", 1]}))
        assert failures(COMPILED[kind], stix_object(kind, x_fictional_note=1)) == []


def _fixture_objects() -> list[dict[str, Any]]:
    found = []
    for path in sorted(CONFORMANCE.rglob("*.json")):
        if path.name == "index.json":
            continue
        try:
            objects = json.loads(path.read_text("utf-8")).get("objects", [])
        except (ValueError, AttributeError):
            continue
        found.extend(o for o in objects if isinstance(o, dict) and o.get("type") in VALID)
    return found


def test_compiled_schemas_agree_on_the_conformance_fixtures() -> None:
    objects = _fixture_objects()
    assert len(objects) > 50
    for obj in objects:
        assert_agree(obj["type"], obj)


# --- generated objects --------------------------------------------------------------------

_SCALARS = (
    st.none() | st.booleans() | st.integers(-2, 1_000_000_001) | st.sampled_from([0, 100, 101, -1,
    999999999, 1000000000, 65535, 65536, 1.0, 1.5, -90.5, 180.0, 200.0])
    | st.sampled_from(["", "x", T0, REF, "agree", "maybe", "stix", "AES-256-GCM", "SOCK_RAW",
                       "REG_SZ", "low", "SERVICE_RUNNING", "new-sdo", "new-sco"])
)  # fmt: skip
_STRUCTURES = st.sampled_from(
    [
        [], [REF], [REF, 1], ["a", "b"], {}, {"SHA-256": "ab"}, {"SHA-256": 5}, {"x": {}},
        [{"source_name": "s", "url": "https://x.example"}], [{"source_name": "s"}],
        [{"kill_chain_name": "disarm", "phase_name": "plan"}], [{"kill_chain_name": 1}],
        [{"selectors": ["name"], "marking_ref": REF}], [{"selectors": ["name"]}],
        [{"selectors": ["name"], "lang": "ja", "marking_ref": REF}],
        {"archive-ext": {"contains_refs": [REF]}}, {"archive-ext": {}}, {"ntfs-ext": {}},
        {"socket-ext": {"address_family": "AF_INET"}}, {"socket-ext": {"address_family": "AF_X"}},
        {"windows-pebinary-ext": {"pe_type": "exe", "sections": [{"name": ".text"}]}},
        {"http-request-ext": {"request_method": "get"}}, {"unix-account-ext": {}},
        {"windows-service-ext": {"start_type": "SERVICE_DISABLED"}},
        {"tcp-ext": {"src_flags_hex": "02"}},
        [{"body": "x"}], [{"body": "x", "body_raw_ref": REF}], [{"content_type": "text/plain"}],
        [{"name": "v", "data_type": "REG_SZ"}], [{"data_type": "REG_X"}],
        {"private_key_usage_period_not_before": T0}, {"ja": "not an object"}, {"ja": {"name": "x"}},
    ]
)  # fmt: skip
_VALUES = st.recursive(
    _SCALARS | _STRUCTURES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "name", "tlp"]), inner, max_size=2)
    ),
    max_leaves=5,
)


def _property_names(kind: str) -> list[str]:
    document = schema_set().document(SCHEMA_IDS[kind])
    common = schema_set().document(f"{STIX_SCHEMA_BASE}common.json")["$defs"]
    names = set(document.get("properties", {}))
    names |= set(common["sdo"]["properties"]) | set(common["sco"]["properties"])
    return sorted(names | {"x_fictional", "region", "latitude", "longitude", "precision"})


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_compiled_schemas_agree_with_jsonschema_on_mutated_objects(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(sorted(VALID)))
    obj = stix_object(kind)
    names = _property_names(kind)
    for _ in range(data.draw(st.integers(1, 4))):
        if data.draw(st.booleans()) and obj:
            obj.pop(data.draw(st.sampled_from(sorted(obj))), None)
        else:
            obj[data.draw(st.sampled_from(names))] = data.draw(_VALUES)
    assert_agree(kind, obj)


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(sorted(VALID)), value=_VALUES)
def test_compiled_schemas_agree_on_any_json_value(kind: str, value: Any) -> None:
    assert_agree(kind, value)


# --- the keywords ---------------------------------------------------------------------------


def compile_one(
    schema: dict[str, Any], tmp_path: Path, extra: dict[str, Any] | None = None
) -> Check:
    documents = {"main.json": {"$id": "https://t.example/main.json", **schema}, **(extra or {})}
    for name, document in documents.items():
        (tmp_path / name).write_text(json.dumps(document))
    return SchemaSet(tmp_path).compile("https://t.example/main.json")


def keywords(check: Check, value: Any) -> list[str]:
    return [k for _, _, k in failures(check, value)]


CASES: list[tuple[dict[str, Any], list[Any], list[Any]]] = [
    ({"type": "integer"}, [1, 1.0, -3], [1.5, True, "1", None]),
    ({"type": ["string", "null"]}, ["a", None], [1, []]),
    ({"type": "object"}, [{}], [[], "x"]),
    ({"type": "boolean"}, [False], [0]),
    ({"enum": ["a", 1, None]}, ["a", 1, 1.0, None], ["b", True, 2]),
    ({"const": False}, [False], [0, None]),
    ({"required": ["a"]}, [{"a": 1}, [], 3], [{}, {"b": 1}]),
    ({"dependentRequired": {"a": ["b"]}}, [{}, {"a": 1, "b": 2}, {"b": 1}], [{"a": 1}]),
    ({"minimum": 0, "maximum": 10}, [0, 10, "x"], [-1, 10.5]),
    ({"exclusiveMinimum": 0}, [0.1], [0]),
    ({"minLength": 2, "maxLength": 3}, ["ab", "abc", 5], ["a", "abcd"]),
    ({"minItems": 1, "maxItems": 2}, [[1], [1, 2]], [[], [1, 2, 3]]),
    ({"minProperties": 1}, [{"a": 1}], [{}]),
    ({"multipleOf": 0.5}, [1.5, 2], [1.2]),
    ({"uniqueItems": True}, [[1, 2], [{"a": 1}, {"a": 2}]], [[1, 1], [{"a": 1}, {"a": 1}]]),
    ({"pattern": "^x-"}, ["x-a", 3], ["a"]),
    ({"items": {"type": "string"}}, [[], ["a"]], [[1]]),
    ({"properties": {"a": {"type": "string"}}}, [{"a": "x", "b": 1}], [{"a": 1}]),
    ({"properties": {"a": {}}, "additionalProperties": False}, [{"a": 1}], [{"b": 1}]),
    ({"additionalProperties": {"type": "string"}}, [{"a": "x"}], [{"a": 1}]),
    (
        {"properties": {"ab": {"type": "string"}}, "patternProperties": {"^a": {"minLength": 2}}},
        [{"ab": "xy"}, {"ax": "yz"}],
        [{"ab": "x"}, {"ab": 1}],
    ),
    ({"propertyNames": {"maxLength": 2}}, [{"ab": 1}], [{"abc": 1}]),
    ({"allOf": [{"minimum": 1}, {"maximum": 2}]}, [1, 2], [0, 3]),
    ({"anyOf": [{"type": "string"}, {"minimum": 5}]}, ["a", 6], [4]),
    ({"oneOf": [{"type": "integer"}, {"minimum": 5}]}, [1, 5.5], [6]),
    ({"anyOf": [{"required": ["a"]}, {"required": ["b", "c"]}]},
     [{"a": 1}, {"b": 1, "c": 1}, 3], [{"b": 1}]),
    ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
     [{"a": 1}], [{}, {"a": 1, "b": 1}, "x"]),
    ({"not": {"required": ["a"]}}, [{}], [{"a": 1}]),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
     [{"a": 1, "b": 1}, {"c": 1}], [{"a": 1}, {}]),
    ({"$ref": "other.json#/$defs/small"}, [1], [11]),
    ({"$defs": {"s": {"type": "string"}}, "items": {"$ref": "#/$defs/s"}}, [["a"]], [[1]]),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "good", "bad"), CASES, ids=lambda v: json.dumps(v)[:40])
def test_keyword(schema: dict[str, Any], good: list[Any], bad: list[Any], tmp_path: Path) -> None:
    other = {
        "other.json": {
            "$schema": DRAFT,
            "$id": "https://t.example/other.json",
            "$defs": {"small": {"maximum": 10}},
        }
    }
    check = compile_one(schema, tmp_path, other)
    reference = jsonschema.Draft202012Validator(
        {"$schema": DRAFT, "$id": "https://t.example/main.json", **schema},
        registry=Registry().with_resource(
            "https://t.example/other.json", Resource.from_contents(other["other.json"])
        ),
    )
    for value in good:
        assert failures(check, value) == [], value
        assert reference.is_valid(value), value
    for value in bad:
        assert failures(check, value), value
        assert not reference.is_valid(value), value


def test_required_alternatives_read_as_a_missing_property(tmp_path: Path) -> None:
    check = compile_one(
        {"anyOf": [{"required": ["region"]}, {"required": ["latitude", "longitude"]}]}, tmp_path
    )
    [(_, message, keyword)] = failures(check, {})
    assert keyword == "required"
    assert message == "needs at least one of: 'region' or 'latitude' and 'longitude'"
    one = compile_one({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, tmp_path)
    assert keywords(one, {}) == ["required"]
    assert keywords(one, {"a": 1, "b": 2}) == ["oneOf"]


def test_failure_paths_point_at_the_value(tmp_path: Path) -> None:
    check = compile_one(
        {"properties": {"a b": {"items": {"properties": {"c": {"type": "string"}}}}}}, tmp_path
    )
    assert failures(check, {"a b": [{"c": "x"}, {"c": 1}]})[0][0] == "['a b'][1].c"


def test_format_date_time_is_a_stix_timestamp(tmp_path: Path) -> None:
    check = compile_one({"format": "date-time"}, tmp_path)
    assert failures(check, T0) == []
    assert keywords(check, "2026-03-02T08:15:00+01:00") == ["format"]


def test_unknown_keywords_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecDataError, match="not supported"):
        compile_one({"unevaluatedProperties": False}, tmp_path)
    dangling = compile_one({"$ref": "missing.json"}, tmp_path)
    with pytest.raises(SpecDataError, match="not found"):
        failures(dangling, 1)  # references are resolved on first use


def test_the_shared_schema_set_is_built_once() -> None:
    assert schema_set() is schema_set()
    assert copy.copy(SCHEMA_IDS["incident"]) in schema_set().ids
