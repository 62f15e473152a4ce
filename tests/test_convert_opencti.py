"""OpenCTI ↔ profile over fixtures built from OpenCTI's own code (tests/data/bridges/opencti/).

What OpenCTI exports fails the profile; converted, and given what the report says is
needed, it validates in profile mode. TLP ids of both versions, OpenCTI's
disinformation types and ``x_opencti_*`` fields, its relationship table, DISARM as
its connector writes it and ``stop_time`` are checked one by one; round trips in
both directions lose nothing but OpenCTI's database bookkeeping; bad input gets a
ConversionError naming the JSON path, never another exception.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare.convert import ConversionOptions
from infoshare.convert.opencti import opencti_to_profile, profile_to_opencti
from infoshare.convert.opencti._common import KEPT_ASIDE_ABSTRACT, MAX_OBJECTS, read_kept_aside
from infoshare.convert.opencti._opencti import (
    EXT_MITRE,
    EXT_OCTI,
    EXT_OCTI_SCO,
    OPENCTI_TLP_IDS,
    opencti_accepts,
    standard_id,
)
from infoshare.errors import ConversionError
from infoshare.profile import (
    EXT_CHANNEL,
    EXT_FIMI_INCIDENT,
    EXT_MEDIA_CONTENT,
    EXT_NARRATIVE,
    EXT_OASIS_EVENT,
    TLP_2_0_LEVELS,
)
from infoshare.validation import validate

ID = "6c1bb8b4-5b70-4e09-8f35-d2b6d1a7c001"
DATA = Path(__file__).parent / "data" / "bridges" / "opencti"
EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.json"))
PLATFORM = "platform-export-election-case.json"
PYCTI = "pycti-export-deepfake-scam.json"
TLP_1_0 = {
    "clear": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def example(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def errors(bundle: Any, mode: str = "profile") -> list[str]:
    report = validate(dict(bundle), mode=mode)  # type: ignore[arg-type]
    return [
        f"{f.check_id} {f.object_id} {f.message}"
        for f in report.findings
        if f.severity.value == "error"
    ]


def of_type(bundle: Any, kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def by_name(bundle: Any, name: str) -> dict[str, Any]:
    return next(o for o in bundle["objects"] if o.get("name") == name)


# --- OpenCTI -> profile ----------------------------------------------------------------


def test_opencti_exports_fail_the_profile_as_they_are() -> None:
    assert len(errors(load(PLATFORM))) > 20
    assert errors(load(PYCTI))


def test_converted_case_validates_once_the_needed_tlp_is_given() -> None:
    source = load(PLATFORM)
    first = opencti_to_profile(source)
    assert not first.report.complete
    (needed,) = first.report.needed
    unmarked = by_name(source, "Ballot Watch Relay (fictional)")["id"]
    assert needed.option == "--tlp" and needed.affected[0] == unmarked
    notes = {o["id"]: read_kept_aside(o) for o in of_type(first.output, "note")}
    for other in needed.affected[1:]:  # its kept-aside note, marked like it
        assert notes[other] is not None and notes[other]["object"] == unmarked
    assert any(e.startswith("IS-501") for e in errors(first.output))

    second = opencti_to_profile(source, ConversionOptions(tlp="amber"))
    assert second.report.complete
    assert errors(second.output) == []


def test_pycti_form_converts_without_options() -> None:
    converted = opencti_to_profile(load(PYCTI))
    assert converted.report.complete
    assert errors(converted.output) == []


def test_author_fills_only_what_opencti_left_empty() -> None:
    converted = opencti_to_profile(
        load(PLATFORM), ConversionOptions(tlp="green", author_name="Fictional Converting Desk")
    )
    author = by_name(converted.output, "Fictional Converting Desk")
    assert author["type"] == "identity"
    unmarked = by_name(converted.output, "Ballot Watch Relay (fictional)")
    assert unmarked["created_by_ref"] == author["id"]
    incident = of_type(converted.output, "incident")[0]
    assert incident["created_by_ref"] != author["id"]
    assert errors(converted.output) == []


@pytest.mark.parametrize(
    ("marking", "level"),
    [(OPENCTI_TLP_IDS[level], level) for level in OPENCTI_TLP_IDS]
    + [(TLP_1_0[level], level) for level in TLP_1_0]
    + [(mid, level) for mid, level in TLP_2_0_LEVELS.items()],
)
def test_tlp_of_both_versions_becomes_tlp_2_0(marking: str, level: str) -> None:
    source = load(PYCTI)
    incident = of_type(source, "incident")[0]
    incident["object_marking_refs"] = [marking]
    converted = opencti_to_profile(source).output
    (out,) = of_type(converted, "incident")
    (ref,) = out["object_marking_refs"]
    assert TLP_2_0_LEVELS[ref] == level
    assert ref in {m["id"] for m in of_type(converted, "marking-definition")}


def test_tlp_white_by_name_is_clear() -> None:
    """pycti's older exports name the marking TLP:WHITE with a TLP 1.0 definition."""
    source = load(PYCTI)
    marking = next(o for o in of_type(source, "marking-definition") if o["name"] == "TLP:CLEAR")
    marking.update(id="marking-definition--0b1e8e1c-2f6f-4b8e-9f1a-5c0e2a7d9b31", name="TLP:WHITE",
                   definition={"tlp": "white"})  # fmt: skip
    for obj in source["objects"]:
        if obj.get("object_marking_refs") == [OPENCTI_TLP_IDS["clear"]]:
            obj["object_marking_refs"] = [marking["id"]]
    converted = opencti_to_profile(source).output
    identity = of_type(converted, "identity")[0]
    assert [TLP_2_0_LEVELS[r] for r in identity["object_marking_refs"]] == ["clear"]


def test_opencti_disinformation_types_get_the_profile_extensions() -> None:
    converted = opencti_to_profile(load(PLATFORM), ConversionOptions(tlp="amber")).output
    for kind, ext in (
        ("narrative", EXT_NARRATIVE),
        ("channel", EXT_CHANNEL),
        ("media-content", EXT_MEDIA_CONTENT),
        ("event", EXT_OASIS_EVENT),
    ):
        for obj in of_type(converted, kind):
            assert ext in obj["extensions"], obj
            assert EXT_OCTI not in obj["extensions"] and EXT_OCTI_SCO not in obj["extensions"]
    channel = by_name(converted, "Harbourlight Updates (fictional)")
    assert channel["platform"] == "facebook"
    assert channel["channel_types"] == ["social-media-page"]


def test_event_stop_time_is_end_time() -> None:
    converted = opencti_to_profile(load(PLATFORM), ConversionOptions(tlp="amber")).output
    (event,) = of_type(converted, "event")
    assert event["end_time"] == "2026-05-11T23:59:59.000Z" and "stop_time" not in event
    assert event["status"] == "occurred"
    back = profile_to_opencti(converted).output
    (event,) = of_type(back, "event")
    assert event["stop_time"] == "2026-05-11T23:59:59.000Z" and "end_time" not in event


def test_incident_becomes_a_fimi_incident_with_its_judgements_flagged() -> None:
    converted = opencti_to_profile(load(PYCTI))
    (incident,) = of_type(converted.output, "incident")
    fimi = incident["extensions"][EXT_FIMI_INCIDENT]
    assert fimi["determination"] == "suspected" and fimi["investigation_status"] == "open"
    assert fimi["fimi_types"] == ["misinformation"]
    assert fimi["first_seen"] == "2026-07-20T00:00:00.000Z" and "first_seen" not in incident
    assert any("determination 'suspected'" in note for note in converted.report.notes)


def test_opencti_properties_without_a_profile_field_are_kept_aside() -> None:
    converted = opencti_to_profile(load(PYCTI))
    media = of_type(converted.output, "media-content")[0]
    assert media["description"] == "Synthetic video advert."  # x_opencti_description's home
    assert not any(name.startswith("x_opencti_") for name in media)
    notes = [read_kept_aside(n) for n in of_type(converted.output, "note")]
    body = next(b for b in notes if b and b["object"] == media["id"])
    assert body["properties"] == {
        "x_opencti_created_by_ref": "identity--4d1f0a6e-8c2b-4f3a-9d5e-7b6c1a2e3f40",
        "x_opencti_labels": ["deepfake"],
        "x_opencti_score": 80,
    }
    kept = {(k.source, k.what) for k in converted.report.kept_aside}
    assert (media["id"], "x_opencti_score") in kept
    # a relationship the profile has no row for ("channel publishes url") is kept whole
    refused = next(k for k in converted.report.kept_aside if k.what.startswith("relationship"))
    assert "publishes" in refused.what
    assert not any(o["id"] == refused.source for o in of_type(converted.output, "relationship"))


def test_disarm_from_opencti_connector_is_normalised() -> None:
    converted = opencti_to_profile(load(PLATFORM), ConversionOptions(tlp="amber")).output
    for technique in of_type(converted, "attack-pattern"):
        assert {r["source_name"] for r in technique["external_references"]} == {"DISARM"}
        assert {p["kill_chain_name"] for p in technique["kill_chain_phases"]} == {"disarm"}
        assert "x_mitre_id" not in technique and EXT_MITRE not in technique.get("extensions", {})
    counter = of_type(opencti_to_profile(load(PYCTI)).output, "course-of-action")[0]
    assert counter["external_references"][0]["source_name"] == "DISARM"


def test_mitre_attack_techniques_stay_attack() -> None:
    source = load(PYCTI)
    technique = of_type(source, "attack-pattern")[0]
    technique.update(name="Phishing", x_mitre_id="T1566", kill_chain_phases=[
        {"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}],
        external_references=[{"source_name": "mitre-attack", "external_id": "T1566"}])  # fmt: skip
    out = of_type(opencti_to_profile(source).output, "attack-pattern")[0]
    assert out["external_references"][0]["source_name"] == "mitre-attack"


# --- profile -> OpenCTI ----------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_relationship_written_is_one_opencti_accepts(path: Path) -> None:
    out = profile_to_opencti(example(path)).output
    kinds = {o["id"]: o["type"] for o in out["objects"]}
    for rel in of_type(out, "relationship"):
        source, target = rel["source_ref"].split("--")[0], rel["target_ref"].split("--")[0]
        assert opencti_accepts(source, rel["relationship_type"], target), rel
        assert rel["source_ref"] in kinds and rel["target_ref"] in kinds
    # Containers name what OpenCTI holds: an object kept aside whole is named through
    # the note that carries it.
    for obj in out["objects"]:
        assert all(ref in kinds for ref in obj.get("object_refs", [])), obj["id"]


def test_refused_relationships_travel_in_notes() -> None:
    source = example(next(p for p in EXAMPLES if p.name.startswith("01-")))
    converted = profile_to_opencti(source)
    amplifies = [
        r for r in of_type(source, "relationship")
        if r["relationship_type"] == "amplifies" and r["target_ref"].startswith("narrative--")
    ]  # fmt: skip
    performed = [
        r for r in of_type(source, "relationship") if r["relationship_type"] == "performed"
    ]
    assert amplifies and performed
    written = {r["id"]: r for r in of_type(converted.output, "relationship")}
    for rel in amplifies:
        assert written[rel["id"]]["relationship_type"] == "uses"
    whole = {
        body["object"]
        for body in map(read_kept_aside, of_type(converted.output, "note"))
        if body and "whole_object" in body
    }
    for rel in performed:
        assert rel["id"] not in written and rel["id"] in whole
    assert {o["type"] for o in of_type(source, "task")} and not of_type(converted.output, "task")


def test_disarm_is_written_as_opencti_connector_writes_it() -> None:
    source = example(next(p for p in EXAMPLES if p.name.startswith("01-")))
    out = profile_to_opencti(source).output
    techniques = of_type(out, "attack-pattern")
    assert techniques
    for technique in techniques:
        ref = technique["external_references"][0]
        assert ref["source_name"] == "mitre-attack"
        assert technique["x_mitre_id"] == ref["external_id"]
        assert {p["kill_chain_name"] for p in technique["kill_chain_phases"]} == {"disarm"}
    # OpenCTI identifies a technique by x_mitre_id, so it merges with the connector's:
    connector = next(o for o in load(PLATFORM)["objects"] if o.get("x_mitre_id") == "T0049")
    assert connector["id"] == standard_id("attack-pattern", {"x_mitre_id": "T0049"})


def test_tlp_is_written_with_opencti_ids() -> None:
    source = example(next(p for p in EXAMPLES if p.name.startswith("01-")))
    out = profile_to_opencti(source).output
    markings = {m["id"]: m for m in of_type(out, "marking-definition")}
    assert set(markings) <= set(OPENCTI_TLP_IDS.values())
    clear = markings[OPENCTI_TLP_IDS["clear"]]
    # valid STIX for TLP 1.0 WHITE's id, and read by pycti as TLP:CLEAR
    assert clear["name"] == "TLP:CLEAR" and clear["definition"] == {"tlp": "white"}
    assert not [e for e in errors(out, mode="stix") if e.startswith("IS-109")]
    for obj in out["objects"]:
        for ref in obj.get("object_marking_refs", []):
            assert ref in markings, (obj["id"], ref)


def test_posts_keep_author_and_engagement_in_a_note() -> None:
    source = example(next(p for p in EXAMPLES if p.name.startswith("01-")))
    post = next(o for o in of_type(source, "media-content") if "author_ref" in o)
    out = profile_to_opencti(source).output
    written = next(o for o in of_type(out, "media-content") if o["id"] == post["id"])
    assert "author_ref" not in written and EXT_OCTI_SCO in written["extensions"]
    body = next(
        b for b in map(read_kept_aside, of_type(out, "note")) if b and b["object"] == post["id"]
    )
    assert body["properties"]["author_ref"] == post["author_ref"]
    assert body["properties"]["share_count"] == post["share_count"]


# --- round trips ----------------------------------------------------------------------


def versions(bundle: Any) -> dict[str, Any]:
    return {f"{o['id']}@{o.get('modified', '')}": o for o in bundle["objects"]}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_profile_to_opencti_and_back_is_the_same_case(path: Path) -> None:
    source = example(path)
    there = profile_to_opencti(source)
    back = opencti_to_profile(there.output)
    assert back.report.complete
    assert versions(back.output) == versions(source)


OCTI_BOOKKEEPING_NAMES = {"x_opencti_id", "x_opencti_stix_ids"}


def opencti_view(obj: dict[str, Any]) -> dict[str, Any]:
    """What OpenCTI stores of an object: without its own bookkeeping, TLP as levels."""
    out = {k: v for k, v in obj.items() if k not in OCTI_BOOKKEEPING_NAMES}
    for old, new in (("x_opencti_aliases", "aliases"), ("x_opencti_description", "description")):
        if old in out:
            out[new] = out.pop(old)
    extensions = dict(out.pop("extensions", {}))
    octi = {
        k: v
        for k, v in extensions.pop(EXT_OCTI, {}).items()
        if k not in {"extension_type", "id", "type", "created_at", "updated_at", "is_inferred",
                     "creator_ids", "source_ref", "target_ref", "source_type", "target_type"}
    }  # fmt: skip
    extensions.pop(EXT_OCTI_SCO, None)
    if octi:
        out["octi"] = octi
    if extensions:
        out["extensions"] = extensions
    if "object_marking_refs" in out:
        from infoshare.convert.opencti._opencti import TLP_LEVEL_OF_ID

        out["object_marking_refs"] = [TLP_LEVEL_OF_ID.get(r, r) for r in out["object_marking_refs"]]
    if obj["type"] == "marking-definition":
        return {"id": obj["id"], "name": obj.get("name")}
    return out


@pytest.mark.parametrize("name", [PLATFORM, PYCTI])
def test_opencti_to_profile_and_back_keeps_what_opencti_holds(name: str) -> None:
    source = load(name)
    profile = opencti_to_profile(source, ConversionOptions(tlp="green"))
    written = profile_to_opencti(profile.output).output
    back = versions(written)
    markings = {m["id"] for m in of_type(written, "marking-definition")}
    for key, obj in versions(source).items():
        if obj["type"] == "marking-definition":  # written as pycti writes them, no modified
            assert obj["id"] in markings
            continue
        assert key in back, key
        expected = opencti_view(obj)
        if "object_marking_refs" not in obj and obj["type"] != "marking-definition":
            expected["object_marking_refs"] = ["green"]  # what --tlp added
        assert opencti_view(back[key]) == expected, key


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a JSON object"),
        ("bundle", "not a JSON object"),
        ({"type": "report"}, r"\$\.type: OpenCTI input is not a STIX bundle"),
        ({"type": "bundle", "objects": {}}, r"\$\.objects: expected a list"),
        ({"type": "bundle", "objects": [1]}, r"\$\.objects\[0\]: expected a JSON object"),
        ({"type": "bundle", "objects": [{"id": "x--1"}]}, r"\$\.objects\[0\]\.type"),
        (
            {"type": "bundle", "objects": [{"type": "narrative", "id": "channel--" + ID}]},
            r"\$\.objects\[0\]\.id: .* is not a STIX identifier of type 'narrative'",
        ),
        (
            {
                "type": "bundle",
                "objects": [
                    {"type": "channel", "id": "channel--" + ID, "channel_types": "Facebook"}
                ],
            },
            r"\$\.objects\[0\]\.channel_types: expected list",
        ),
        (
            {
                "type": "bundle",
                "objects": [{"type": "event", "id": "event--" + ID, "stop_time": 5}],
            },
            r"\$\.objects\[0\]\.stop_time: expected str",
        ),
        (
            {"type": "bundle", "objects": [{"type": "relationship", "id": "relationship--" + ID}]},
            r"\$\.objects\[0\]: a relationship needs",
        ),
    ],
)
def test_bad_input_is_a_clear_error(data: object, message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        opencti_to_profile(data)


def test_duplicate_versions_are_refused() -> None:
    source = load(PYCTI)
    source["objects"].append(copy.deepcopy(of_type(source, "incident")[0]))
    with pytest.raises(ConversionError, match="appears twice with the same version"):
        opencti_to_profile(source)


def test_huge_bundle_is_refused_before_any_work() -> None:
    with pytest.raises(ConversionError, match="more than the 200000 one conversion takes"):
        opencti_to_profile({"type": "bundle", "objects": [None] * (MAX_OBJECTS + 1)})


def test_hostile_nesting_is_refused() -> None:
    deep: Any = "x"
    for _ in range(10_000):
        deep = {"a": deep}
    source = load(PYCTI)
    of_type(source, "incident")[0]["x_opencti_bomb"] = deep
    with pytest.raises(ConversionError, match="nests more than"):
        opencti_to_profile(source)
    with pytest.raises(ConversionError, match="nests more than"):
        profile_to_opencti(source)


def test_the_caller_data_is_never_changed() -> None:
    source = load(PLATFORM)
    snapshot = copy.deepcopy(source)
    opencti_to_profile(source, ConversionOptions(tlp="red"))
    profile_to_opencti(source)
    assert source == snapshot


def test_unknown_tlp_option_is_a_clear_error() -> None:
    with pytest.raises(ConversionError, match=r"not a TLP 2\.0 level"):
        opencti_to_profile(load(PYCTI), ConversionOptions(tlp="white"))


def test_notes_of_other_tools_are_left_alone() -> None:
    source = load(PYCTI)
    incident = of_type(source, "incident")[0]
    stamp = "2026-08-03T09:00:00.000Z"
    note = {"type": "note", "spec_version": "2.1", "id": "note--" + ID,
            "created": stamp, "modified": stamp, "abstract": KEPT_ASIDE_ABSTRACT,
            "content": "{not json", "object_refs": [incident["id"]],
            "object_marking_refs": incident["object_marking_refs"]}  # fmt: skip
    source["objects"].append(note)
    out = opencti_to_profile(source).output
    assert any(o["id"] == note["id"] for o in out["objects"])


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=40),
    existing=st.integers(min_value=0, max_value=30),
    key=st.none() | st.text(max_size=12),
    value=JSON,
)
def test_any_mutation_converts_or_fails_clearly(
    index: int, existing: int, key: str | None, value: Any
) -> None:
    """A property of any object (one it has, or a new one) set to any JSON value."""
    for name in (PLATFORM, PYCTI):
        source = load(name)
        objects = source["objects"]
        target = objects[index % len(objects)]
        names = sorted(target)
        target[names[existing % len(names)] if key is None else key] = value
        for direction in (opencti_to_profile, profile_to_opencti):
            try:
                result = direction(copy.deepcopy(source))
            except ConversionError as exc:
                assert exc.message
            else:
                json.dumps(result.output)


def test_case_incident_is_a_report_and_opencti_case_tasks_are_kept_aside() -> None:
    source = load(PLATFORM)
    case = of_type(source, "case-incident")[0]
    task = of_type(source, "task")[0]
    converted = opencti_to_profile(source, ConversionOptions(tlp="amber")).output
    report = next(o for o in of_type(converted, "report") if o["name"] == case["name"])
    assert report["id"] == "report--" + case["id"].split("--", 1)[1]
    assert report["object_refs"] == case["object_refs"]
    assert report["published"] == case["created"] and "severity" not in report
    # OpenCTI's case task is not the profile's OASIS task: it travels whole in a note.
    assert not of_type(converted, "task")
    body = next(
        b
        for b in map(read_kept_aside, of_type(converted, "note"))
        if b and b["object"] == task["id"]
    )
    assert body["whole_object"] == task
    note = next(n for n in of_type(converted, "note") if read_kept_aside(n) == body)
    assert note["object_refs"] == [report["id"]]  # the case, under its profile id
    # OpenCTI's report named the task: the profile's names the note that carries it.
    exported = next(o for o in of_type(converted, "report") if o["id"] != report["id"])
    assert task["id"] not in exported["object_refs"] and note["id"] in exported["object_refs"]
    back = profile_to_opencti(converted).output
    (case_back,) = of_type(back, "case-incident")
    assert case_back["id"] == case["id"] and case_back["severity"] == "high"
    assert "report_types" not in case_back and "published" not in case_back
    assert of_type(back, "task") == [task]
    exported_back = next(o for o in of_type(back, "report"))
    assert (
        task["id"] in exported_back["object_refs"]
        and note["id"] not in exported_back["object_refs"]
    )


READ_PROPERTIES = [
    "object_marking_refs", "granular_markings", "extensions", "kill_chain_phases",
    "external_references", "channel_types", "labels", "first_seen", "last_seen", "stop_time",
    "end_time", "country", "name", "definition", "definition_type", "relationship_type",
    "source_ref", "target_ref", "object_refs", "status", "x_mitre_id", "x_opencti_aliases",
    "content", "abstract", "created", "modified", "created_by_ref", "publication_date",
]  # fmt: skip
WRONG_VALUES = [5, "text", [1], {"a": 1}, None, True, [{"a": 1}], [[]], {EXT_FIMI_INCIDENT: 5}]


@pytest.mark.parametrize("name", READ_PROPERTIES)
def test_wrong_types_in_any_property_the_converter_reads(name: str) -> None:
    for fixture in (PLATFORM, PYCTI):
        objects = load(fixture)["objects"]
        one_of_each = {o["type"]: i for i, o in reversed(list(enumerate(objects)))}
        for index in sorted(one_of_each.values()):
            for value in WRONG_VALUES:
                source = load(fixture)
                source["objects"][index][name] = value
                for convert in (opencti_to_profile, profile_to_opencti):
                    try:
                        convert(source)
                    except ConversionError as exc:
                        assert exc.message


def test_fimi_types_come_from_labels_and_incident_type_in_the_vocabulary() -> None:
    source = load(PYCTI)
    incident = of_type(source, "incident")[0]
    incident.update(labels=["misinformation", "urgent"], incident_type="fraud-scam")
    out = of_type(opencti_to_profile(source).output, "incident")[0]
    assert out["extensions"][EXT_FIMI_INCIDENT]["fimi_types"] == ["misinformation", "fraud-scam"]
    assert out["labels"] == ["misinformation", "urgent"]  # labels stay labels


def test_x_opencti_fields_find_a_home_only_where_stix_has_one() -> None:
    source = load(PYCTI)
    account = {
        "type": "user-account", "spec_version": "2.1",
        "id": "user-account--0c8e5a57-6f0e-5d1a-9a3b-2f4c6e8a0b1c",
        "account_login": "quickyield", "x_opencti_description": "Page admin",
        "object_marking_refs": [OPENCTI_TLP_IDS["green"]],
    }  # fmt: skip
    source["objects"].append(account)
    converted = opencti_to_profile(source)
    out = next(o for o in converted.output["objects"] if o["id"] == account["id"])
    assert "description" not in out  # STIX gives user-account none
    assert (account["id"], "x_opencti_description") in {
        (k.source, k.what) for k in converted.report.kept_aside
    }
    channel = of_type(converted.output, "channel")[0]
    assert channel["aliases"] == ["QYD"]  # x_opencti_aliases, at home on a domain object
    assert errors(converted.output) == []
