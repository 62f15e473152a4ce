"""Models of the profile objects: checks on construction and lossless round trips."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import infoshare.models as models
from infoshare.errors import ModelError
from infoshare.models import (
    Bundle,
    FimiIncident,
    GenericStixObject,
    Identity,
    Incident,
    Location,
    MediaContent,
    Narrative,
    Relationship,
    Task,
    UserAccount,
    parse_object,
    read_bundle,
    write_bundle,
)
from infoshare.profile import (
    EXT_FIMI_ACCOUNT,
    EXT_FIMI_INCIDENT,
    EXT_NARRATIVE,
    EXT_OASIS_INCIDENT_CORE,
    EXT_OASIS_TASK,
    TLP_AMBER,
    TLP_GREEN,
)

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.json"))
T = "2026-03-02T08:15:00.000Z"


def identity(**changes: Any) -> dict[str, Any]:
    base = {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "created": T,
        "modified": T,
        "name": "Fictional Agency for Information Integrity",
        "identity_class": "organization",
        "object_marking_refs": [TLP_GREEN],
    }
    base.update(changes)
    return base


def incident(**ext_changes: Any) -> dict[str, Any]:
    ext = {
        "extension_type": "property-extension",
        "determination": "confirmed",
        "investigation_status": "open",
        "fimi_types": ["fraud-scam"],
    }
    ext.update(ext_changes)
    return {
        "type": "incident",
        "spec_version": "2.1",
        "id": "incident--6a0a5c3e-1f0b-4a45-9d0e-3f9b2c1d7e21",
        "created": T,
        "modified": T,
        "name": "Fictional deepfake scam",
        "object_marking_refs": [TLP_AMBER],
        "extensions": {EXT_FIMI_INCIDENT: ext},
    }


def test_public_surface_is_sorted_and_complete() -> None:
    def kind(name: str) -> tuple[int, str]:  # ruff's RUF022 order: CONSTANTS, Classes, functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert models.__all__ == sorted(models.__all__, key=kind)
    assert len(set(models.__all__)) == len(models.__all__)
    for name in models.__all__:
        assert hasattr(models, name), name


def test_parse_object_picks_the_model() -> None:
    assert type(parse_object(identity())) is Identity
    assert type(parse_object(incident())) is FimiIncident
    plain = incident()
    del plain["extensions"]
    assert type(parse_object(plain)) is Incident
    other = {"type": "x-mitre-tactic", "id": "x-mitre-tactic--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"}
    assert type(parse_object(other)) is GenericStixObject


def test_fimi_incident_exposes_its_extension() -> None:
    model = parse_object(incident(breakout_scale=3, target_countries=["JP"]))
    assert isinstance(model, FimiIncident)
    assert model.fimi.breakout_scale == 3
    assert model.fimi.target_countries == ["JP"]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (identity(confidence=101), r"confidence: Input should be less than or equal to 100"),
        (identity(confidence=True), r"confidence"),
        (identity(id="identity--not-a-uuid"), r"id: .* is not a STIX identifier"),
        (
            identity(id="campaign--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"),
            r"must start with identity--",
        ),
        (identity(modified="2026-03-01T08:15:00.000Z"), r"modified .* earlier than created"),
        (identity(created="2026-02-30T08:15:00.000Z"), r"created: .* is not a STIX timestamp"),
        (identity(created="2026-03-02 08:15:00"), r"not a STIX timestamp"),
        (identity(spec_version="2.0"), r"spec_version"),
        (identity(name=None), r"name"),
        (
            identity(object_marking_refs=["identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"]),
            r"object_marking_refs\[0\]: .* must reference a marking-definition",
        ),
        (identity(object_marking_refs=[]), r"object_marking_refs: .*at least 1 item"),
        (incident(breakout_scale=7), rf"extensions\.{EXT_FIMI_INCIDENT}\.breakout_scale: .*6"),
        (incident(breakout_scale=0), r"breakout_scale: .*greater than or equal to 1"),
        (incident(target_countries=["jp"]), r"target_countries\[0\]: 'jp' is not an ISO 3166-1"),
        (incident(target_countries=["JPN"]), r"target_countries\[0\]"),
        (incident(determination="likely"), r"determination: .*'likely'"),
        (incident(investigation_status="done"), r"investigation_status"),
        (incident(fimi_types=[]), r"fimi_types: .*at least 1 item"),
        (
            incident(first_seen="2026-03-02T08:15:00Z", last_seen="2026-03-01T08:15:00Z"),
            r"last_seen .* earlier than first_seen",
        ),
        (
            incident(attribution={"confidence": 50, "basis": ["financial-trail"]}),
            r"attribution: an attribution needs actor_refs or attributed_country",
        ),
        (
            incident(attribution={"attributed_country": "XX", "basis": ["financial-trail"]}),
            r"attribution\.confidence: is required",
        ),
        (incident(synthetic_media={"kinds": ["deepfake-video"]}), r"synthetic_media\.present"),
        (incident(engagement={"view_count": -1}), r"engagement\.view_count"),
        (incident(extension_type="new-sdo"), r"extension_type"),
    ],
)
def test_bad_values_raise_model_error_with_path(data: dict[str, Any], match: str) -> None:
    with pytest.raises(ModelError, match=match) as info:
        parse_object(data)
    assert isinstance(info.value, ValueError)
    assert info.value.message.startswith("invalid ")


def test_fimi_extension_is_required_on_fimi_incident() -> None:
    data = incident()
    data["extensions"] = {}
    with pytest.raises(ModelError, match=r"extensions\.extension-definition--3ba9.*is required"):
        FimiIncident.from_dict(data)


def test_incident_core_must_agree_with_fimi_extension() -> None:
    data = incident()
    data["extensions"][EXT_OASIS_INCIDENT_CORE] = {
        "extension_type": "property-extension",
        "determination": "suspected",
        "investigation_status": "open",
    }
    with pytest.raises(ModelError, match=r"Incident Core determination .* differs"):
        parse_object(data)


def test_direct_construction_raises_model_error() -> None:
    with pytest.raises(ModelError, match=r"invalid Location: a location needs region, country"):
        Location(
            id="location--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
            spec_version="2.1",
            created=T,
            modified=T,
            name="Nowhere",
        )
    with pytest.raises(ModelError, match=r"country: 'jp'"):
        Location(
            id="location--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
            spec_version="2.1",
            created=T,
            modified=T,
            country="jp",
        )


def test_closed_vocabularies_are_enforced() -> None:
    task = {
        "type": "task",
        "spec_version": "2.1",
        "id": "task--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "created": T,
        "modified": T,
        "outcome": "done",
        "extensions": {EXT_OASIS_TASK: {"extension_type": "new-sdo"}},
    }
    with pytest.raises(ModelError, match=r"outcome: .*'successful'.*\(got 'done'\)"):
        parse_object(task)
    task["outcome"] = "pending"
    assert isinstance(parse_object(task), Task)


def test_new_types_need_their_extension_entry() -> None:
    data = {
        "type": "narrative",
        "spec_version": "2.1",
        "id": "narrative--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "created": T,
        "modified": T,
        "name": "Guaranteed returns",
    }
    with pytest.raises(ModelError, match=r"extensions: is required"):
        parse_object(data)
    data["extensions"] = {EXT_NARRATIVE: {"extension_type": "new-sdo"}}
    assert isinstance(parse_object(data), Narrative)


def test_relationship_stop_after_start() -> None:
    data = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": "relationship--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "created": T,
        "modified": T,
        "relationship_type": "uses",
        "source_ref": "incident--6a0a5c3e-1f0b-4a45-9d0e-3f9b2c1d7e21",
        "target_ref": "narrative--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "start_time": T,
        "stop_time": T,
    }
    with pytest.raises(ModelError, match=r"stop_time .* must be later than start_time"):
        Relationship.from_dict(data)


def test_user_account_fimi_extension() -> None:
    data = {
        "type": "user-account",
        "id": "user-account--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "account_login": "fictional.fan.page",
        "extensions": {
            EXT_FIMI_ACCOUNT: {
                "extension_type": "property-extension",
                "account_class": "inauthentic",
            }
        },
    }
    model = parse_object(data)
    assert isinstance(model, UserAccount)
    assert model.fimi_account is not None
    assert model.fimi_account.account_class == "inauthentic"


def test_parse_does_not_change_or_share_the_input() -> None:
    data = incident(platforms=["facebook"])
    data["x_notes"] = {"a": [1, 2]}
    before = copy.deepcopy(data)
    model = parse_object(data)
    assert data == before
    out = model.to_dict()
    out["x_notes"]["a"].append(3)
    out["extensions"][EXT_FIMI_INCIDENT]["platforms"].append("x")
    assert data == before
    assert model.to_dict() == before


def test_unknown_properties_and_extensions_round_trip() -> None:
    data = incident(x_fimi_extra={"nested": [1, None, "ü"]}, breakout_scale=2)
    data["extensions"]["extension-definition--11111111-2222-4333-8444-555555555555"] = {
        "extension_type": "property-extension",
        "anything": {"deep": [True, 1.5]},
    }
    data["x_opencti_score"] = 50
    data["created"] = "2026-03-02T08:15:00Z"  # second precision kept as written
    data["modified"] = "2026-03-02T08:15:00.123456Z"
    model = parse_object(data)
    assert model.to_dict() == data
    assert list(model.to_dict()) == list(data)


def test_media_content_round_trip() -> None:
    data = {
        "type": "media-content",
        "spec_version": "2.1",
        "id": "media-content--a03423f4-4b9c-5a59-99b8-10ce257985d2",
        "url": "https://video.example/watch?v=abc",
        "is_synthetic": True,
        "view_count": 10,
        "hashes": {"SHA-256": "00" * 32},
        "extensions": {
            "extension-definition--0e82d571-4ad2-487e-ac3e-b2e3d4c1eb8b": {
                "extension_type": "new-sco"
            }
        },
    }
    model = parse_object(data)
    assert isinstance(model, MediaContent)
    assert model.to_dict() == data


_json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_json = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_custom_names = st.from_regex(r"x_[a-z][a-z0-9_]{2,12}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(
    extra=st.dictionaries(_custom_names, _json, max_size=4),
    ext_extra=st.dictionaries(
        st.from_regex(r"[a-z][a-z_]{2,10}", fullmatch=True), _json, max_size=3
    ),
)
def test_custom_properties_round_trip(extra: dict[str, Any], ext_extra: dict[str, Any]) -> None:
    data = incident()
    data.update(extra)
    data["extensions"]["extension-definition--11111111-2222-4333-8444-555555555555"] = {
        "extension_type": "property-extension",
        **ext_extra,
    }
    before = copy.deepcopy(data)
    assert parse_object(data).to_dict() == before
    assert data == before


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_bundles_round_trip(path: Path, tmp_path: Path) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    bundle = read_bundle(path)
    assert bundle.to_dict() == original
    again = read_bundle(write_bundle(bundle, tmp_path / "out.json"))
    assert again.to_dict() == original


def test_bundle_io_is_deterministic_utf8() -> None:
    data = {
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [identity(name="Agence fictive de l'intégrité")],
    }
    bundle = read_bundle(json.dumps(data).encode())
    written = write_bundle(bundle)
    assert "intégrité".encode() in written
    assert written == write_bundle(read_bundle(written))
    assert isinstance(bundle, Bundle)


def test_read_bundle_reports_the_object_index() -> None:
    data = {
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [identity(), identity(confidence=500)],
    }
    with pytest.raises(ModelError, match=r"objects\[1\]: invalid Identity: confidence"):
        read_bundle(json.dumps(data).encode())
