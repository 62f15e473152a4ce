"""Checks IS-101 to IS-112: the STIX 2.1 core layer (spec/profile/14-conformance.md §14.3)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from infoshare.markings import canonical_tlp_marking
from infoshare.profile import (
    EXT_FIMI_INCIDENT,
    EXT_MEDIA_CONTENT,
    EXT_NARRATIVE,
    TLP_1_0_IDS,
    TLP_2_0_LEVELS,
    TLP_GREEN,
)
from infoshare.validation import Finding, ValidationOptions, Validator
from infoshare.validation.checks.core_references import REFERENCE_TARGETS
from infoshare.validation.checks.core_types import KNOWN_TYPES, STIX_TYPES

ROOT = Path(__file__).resolve().parent.parent
MANDATORY = ROOT / "spec" / "conformance" / "mandatory"
CORE_IDS = [f"IS-1{n:02d}" for n in range(1, 28)]
DISARM = Path("/work/shared/data/disarm/DISARM-1.6.json")

T0 = "2026-03-02T08:15:00.000Z"
T1 = "2026-03-04T11:40:00.000Z"
AGENCY = "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"
CAMPAIGN = "campaign--8d0e6d1c-3f43-4b8e-9a3f-6f7a2d9c1e55"


@cache
def validator(mode: str = "stix") -> Validator:
    return Validator(ValidationOptions(mode=mode))  # type: ignore[arg-type]


def core_findings(*objects: Any, mode: str = "stix") -> list[Finding]:
    report = validator(mode).validate_objects(list(objects))
    return [f for f in report.findings if f.check_id in CORE_IDS]


def ids_of(*objects: Any, mode: str = "stix") -> set[str]:
    return {f.check_id for f in core_findings(*objects, mode=mode)}


def campaign(**changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "campaign",
        "spec_version": "2.1",
        "id": CAMPAIGN,
        "created": T0,
        "modified": T0,
        "created_by_ref": AGENCY,
        "name": "Operation Paper Lantern (fictional)",
        "object_marking_refs": [TLP_GREEN],
    }
    obj.update(changes)
    return obj


# --- the conformance fixtures -----------------------------------------------------------


def _fixtures() -> list[Path]:
    return sorted(p for cid in CORE_IDS for p in (MANDATORY / cid).glob("*.json"))


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path) -> None:
    check_id = path.parent.name
    mode_file = path.parent / "mode.txt"
    mode = mode_file.read_text("utf-8").strip() if mode_file.exists() else "profile"
    report = validator(mode).validate_path(path)
    described = [f"{f.check_id} {f.json_path}: {f.message}" for f in report.findings]
    if path.name.startswith("fail-"):
        assert {f.check_id for f in report.findings} == {check_id}, described
    else:
        assert report.findings == [], described


def test_every_core_check_has_fixtures_and_a_readme() -> None:
    for check_id in CORE_IDS:
        folder = MANDATORY / check_id
        names = [p.name for p in folder.glob("*.json")]
        assert any(n.startswith("fail-0") for n in names), check_id
        assert any(n.startswith("pass-1") for n in names), check_id
        readme = (folder / "README.md").read_text("utf-8")
        assert all(name in readme for name in names), check_id


@pytest.mark.skipif(not DISARM.exists(), reason="the shared DISARM bundle is not on this machine")
def test_official_disarm_bundle_passes_in_stix_mode() -> None:
    report = validator("stix").validate_path(DISARM)
    errors = [
        f"{f.check_id} {f.json_path}: {f.message}"
        for f in report.findings
        if f.severity.value != "warning"
    ]
    assert errors == []
    assert report.files[0].objects == 698
    # Its only breach of a STIX SHOULD: the deprecated custom forms x-mitre-tactic,
    # x-mitre-matrix and x_mitre_* properties (STIX 2.1 §11), one finding per object.
    warned = {(f.check_id, f.message.split("'")[1]) for f in report.findings}
    assert warned == {
        ("IS-159", "x-mitre-tactic"),
        ("IS-159", "x-mitre-matrix"),
        ("IS-159", "x_mitre_shortname"),
        ("IS-159", "x_mitre_is_subtechnique"),
    }


# --- IS-101 / IS-102 --------------------------------------------------------------------


def test_missing_and_wrong_properties_are_told_apart() -> None:
    findings = core_findings(campaign(name=None, confidence=-1) | {"name": 7})
    assert {f.check_id for f in findings} == {"IS-102"}
    findings = core_findings({k: v for k, v in campaign().items() if k != "name"})
    assert [(f.check_id, f.json_path) for f in findings] == [("IS-101", "$.objects[0]")]
    assert "Campaign" in findings[0].message


def test_custom_properties_are_allowed_everywhere() -> None:
    assert ids_of(campaign(x_fictional_score=3, x_fictional_tags=["a", "b"])) == set()


def test_location_needs_a_place_and_paired_coordinates() -> None:
    location = {k: v for k, v in campaign().items() if k != "name"} | {
        "type": "location",
        "id": "location--0b8a7c61-1d2e-4f3a-8b9c-0d1e2f3a4b5c",
    }
    assert ids_of(location | {"country": "JP"}) == set()
    assert ids_of(location | {"latitude": 35.0, "longitude": 139.0}) == set()
    only_latitude = core_findings(location | {"latitude": 35.0, "region": "eastern-asia"})
    assert [f.check_id for f in only_latitude] == ["IS-101"]
    assert ids_of(location | {"latitude": 95.0, "longitude": 139.0}) == {"IS-102"}


def test_unknown_type_declared_new_sdo_gets_the_common_properties() -> None:
    case_file = {
        "type": "fictional-case-file",
        "spec_version": "2.1",
        "id": "fictional-case-file--5b1c8f2e-7a3d-4e6f-9b0a-1c2d3e4f5a6b",
        "created": T0,
        "extensions": {
            "extension-definition--9e7d6c5b-4a3f-4e2d-8c1b-0a9f8e7d6c5b": {
                "extension_type": "new-sdo"
            }
        },
    }
    findings = core_findings(case_file)
    assert [(f.check_id, "modified" in f.message) for f in findings] == [("IS-101", True)]


# --- IS-103 / IS-104 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "identity--2F3C6F25-7B0A-4C3E-9A55-0C9D0F3E8B11",  # upper case
        "identity--2f3c6f25-7b0a-0c3e-9a55-0c9d0f3e8b11",  # version 0
        "identity--2f3c6f25-7b0a-4c3e-7a55-0c9d0f3e8b11",  # NCS variant
        "identity-2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "id--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",  # type too short
        "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11\n",
        "",
    ],
)
def test_malformed_references_are_reported(value: str) -> None:
    assert ids_of(campaign(created_by_ref=value)) == {"IS-103"}


def test_references_nested_in_extensions_are_identifiers() -> None:
    incident = campaign(type="incident", id="incident--6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b")
    incident["extensions"] = {
        EXT_FIMI_INCIDENT: {
            "extension_type": "property-extension",
            "attribution": {"actor_refs": ["threat-actor--7", 5], "confidence": 40},
        }
    }
    findings = core_findings(incident)
    assert [f.check_id for f in findings] == ["IS-103", "IS-103"]
    assert findings[0].json_path.endswith(".attribution.actor_refs[0]")


def test_the_id_must_match_the_type_and_typed_refs_leave_json_types_to_the_schema() -> None:
    assert ids_of(campaign(id=AGENCY)) == {"IS-103"}
    assert ids_of(campaign(created_by_ref=12)) == {"IS-102"}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2024-02-29T00:00:00Z", True),
        ("2016-12-31T23:59:60Z", True),
        ("2026-03-02T08:15:00.123456789Z", True),
        ("2025-02-29T00:00:00Z", False),
        ("2026-04-31T00:00:00Z", False),
        ("2026-03-02T08:15:00", False),
        ("2026-03-02 08:15:00Z", False),
        ("2026-03-02T08:15:00z", False),
        ("2026-03-02T24:00:00Z", False),
        ("0000-01-01T00:00:00Z", False),
        ("2026-03-02T08:15:00Z\n", False),
    ],
)
def test_timestamps(value: str, valid: bool) -> None:
    assert ids_of(campaign(first_seen=value)) == (set() if valid else {"IS-104"})


def test_generic_timestamp_names_count_only_on_their_type() -> None:
    traffic = {
        "type": "network-traffic",
        "id": "network-traffic--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "src_ref": "ipv4-addr--2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
        "protocols": ["tcp"],
        "start": "yesterday",
    }
    assert ids_of(traffic) == {"IS-104"}
    assert ids_of(campaign(start="yesterday", x_fictional_window_time="3 hours")) == set()
    assert ids_of(campaign(x_fictional_window_time="2026-03-02")) == {"IS-104"}


# --- IS-105 / IS-106 / IS-107 -----------------------------------------------------------


def test_modified_is_compared_in_time_not_as_text() -> None:
    # As text, "….5000Z" sorts before "….500Z"; in time they are equal.
    equal = campaign(created="2026-03-02T08:15:00.500Z", modified="2026-03-02T08:15:00.5000Z")
    assert ids_of(equal) == set()
    earlier = campaign(created="2026-03-02T08:15:00.501Z", modified="2026-03-02T08:15:00.5000Z")
    assert ids_of(earlier) == {"IS-105"}


def test_spec_version_is_optional_only_on_scos() -> None:
    url = {
        "type": "url",
        "id": "url--4c5d6e7f-8a9b-5c0d-9e1f-2a3b4c5d6e7f",
        "value": "https://a.example",
    }
    assert ids_of(url) == set()
    assert ids_of(url | {"spec_version": "2.0"}) == {"IS-106"}
    media = url | {
        "type": "media-content",
        "id": "media-content--4c5d6e7f-8a9b-5c0d-9e1f-2a3b4c5d6e7f",
        "extensions": {EXT_MEDIA_CONTENT: {"extension_type": "new-sco"}},
    }
    assert ids_of(media) == set()
    narrative = {k: v for k, v in campaign().items() if k != "spec_version"} | {
        "type": "narrative",
        "id": "narrative--4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f",
        "extensions": {EXT_NARRATIVE: {"extension_type": "new-sdo"}},
    }
    assert ids_of(narrative) == {"IS-106"}


def test_property_names_inside_extensions_follow_the_rules() -> None:
    obj = campaign(
        extensions={
            "extension-definition--9e7d6c5b-4a3f-4e2d-8c1b-0a9f8e7d6c5b": {
                "extension_type": "property-extension",
                "Bad-Name": 1,
            }
        }
    )
    findings = core_findings(obj)
    assert [f.check_id for f in findings] == ["IS-107"]
    assert findings[0].json_path.endswith("['Bad-Name']")


# --- IS-108 / IS-109 --------------------------------------------------------------------


def test_new_types_need_the_right_extension_type() -> None:
    narrative = campaign(
        type="narrative",
        id="narrative--4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f",
        extensions={EXT_NARRATIVE: {"extension_type": "new-sco"}},
    )
    assert ids_of(narrative) == {"IS-108"}
    assert (
        ids_of(narrative | {"extensions": {EXT_NARRATIVE: {"extension_type": "new-sdo"}}}) == set()
    )


def test_stix_types_cannot_be_redeclared_as_new_objects() -> None:
    ext = {
        "extension-definition--9e7d6c5b-4a3f-4e2d-8c1b-0a9f8e7d6c5b": {"extension_type": "new-sdo"}
    }
    assert ids_of(campaign(extensions=ext)) == {"IS-108"}
    assert ids_of(campaign(extensions={})) == {"IS-108"}
    assert ids_of(campaign(extensions=["x"])) == {"IS-102"}
    assert ids_of(
        campaign(
            type="x-fictional", id=CAMPAIGN.replace("campaign", "x-fictional"), extensions=["x"]
        )
    ) == {"IS-108"}


@pytest.mark.parametrize("marking_id", sorted(TLP_2_0_LEVELS))
def test_every_tlp_2_0_marking_is_accepted(marking_id: str) -> None:
    assert ids_of(canonical_tlp_marking(marking_id), mode="profile") == set()


def test_tlp_1_0_definitions_must_match_their_id() -> None:
    white = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    assert white in TLP_1_0_IDS
    marking = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": white,
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "name": "TLP:WHITE",
        "definition": {"tlp": "white"},
    }
    assert ids_of(marking) == set()
    assert ids_of(marking | {"definition": {"tlp": "red"}}) == {"IS-109"}
    assert ids_of(marking | {"definition_type": "copyright"}) == {"IS-109"}


# --- IS-110 -----------------------------------------------------------------------------


def test_reference_table_names_only_known_types() -> None:
    known = KNOWN_TYPES | {"<sdo>", "<sco>"}  # STIX types and the profile's own
    for table in REFERENCE_TARGETS.values():
        for allowed in table.values():
            assert set(allowed) <= known


def test_relationship_ends_accept_custom_types_but_not_markings() -> None:
    rel = campaign(
        type="relationship",
        id="relationship--3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b",
        relationship_type="uses",
        source_ref=CAMPAIGN,
        target_ref="x-fictional-tactic--3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b",
    )
    del rel["name"]
    assert ids_of(rel) == set()
    assert ids_of(rel | {"target_ref": TLP_GREEN}) == {"IS-110"}
    sighting = rel | {"type": "sighting", "id": "sighting--3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b"}
    sighting = {
        k: v for k, v in sighting.items() if not k.endswith("_ref") or k == "created_by_ref"
    }
    sighting.pop("relationship_type")
    media = "media-content--4c5d6e7f-8a9b-5c0d-9e1f-2a3b4c5d6e7f"
    assert ids_of(sighting | {"sighting_of_ref": media}) == {"IS-110"}


# --- IS-111 / IS-112 --------------------------------------------------------------------


def test_marking_definitions_are_duplicates_by_id() -> None:
    marking = canonical_tlp_marking(TLP_GREEN)
    assert ids_of(marking, copy.deepcopy(marking), mode="profile") == {"IS-111"}


def test_versions_are_not_duplicates_but_keep_created() -> None:
    assert ids_of(campaign(), campaign(modified=T1)) == set()
    assert ids_of(campaign(), campaign(modified=T1, created=T1)) == {"IS-112"}
    findings = core_findings(campaign(), campaign(), campaign(), mode="profile")
    assert [(f.check_id, f.object_index) for f in findings] == [("IS-111", 1), ("IS-111", 2)]


def test_repeated_representations_are_plain_stix() -> None:
    """STIX 2.1 section 3.6 lets a bundle repeat one representation of an object
    version; the duplicate rule (IS-111) belongs to the profile."""
    marking = canonical_tlp_marking(TLP_GREEN)
    assert core_findings(campaign(), campaign(), marking, copy.deepcopy(marking)) == []


# --- robustness: no check raises on odd input ------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = st.sampled_from(
    [
        "id", "created", "modified", "spec_version", "created_by_ref", "object_marking_refs",
        "granular_markings", "extensions", "external_references", "kill_chain_phases",
        "confidence", "name", "first_seen", "x_fictional_ref", "x_fictional_refs",
        "definition_type", "definition", "source_ref", "where_sighted_refs", "contents",
        "body_multipart", "x509_v3_extensions", EXT_NARRATIVE, "archive-ext", "start",
    ]
)  # fmt: skip
_TYPES = st.sampled_from([*sorted(STIX_TYPES), "narrative", "media-content", "x-fictional", "Bad"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=_TYPES, changes=st.dictionaries(_KEYS, _JSON, max_size=6), nested=_JSON)
def test_checks_never_raise(kind: str, changes: dict[str, Any], nested: Any) -> None:
    obj = campaign(type=kind) | changes
    if isinstance(obj.get("extensions"), dict):
        obj["extensions"] = dict(obj["extensions"]) | {EXT_NARRATIVE: nested, "archive-ext": nested}
    for mode in ("stix", "profile"):
        report = validator(mode).validate_objects([obj, obj])
        assert not [f.message for f in report.findings if "internal error" in f.message]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_fixture_objects_survive_mutation(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_fixtures()))
    objects = json.loads(path.read_text("utf-8"))["objects"]
    assume(objects)  # the IS-121 fixture's objects list is empty on purpose
    obj = copy.deepcopy(data.draw(st.sampled_from(objects)))
    key = data.draw(st.sampled_from(sorted(obj)))
    obj[key] = data.draw(_JSON)
    report = validator("profile").validate_objects([obj])
    assert not [f.message for f in report.findings if "internal error" in f.message]
