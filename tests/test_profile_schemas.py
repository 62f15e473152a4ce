"""The profile's schemas (spec/schemas/profile/), extension-definitions and checks IS-201 to IS-209.

The schemas are the normative form of spec/profile/03 to 08; these tests hold
them to JSON Schema 2020-12, to the ``jsonschema`` reference implementation,
to the vocabularies, to the extension-definitions that name them, and to the
models: whatever infoshare.models builds must pass the profile checks.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from infoshare import profile as P
from infoshare.models import (
    Channel,
    Event,
    FimiIncident,
    Impact,
    MediaContent,
    Narrative,
    Task,
    UserAccount,
)
from infoshare.models.builders import create
from infoshare.validation import ValidationOptions, Validator
from infoshare.validation._schema import Check, render_path
from infoshare.validation._schemas_loaded import schema_set
from infoshare.validation.checks.joint_work import JOINT_AUTHORSHIP_SCHEMA
from infoshare.validation.checks.platform_actions import PLATFORM_ACTION_SCHEMA
from infoshare.validation.checks.profile_schemas import (
    EXTENSION_SCHEMAS,
    OBJECT_SCHEMAS,
    fimi_incident_extension,
    schema_uri,
)

ROOT = Path(__file__).resolve().parent.parent
PROFILE_SCHEMAS = ROOT / "spec" / "schemas" / "profile"
EXTENSION_DEFINITIONS = ROOT / "spec" / "extension-definitions"
VOCABULARIES = ROOT / "spec" / "vocabularies"
CONFORMANCE = ROOT / "spec" / "conformance"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
PROFILE_CHECKS = frozenset(f"IS-20{n}" for n in range(1, 10))

T0 = "2026-03-02T08:15:00.000Z"
T1 = "2026-03-05T17:40:00.000Z"
AGENCY = "identity--874f2f2c-8a36-4b2d-9b32-2c492a3184ab"
ACTOR = "threat-actor--a81142cd-559d-4cd3-9a41-fdaaa2bf289e"
EVENT = "event--3c0e54a1-8d0f-4b8e-a0f4-5d1b6a7c9e21"
TASK = "task--9b7d2a16-4c3e-4f0a-8e5d-1a2b3c4d5e6f"
IMPACT = "impact--5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
ACCOUNT = "user-account--f6ce35a6-2685-5fb3-b709-830b78d91ba4"


def _registry() -> Registry:
    resources = []
    for path in sorted((ROOT / "spec" / "schemas").rglob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        if isinstance(document, dict) and "$id" in document:
            resources.append((document["$id"], Resource.from_contents(document)))
    return Registry().with_resources(resources)  # type: ignore[no-any-return]


REGISTRY = _registry()
SCHEMA_FILES = sorted({*OBJECT_SCHEMAS.values(), *EXTENSION_SCHEMAS.values()})
#: Every property-extension's schema, with the 1.1 ones that their own modules check.
EXTENSION_SCHEMAS_ALL = {
    **EXTENSION_SCHEMAS,
    P.EXT_PLATFORM_ACTION: PLATFORM_ACTION_SCHEMA,
    P.EXT_JOINT_AUTHORSHIP: JOINT_AUTHORSHIP_SCHEMA,
}
#: Every schema of spec/schemas/profile/ but the shared definitions of common.json.
ALL_SCHEMA_FILES = sorted({*SCHEMA_FILES, *EXTENSION_SCHEMAS_ALL.values()})
REFERENCE = {
    name: jsonschema.Draft202012Validator(
        schema_set().document(schema_uri(name)), registry=REGISTRY
    )
    for name in ALL_SCHEMA_FILES
}
COMPILED = {name: schema_set().compile(schema_uri(name)) for name in ALL_SCHEMA_FILES}


def failures(check: Check, value: Any) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    check(value, None, lambda path, msg, kw: found.append((render_path(path), msg, kw)))
    return found


def assert_agree(name: str, value: Any) -> None:
    expected = REFERENCE[name].is_valid(value)
    got = failures(COMPILED[name], value)
    assert (not got) == expected, (name, value, got)


def profile_findings(objects: list[dict[str, Any]]) -> list[str]:
    """Every finding of a profile-mode validation of ``objects`` (as one bundle)."""
    bundle = {"type": "bundle", "id": "bundle--8a9c6a1e-3c2f-4e55-9d0b-0f6f1e2d3c4b"}
    report = Validator(ValidationOptions(mode="profile")).validate_bytes(
        json.dumps({**bundle, "objects": objects}).encode()
    )
    return [f"{f.check_id} {f.json_path}: {f.message}" for f in report.findings]


# --- the schema files ------------------------------------------------------------------------


def test_every_profile_schema_is_valid_2020_12_and_compiles() -> None:
    names = {p.name for p in PROFILE_SCHEMAS.glob("*.json")}
    assert names == {*ALL_SCHEMA_FILES, "common.json"}
    for name in sorted(names):
        document = json.loads((PROFILE_SCHEMAS / name).read_text("utf-8"))
        assert document["$schema"] == DRAFT
        # 1.0 schemas keep their 1.0 $id; those a minor version adds carry its number (§15.1).
        assert re.fullmatch(
            r"https://schemas\.infoshare\.dev/profile/1\.[01]/" + re.escape(name), document["$id"]
        )
        jsonschema.Draft202012Validator.check_schema(document)
    for name in ALL_SCHEMA_FILES:
        assert failures(COMPILED[name], {}) != []  # every schema requires something


def test_check_modules_cover_every_profile_type_and_extension() -> None:
    assert set(OBJECT_SCHEMAS) == set(P.NEW_OBJECT_EXTENSIONS)
    assert set(EXTENSION_SCHEMAS) == {
        P.EXT_FIMI_INCIDENT,
        P.EXT_FIMI_ACCOUNT,
        P.EXT_OASIS_INCIDENT_CORE,
        P.EXT_COORDINATED_NETWORK,
    }


def _enums(node: Any, path: str = "") -> dict[str, list[Any]]:
    """Every ``enum`` below ``node``, by the property path that leads to it."""
    found: dict[str, list[Any]] = {}
    if isinstance(node, dict):
        if "enum" in node:
            found[path] = node["enum"]
        for key, value in node.items():
            step = key if key not in ("properties", "$defs", "items", "allOf") else ""
            found.update(_enums(value, f"{path}.{step}".strip(".") if step else path))
    elif isinstance(node, list):
        for value in node:
            found.update(_enums(value, path))
    return found


def test_closed_vocabularies_are_the_schema_enums_and_open_ones_are_not_enforced() -> None:
    enums: list[list[Any]] = []
    for path in PROFILE_SCHEMAS.glob("*.json"):
        enums.extend(_enums(json.loads(path.read_text("utf-8"))).values())
    for path in sorted(VOCABULARIES.glob("*-ov.json")) + sorted(VOCABULARIES.glob("*-enum.json")):
        vocabulary = json.loads(path.read_text("utf-8"))
        if "terms" not in vocabulary:
            continue
        terms = [t["value"] if isinstance(t, dict) else t for t in vocabulary["terms"]]
        if vocabulary["kind"] == "closed":
            assert terms in enums, f"{path.name}: no schema enum lists exactly these values"
        else:
            assert terms not in enums, f"{path.name} is open but a schema closes it"


# --- the extension-definitions ---------------------------------------------------------------

EXPECTED_DEFINITIONS = {
    P.EXT_FIMI_INCIDENT: ("fimi-incident-extension.json", ["property-extension"]),
    P.EXT_NARRATIVE: ("narrative.json", ["new-sdo"]),
    P.EXT_CHANNEL: ("channel.json", ["new-sdo"]),
    P.EXT_MEDIA_CONTENT: ("media-content.json", ["new-sco"]),
    P.EXT_FIMI_ACCOUNT: ("fimi-account-extension.json", ["property-extension"]),
    P.EXT_SYNTHETIC_MEDIA_ANALYSIS: ("synthetic-media-analysis.json", ["new-sdo"]),
    P.EXT_WITHDRAWAL: ("withdrawal.json", ["new-sdo"]),
    P.EXT_PLATFORM_ACTION: (PLATFORM_ACTION_SCHEMA, ["property-extension"]),
    P.EXT_JOINT_AUTHORSHIP: (JOINT_AUTHORSHIP_SCHEMA, ["property-extension"]),
    P.EXT_ACCOUNT_STATE: ("account-state.json", ["new-sdo"]),
    P.EXT_ENGAGEMENT: ("engagement.json", ["new-sdo"]),
    P.EXT_COORDINATED_NETWORK: ("coordinated-network-extension.json", ["property-extension"]),
}


def _definition_files() -> dict[str, dict[str, Any]]:
    return {
        p.name: json.loads(p.read_text("utf-8"))
        for p in sorted(EXTENSION_DEFINITIONS.glob("*.json"))
        if p.name != "bundle.json"
    }


def test_extension_definitions_use_the_profile_ids_and_name_their_schemas() -> None:
    definitions = {
        obj["id"]: obj
        for obj in _definition_files().values()
        if obj["type"] == "extension-definition"
    }
    assert set(definitions) == set(EXPECTED_DEFINITIONS)
    for ext_id, (schema_name, types) in EXPECTED_DEFINITIONS.items():
        definition = definitions[ext_id]
        assert definition["created_by_ref"] == P.PROFILE_IDENTITY_ID
        # An extension-definition's version is the profile version that introduced it.
        assert definition["schema"].endswith(
            f"/{definition['version'].rsplit('.', 1)[0]}/{schema_name}"
        )
        assert definition["extension_types"] == types
        assert definition["schema"] == schema_uri(schema_name)
        assert definition["schema"] in schema_set().ids
        assert (PROFILE_SCHEMAS / schema_name).is_file()
    new_types = {t: e for t, e in P.NEW_OBJECT_EXTENSIONS.items() if e in definitions}
    assert {definitions[e]["schema"] for e in new_types.values()} == {
        schema_uri(OBJECT_SCHEMAS[t]) for t in new_types
    }


def test_the_1_0_definitions_keep_their_1_0_ids_and_urls() -> None:
    """Profile 1.1 is a minor version: the 1.0 extension-definitions keep their ids,
    their version 1.0.0 and their 1.0 schema URLs (§15.2), while the profile is 1.1.0."""
    assert P.PROFILE_VERSION == "1.1.0"
    definitions = {d["id"]: d for d in _definition_files().values()}
    for ext_id in (
        P.EXT_FIMI_INCIDENT,
        P.EXT_NARRATIVE,
        P.EXT_CHANNEL,
        P.EXT_MEDIA_CONTENT,
        P.EXT_FIMI_ACCOUNT,
    ):
        assert definitions[ext_id]["version"] == "1.0.0"
        assert definitions[ext_id]["schema"].startswith(
            "https://schemas.infoshare.dev/profile/1.0/"
        )


def test_the_bundle_holds_exactly_the_definition_files_and_validates() -> None:
    bundle = json.loads((EXTENSION_DEFINITIONS / "bundle.json").read_text("utf-8"))
    files = _definition_files()
    assert sorted(bundle["objects"], key=lambda o: o["id"]) == sorted(
        files.values(), key=lambda o: o["id"]
    )
    identity = next(o for o in bundle["objects"] if o["type"] == "identity")
    assert identity["id"] == P.PROFILE_IDENTITY_ID
    for mode in ("stix", "profile"):
        report = Validator(ValidationOptions(mode=mode)).validate_path(  # type: ignore[arg-type]
            EXTENSION_DEFINITIONS / "bundle.json"
        )
        assert report.findings == [], [f.message for f in report.findings]


# --- compiled schemas agree with jsonschema --------------------------------------------------

FIMI_EXTENSION: dict[str, Any] = {
    "extension_type": "property-extension",
    "determination": "suspected",
    "investigation_status": "open",
    "fimi_types": ["disinformation"],
}
SDO_BASE: dict[str, Any] = {"spec_version": "2.1", "created": T0, "modified": T0}


def _new(ext_id: str, kind: str = "new-sdo") -> dict[str, Any]:
    return {"extensions": {ext_id: {"extension_type": kind}}}


#: A minimal valid instance of every profile schema.
VALID: dict[str, dict[str, Any]] = {
    "fimi-incident-extension.json": FIMI_EXTENSION,
    "oasis-incident-core-extension.json": {
        "extension_type": "property-extension",
        "determination": "suspected",
        "investigation_status": "open",
    },
    "fimi-account-extension.json": {
        "extension_type": "property-extension",
        "account_class": "inauthentic",
    },
    "narrative.json": {"type": "narrative", "id": "narrative--1d6b3f0e-1f0a-4c58-9d1e-3f4a5b6c7d8e",
                       **SDO_BASE, "name": "The ballots were pre-filled", **_new(P.EXT_NARRATIVE)},
    "channel.json": {"type": "channel", "id": "channel--2e7c4a1f-2a1b-4d69-8e2f-4a5b6c7d8e9f",
                     **SDO_BASE, "name": "Example City Truth Desk", **_new(P.EXT_CHANNEL)},
    "media-content.json": {"type": "media-content",
                           "id": "media-content--3f8d5b2a-3b2c-4e7a-9f3a-5b6c7d8e9fa0",
                           "url": "https://social.example/truthdesk/posts/2041",
                           **_new(P.EXT_MEDIA_CONTENT, "new-sco")},
    "event.json": {"type": "event", "id": EVENT, **SDO_BASE, "status": "pending",
                   **_new(P.EXT_OASIS_EVENT)},
    "task.json": {"type": "task", "id": TASK, **SDO_BASE, "outcome": "successful",
                  **_new(P.EXT_OASIS_TASK)},
    "impact.json": {"type": "impact", "id": IMPACT, **SDO_BASE, "impact_category": "external",
                    "extensions": {P.EXT_OASIS_IMPACT: {"extension_type": "new-sdo"},
                                   "external-ext": {"impact_type": "public-confidence"}}},
    "synthetic-media-analysis.json": {
        "type": "synthetic-media-analysis",
        "id": "synthetic-media-analysis--6a1f0c3e-8b2d-4e7f-9a10-3b4c5d6e7f80", **SDO_BASE,
        "media_ref": "media-content--0c2f3b8e-1f5a-5d6e-9a7b-2c3d4e5f6a7b", "verdict": "authentic",
        "detection_methods": ["source-comparison"], "confidence": 70,
        **_new(P.EXT_SYNTHETIC_MEDIA_ANALYSIS)},
    "withdrawal.json": {"type": "withdrawal",
                        "id": "withdrawal--7c3e9a10-2f4b-4d6e-8a1c-5b7d9e0f1a2b", **SDO_BASE,
                        "created_by_ref": AGENCY, "withdrawn_refs": [ACCOUNT],
                        "reason": "private-person", **_new(P.EXT_WITHDRAWAL)},
    "account-state.json": {"type": "account-state",
                           "id": "account-state--4a9e6c3b-4c3d-4f8b-8a4b-6c7d8e9fa0b1", **SDO_BASE,
                           "account_ref": ACCOUNT, "state": "suspended", "state_since": T0,
                           **_new(P.EXT_ACCOUNT_STATE)},
    "engagement.json": {"type": "engagement",
                        "id": "engagement--5bae7d4c-5d4e-4a9c-9b5c-7d8e9fa0b1c2", **SDO_BASE,
                        "subject_ref": ACCOUNT, "measured_at": T0,
                        "follower_count": 0, "measurement_method": "platform-api",
                        **_new(P.EXT_ENGAGEMENT)},
    "coordinated-network-extension.json": {"extension_type": "property-extension",
                                           "coordination_indicators": ["copy-paste-text"]},
}  # fmt: skip


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_minimal_instances_are_valid(name: str) -> None:
    assert REFERENCE[name].is_valid(VALID[name])
    assert failures(COMPILED[name], VALID[name]) == []


def _fixture_instances() -> list[tuple[str, Any]]:
    by_type = {kind: name for kind, name in OBJECT_SCHEMAS.items()}
    found: list[tuple[str, Any]] = []
    for path in sorted(CONFORMANCE.rglob("*.json")):
        if path.name == "index.json":
            continue
        try:
            objects = json.loads(path.read_text("utf-8")).get("objects", [])
        except (ValueError, AttributeError):
            continue  # the reader's fixtures (IS-001 …) are not bundles
        for obj in objects if isinstance(objects, list) else []:
            if not isinstance(obj, dict):
                continue
            if obj.get("type") in by_type:
                found.append((by_type[obj["type"]], obj))
            extensions = obj.get("extensions")
            if isinstance(extensions, dict):
                for ext_id, name in EXTENSION_SCHEMAS_ALL.items():
                    if ext_id in extensions:
                        found.append((name, extensions[ext_id]))
    return found


def test_compiled_schemas_agree_on_the_conformance_fixtures() -> None:
    instances = _fixture_instances()
    assert {name for name, _ in instances} == set(ALL_SCHEMA_FILES)
    for name, value in instances:
        assert_agree(name, value)


_REFS = [
    EVENT,
    TASK,
    IMPACT,
    ACTOR,
    AGENCY,
    ACCOUNT,
    "sighting--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
]
_SCALARS = (
    st.none() | st.booleans() | st.integers(-2, 200) | st.sampled_from([1.5, 100.0, 0.0, -0.5])
    | st.sampled_from(["", "x", T0, "none", "external", "external-ext", "confirmed", "suspected",
                       "open", "closed", "in-progress", "pending", "scheduled", "successful",
                       "done", "day", "weekly", "regular", "JP", "ja", "not a url",
                       "https://news.example/post/1", "property-extension", "new-sdo", *_REFS])
)  # fmt: skip
_STRUCTURES = st.sampled_from(
    [
        [], [EVENT], [ACTOR, 1], ["a", "b"], {}, {"individuals": 3}, {"Individuals": 3},
        {"individuals": -1}, {"SHA-256": "ab"}, {"present": True}, {"present": "yes"},
        {"actor_refs": [ACTOR], "confidence": 60, "basis": ["content-analysis"]},
        {"attributed_country": "JP", "confidence": 120}, {"confidence": 50, "basis": []},
        [{"event_ref": EVENT}], [{"event_ref": TASK}], [{"task_ref": TASK, "sequence_start": True}],
        [{"task_ref": TASK, "next_steps": [{"condition_type": "required", "task_ref": EVENT,
                                           "transition_type": "success"}]}],
        [{"state_change_type": "mitigated", "result_ref": IMPACT}], [{"state_change_type": "x"}],
        [{"name": "Fictional score", "value": 7.5}], [{"name": "s"}],
        {"external-ext": {"impact_type": "economic"}}, {"external-ext": {}},
        {"confidentiality-ext": {"loss_type": "none"}},
        {"confidentiality-ext": {"loss_type": "confirmed-loss"}},
        {"physical-ext": {"impact_type": "destruction", "asset_type": "kiosk"}},
        {"monetary-ext": {"variety": "fraud", "currency": "JPY", "min_amount": 1, "max_amount": 9}},
        {"monetary-ext": {"variety": "fraud", "min_amount": 1}},
        {"share_count": 3, "view_count": -1},
    ]
)  # fmt: skip
_VALUES = st.recursive(
    _SCALARS | _STRUCTURES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "name", "impact_type"]), inner, max_size=2)
    ),
    max_leaves=5,
)


def _property_names(name: str) -> list[str]:
    document = schema_set().document(schema_uri(name))
    names = set(document.get("properties", {}))
    for definition in document.get("$defs", {}).values():
        names |= set(definition.get("properties", {}))
    return sorted(names | {"x_fictional_note", "created", "confidence", "extensions"})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_compiled_schemas_agree_with_jsonschema_on_mutated_instances(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(SCHEMA_FILES))
    value = copy.deepcopy(VALID[name])
    names = _property_names(name)
    for _ in range(data.draw(st.integers(1, 4))):
        if data.draw(st.booleans()) and value:
            value.pop(data.draw(st.sampled_from(sorted(value))), None)
        else:
            value[data.draw(st.sampled_from(names))] = data.draw(_VALUES)
    assert_agree(name, value)


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(SCHEMA_FILES), value=_VALUES)
def test_compiled_schemas_agree_on_any_json_value(name: str, value: Any) -> None:
    assert_agree(name, value)


# --- models produce objects that pass IS-201..IS-209 ----------------------------------------


def _vocab(name: str) -> list[str]:
    terms = json.loads((VOCABULARIES / f"{name}.json").read_text("utf-8"))["terms"]
    return [t["value"] if isinstance(t, dict) else t for t in terms]


def _pick(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(_vocab(name))


def _some(name: str) -> st.SearchStrategy[list[str]]:
    return st.lists(_pick(name), min_size=1, max_size=3, unique=True)


def _not_false_positive(determination: str) -> bool:
    return determination != "false-positive"  # an attribution on it would be IS-711


def _not_private(account_class: str) -> bool:
    return account_class != "private-person"  # display_name rules are IS-702


_TEXT = st.sampled_from(["Fabricated ballot-fraud claims", "投票箱はすでに満杯", "Nội dung giả"])
_COUNT = st.integers(0, 10_000_000)
_PERCENT = st.integers(0, 100)
_ATTRIBUTION = st.fixed_dictionaries(
    {"confidence": _PERCENT, "basis": _some("attribution-basis-ov")},
    optional={"assessed_by_ref": st.just(AGENCY), "evidence_refs": st.just([AGENCY])},
).flatmap(
    lambda base: st.one_of(
        st.just({**base, "actor_refs": [ACTOR]}),
        st.just({**base, "attributed_country": "JP"}),
        st.just({**base, "actor_refs": [ACTOR], "attributed_country": "VN"}),
    )
)
_FIMI_EXTENSION = st.fixed_dictionaries(
    {
        "extension_type": st.just("property-extension"),
        "determination": _pick("incident-determination-enum").filter(_not_false_positive),
        "investigation_status": _pick("incident-investigation-ov"),
        "fimi_types": _some("fimi-type-ov"),
    },
    optional={
        "first_seen": st.just(T0),
        "last_seen": st.just(T1),
        "target_countries": st.sampled_from([["JP"], ["PH", "VN"]]),
        "target_languages": st.sampled_from([["ja"], ["en", "fil"]]),
        "platforms": _some("platform-ov"),
        "attribution": _ATTRIBUTION,
        "estimated_reach": _COUNT,
        "engagement": st.fixed_dictionaries(
            {}, optional={k: _COUNT for k in ("share_count", "like_count", "view_count")}
        ),
        "breakout_scale": st.integers(1, 6),
        "synthetic_media": st.fixed_dictionaries(
            {"present": st.booleans()},
            optional={"kinds": _some("synthetic-media-ov"), "confidence": _PERCENT,
                      "detection_methods": st.just(["reverse image search"])},
        ),
        "event_refs": st.just([EVENT]),
    },
)  # fmt: skip


@st.composite
def _incidents(draw: st.DrawFn) -> dict[str, Any]:
    fimi = draw(_FIMI_EXTENSION)
    extensions: dict[str, Any] = {P.EXT_FIMI_INCIDENT: fimi}
    if draw(st.booleans()):
        extensions[P.EXT_OASIS_INCIDENT_CORE] = draw(
            st.fixed_dictionaries(
                {
                    "extension_type": st.just("property-extension"),
                    "determination": st.just(fimi["determination"]),
                    "investigation_status": st.just(fimi["investigation_status"]),
                },
                optional={
                    "criticality": _PERCENT,
                    "impact_refs": st.just([IMPACT]),
                    "tasks": st.just([{"task_ref": TASK, "sequence_start": True}]),
                    "events": st.just([{"event_ref": EVENT}]),
                    "recoverability": _pick("recoverability-enum"),
                    "impacted_entity_counts": st.dictionaries(
                        st.sampled_from(["individuals", "organizations"]), _COUNT
                    ),
                },
            )
        )
    return create(
        FimiIncident, marking=P.TLP_AMBER, name=draw(_TEXT), extensions=extensions
    ).to_dict()


def _times() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "start_time": st.just(T0),
        "end_time": st.just(T1),
        "start_time_fidelity": _pick("timestamp-fidelity-enum"),
        "end_time_fidelity": _pick("timestamp-fidelity-enum"),
    }


def _built(model: type[Any], required: dict[str, Any], optional: dict[str, Any]) -> Any:
    return st.fixed_dictionaries(required, optional=optional).map(
        lambda props: create(model, marking=P.TLP_GREEN, **props).to_dict()
    )


_MODEL_OBJECTS = st.one_of(
    _incidents(),
    _built(
        Narrative,
        {"name": _TEXT},
        {"description": _TEXT, "aliases": st.lists(_TEXT, min_size=1, max_size=2),
         "narrative_types": _some("narrative-type-ov"), "first_seen": st.just(T0),
         "last_seen": st.just(T1), "languages": st.just(["ja", "zh-Hant"]),
         "confidence": _PERCENT},
    ),
    _built(
        Channel,
        {"name": _TEXT},
        {"channel_types": _some("channel-type-ov"), "platform": _pick("platform-ov"),
         "account_refs": st.just([ACCOUNT]), "first_seen": st.just(T0)},
    ),
    _built(
        MediaContent,
        {"url": st.sampled_from(["https://social.example/p/1", "https://video.example/w?v=x9"])},
        {"title": _TEXT, "content": _TEXT, "media_category": _pick("media-category-ov"),
         "publication_date": st.just(T0), "platform": _pick("platform-ov"),
         "author_ref": st.just(ACCOUNT), "language": st.just("ja"), "share_count": _COUNT,
         "view_count": _COUNT, "is_synthetic": st.booleans(),
         "archive_url": st.just("https://archive.example/2026/p1"),
         "hashes": st.just({"SHA-256": "ab" * 32})},
    ),
    _built(
        UserAccount,
        {"account_login": st.sampled_from(["ward3_watcher", "harbour_lantern_news"]),
         "extensions": st.fixed_dictionaries(
             {P.EXT_FIMI_ACCOUNT: st.fixed_dictionaries(
                 {"extension_type": st.just("property-extension"),
                  "account_class": _pick("account-class-ov").filter(_not_private)},
                 optional={"is_automated": st.booleans(), "platform": _pick("platform-ov")})})},
        {"account_type": st.just("twitter")},
    ),
    _built(
        Event,
        {"status": _pick("event-status-enum")},
        {"name": _TEXT, "event_types": _some("event-type-ov"), "goal": _TEXT,
         "subevents": st.just([{"event_ref": EVENT}]), **_times(),
         "changed_objects": st.just([{"state_change_type": "escalated", "result_ref": IMPACT}])},
    ),
    _built(
        Impact,
        {"impact_category": st.sampled_from(["external", "external-ext"]),
         "extensions": st.fixed_dictionaries(
             {"external-ext": st.fixed_dictionaries(
                 {"impact_type": _pick("external-impact-ov")})})},
        {"criticality": _PERCENT, "description": _TEXT, "impacted_refs": st.just([AGENCY]),
         "recoverability": _pick("recoverability-enum"),
         "impacted_entity_counts": st.just({"individuals": 412}), **_times()},
    ),
    _built(
        Task,
        {"outcome": _pick("task-outcome-enum")},
        {"name": _TEXT, "description": _TEXT, "task_types": _some("task-type-ov"),
         "priority": _PERCENT, "error": _TEXT, "subtasks": st.just([{"task_ref": TASK}]),
         "impacted_entity_counts": st.just({"individuals": 3}), **_times()},
    ),
)  # fmt: skip

_VALIDATOR = Validator(ValidationOptions(mode="profile", select=PROFILE_CHECKS))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=_MODEL_OBJECTS)
def test_objects_built_by_the_models_pass_the_profile_schemas(obj: dict[str, Any]) -> None:
    bundle = {"type": "bundle", "id": "bundle--8a9c6a1e-3c2f-4e55-9d0b-0f6f1e2d3c4b"}
    report = _VALIDATOR.validate_bytes(json.dumps({**bundle, "objects": [obj]}).encode())
    assert [f"{f.check_id} {f.json_path}: {f.message}" for f in report.findings] == [], obj


# --- what the checks add to the schemas ----------------------------------------------------


def _incident(**extensions: Any) -> dict[str, Any]:
    return {
        "type": "incident",
        "spec_version": "2.1",
        "id": "incident--7a1d2c44-5e0b-4a57-9c3e-6f2a8b9d0e11",
        "created": T0,
        "modified": T0,
        "name": "Fabricated ballot-fraud claims before the Example City vote",
        "object_marking_refs": [P.TLP_GREEN],
        **({"extensions": extensions} if extensions else {}),
    }


def test_an_incident_without_the_fimi_extension_is_told_how_to_add_it() -> None:
    [finding] = profile_findings([_incident()])
    assert finding.startswith("IS-201 $.objects[0]: the incident does not carry")
    assert P.EXT_FIMI_INCIDENT in finding


def test_incident_core_is_compared_only_with_a_fimi_extension_present() -> None:
    core = {"extension_type": "property-extension", "determination": "confirmed",
            "investigation_status": "closed"}  # fmt: skip
    alone = profile_findings([_incident(**{P.EXT_OASIS_INCIDENT_CORE: core})])
    assert [f.split(" ")[0] for f in alone] == ["IS-201"]
    both = profile_findings(
        [_incident(**{P.EXT_FIMI_INCIDENT: FIMI_EXTENSION, P.EXT_OASIS_INCIDENT_CORE: core})]
    )
    assert [f.split(" ")[0] for f in both] == ["IS-206", "IS-206"]
    assert "'confirmed' but the FIMI incident extension's is 'suspected'" in both[0]


def test_schema_failures_point_at_the_failing_value() -> None:
    fimi = {**FIMI_EXTENSION, "engagement": {"share_count": -1}}
    [finding] = profile_findings([_incident(**{P.EXT_FIMI_INCIDENT: fimi})])
    assert finding.startswith(
        f"IS-201 $.objects[0].extensions['{P.EXT_FIMI_INCIDENT}'].engagement.share_count: "
        "-1 is less than the minimum 0"
    )


def test_the_caller_s_objects_are_not_changed() -> None:
    obj = _incident(**{P.EXT_FIMI_INCIDENT: {**FIMI_EXTENSION, "breakout_scale": 9}})
    before = copy.deepcopy(obj)
    findings: list[str] = []
    fimi_incident_extension(obj, lambda path, message, check_id=None: findings.append(path))
    assert findings == [f".extensions['{P.EXT_FIMI_INCIDENT}'].breakout_scale"]
    assert obj == before


@pytest.mark.parametrize(
    ("category", "extensions", "expected"),
    [
        ("external", {"external-ext": {"impact_type": "economic"}}, []),
        ("traceability-ext", {"traceability-ext": {"traceability_impact": "accountability-lost"}},
         []),
        ("external", {"traceability-ext": {"traceability_impact": "accountability-lost"}},
         ["IS-208"]),
        ("monetary", {}, ["IS-208"]),
    ],
)  # fmt: skip
def test_an_impact_carries_the_extension_its_category_names(
    category: str, extensions: dict[str, Any], expected: list[str]
) -> None:
    impact = {
        **VALID["impact.json"],
        "impact_category": category,
        "object_marking_refs": [P.TLP_AMBER],
        "extensions": {P.EXT_OASIS_IMPACT: {"extension_type": "new-sdo"}, **extensions},
    }
    found = profile_findings([impact])
    assert [f.split(" ")[0] for f in found] == expected, found
    if expected:
        assert f"no '{category}-ext' entry" in found[0]


def test_a_new_type_without_its_extension_entry_breaks_both_rules_that_say_so() -> None:
    narrative = {**VALID["narrative.json"], "object_marking_refs": [P.TLP_GREEN]}
    del narrative["extensions"]
    found = profile_findings([narrative])
    assert sorted(f.split(" ")[0] for f in found) == ["IS-108", "IS-202"], found


def test_open_profile_schemas_accept_properties_of_a_later_minor_version() -> None:
    later = {**FIMI_EXTENSION, "coordination_score": 7}
    assert profile_findings([_incident(**{P.EXT_FIMI_INCIDENT: later})]) == []
    closed = {**VALID["oasis-incident-core-extension.json"], "severity": "high"}
    assert failures(COMPILED["oasis-incident-core-extension.json"], closed)


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
_OWN_FIXTURES = sorted((CONFORMANCE / "mandatory").glob("IS-20*/*.json"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_checks_never_raise_on_odd_values(data: st.DataObject) -> None:
    objects = json.loads(data.draw(st.sampled_from(_OWN_FIXTURES)).read_text("utf-8"))["objects"]
    obj = copy.deepcopy(data.draw(st.sampled_from(objects)))
    target = obj
    extensions = obj.get("extensions")
    if isinstance(extensions, dict) and extensions and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(extensions)))
        if isinstance(extensions[key], dict) and data.draw(st.booleans()):
            target = extensions[key]
        else:
            target = extensions
    names = [*sorted(target), "extensions", "impact_category", "determination"]
    target[data.draw(st.sampled_from(names))] = data.draw(_ANY_JSON)
    report = _VALIDATOR.validate_objects([obj])
    assert not [f.message for f in report.findings if "internal error" in f.message]
