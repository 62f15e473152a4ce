"""The relationship table (spec/vocabularies/relationships.json) and checks IS-302/IS-303.

The table matches its meta schema and names only known types; every link it
lists is accepted and any other pair is rejected (checked against an oracle
that reads the JSON rows directly, not through the check's own index); the
examples' relationships are all accepted; messages tell the user how to fix
the link.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare import profile as P
from infoshare.errors import SpecDataError
from infoshare.validation import Finding, ValidationOptions, Validator
from infoshare.validation.checks.relationships import TABLE, RelationshipTable

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
TABLE_JSON: dict[str, Any] = json.loads(
    (SPEC / "vocabularies" / "relationships.json").read_text("utf-8")
)
ROWS: list[dict[str, Any]] = TABLE_JSON["relationships"]
COMMON: dict[str, bool] = {c["relationship_type"]: c["same_type"] for c in TABLE_JSON["common"]}
T0 = "2026-04-14T09:30:00.000Z"
REL_ID = "relationship--6f0b8a52-3c1d-4e7f-9a2b-5c8d1e4f7a90"
UUID = "4a9c2e71-0b3d-4f58-8e6a-1d2c3b4a5f60"

#: Every object type STIX 2.1 defines (one core schema each) and the profile's new types.
STIX_TYPES = frozenset(
    p.stem for p in (SPEC / "schemas" / "stix").glob("*.json") if p.stem != "common"
)
KNOWN_TYPES = STIX_TYPES | frozenset(P.NEW_OBJECT_EXTENSIONS)
TABLE_TYPES = sorted({t for row in ROWS for t in (*row["source"], *row["target"])})


@cache
def validator() -> Validator:
    return Validator(ValidationOptions(select=frozenset({"IS-302", "IS-303"})))


def relationship(source_type: str, kind: str, target_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": REL_ID,
        "created": T0,
        "modified": T0,
        "relationship_type": kind,
        "source_ref": f"{source_type}--{UUID}",
        "target_ref": f"{target_type}--{UUID}",
        "object_marking_refs": [P.TLP_GREEN],
        **extra,
    }


def findings(*objects: dict[str, Any]) -> list[Finding]:
    return validator().validate_objects(list(objects)).findings


def oracle_allows(source: str, kind: str, target: str) -> bool:
    """What the table's rows say, read straight from the JSON."""
    if kind in COMMON:
        return source == target or not COMMON[kind]
    return any(
        row["relationship_type"] == kind and source in row["source"] and target in row["target"]
        for row in ROWS
    )


# --- the table ---------------------------------------------------------------------------


def test_table_matches_its_meta_schema() -> None:
    schema = json.loads((SPEC / "schemas" / "meta" / "relationships.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(TABLE_JSON)


def test_meta_schema_rejects_a_row_without_targets() -> None:
    schema = json.loads((SPEC / "schemas" / "meta" / "relationships.schema.json").read_text())
    broken = copy.deepcopy(TABLE_JSON)
    broken["relationships"][0]["target"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_table_names_only_known_types() -> None:
    assert sorted(set(TABLE_TYPES) - KNOWN_TYPES) == []


def test_rows_do_not_repeat_a_link_of_the_same_origin() -> None:
    seen: dict[tuple[str, str, str, str], int] = {}
    for row in ROWS:
        for s in row["source"]:
            for t in row["target"]:
                key = (row["origin"], s, row["relationship_type"], t)
                seen[key] = seen.get(key, 0) + 1
    assert [k for k, n in seen.items() if n > 1] == []


def test_common_relationships_are_the_stix_ones_and_have_no_rows() -> None:
    assert COMMON == {"related-to": False, "derived-from": False, "duplicate-of": True}
    assert {row["relationship_type"] for row in ROWS} & set(COMMON) == set()


def test_links_named_in_the_profile_text_are_in_the_table() -> None:
    # §2.1, §4.3, §5.2 and §9.1 describe these links in prose.
    for source, kind, target in [
        ("incident", "uses", "narrative"),
        ("incident", "attributed-to", "intrusion-set"),
        ("narrative", "subnarrative-of", "narrative"),
        ("channel", "publishes", "media-content"),
        ("channel", "amplifies", "channel"),
        ("channel", "belongs-to", "identity"),
        ("campaign", "attributed-to", "threat-actor"),
        ("intrusion-set", "uses", "channel"),
        ("course-of-action", "mitigates", "attack-pattern"),
        ("task", "uses", "course-of-action"),
    ]:
        assert TABLE.allows(kind, source, target), (source, kind, target)


def test_a_malformed_table_is_a_spec_data_error() -> None:
    with pytest.raises(SpecDataError, match="expected shape"):
        RelationshipTable.from_json({"relationships": [{"source": ["incident"]}], "common": []})


def _rendered_block(file_name: str, name: str) -> str:
    text = (SPEC / "profile" / file_name).read_text("utf-8")
    return text.split(f"<!-- {name}:begin -->")[1].split(f"<!-- {name}:end -->")[0]


def test_rendered_markdown_lists_every_row_in_its_place() -> None:
    """The profile's rows and the common ones in §10.2, the STIX rows in annex A.1."""
    places = {
        "profile": _rendered_block("10-relationships.md", "relationships"),
        "stix": _rendered_block("annex-a-stix-tables.md", "stix-relationships"),
    }
    for row in ROWS:
        sources = ", ".join(f"`{s}`" for s in row["source"])
        line = f"| {sources} | `{row['relationship_type']}` | "
        targets = ", ".join(f"`{t}`" for t in row["target"])
        expected = line + targets + " |"
        for origin, block in places.items():
            assert (expected in block) == (origin == row["origin"]), (origin, expected)
    for kind in COMMON:
        assert f"| `{kind}` |" in places["profile"]


# --- IS-302 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row", ROWS, ids=lambda r: f"{r['source'][0]}-{r['relationship_type']}-{r['origin']}"
)
def test_every_link_of_a_row_is_accepted(row: dict[str, Any]) -> None:
    for source in row["source"]:
        for target in row["target"]:
            assert findings(relationship(source, row["relationship_type"], target)) == []


@settings(max_examples=300, deadline=None)
@given(
    source=st.sampled_from(TABLE_TYPES),
    kind=st.sampled_from(sorted({r["relationship_type"] for r in ROWS} | set(COMMON))),
    target=st.sampled_from(TABLE_TYPES),
)
def test_is_302_agrees_with_the_rows(source: str, kind: str, target: str) -> None:
    found = [f.check_id for f in findings(relationship(source, kind, target))]
    assert found == ([] if oracle_allows(source, kind, target) else ["IS-302"])


@settings(max_examples=100, deadline=None)
@given(
    source=st.sampled_from(TABLE_TYPES),
    kind=st.sampled_from(sorted({r["relationship_type"] for r in ROWS})),
    target=st.from_regex(r"x-[a-z]{3,12}", fullmatch=True),
)
def test_a_defined_type_never_reaches_an_unknown_type(source: str, kind: str, target: str) -> None:
    assert [f.check_id for f in findings(relationship(source, kind, target))] == ["IS-302"]


def test_message_lists_allowed_targets_and_other_types() -> None:
    [finding] = findings(relationship("incident", "uses", "location"))
    assert finding.json_path.endswith(".target_ref")
    for allowed in ("'attack-pattern'", "'channel'", "'narrative'", "'targets'", "'located-at'"):
        assert allowed in finding.message
    assert "'location'" in finding.message


def test_message_lists_allowed_sources() -> None:
    [finding] = findings(relationship("incident", "publishes", "media-content"))
    assert finding.json_path.endswith(".source_ref")
    assert "may start only from 'channel'" in finding.message


def test_message_spots_a_reversed_link() -> None:
    [finding] = findings(relationship("narrative", "amplifies", "channel"))
    assert "swap source_ref and target_ref" in finding.message


def test_duplicate_of_needs_the_same_type() -> None:
    assert findings(relationship("narrative", "duplicate-of", "narrative")) == []
    [finding] = findings(relationship("narrative", "duplicate-of", "channel"))
    assert finding.check_id == "IS-302" and "same type" in finding.message


@pytest.mark.parametrize(
    "bad",
    [
        {"source_ref": 42},
        {"target_ref": "not-an-identifier"},
        {"relationship_type": ["uses"]},
        {"source_ref": "--" + UUID},
    ],
)
def test_malformed_relationships_are_left_to_the_core_checks(bad: dict[str, Any]) -> None:
    obj = relationship("incident", "publishes", "media-content")
    obj.update(bad)
    assert [f.check_id for f in findings(obj)] == []


def test_the_checks_do_not_change_the_object() -> None:
    obj = relationship("narrative", "amplifies", "channel")
    before = copy.deepcopy(obj)
    findings(obj)
    assert obj == before


# --- IS-303 --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    kind=st.from_regex(r"[a-z]{2,10}(-[a-z]{2,10}){0,2}", fullmatch=True),
    source=st.sampled_from(TABLE_TYPES),
    target=st.sampled_from(TABLE_TYPES),
)
def test_is_303_warns_exactly_for_types_outside_the_table(
    kind: str, source: str, target: str
) -> None:
    found = [f.check_id for f in findings(relationship(source, kind, target))]
    defined = kind in COMMON or any(r["relationship_type"] == kind for r in ROWS)
    if defined:
        assert "IS-303" not in found
    else:
        assert found == ["IS-303"]


def test_is_303_suggests_the_table_types_for_the_pair() -> None:
    [finding] = findings(relationship("incident", "targetted", "location"))
    assert finding.check_id == "IS-303"
    assert finding.json_path.endswith(".relationship_type")
    assert "'targets'" in finding.message and "'related-to'" in finding.message


def test_is_303_still_warns_when_an_end_is_malformed() -> None:
    obj = relationship("incident", "targetted", "location", target_ref="location")
    assert [f.check_id for f in findings(obj)] == ["IS-303"]


# --- the examples ------------------------------------------------------------------------


def _example_relationships() -> list[dict[str, Any]]:
    found = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        bundle = json.loads(path.read_text("utf-8"))
        found += [o for o in bundle["objects"] if o.get("type") == "relationship"]
    return found


def test_the_examples_relationships_are_all_accepted() -> None:
    rels = _example_relationships()
    assert len(rels) > 50
    assert findings(*rels) == []
