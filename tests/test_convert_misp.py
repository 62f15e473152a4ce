"""MISP ↔ profile through misp-stix: the fixture event, every example both ways, bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.convert import ConversionOptions, convert
from infoshare.convert.misp import (
    DISARM_GALAXY,
    EXACT_COPY,
    KEPT_ASIDE,
    cluster_of,
    technique_id_of,
    technique_stix_id,
)
from infoshare.errors import ConversionError
from infoshare.markings import TLP_2_0_IDS
from tests._convert import BRIDGES, EXAMPLES, errors, load

EVENT = load(BRIDGES / "misp" / "ferry-bot-network.json")


def to_profile(event: dict[str, Any], **options: Any) -> Any:
    return convert(event, source="misp", target="profile", options=ConversionOptions(**options))


def to_misp(bundle: dict[str, Any]) -> Any:
    return convert(bundle, source="profile", target="misp")


def test_the_event_becomes_a_profile_case_that_validates() -> None:
    result = to_profile(EVENT)
    assert result.report.complete  # the event's tlp:amber tag marks everything
    assert errors(dict(result.output)) == []
    objects = result.output["objects"]
    kinds = {o["type"] for o in objects}
    assert {"incident", "narrative", "media-content", "user-account", "attack-pattern"} <= kinds
    incident = next(o for o in objects if o["type"] == "incident")
    assert incident["id"] == "incident--3f6b2c1d-8e4a-4b7c-9d2e-5a1f0c3b7e64"
    assert all(
        o["object_marking_refs"] == [TLP_2_0_IDS["amber"]]
        for o in objects
        if o["type"] not in ("marking-definition",)
    )


def test_disarm_galaxy_clusters_are_found_by_their_misp_uuid() -> None:
    assert technique_id_of("78bd9a95-4aa4-5595-90de-839c65ff6542") == "T0049.003"
    cluster = cluster_of("T0049.003")
    assert cluster is not None and cluster.tag.startswith(f'misp-galaxy:{DISARM_GALAXY}="')
    objects = to_profile(EVENT).output["objects"]
    (pattern,) = [o for o in objects if o["type"] == "attack-pattern"]
    assert pattern["id"] == technique_stix_id("78bd9a95-4aa4-5595-90de-839c65ff6542")
    assert pattern["external_references"][0]["source_name"] == "DISARM"
    assert pattern["kill_chain_phases"] == [
        {"kill_chain_name": "disarm", "phase_name": "maximise-exposure"}
    ]


def test_what_the_profile_cannot_hold_is_in_the_note() -> None:
    result = to_profile(EVENT)
    note = next(o for o in result.output["objects"] if o["type"] == "note")
    assert note["abstract"] == "Kept aside from the MISP event"
    content = note["content"]
    for text in ("#LanternFerry", "dismay", "Chat Apps", "islander_4471", "threat_level_id",
                 "Look-alike news site"):  # fmt: skip
        assert text in content, text
    whats = {k.what for k in result.report.kept_aside}
    assert {"hashtag", "5Ds-of-propaganda", DISARM_GALAXY, "microblog", "comment"} <= whats


def test_without_a_tlp_tag_the_tlp_is_needed() -> None:
    event = copy.deepcopy(EVENT)
    event["Event"]["Tag"] = [t for t in event["Event"]["Tag"] if not t["name"].startswith("tlp:")]
    assert [n.option for n in to_profile(event).report.needed] == ["--tlp"]
    result = to_profile(event, tlp="green")
    assert result.report.complete and errors(dict(result.output)) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_goes_to_misp_and_back_and_still_validates(path: Path) -> None:
    original = load(path)
    outward = to_misp(original)
    event = outward.output["Event"]
    assert event["uuid"] == next(
        o["id"].split("--")[1] for o in original["objects"] if o["type"] == "incident"
    )
    names = {o["name"] for o in event["Object"]}
    if any(o["type"] == "narrative" for o in original["objects"]):
        assert "narrative" in names
    back = convert(outward.output, source="misp", target="profile").output
    assert errors(dict(back)) == []
    returned = {json.dumps(o, sort_keys=True) for o in back["objects"]}
    for obj in original["objects"]:
        if obj["type"] in ("attack-pattern", "marking-definition"):
            continue  # techniques come back from the galaxy, under a stable new id
        if "attack-pattern--" in json.dumps(obj):
            continue  # ... so what refers to them names the new id
        assert json.dumps(obj, sort_keys=True) in returned, obj["id"]


def test_disarm_techniques_go_out_as_the_misp_galaxy() -> None:
    event = to_misp(load(EXAMPLES[0])).output["Event"]
    (galaxy,) = [g for g in event["Galaxy"] if g["type"] == DISARM_GALAXY]
    ids = {c["meta"]["external_id"][0] for c in galaxy["GalaxyCluster"]}
    assert "T0002" in ids
    assert f'misp-galaxy:{DISARM_GALAXY}="Facilitate State Propaganda"' in {
        t["name"] for t in event["Tag"]
    }
    assert "tlp:amber" in {t["name"] for t in event["Tag"]}
    comments = [a.get("comment", "") for a in event["Attribute"]]
    assert any(c.startswith(KEPT_ASIDE + " channel--") for c in comments)
    assert any(c.startswith(EXACT_COPY + " narrative--") for c in comments)


def test_an_edited_kept_aside_attribute_is_a_clear_error() -> None:
    outward = to_misp(load(EXAMPLES[0])).output
    for attribute in outward["Event"]["Attribute"]:
        if str(attribute.get("comment", "")).startswith(KEPT_ASIDE):
            attribute["value"] = "{not json"
            break
    with pytest.raises(ConversionError, match="does not hold JSON"):
        to_profile(outward)


@settings(max_examples=25, deadline=None)
@given(
    info=st.text(min_size=1, max_size=40),
    values=st.lists(st.text(max_size=60), max_size=4),
    relation=st.sampled_from(["post", "url", "username", "creation-date", "type", "hashtag"]),
)
def test_varied_microblogs_never_crash(info: str, values: list[str], relation: str) -> None:
    event = copy.deepcopy(EVENT)
    event["Event"]["info"] = info
    event["Event"]["Object"][1]["Attribute"] = [
        {"object_relation": relation, "type": "text", "value": v} for v in values
    ]
    try:
        result = to_profile(event)
    except ConversionError as exc:  # misp-stix may refuse a value: a clear error is fine
        assert "misp input" in exc.message
        return
    assert result.output["type"] == "bundle"


def _template(name: str) -> dict[str, Any]:
    """The misp-objects template pymisp ships (MISP's own current definition)."""
    import pymisp

    path = Path(pymisp.__file__).parent / "data" / "misp-objects" / "objects" / name
    data: dict[str, Any] = json.loads((path / "definition.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize("path", EXAMPLES[:3], ids=lambda p: p.name)
def test_written_objects_follow_the_misp_templates(path: Path) -> None:
    import pymisp

    event = to_misp(load(path)).output
    for misp_object in event["Event"]["Object"]:
        if misp_object["name"] not in ("narrative", "microblog"):
            continue
        template = _template(misp_object["name"])
        assert misp_object["template_uuid"] == template["uuid"]
        assert misp_object["template_version"] == str(template["version"])
        relations = [a["object_relation"] for a in misp_object["Attribute"]]
        assert set(relations) & set(template["requiredOneOf"])
        for attribute in misp_object["Attribute"]:
            spec = template["attributes"][attribute["object_relation"]]
            assert attribute["type"] == spec["misp-attribute"], attribute["object_relation"]
        for relation in set(relations):
            if relations.count(relation) > 1:
                assert template["attributes"][relation].get("multiple"), relation
    loaded = pymisp.MISPEvent()
    loaded.from_dict(**copy.deepcopy(event))  # pymisp reads (and consumes) the whole event
    assert loaded.info == event["Event"]["info"]


def test_a_narratives_name_and_dates_ride_on_the_misp_object() -> None:
    objects = to_profile(EVENT).output["objects"]
    (narrative,) = [o for o in objects if o["type"] == "narrative"]
    assert narrative["name"] == "The government hid a ferry sinking (fictional)"
    assert narrative["first_seen"] == "2026-08-10T06:30:00.000Z"
    assert narrative["description"].startswith("Claims that a passenger ferry sank")
    (account,) = [o for o in objects if o["type"] == "user-account"]
    assert account["display_name"] == "Lantern Watch (fictional)"


def test_an_event_with_several_tlp_tags_marks_objects_with_the_strictest() -> None:
    event = copy.deepcopy(EVENT)
    event["Event"]["Tag"] += [{"name": "tlp:green"}, {"name": "tlp:red"}]
    result = to_profile(event)
    assert errors(dict(result.output)) == []
    marked = [o for o in result.output["objects"] if o["type"] != "marking-definition"]
    assert {tuple(o["object_marking_refs"]) for o in marked} == {(TLP_2_0_IDS["red"],)}


def test_a_bundle_without_incident_goes_to_misp_and_back() -> None:
    original = load(EXAMPLES[0])
    kept = ("narrative", "marking-definition", "identity")
    bundle = {**original, "objects": [o for o in original["objects"] if o["type"] in kept]}
    outward = convert(bundle, source="profile", target="misp",
                      options=ConversionOptions(title="Narratives only"))  # fmt: skip
    assert outward.output["Event"]["info"] == "Narratives only"
    back = to_profile(outward.output)
    assert errors(dict(back.output)) == []
    assert len([o for o in back.output["objects"] if o["type"] == "narrative"]) == 2


def test_a_disarm_technique_named_only_by_its_tag_is_found_by_value() -> None:
    event = copy.deepcopy(EVENT)
    event["Event"].pop("Galaxy")
    event["Event"]["Tag"].append(
        {"name": 'misp-galaxy:disarm-techniques="Develop AI-Generated Images (Deepfakes)"'}
    )
    result = to_profile(event)
    cited = {
        o["external_references"][0]["external_id"]
        for o in result.output["objects"]
        if o["type"] == "attack-pattern"
    }
    assert cited == {"T0049.003", "T0086.002"}  # T0043 (Chat Apps) is not in DISARM 1.6
    assert errors(dict(result.output)) == []


def test_the_galaxy_table_is_well_formed_and_its_script_derives_it() -> None:
    import importlib.util
    import re

    from tests._convert import ROOT

    table = load(ROOT / "spec" / "reference" / "misp-galaxy-disarm-techniques.json")
    assert table["header"]["galaxy_uuid"] == "fb0e6978-2647-5a95-8324-7ebfd2f88b67"
    uuids = [row["uuid"] for row in table["clusters"]]
    assert len(uuids) == len(set(uuids)) > 250
    assert all(re.fullmatch(r"T\d{4}(\.\d{3})?", row["id"]) for row in table["clusters"])
    spec = importlib.util.spec_from_file_location(
        "derive_misp_galaxy", ROOT / "spec" / "reference" / "derive_misp_galaxy.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    source = {
        "type": "disarm-techniques",
        "uuid": "fb0e6978-2647-5a95-8324-7ebfd2f88b67",
        "version": 2,
        "values": [
            {"uuid": "b", "value": "Chat Apps", "description": "left out",
             "meta": {"external_id": ["T0043"], "kill_chain": ["tactics:Select Channels"]}},
            {"uuid": "a", "value": "Facilitate State Propaganda",
             "meta": {"external_id": "T0002", "kill_chain": ["tactics:Plan Objectives"]}},
        ],
    }  # fmt: skip
    derived = script.derive(source, "0" * 40)
    assert derived["clusters"] == [
        {"id": "T0002", "uuid": "a", "value": "Facilitate State Propaganda",
         "tactic": "Plan Objectives"},
        {"id": "T0043", "uuid": "b", "value": "Chat Apps", "tactic": "Select Channels"},
    ]  # fmt: skip
    assert derived["header"]["source_commit"] == "0" * 40


@pytest.mark.parametrize("path", sorted((BRIDGES / "opencti").glob("*.json")), ids=lambda p: p.name)
def test_an_opencti_case_goes_to_misp_through_the_profile_and_back(path: Path) -> None:
    options = ConversionOptions(tlp="amber", author_name="Fictional Office")
    outward = convert(load(path), source="opencti", target="misp", options=options)
    tags = {t["name"] for t in outward.output["Event"]["Tag"]}
    assert any(tag.startswith("tlp:") for tag in tags)
    back = convert(outward.output, source="misp", target="profile", options=options)
    assert errors(dict(back.output)) == []
