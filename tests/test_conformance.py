"""The conformance corpus (spec/conformance/) drives the validator.

Every fixture listed in index.json must reach its expected verdict, the index
must match the fixture folders, and every check in the catalogue must have a
failing and a passing fixture and an implementation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from infoshare.validation import (
    READER_CHECK_IDS,
    Severity,
    ValidationOptions,
    Validator,
    catalogue,
)
from infoshare.validation._registry import CROSS_OBJECT_CHECKS, OBJECT_CHECKS

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "spec" / "conformance"
INDEX = json.loads((CONFORMANCE / "index.json").read_text("utf-8"))


@cache
def validator(mode: str) -> Validator:
    return Validator(ValidationOptions(mode=mode))  # type: ignore[arg-type]


def test_index_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(CONFORMANCE / "build_index.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_index_and_catalogue_match_their_schemas() -> None:
    meta = ROOT / "spec" / "schemas" / "meta"
    index_schema = json.loads((meta / "conformance-index.schema.json").read_text("utf-8"))
    catalogue_schema = json.loads((meta / "check-catalogue.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(index_schema).validate(INDEX)
    jsonschema.Draft202012Validator(catalogue_schema).validate(
        json.loads((ROOT / "spec" / "checks.json").read_text("utf-8"))
    )


def test_every_check_has_a_failing_and_a_passing_fixture() -> None:
    verdicts: dict[str, set[str]] = {}
    for entry in INDEX["fixtures"]:
        verdicts.setdefault(entry["check_id"], set()).add(entry["verdict"])
    missing = {cid: {"fail", "pass"} - verdicts.get(cid, set()) for cid in catalogue()}
    assert {cid: sorted(m) for cid, m in missing.items() if m} == {}


def test_every_check_has_an_implementation() -> None:
    Validator()  # loads every check module
    implemented = set(READER_CHECK_IDS)
    for check in OBJECT_CHECKS:
        implemented.update(check.ids)
    for cls in CROSS_OBJECT_CHECKS:
        implemented.update((cls.check_id, *cls.also_emits))
    assert sorted(set(catalogue()) - implemented) == []


@pytest.mark.parametrize("entry", INDEX["fixtures"], ids=lambda e: e["path"])
def test_fixture_reaches_its_verdict(entry: dict[str, object]) -> None:
    path = CONFORMANCE / str(entry["path"])
    report = validator(str(entry["mode"])).validate_path(path)
    found = {f.check_id for f in report.findings}
    described = [f"{f.check_id} {f.json_path}: {f.message}" for f in report.findings]
    if entry["verdict"] == "pass":
        assert found == set(), described
    else:
        assert found == set(entry["expected_check_ids"]), described  # type: ignore[arg-type]
        severity = catalogue()[str(entry["check_id"])].severity
        assert all(f.severity is severity for f in report.findings)
        assert all(f.message for f in report.findings)


def test_mandatory_failures_fail_the_report() -> None:
    for entry in INDEX["fixtures"]:
        if entry["verdict"] == "fail" and entry["level"] == "mandatory":
            report = validator(entry["mode"]).validate_path(CONFORMANCE / entry["path"])
            assert not report.passed, entry["path"]
            assert report.count(Severity.ERROR) >= 1
