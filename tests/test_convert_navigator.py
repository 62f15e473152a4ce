"""Profile → DISARM Navigator layer: one case, a collection of cases, the report."""

from __future__ import annotations

from typing import Any

from infoshare.convert import ConversionOptions, convert
from infoshare.navigator import layer_problems
from tests._convert import EXAMPLES, load


def layer_of(bundle: dict[str, Any], **options: Any) -> Any:
    return convert(bundle, source="profile", target="navigator",
                   options=ConversionOptions(**options))  # fmt: skip


def scores(layer: dict[str, Any]) -> dict[str, int]:
    return {t["techniqueID"]: t["score"] for t in layer["techniques"] if "score" in t}


def test_a_case_gives_a_layer_of_its_techniques() -> None:
    bundle = load(EXAMPLES[0])
    result = layer_of(bundle)
    assert layer_problems(result.output) == []
    incident = next(o for o in bundle["objects"] if o["type"] == "incident")
    assert result.output["name"] == incident["name"]
    assert set(scores(dict(result.output)).values()) == {1}
    assert result.report.converted == {"technique": len(scores(dict(result.output)))}


def test_a_collection_scores_techniques_by_the_incidents_using_them() -> None:
    objects: list[dict[str, Any]] = []
    singles: list[dict[str, int]] = []
    for path in EXAMPLES:
        bundle = load(path)
        objects += bundle["objects"]
        singles.append(scores(dict(layer_of(bundle).output)))
    collection = {"type": "bundle", "id": "bundle--0d5c1b3a-2e4f-4a6b-8c7d-9e0f1a2b3c4d",
                  "objects": objects}  # fmt: skip
    result = layer_of(collection, title="All example cases")
    assert result.output["name"] == "All example cases"
    expected: dict[str, int] = {}
    for single in singles:
        for technique in single:
            expected[technique] = expected.get(technique, 0) + 1
    assert scores(dict(result.output)) == expected
    assert max(expected.values()) > 1  # the examples share techniques
    assert layer_problems(result.output) == []


def test_techniques_no_incident_uses_are_named_in_the_report() -> None:
    bundle = load(EXAMPLES[0])
    incident_ids = {o["id"] for o in bundle["objects"] if o["type"] == "incident"}
    bundle["objects"] = [
        o for o in bundle["objects"]
        if not (o["type"] == "relationship" and o["source_ref"] in incident_ids
                and o["target_ref"].startswith("attack-pattern--"))
    ]  # fmt: skip
    result = layer_of(bundle)
    assert scores(dict(result.output)) == {}
    assert any("used by no incident" in note for note in result.report.notes)
