"""Profile 1.1 withdrawal and per-item synthetic media: models, builders, checks, examples.

Implements the tests of spec/profile/19-synthetic-media.md and
spec/profile/20-withdrawal.md beyond the conformance fixtures: lossless round
trips of the new models, the builders' rules, the hash checks in both presets,
and examples 10 and 11 regenerating byte for byte.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infoshare.errors import ModelError
from infoshare.models import (
    MediaContent,
    SyntheticMediaAnalysis,
    Withdrawal,
    analyse_media,
    create,
    new_version,
    parse_object,
    read_bundle,
    revoke,
    withdraw,
)
from infoshare.profile import (
    EXT_SYNTHETIC_MEDIA_ANALYSIS,
    EXT_WITHDRAWAL,
    TLP_AMBER,
    TLP_GREEN,
)
from infoshare.validation._registry import ValidationOptions
from infoshare.validation._validator import Validator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BUILDER = EXAMPLES / "build_withdrawal_and_media_evidence_cases.py"
CASES = ("10-false-positive-withdrawal.json", "11-deepfake-per-item-evidence.json")
AGENCY = "identity--3fcb4b70-f79a-4ffc-a71b-9592244ececa"
PARTNER = "identity--5b0e2a8c-7d4f-4c1e-9a36-1f2e3d4c5b6a"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def _media(**hashes: str) -> MediaContent:
    return create(
        MediaContent,
        marking=TLP_GREEN,
        url="https://video.example/watch/f1c7a2",
        hashes={"SHA-256": "3a" * 32, **hashes},
    )


def findings(objects: list[dict[str, Any]], mode: str = "profile") -> list[tuple[str, str]]:
    bundle = {"type": "bundle", "id": "bundle--8a9c6a1e-3c2f-4e55-9d0b-0f6f1e2d3c4b"}
    report = Validator(ValidationOptions(mode=mode)).validate_bytes(  # type: ignore[arg-type]
        json.dumps({**bundle, "objects": objects}).encode()
    )
    return [(f.check_id, f.json_path) for f in report.findings]


# --- models and builders ------------------------------------------------------------------


def test_analysis_round_trips_and_versions() -> None:
    media = _media(PDQ=PDQ)
    first = analyse_media(
        media, verdict="inconclusive", detection_methods=["automated-classifier"],
        confidence=40, marking=TLP_GREEN, created_by_ref=AGENCY,
    )  # fmt: skip
    data = first.to_dict()
    assert data["media_ref"] == media.id
    assert data["extensions"] == {EXT_SYNTHETIC_MEDIA_ANALYSIS: {"extension_type": "new-sdo"}}
    again = parse_object({**data, "x_unknown": {"kept": True}})
    assert isinstance(again, SyntheticMediaAnalysis)
    assert again.to_dict() == {**data, "x_unknown": {"kept": True}}
    second = new_version(
        first, verdict="synthetic", synthetic_media_kinds=["face-swap"], confidence=90
    )
    assert (second.id, second.created) == (first.id, first.created)
    assert second.modified > first.modified
    assert findings([media.to_dict(), first.to_dict(), second.to_dict()]) == [
        ("IS-301", "$.objects[1].created_by_ref"),
        ("IS-301", "$.objects[2].created_by_ref"),
    ]


@pytest.mark.parametrize(
    ("props", "match"),
    [
        ({"verdict": "synthetic"}, "say which kinds"),
        ({"verdict": "authentic", "synthetic_media_kinds": ["face-swap"]}, "leave synthetic"),
        ({"verdict": "probably-fake"}, "verdict"),
        ({"verdict": "authentic", "detection_methods": []}, "at least one"),
    ],
)
def test_analysis_model_refuses_what_the_schema_refuses(props: dict[str, Any], match: str) -> None:
    base = {"detection_methods": ["forensic-analysis"], "confidence": 50}
    with pytest.raises(ModelError, match=match):
        create(
            SyntheticMediaAnalysis, marking=TLP_GREEN, media_ref=_media().id, **{**base, **props}
        )


def test_analysis_must_point_to_media_content() -> None:
    with pytest.raises(ModelError, match="must reference a media-content"):
        analyse_media(
            "url--0c2f3b8e-1f5a-5d6e-9a7b-2c3d4e5f6a7b", verdict="authentic",
            detection_methods=["source-comparison"], confidence=60, marking=TLP_GREEN,
        )  # fmt: skip


def test_withdraw_builds_a_final_withdrawal_with_the_most_open_marking() -> None:
    media = _media()
    analysis = analyse_media(
        media, verdict="authentic", detection_methods=["source-comparison"], confidence=60,
        marking=TLP_AMBER, created_by_ref=AGENCY,
    )  # fmt: skip
    withdrawal = withdraw([analysis, media], by=AGENCY, reason="duplicate")
    data = withdrawal.to_dict()
    assert data["withdrawn_refs"] == [analysis.id, media.id]
    assert data["object_marking_refs"] == [TLP_GREEN]  # the media-content's, the more open
    assert data["extensions"] == {EXT_WITHDRAWAL: {"extension_type": "new-sdo"}}
    assert data["created"] == data["modified"]
    assert parse_object(data).to_dict() == data
    with pytest.raises(ModelError, match="one version only"):
        new_version(withdrawal, reason="other")
    with pytest.raises(ModelError, match="one version only"):
        revoke(withdrawal)
    assert findings([media.to_dict(), analysis.to_dict(), data]) == [
        ("IS-301", "$.objects[1].created_by_ref"),
        ("IS-301", "$.objects[2].created_by_ref"),
    ]


def test_withdraw_refuses_objects_of_another_creator_and_markings() -> None:
    theirs = analyse_media(
        _media(), verdict="authentic", detection_methods=["source-comparison"], confidence=60,
        marking=TLP_GREEN, created_by_ref=PARTNER,
    )  # fmt: skip
    with pytest.raises(ModelError, match="only the organisation that created"):
        withdraw([theirs], by=AGENCY, reason="false-positive", marking=TLP_GREEN)
    with pytest.raises(ModelError, match="cannot be withdrawn"):
        withdraw([TLP_GREEN], by=AGENCY, reason="other", marking=TLP_GREEN)
    with pytest.raises(ModelError, match="withdrawn_refs"):
        withdraw([], by=AGENCY, reason="other", marking=TLP_GREEN)
    with pytest.raises(ModelError, match="created_by_ref"):
        Withdrawal.from_dict(
            {k: v for k, v in withdraw(["incident--4d2e6f80-1a3b-4c5d-8e9f-0a1b2c3d4e5f"],
             by=AGENCY, reason="other", marking=TLP_GREEN).to_dict().items()
             if k != "created_by_ref"}
        )  # fmt: skip


# --- hash keys in both presets -------------------------------------------------------------


def test_profile_hash_keys_raise_nothing_in_the_profile_preset() -> None:
    media = _media(PDQ=PDQ, pHash="d1d1b1a1e1c1c3c7", **{"TMK-PDQF": "VE1LMUZWRUNQREZG"})
    image = {
        "type": "file", "spec_version": "2.1",
        "id": "file--4c3a2b1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d", "name": "still.jpg",
        "hashes": {"SHA-256": "3a" * 32, "PDQ": PDQ}, "object_marking_refs": [TLP_GREEN],
    }  # fmt: skip
    assert [f for f in findings([media.to_dict(), image]) if f[0] != "IS-152"] == []


def test_stix_preset_keeps_stix_rules_on_perceptual_hash_keys() -> None:
    image = {
        "type": "file", "spec_version": "2.1",
        "id": "file--4c3a2b1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d", "name": "still.jpg",
        "hashes": {"SHA-256": "3a" * 32, "PDQ": PDQ}, "object_marking_refs": [TLP_GREEN],
    }  # fmt: skip
    found = findings([image], mode="stix")
    assert ("IS-154", "$.objects[0].hashes.PDQ") in found
    assert not {"IS-221", "IS-222", "IS-126"} & {check for check, _ in found}
    # The key's characters are STIX's rule in both presets: '+' is not allowed.
    plus = {**image, "hashes": {"SHA-256": "3a" * 32, "TMK+PDQF": "VE1LMUZWRU"}}
    for mode in ("stix", "profile"):
        assert ("IS-126", "$.objects[0].hashes['TMK+PDQF']") in findings([plus], mode=mode)


# --- examples 10 and 11 --------------------------------------------------------------------


def test_builder_regenerates_examples_10_and_11(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(BUILDER), str(tmp_path)], check=True, capture_output=True, cwd=ROOT
    )
    for name in CASES:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), (
            f"{name} is out of date: run python {BUILDER.relative_to(ROOT)}"
        )


def test_example_10_withdraws_everything_about_the_person_after_the_correction() -> None:
    objects = read_bundle(EXAMPLES / CASES[0]).objects
    withdrawal = objects[-1]
    assert isinstance(withdrawal, Withdrawal)
    incident_versions = [o for o in objects if o.type == "incident"]
    assert incident_versions[-1].to_dict()["extensions"]  # the false-positive version
    fimi = next(iter(incident_versions[-1].to_dict()["extensions"].values()))
    assert fimi["determination"] == "false-positive"
    withdrawn = set(withdrawal.withdrawn_refs)
    assert {o.id for o in objects if o.type in {"user-account", "media-content"}} <= withdrawn
    assert incident_versions[0].id in withdrawn


def test_example_11_has_one_analysis_per_item_and_a_corrected_verdict() -> None:
    objects = read_bundle(EXAMPLES / CASES[1]).objects
    media = {o.id for o in objects if o.type == "media-content"}
    analyses = [o for o in objects if isinstance(o, SyntheticMediaAnalysis)]
    assert {a.media_ref for a in analyses} == media
    by_id: dict[str, list[SyntheticMediaAnalysis]] = {}
    for analysis in analyses:
        by_id.setdefault(analysis.id, []).append(analysis)
    versions = next(v for v in by_id.values() if len(v) == 2)
    assert [v.verdict for v in versions] == ["inconclusive", "synthetic"]


# --- IS-310 and IS-723 across the input, in memory and spilled -------------------------------

FIXTURES = ROOT / "spec" / "conformance"


@pytest.mark.parametrize("spill_threshold", [None, 1])
@pytest.mark.parametrize("reverse", [False, True])
def test_withdrawal_author_and_marking_whatever_the_order_and_memory(
    spill_threshold: int | None, reverse: bool
) -> None:
    """The rule holds wherever the withdrawal sits in the input, and after a spill."""
    cases = {
        "mandatory/IS-310/fail-01-withdraws-another-agencys-incident.json": {"IS-310"},
        "recommended/IS-723/fail-01-withdrawal-more-restricted.json": {"IS-723"},
        "mandatory/IS-310/pass-11-creator-withdraws.json": set(),
    }
    for name, expected in cases.items():
        bundle = json.loads((FIXTURES / name).read_text("utf-8"))
        if reverse:
            bundle["objects"].reverse()
        options = ValidationOptions(mode="profile", spill_threshold=spill_threshold)
        report = Validator(options).validate_bytes(json.dumps(bundle).encode())
        assert {f.check_id for f in report.findings} == expected, name


def test_withdrawn_refs_need_not_resolve_but_other_references_must() -> None:
    lone = withdraw(
        ["user-account--2f793107-4c3a-5d94-ae0e-5f8ebdb1f138"],
        by=AGENCY, reason="private-person", marking=TLP_AMBER,
    ).to_dict()  # fmt: skip
    assert findings([lone]) == [("IS-301", "$.objects[0].created_by_ref")]


def test_analysis_references_point_to_media_and_identities() -> None:
    media = _media()
    analysis = analyse_media(
        media, verdict="authentic", detection_methods=["source-comparison"], confidence=60,
        marking=TLP_GREEN,
    ).to_dict()  # fmt: skip
    wrong = {**analysis, "media_ref": AGENCY, "depicted_refs": [media.id]}
    found = findings([media.to_dict(), wrong])
    assert ("IS-110", "$.objects[1].media_ref") in found
    assert ("IS-110", "$.objects[1].depicted_refs[0]") in found
    assert findings([media.to_dict(), analysis]) == []
