"""Semantic checks IS-301, IS-501-503, IS-601, IS-701-703, IS-711-712 and IS-801.

Each check's conformance fixtures reach their verdict, and unit tests pin the
edge cases: malformed input never raises, references resolve through the
collection context and well-known ids, TLP 1.0 hints, OpenCTI's TLP:CLEAR
form, time precision, versions of incidents.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare import profile as P
from infoshare.markings import TLP_1_0_SUCCESSORS, canonical_tlp_marking
from infoshare.stix.tlp import LEVELS, is_cleared, tlp_label, tlp_level
from infoshare.validation import Finding, ValidationOptions, Validator, catalogue

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "spec" / "conformance"
MY_CHECKS = frozenset(
    {
        "IS-301", "IS-501", "IS-502", "IS-503", "IS-601", "IS-701", "IS-702", "IS-703",
        "IS-711", "IS-712", "IS-801",
    }
)  # fmt: skip

T0 = "2026-03-02T08:15:00.000Z"
GREEN, CLEAR, AMBER = P.TLP_GREEN, P.TLP_CLEAR, P.TLP_AMBER
WHITE_1 = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
GREEN_1 = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
AGENCY = "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"
ACTOR = "threat-actor--9c2b8f0e-6a51-4f7e-8d43-2b1e0c7a9d10"
INCIDENT = "incident--0f6d2a3e-4b7c-4d8e-9f10-1a2b3c4d5e6f"


@cache
def validator(
    select: frozenset[str] = frozenset(), context: frozenset[str] = frozenset()
) -> Validator:
    return Validator(ValidationOptions(select=select, context_ids=context))


def run(
    *objects: Any, only: str | None = None, context: frozenset[str] = frozenset()
) -> list[Finding]:
    select = frozenset({only}) if only else MY_CHECKS
    return validator(select, context).validate_objects(list(objects)).findings


def ids(findings: list[Finding]) -> list[str]:
    return [f.check_id for f in findings]


def agency(**extra: Any) -> dict[str, Any]:
    obj = {
        "type": "identity",
        "spec_version": "2.1",
        "id": AGENCY,
        "created": T0,
        "modified": T0,
        "name": "Fictional Agency for Information Integrity",
        "identity_class": "organization",
        "object_marking_refs": [GREEN],
    }
    obj.update(extra)
    return obj


def incident(determination: str = "confirmed", **fimi: Any) -> dict[str, Any]:
    ext = {
        "extension_type": "property-extension",
        "determination": determination,
        "investigation_status": "open",
        "fimi_types": ["disinformation"],
        **fimi,
    }
    return {
        "type": "incident",
        "spec_version": "2.1",
        "id": INCIDENT,
        "created": T0,
        "modified": T0,
        "name": "Fabricated relief-fund story (fictional)",
        "object_marking_refs": [GREEN],
        "extensions": {P.EXT_FIMI_INCIDENT: ext},
    }


def relationship(
    source: str, target: str, rel: str = "attributed-to", **extra: Any
) -> dict[str, Any]:
    obj = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": "relationship--5a1e7c2d-3b4f-4a6e-8c9d-0e1f2a3b4c5d",
        "created": T0,
        "modified": T0,
        "relationship_type": rel,
        "source_ref": source,
        "target_ref": target,
        "object_marking_refs": [GREEN],
    }
    obj.update(extra)
    return obj


def account(account_class: str | None = "inauthentic", **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "user-account",
        "id": "user-account--8e1d5c2a-7b3f-5e4d-9a6c-1b2c3d4e5f60",
        "account_login": "harbour_lantern_news",
        "object_marking_refs": [GREEN],
    }
    if account_class is not None:
        obj["extensions"] = {
            P.EXT_FIMI_ACCOUNT: {
                "extension_type": "property-extension",
                "account_class": account_class,
            }
        }
    obj.update(extra)
    return obj


# --- conformance fixtures ------------------------------------------------------------------


def _fixtures() -> list[Path]:
    return sorted(
        path
        for level in ("mandatory", "recommended", "informative")
        for check_id in sorted(MY_CHECKS)
        for path in (CONFORMANCE / level / check_id).glob("*.json")
    )


def test_every_check_has_fixtures_and_a_readme() -> None:
    for check_id in MY_CHECKS:
        level = catalogue()[check_id].level
        folder = CONFORMANCE / level / check_id
        names = [p.name for p in folder.glob("*.json")]
        assert any(n.startswith("fail-") for n in names), check_id
        assert any(n.startswith("pass-") for n in names), check_id
        readme = (folder / "README.md").read_text("utf-8")
        assert catalogue()[check_id].requirement in readme
        assert all(name in readme for name in names), check_id


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_reaches_its_verdict(path: Path) -> None:
    check_id = path.parent.name
    report = validator().validate_path(path)
    described = [f"{f.check_id} {f.json_path}: {f.message}" for f in report.findings]
    found = {f.check_id for f in report.findings}
    if path.name.startswith("fail-"):
        assert found == {check_id}, described
        assert all(f.severity is catalogue()[check_id].severity for f in report.findings)
    else:
        assert found == set(), described


# --- IS-301 references resolve ------------------------------------------------------------


def test_forward_references_resolve() -> None:
    rel = relationship(AGENCY, ACTOR, "related-to")
    actor = {"type": "threat-actor", "id": ACTOR, "name": "Lantern Relay Collective (fictional)"}
    assert run(rel, actor, agency(), only="IS-301") == []


def test_missing_reference_is_reported_where_it_appears() -> None:
    findings = run(relationship(AGENCY, ACTOR, "related-to"), agency(), only="IS-301")
    assert [(f.json_path, f.object_index) for f in findings] == [("$.objects[0].target_ref", 0)]
    assert ACTOR in findings[0].message
    assert "--context" in findings[0].message


def test_references_inside_extensions_are_followed() -> None:
    attribution = {"actor_refs": [ACTOR], "confidence": 60, "basis": ["content-analysis"]}
    findings = run(incident(attribution=attribution, event_refs=[]), only="IS-301")
    assert [f.json_path for f in findings] == [
        f"$.objects[0].extensions['{P.EXT_FIMI_INCIDENT}'].attribution.actor_refs[0]"
    ]


def test_context_and_well_known_ids_resolve() -> None:
    obj = agency(
        created_by_ref=P.PROFILE_IDENTITY_ID,
        object_marking_refs=[GREEN, WHITE_1],
        granular_markings=[{"marking_ref": P.TLP_RED, "selectors": ["name"]}],
        x_related_refs=[ACTOR, P.EXT_FIMI_ACCOUNT],
    )
    assert run(obj, only="IS-301", context=frozenset({ACTOR})) == []
    assert len(run(obj, only="IS-301")) == 1


def test_malformed_references_are_left_to_other_checks() -> None:
    obj = agency(
        created_by_ref=17,
        object_marking_refs="not-a-list",
        sample_refs=[None, {"a": 1}, "no-separator"],
        nested=[[{"deep_ref": 3}]],
    )
    assert run(obj, only="IS-301") == []


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=12),
    st.lists(st.lists(st.integers(0, 11), max_size=5), min_size=1, max_size=12),
)
def test_a_reference_is_reported_iff_its_target_is_missing(
    present: list[bool], edges: list[list[int]]
) -> None:
    pool = [f"note--00000000-0000-4000-8000-{i:012d}" for i in range(12)]
    notes = [
        {
            "type": "note",
            "id": pool[i],
            "content": "fictional",
            "object_refs": [pool[j] for j in targets],
        }
        for i, targets in enumerate(edges)
        if i < len(present) and present[i]
    ]
    present_ids = {note["id"] for note in notes}
    expected = sorted(
        (position, k, ref)
        for position, note in enumerate(notes)
        for k, ref in enumerate(note["object_refs"])
        if ref not in present_ids
    )
    found = sorted(
        (f.object_index, int(f.json_path.rsplit("[", 1)[1].rstrip("]")), f.message.split()[0])
        for f in run(*notes, only="IS-301")
    )
    assert found == expected


# --- IS-501 / IS-502 / IS-503 TLP ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["marking-definition", "extension-definition"])
def test_definitions_need_no_marking(kind: str) -> None:
    assert (
        run({"type": kind, "id": f"{kind}--7d3c0a51-2f4e-4b8a-9c6d-5e1f2a3b4c5d"}, only="IS-501")
        == []
    )


@pytest.mark.parametrize("kind", ["language-content", "url", "domain-name", "media-content"])
def test_other_objects_need_a_tlp_2_0_marking(kind: str) -> None:
    findings = run(
        {"type": kind, "id": f"{kind}--7d3c0a51-2f4e-4b8a-9c6d-5e1f2a3b4c5d"}, only="IS-501"
    )
    assert ids(findings) == ["IS-501"]
    assert GREEN in findings[0].message


def test_tlp_1_0_white_names_tlp_clear_as_replacement() -> None:
    findings = run(agency(object_marking_refs=["marking-definition--aaaa", WHITE_1]), only="IS-501")
    assert [f.json_path for f in findings] == ["$.objects[0].object_marking_refs[1]"]
    assert "TLP:WHITE" in findings[0].message and CLEAR in findings[0].message


def test_wrongly_typed_marking_refs_are_skipped() -> None:
    assert run(agency(object_marking_refs={"a": GREEN}), only="IS-501") == []
    assert run(agency(object_marking_refs=GREEN), only="IS-502") == []


def test_one_tlp_level_repeated_is_not_two() -> None:
    assert run(agency(object_marking_refs=[GREEN, GREEN]), only="IS-502") == []
    findings = run(agency(object_marking_refs=[GREEN, GREEN_1, AMBER]), only="IS-502")
    assert [f.json_path for f in findings] == [
        "$.objects[0].object_marking_refs[1]",
        "$.objects[0].object_marking_refs[2]",
    ]


def test_canonical_markings_pass_and_changed_copies_fail() -> None:
    for marking_id in P.TLP_2_0_LEVELS:
        assert run(canonical_tlp_marking(marking_id), only="IS-503") == []
    changed = canonical_tlp_marking(AMBER)
    changed["created"] = "2023-01-01T00:00:00.000Z"
    changed["extensions"][P.EXT_TLP_2_0]["colour"] = "orange"
    changed["extensions"][P.EXT_TLP_2_0]["extension_type"] = "new-sdo"
    changed["extensions"]["extension-definition--1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"] = {}
    paths = sorted(f.json_path for f in run(changed, only="IS-503"))
    assert paths == sorted(
        [
            "$.objects[0].created",
            "$.objects[0].extensions['extension-definition--1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d']",
            f"$.objects[0].extensions['{P.EXT_TLP_2_0}'].colour",
            f"$.objects[0].extensions['{P.EXT_TLP_2_0}'].extension_type",
        ]
    )


def test_created_with_other_precision_is_the_same_instant() -> None:
    marking = canonical_tlp_marking(GREEN)
    marking["created"] = "2022-10-01T00:00:00Z"
    assert run(marking, only="IS-503") == []


@pytest.mark.parametrize(
    "marking",
    [
        {  # OpenCTI: the OASIS id, TLP 1.0 form
            "type": "marking-definition",
            "id": CLEAR,
            "name": "TLP:CLEAR",
            "definition_type": "TLP",
            "definition": {"TLP": "TLP:CLEAR"},
        },
        {  # OpenCTI: TLP:CLEAR under the TLP 1.0 WHITE id
            "type": "marking-definition",
            "id": WHITE_1,
            "name": "TLP:CLEAR",
            "definition_type": "tlp",
            "definition": {"tlp": "clear"},
        },
    ],
)
def test_opencti_clear_form_is_named_with_a_fix(marking: dict[str, Any]) -> None:
    findings = run(marking, only="IS-503")
    assert ids(findings) == ["IS-503"]
    assert "OpenCTI" in findings[0].message
    assert CLEAR in findings[0].message and "tlp_2_0" in findings[0].message


def test_tlp_1_0_and_statement_definitions_are_not_tlp_2_0() -> None:
    tlp1 = {
        "type": "marking-definition",
        "id": GREEN_1,
        "name": "TLP:GREEN",
        "definition_type": "tlp",
        "definition": {"tlp": "green"},
    }
    statement = {
        "type": "marking-definition",
        "id": "marking-definition--4c3d2e1f-0a9b-4c8d-8e7f-6a5b4c3d2e1f",
        "definition_type": "statement",
        "definition": {"statement": "Copyright 2026 Fictional Agency"},
    }
    assert run(tlp1, statement, only="IS-503") == []


def test_malformed_tlp_marking_does_not_raise() -> None:
    junks: list[Any] = [None, [], "x", {P.EXT_TLP_2_0: "green"}, {P.EXT_TLP_2_0: {"tlp_2_0": 5}}]
    for junk in junks:
        findings = run(
            {"type": "marking-definition", "id": GREEN, "extensions": junk}, only="IS-503"
        )
        assert findings and all("internal error" not in f.message for f in findings)


# --- IS-601 time order ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "earlier", "later"),
    [
        ("event", "start_time", "end_time"),
        ("task", "start_time", "end_time"),
        ("narrative", "first_seen", "last_seen"),
        ("channel", "first_seen", "last_seen"),
    ],
)
def test_pairs_out_of_order(kind: str, earlier: str, later: str) -> None:
    obj = {
        "type": kind,
        "id": f"{kind}--1",
        earlier: "2026-03-02T00:00:00.5Z",
        later: "2026-03-02T00:00:00Z",
    }
    findings = run(obj, only="IS-601")
    assert [f.json_path for f in findings] == [f"$.objects[0].{later}"]
    obj[later] = "2026-03-02T00:00:00.500000Z"
    assert run(obj, only="IS-601") == []


def test_malformed_times_are_left_to_is_104() -> None:
    objs = [
        {"type": "campaign", "first_seen": "yesterday", "last_seen": "2020-01-01T00:00:00Z"},
        {"type": "campaign", "first_seen": 5, "last_seen": None},
        {
            "type": "campaign",
            "first_seen": "2026-02-30T00:00:00Z",
            "last_seen": "2026-01-01T00:00:00Z",
        },
        {"type": "incident", "extensions": {P.EXT_FIMI_INCIDENT: ["not", "a", "dict"]}},
        {"type": "incident", "extensions": "nope"},
    ]
    assert run(*objs, only="IS-601") == []


# --- IS-701 / IS-702 / IS-703 accounts -------------------------------------------------------


def test_private_person_checks_need_the_classification() -> None:
    named = account(
        "public-figure",
        display_name="Mayor of Harbourview (fictional)",
        object_marking_refs=[CLEAR],
    )
    assert run(named, only="IS-702") == []
    both = account(
        "private-person", display_name="Example Person (fictional)", object_marking_refs=[CLEAR]
    )
    assert sorted(f.json_path for f in run(both, only="IS-702")) == [
        "$.objects[0].display_name",
        "$.objects[0].object_marking_refs[0]",
    ]


def test_account_classification_warning() -> None:
    assert ids(run(account(None), only="IS-703")) == ["IS-703"]
    assert ids(run(account(None, extensions={}), only="IS-703")) == ["IS-703"]
    assert run(account(None, extensions="junk"), only="IS-703") == []
    assert run(account("unknown"), only="IS-703") == []


def test_credentials_are_reported_even_when_empty() -> None:
    findings = run(account(credential=""), only="IS-701")
    assert [f.json_path for f in findings] == ["$.objects[0].credential"]


# --- IS-711 / IS-712 attribution ------------------------------------------------------------


def test_extension_attribution_needs_confidence_and_basis() -> None:
    findings = run(incident(attribution={"actor_refs": [ACTOR], "basis": []}), only="IS-711")
    assert len(findings) == 2
    assert run(incident(attribution="junk"), only="IS-711") == []


def test_confidence_must_be_an_integer() -> None:
    rel = relationship(INCIDENT, ACTOR, confidence=True, description="basis")
    assert ids(run(rel, only="IS-711")) == ["IS-711"]
    rel = relationship(INCIDENT, ACTOR, confidence=40, description="  ", external_references=[])
    assert ids(run(rel, only="IS-711")) == ["IS-711"]


def test_only_the_latest_incident_version_counts() -> None:
    old = incident("false-positive")
    new = copy.deepcopy(incident("confirmed"))
    new["modified"] = "2026-03-05T00:00:00.000Z"
    rel = relationship(INCIDENT, ACTOR, confidence=70, description="basis")
    assert run(old, rel, new, only="IS-711") == []
    assert ids(run(new, rel, old | {"modified": "2026-03-06T00:00:00.000Z"}, only="IS-711")) == [
        "IS-711"
    ]


def test_low_confidence_state_attribution_on_incident() -> None:
    attribution = {"attributed_country": "XZ", "confidence": 49, "basis": ["content-analysis"]}
    clear = incident(attribution=attribution) | {"object_marking_refs": [CLEAR]}
    findings = run(clear, only="IS-712")
    assert [f.json_path for f in findings] == [
        f"$.objects[0].extensions['{P.EXT_FIMI_INCIDENT}'].attribution.confidence"
    ]
    assert run(incident(attribution=attribution), only="IS-712") == []
    actor_only = {"actor_refs": [ACTOR], "confidence": 10, "basis": ["content-analysis"]}
    assert (
        run(incident(attribution=actor_only) | {"object_marking_refs": [CLEAR]}, only="IS-712")
        == []
    )
    high = attribution | {"confidence": 50}
    assert run(incident(attribution=high) | {"object_marking_refs": [CLEAR]}, only="IS-712") == []


# --- IS-801 ------------------------------------------------------------------------------------


def test_profile_and_stix_types_are_known() -> None:
    kinds = ["identity", "user-account", "language-content", *P.NEW_OBJECT_EXTENSIONS]
    assert run(*({"type": k} for k in kinds), only="IS-801") == []
    assert ids(run({"type": "x-acme-widget"}, only="IS-801")) == ["IS-801"]


# --- robustness --------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "id", "object_marking_refs", "extensions", "first_seen", "last_seen", "attribution",
        "relationship_type", "confidence", "source_ref", "credential", "display_name", "name",
        "definition", "definition_type", "modified", P.EXT_FIMI_INCIDENT, P.EXT_FIMI_ACCOUNT,
        P.EXT_TLP_2_0, "actor_refs", "tlp_2_0",
    ]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["incident", "relationship", "user-account", "marking-definition", "campaign"]),
    st.dictionaries(_keys, _json | st.dictionaries(_keys, _json, max_size=4), max_size=8),
)
def test_malformed_objects_never_crash_a_check(kind: str, body: dict[str, Any]) -> None:
    obj = {**body, "type": kind}
    for finding in run(obj, obj):
        assert "internal error" not in finding.message


# --- TLP levels (infoshare.stix.tlp) and the canonical markings (infoshare.markings) ----------


def test_tlp_level_and_clearance() -> None:
    assert tlp_level({}) is None
    # TLP 1.0 counts as its TLP 2.0 namesake: the one reading, for the validator and the node.
    assert tlp_level({"object_marking_refs": [WHITE_1]}) == "clear"
    assert tlp_level({"object_marking_refs": [AMBER, "x", GREEN]}) == "amber"
    assert tlp_level({"object_marking_refs": [GREEN], "granular_markings": [
        {"marking_ref": P.TLP_RED, "selectors": ["name"]}]}) == "red"  # fmt: skip
    assert tlp_label("amber+strict") == "TLP:AMBER+STRICT"
    for rank, level in enumerate(LEVELS):
        assert [is_cleared(level, other) for other in LEVELS] == [
            i <= rank for i in range(len(LEVELS))
        ]


def test_tlp_1_0_successors_are_their_tlp_2_0_namesakes() -> None:
    labels = {label: P.TLP_2_0_LEVELS[new] for label, new in TLP_1_0_SUCCESSORS.values()}
    assert labels == {
        "TLP:WHITE": "clear",
        "TLP:GREEN": "green",
        "TLP:AMBER": "amber",
        "TLP:RED": "red",
    }
    assert frozenset(TLP_1_0_SUCCESSORS) == P.TLP_1_0_IDS


def test_canonical_marking_is_a_fresh_copy() -> None:
    first = canonical_tlp_marking(GREEN)
    first["name"] = "changed"
    assert canonical_tlp_marking(GREEN)["name"] == "TLP:GREEN"
    with pytest.raises(KeyError):
        canonical_tlp_marking(WHITE_1)
    assert json.dumps(canonical_tlp_marking(P.TLP_AMBER_STRICT), sort_keys=True) == json.dumps(
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": P.TLP_AMBER_STRICT,
            "created": "2022-10-01T00:00:00.000Z",
            "name": "TLP:AMBER+STRICT",
            "extensions": {
                P.EXT_TLP_2_0: {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}
            },
        },
        sort_keys=True,
    )
