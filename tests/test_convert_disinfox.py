"""DISINFOX → profile over a fixture in DISINFOX's own shape."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.convert import ConversionOptions, convert
from infoshare.convert._support import country_code
from infoshare.errors import ConversionError
from infoshare.profile import EXT_FIMI_INCIDENT
from tests._convert import BRIDGES, errors, load

SOURCE = load(BRIDGES / "disinfox" / "harbour-vaccines.json")
OPTIONS = ConversionOptions(tlp="amber", author_name="Fictional Office for Information Integrity")


def converted(data: dict[str, Any] | None = None, options: ConversionOptions = OPTIONS) -> Any:
    return convert(data or SOURCE, source="disinfox", target="profile", options=options)


def test_the_case_validates_in_profile_mode_once_tlp_and_author_are_given() -> None:
    result = converted()
    assert result.report.complete
    assert errors(dict(result.output)) == []


def test_without_tlp_and_author_the_report_says_what_is_needed() -> None:
    result = converted(options=ConversionOptions())
    needed = {n.option: n for n in result.report.needed}
    assert set(needed) == {"--tlp", "--author"}
    incident = next(o for o in result.output["objects"] if o["type"] == "incident")
    assert incident["id"] in needed["--tlp"].affected
    assert errors(dict(result.output))  # and the validator agrees it is not shareable


def test_the_labelled_intrusion_set_becomes_a_fimi_incident() -> None:
    objects = converted().output["objects"]
    incident = next(o for o in objects if o["type"] == "incident")
    assert not [o for o in objects if o["type"] == "intrusion-set"]
    extension = incident["extensions"][EXT_FIMI_INCIDENT]
    assert extension["determination"] == "suspected"
    assert extension["fimi_types"] == ["disinformation"]
    assert extension["first_seen"] == "2026-04-28T00:00:00Z"
    uses = [o for o in objects if o["type"] == "relationship" and o["source_ref"] == incident["id"]]
    assert {o["relationship_type"] for o in uses} == {"uses", "targets"}


def test_disarm_citations_and_countries_take_the_profiles_form() -> None:
    objects = converted().output["objects"]
    cited = [o["external_references"][0] for o in objects if o["type"] == "attack-pattern"]
    assert {c["external_id"] for c in cited} == {"T0002", "T0086.002"}
    assert {c["source_name"] for c in cited} == {"DISARM"}
    assert sorted(o["country"] for o in objects if o["type"] == "location") == ["PH", "VN", "VN"]


def test_what_has_no_home_is_in_the_note_and_the_report() -> None:
    result = converted()
    note = next(o for o in result.output["objects"] if o["type"] == "note")
    kept = json.loads(note["content"])
    aside = {(k.source, k.what) for k in result.report.kept_aside}
    for source, _what in aside:
        assert source in kept or any(source in json.dumps(v) for v in kept.values()), source
    reasons = " ".join(k.reason for k in result.report.kept_aside)
    assert "T0043" in reasons and "Atlantis" in reasons and "§13.2" in reasons
    assert any(what == "x_mitre_platforms" for _, what in aside)


def test_the_same_input_gives_the_same_output() -> None:
    assert converted().output == converted().output


@pytest.mark.parametrize(
    ("name", "code"),
    [("Viet Nam", "VN"), ("vietnam", "VN"), ("Russia", "RU"), ("PHL", "PH"), ("jp", "JP"),
     ("Atlantis", None), ("", None)],
)  # fmt: skip
def test_country_names(name: str, code: str | None) -> None:
    assert country_code(name) == code


@settings(max_examples=40, deadline=None)
@given(
    country=st.text(max_size=30),
    labels=st.lists(st.sampled_from(["disinformation", "incident", "Disinformation", "x"])),
    first_seen=st.one_of(st.none(), st.text(max_size=25)),
)
def test_varied_incidents_never_crash(
    country: str, labels: list[str], first_seen: str | None
) -> None:
    data = copy.deepcopy(SOURCE)
    for obj in data["objects"]:
        if obj["type"] == "location":
            obj["country"] = country
        if obj["type"] == "intrusion-set":
            obj["labels"] = labels
            if first_seen is None:
                obj.pop("first_seen", None)
            else:
                obj["first_seen"] = first_seen
    result = converted(data)
    assert result.output["type"] == "bundle"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "bundle", "objects": [None]}, r"\$\.objects\[0\]"),
        ({"type": "bundle", "objects": [{"type": "x", "id": 5}]}, "valid STIX id"),
        ({"objects": []}, r"\$\.type"),
    ],
)
def test_malformed_bundles(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        converted(data)


def test_the_authors_country_becomes_a_location_it_is_located_at() -> None:
    options = ConversionOptions(tlp="green", author_name="Fictional Office", author_country="ph")
    result = converted(options=options)
    assert errors(dict(result.output)) == []
    objects = {o["id"]: o for o in result.output["objects"]}
    (link,) = [o for o in objects.values() if o.get("relationship_type") == "located-at"]
    assert objects[link["source_ref"]]["name"] == "Fictional Office"
    assert objects[link["target_ref"]]["country"] == "PH"


def test_an_unknown_author_country_is_a_usage_error() -> None:
    from infoshare.errors import UsageError

    with pytest.raises(UsageError, match="not an ISO 3166-1 alpha-2 code"):
        converted(options=ConversionOptions(author_name="X", author_country="Philippines"))
