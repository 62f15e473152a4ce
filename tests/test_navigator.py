"""DISARM Navigator layers (infoshare/navigator.py): format, tactics, counts, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.errors import UsageError
from infoshare.navigator import (
    DOMAIN,
    LAYER_FORMAT_VERSION,
    NAVIGATOR_VERSION,
    build_layer,
    layer_problems,
    technique_counts,
)
from infoshare.reference import disarm_framework

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TECHNIQUES = sorted(disarm_framework().techniques)


def _objects(name: str) -> list[dict[str, object]]:
    return list(json.loads((EXAMPLES / name).read_text(encoding="utf-8"))["objects"])


def test_a_layer_names_the_disarm_domain_and_versions() -> None:
    layer = build_layer("Example case", {"T0002": 1})
    assert layer["domain"] == DOMAIN == "DISARM"
    assert layer["versions"] == {
        "attack": "1", "navigator": NAVIGATOR_VERSION, "layer": LAYER_FORMAT_VERSION,
    }  # fmt: skip
    assert layer_problems(layer) == []
    json.dumps(layer)  # plain JSON


def test_each_technique_sits_under_its_disarm_tactic_with_its_count() -> None:
    framework = disarm_framework()
    layer = build_layer("Counts", {"T0049.003": 3, "T0002": 1})
    by_id = {t["techniqueID"]: t for t in layer["techniques"]}
    assert by_id["T0049.003"]["score"] == 3
    assert by_id["T0049.003"]["tactic"] == framework.tactics_of("T0049.003")[0].shortname
    assert by_id["T0002"]["tactic"] == "plan-objectives"
    # The parent of a sub-technique is there, unscored, opened to show it.
    assert by_id["T0049"]["showSubtechniques"] is True and "score" not in by_id["T0049"]
    assert layer["gradient"]["minValue"] == 0 and layer["gradient"]["maxValue"] == 3
    assert by_id["T0049.003"]["comment"] == "used by 3 incident(s)"


def test_an_empty_layer_is_still_valid() -> None:
    layer = build_layer("", {})
    assert layer["techniques"] == [] and layer["gradient"]["maxValue"] == 1
    assert layer["name"] == "DISARM techniques"
    assert layer_problems(layer) == []


def test_a_technique_disarm_does_not_know_is_kept_and_named() -> None:
    layer = build_layer("Unknown", {"T9999": 1})
    assert [t["techniqueID"] for t in layer["techniques"]] == ["T9999"]
    assert "tactic" not in layer["techniques"][0]
    assert {"name": "not in DISARM 1.6", "value": "T9999"} in layer["metadata"]


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"TA05": 1}, "not a DISARM technique id"),
        ({"T0002'; drop": 1}, "not a DISARM technique id"),
        ({"t0002": 1}, "not a DISARM technique id"),
        ({"T0002": 0}, "positive whole number"),
        ({"T0002": -3}, "positive whole number"),
        ({"T0002": True}, "positive whole number"),
        ({"T0002": 1.5}, "positive whole number"),
    ],
)
def test_bad_counts_are_refused_clearly(counts: dict[str, int], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build_layer("Bad", counts)


def test_names_are_one_line_and_bounded() -> None:
    layer = build_layer("line one\nline two\t" + "x" * 500, {})
    assert "\n" not in layer["name"] and len(layer["name"]) == 200


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(TECHNIQUES), st.integers(1, 10_000), max_size=40))
def test_any_counts_give_a_valid_layer(counts: dict[str, int]) -> None:
    layer = build_layer("Generated", counts)
    assert layer_problems(layer) == []
    scored = {t["techniqueID"]: t["score"] for t in layer["techniques"] if "score" in t}
    assert scored == counts
    assert layer["gradient"]["maxValue"] == max(counts.values(), default=1)
    ids = [t["techniqueID"] for t in layer["techniques"]]
    assert len(ids) == len(set(ids))


def test_counts_across_the_incidents_of_bundles() -> None:
    seafood = _objects("01-treated-water-disinformation.json")
    election = _objects("02-election-bot-amplification.json")
    one = technique_counts(seafood)
    assert len(one) == 7 and set(one.values()) == {1}
    both = technique_counts(seafood + election)
    assert both["T0023.001"] == 2  # both incidents use it
    assert sum(both.values()) == 14


def test_layer_problems_names_what_is_wrong() -> None:
    broken = {
        "name": "", "domain": "enterprise-attack", "versions": {},
        "techniques": [{"techniqueID": "X1110"}, {"techniqueID": "T0002", "tactic": "nope"},
                       {"techniqueID": "T0002", "score": "high"}, "x"],
        "gradient": {"colors": ["#fff"], "minValue": 5, "maxValue": 5},
    }  # fmt: skip
    problems = layer_problems(broken)
    for expected in ("name", "domain", "versions", "techniques[0].techniqueID",
                     "techniques[1].tactic", "techniques[2].score", "techniques[3]",
                     "gradient.colors", "gradient: maxValue"):  # fmt: skip
        assert any(p.startswith(expected) for p in problems), (expected, problems)
    assert layer_problems([]) == ["a layer is a JSON object"]
