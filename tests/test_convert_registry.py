"""The registry of conversions: routes, unknown formats, missing bridges and packages."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from infoshare.convert import DIRECTIONS, FORMATS, ConversionOptions, convert
from infoshare.convert._registry import route
from infoshare.errors import UsageError
from tests._convert import BRIDGES, load


def test_every_direction_touches_the_profile() -> None:
    for source, target in DIRECTIONS:
        assert "profile" in (source, target)
        assert source in FORMATS and target in FORMATS


def test_two_tools_go_through_the_profile() -> None:
    assert route("misp", "navigator") == (("misp", "profile"), ("profile", "navigator"))
    assert route("disinfox", "misp") == (("disinfox", "profile"), ("profile", "misp"))
    assert route("profile", "misp") == (("profile", "misp"),)


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("profile", "profile", "nothing to convert"),
        ("navigator", "profile", "can only be written"),
        ("profile", "disinfox", "can only be read"),
        ("stix1", "profile", "unknown source format 'stix1'"),
        ("profile", "csv", "unknown target format 'csv'"),
    ],
)
def test_impossible_directions_are_usage_errors(source: str, target: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        convert({"type": "bundle", "objects": []}, source=source, target=target)


def test_a_bridge_missing_from_the_installation_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        DIRECTIONS, ("misp", "profile"), ("infoshare.convert._no_such_bridge", "convert")
    )
    with pytest.raises(UsageError, match="not part of this installation"):
        convert({"Event": {"info": "x"}}, source="misp", target="profile")


def test_a_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "misp_stix_converter", None)  # import fails
    event = load(BRIDGES / "misp" / "ferry-bot-network.json")
    with pytest.raises(UsageError, match="misp") as caught:
        convert(event, source="misp", target="profile")
    assert "infoshare[bridges]" in (caught.value.hint or "")


def test_two_step_conversion_reports_both_steps() -> None:
    event = load(BRIDGES / "misp" / "ferry-bot-network.json")
    result = convert(event, source="misp", target="navigator")
    assert result.report.source == "misp" and result.report.target == "navigator"
    assert any(note.startswith("(misp → profile)") for note in result.report.notes)
    assert any(k.what == "hashtag" for k in result.report.kept_aside)
    assert [t["techniqueID"] for t in result.output["techniques"]] == ["T0049", "T0049.003"]


def test_the_input_is_never_modified() -> None:
    event = load(BRIDGES / "misp" / "ferry-bot-network.json")
    before = repr(event)
    options: Any = ConversionOptions(tlp="green")
    convert(event, source="misp", target="profile", options=options)
    assert repr(event) == before


def test_an_unknown_tlp_level_is_a_usage_error() -> None:
    bundle = load(BRIDGES / "disinfox" / "harbour-vaccines.json")
    with pytest.raises(UsageError, match="unknown TLP level 'orange'"):
        convert(
            bundle, source="disinfox", target="profile", options=ConversionOptions(tlp="orange")
        )
