"""The GitLab Code Quality renderer (infoshare/reporting/_codequality.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from infoshare.reporting import UnreadableInput, codequality_issues, render_codequality
from infoshare.reporting._codequality import UNREADABLE_CHECK, repository_path
from infoshare.validation import Severity, catalogue
from tests.test_cli import INFOSHARE, ExitCode, bundle, identity, write
from tests.test_reporting import OBJ_ID, check_of, finding, make_report

#: The fields GitLab reads from a Code Quality report (its documented subset of
#: the Code Climate issue format); every issue must have them.
GITLAB_CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^/"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def test_each_finding_is_an_issue_gitlab_can_place() -> None:
    error, warning = check_of(Severity.ERROR), check_of(Severity.WARNING)
    report = make_report(
        [
            finding(error, line=7, object_id=OBJ_ID, json_path="$.objects[0].name"),
            finding(warning, line=None, column=None),
        ]
    )
    issues = json.loads(render_codequality(report))
    jsonschema.validate(issues, GITLAB_CODE_QUALITY)
    first, second = sorted(issues, key=lambda i: i["severity"])  # critical, minor
    assert first["check_name"] == error and first["severity"] == "critical"
    assert first["location"] == {"path": "cases/ballot.json", "lines": {"begin": 7}}
    assert first["description"].startswith(f"{error}: something is wrong at $.objects[0].name")
    assert OBJ_ID in first["description"]
    assert catalogue()[error].requirement in first["content"]["body"]
    assert second["severity"] == "minor" and second["location"]["lines"]["begin"] == 1


def test_unreadable_inputs_are_blocker_issues() -> None:
    issues = codequality_issues(
        make_report([]), unreadable=[UnreadableInput("cases/gone.json", "no such file", "check")]
    )
    jsonschema.validate(issues, GITLAB_CODE_QUALITY)
    assert [(i["check_name"], i["severity"]) for i in issues] == [(UNREADABLE_CHECK, "blocker")]
    assert issues[0]["description"] == "no such file (check)"


def test_fingerprints_are_stable_and_unique() -> None:
    same = finding(check_of(Severity.ERROR))
    report = make_report([same, same, finding(check_of(Severity.ERROR), message="other")])
    prints = [i["fingerprint"] for i in codequality_issues(report)]
    assert len(set(prints)) == 3
    assert prints == [i["fingerprint"] for i in codequality_issues(report)]
    moved = make_report([finding(check_of(Severity.ERROR), line=99)])
    assert codequality_issues(moved)[0]["fingerprint"] == prints[0]  # a line shift keeps it


def test_paths_are_relative_to_the_repository(tmp_path: Path) -> None:
    assert repository_path(str(tmp_path / "cases" / "a.json"), tmp_path) == "cases/a.json"
    assert repository_path("cases/../cases/a.json", tmp_path) == "cases/a.json"
    assert repository_path("/elsewhere/a.json", tmp_path) == "/elsewhere/a.json"
    assert repository_path("<stdin>", tmp_path) == "<stdin>"


_FINDINGS = st.lists(
    st.builds(
        lambda check, line, message, path: finding(
            check, line=line, message=message, json_path=path
        ),
        st.sampled_from(sorted(catalogue())),
        st.none() | st.integers(min_value=0, max_value=10**6),
        st.text(min_size=1, max_size=30),
        st.sampled_from(["$", "$.objects[0]", "$.objects[3].name", "$['odd key']"]),
    ),
    max_size=20,
)


@given(_FINDINGS)
def test_any_report_renders_to_valid_unique_issues(findings: list[Any]) -> None:
    issues = json.loads(render_codequality(make_report(findings)))
    jsonschema.validate(issues, GITLAB_CODE_QUALITY)
    assert len(issues) == len(findings)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_the_cli_writes_a_code_quality_report(tmp_path: Path) -> None:
    write(tmp_path / "cases" / "good.json", bundle(identity()))
    write(tmp_path / "cases" / "bad.json", bundle(identity(1, name=None)))
    out = tmp_path / "gl-code-quality-report.json"
    result = subprocess.run(
        [str(INFOSHARE), "validate", "--format", "codequality", "--output", out.name, "cases"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == ExitCode.FINDINGS, result.stderr
    issues = json.loads(out.read_text("utf-8"))
    jsonschema.validate(issues, GITLAB_CODE_QUALITY)
    assert issues and {i["location"]["path"] for i in issues} == {"cases/bad.json"}
