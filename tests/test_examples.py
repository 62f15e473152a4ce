"""The example cases in examples/: valid, readable into models, reproducible, consistent.

The profile requires four example cases (spec/profile/14-conformance.md);
examples/README.md describes them. Every example must pass profile
validation with no finding of any severity, read into the library's models
and come back unchanged, and case 4 must follow STIX 2.1 versioning
(spec/profile/09-standard-objects.md §9.4) against case 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infoshare import validate
from infoshare.models import (
    MODEL_BY_TYPE,
    FimiIncident,
    GenericStixObject,
    VersionedObject,
    read_bundle,
    write_bundle,
)
from infoshare.stix.timestamps import timestamp_key

ROOT = Path(__file__).parent.parent
EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))
CASE_01 = EXAMPLES_DIR / "01-treated-water-disinformation.json"
CASE_02 = EXAMPLES_DIR / "02-election-bot-amplification.json"
CASE_04 = EXAMPLES_DIR / "04-multi-partner-update.json"
BUILD_02_04 = EXAMPLES_DIR / "build_election_and_update_cases.py"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_four_example_cases_are_there() -> None:
    assert {CASE_01, CASE_02, CASE_04} <= set(EXAMPLES)
    assert {path.name[:3] for path in EXAMPLES} >= {"01-", "02-", "03-", "04-"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_passes_profile_validation_without_any_finding(path: Path) -> None:
    report = validate(path)
    assert [
        f"{finding.check_id} {finding.json_path}: {finding.message}" for finding in report.findings
    ] == []
    assert report.files[0].objects == len(load(path)["objects"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_reads_into_the_profile_models_and_back(path: Path, tmp_path: Path) -> None:
    original = load(path)
    bundle = read_bundle(path)
    for obj in bundle.objects:
        expected = MODEL_BY_TYPE.get(obj.type, GenericStixObject)
        if obj.type == "incident":
            expected = FimiIncident
        assert type(obj) is expected, obj.id
    written = tmp_path / path.name
    write_bundle(bundle, written)
    assert load(written) == original


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_described_in_the_readme(path: Path) -> None:
    readme = (EXAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    assert f"({path.name})" in readme


def test_build_script_reproduces_cases_02_and_04(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(BUILD_02_04), str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    for committed in (CASE_02, CASE_04):
        assert (tmp_path / committed.name).read_bytes() == committed.read_bytes(), (
            f"{committed.name} is out of date: run python {BUILD_02_04.relative_to(ROOT)}"
        )


def test_case_02_keeps_the_private_person_minimal() -> None:
    accounts = [obj for obj in load(CASE_02)["objects"] if obj["type"] == "user-account"]
    private = [
        account
        for account in accounts
        if any(
            ext.get("account_class") == "private-person" for ext in account["extensions"].values()
        )
    ]
    assert len(private) == 1
    (person,) = private
    assert not {"display_name", "account_login"} & person.keys()
    posts = [
        obj
        for obj in load(CASE_02)["objects"]
        if obj["type"] == "media-content" and obj.get("author_ref") == person["id"]
    ]
    assert posts and all("content" not in post and "archive_url" in post for post in posts)


def versions(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(obj["id"], obj["modified"]): obj for obj in load(path)["objects"] if "modified" in obj}


def test_case_04_copies_of_case_01_objects_are_unchanged() -> None:
    """The same id and modified name one version, which never changes (STIX 2.1 §3.6)."""
    case_01 = versions(CASE_01)
    shared = [key for key in versions(CASE_04) if key in case_01]
    assert shared, "case 4 refers to case 1 objects and should carry copies of them"
    for key in shared:
        assert versions(CASE_04)[key] == case_01[key], key
    scos_01 = {obj["id"]: obj for obj in load(CASE_01)["objects"] if "modified" not in obj}
    for obj in load(CASE_04)["objects"]:
        if obj["id"] in scos_01:
            assert obj == scos_01[obj["id"]], obj["id"]


def test_case_04_new_versions_follow_stix_versioning() -> None:
    """New versions keep id, created and creator, with a later modified (§9.4)."""
    latest_01: dict[str, VersionedObject] = {}
    for obj in read_bundle(CASE_01).objects:
        if isinstance(obj, VersionedObject):
            latest_01[obj.id] = obj
    new_versions = [
        obj
        for obj in read_bundle(CASE_04).objects
        if isinstance(obj, VersionedObject)
        and obj.id in latest_01
        and obj.modified != latest_01[obj.id].modified
    ]
    assert {obj.type for obj in new_versions} >= {"incident", "narrative", "channel"}
    for obj in new_versions:
        before = latest_01[obj.id]
        assert obj.created == before.created
        assert obj.created_by_ref == before.created_by_ref
        assert timestamp_key(obj.modified) > timestamp_key(before.modified)


def test_case_04_partner_adds_its_own_opinion_and_sightings() -> None:
    objects = load(CASE_04)["objects"]
    ids_01 = {obj["id"] for obj in load(CASE_01)["objects"]}
    partners = {
        obj["id"] for obj in objects if obj["type"] == "identity" and obj["id"] not in ids_01
    }
    assert len(partners) == 1
    own = [obj for obj in objects if obj.get("created_by_ref") in partners]
    kinds = {obj["type"] for obj in own}
    assert {"opinion", "sighting"} <= kinds
    for obj in own:
        assert obj["id"] not in ids_01, "a partner must not version another's object"
    opinions = [obj for obj in own if obj["type"] == "opinion"]
    assert all(set(op["object_refs"]) <= ids_01 for op in opinions)
