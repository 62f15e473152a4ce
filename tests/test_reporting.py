"""The report renderers (infoshare.reporting): text, JSON and SARIF 2.1.0.

Reports are built by hand here, so every finding and count is under the
test's control and no check implementation is needed.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import infoshare.reporting as reporting
from infoshare.reporting import (
    JSON_REPORT_VERSION,
    PROJECT_URI,
    UnreadableInput,
    render_json,
    render_sarif,
    render_text,
    report_to_dict,
    sarif_log,
    section_uri,
    summary_line,
)
from infoshare.reporting._links import github_anchor
from infoshare.reporting._sarif import artifact_uri
from infoshare.validation import FileSummary, Finding, Severity, ValidationReport, catalogue

OBJ_ID = "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"


def check_of(severity: Severity) -> str:
    """A catalogue check id of a given severity (the catalogue may grow)."""
    return next(c.id for c in catalogue().values() if c.severity is severity)


def finding(
    check_id: str = "IS-001",
    file: str = "cases/ballot.json",
    line: int | None = 3,
    column: int | None = 5,
    **kw: Any,
) -> Finding:
    severity = catalogue()[check_id].severity
    return Finding(
        check_id, severity, kw.pop("message", "something is wrong"), file, line=line,
        column=column, **kw,
    )  # fmt: skip


def make_report(findings: list[Finding], files: dict[str, int] | None = None) -> ValidationReport:
    report = ValidationReport(mode="profile")
    for name, objects in (files or {"cases/ballot.json": 2}).items():
        report.files.append(FileSummary(name, objects=objects, bytes_read=objects * 100))
    for f in findings:
        report.add(f)
    return report


WARNING_ID = check_of(Severity.WARNING)
INFO_ID = check_of(Severity.INFO)


def mixed_report() -> ValidationReport:
    return make_report(
        [
            finding("IS-001", "a.json", 9, 2, message="invalid JSON"),
            finding("IS-005", "a.json", 1, None, json_path="$.id", message="bad bundle id"),
            finding(
                WARNING_ID,
                "b.json",
                4,
                None,
                json_path="$.objects[0].name",
                object_id=OBJ_ID,
                object_index=0,
                message="consider this",
            ),
        ],
        {"a.json": 4, "b.json": 1200},
    )


# --- public surface -----------------------------------------------------------------------


def test_public_surface_is_sorted_and_complete() -> None:
    assert reporting.__all__ == sorted(reporting.__all__)
    for name in reporting.__all__:
        assert hasattr(reporting, name)


# --- text ---------------------------------------------------------------------------------


def test_text_lists_each_finding_with_place_path_and_section() -> None:
    text = render_text(mixed_report())
    lines = text.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("a.json:1  IS-005")))
    assert "error" in lines[first] and "bad bundle id" in lines[first]
    assert lines[first + 1].strip() == "at $.id  (see spec §14.2)"
    assert any(line.startswith("a.json:9:2  IS-001  error") for line in lines)
    warn = next(i for i, line in enumerate(lines) if line.startswith(f"b.json:4  {WARNING_ID}"))
    assert OBJ_ID in lines[warn + 1] and "$.objects[0].name" in lines[warn + 1]
    section = catalogue()[WARNING_ID].section
    assert f"see spec §{section}" in lines[warn + 1]


def test_text_orders_findings_by_position_within_a_file() -> None:
    text = render_text(mixed_report())
    assert text.index("a.json:1  IS-005") < text.index("a.json:9:2  IS-001")
    assert text.index("a.json:9:2") < text.index("b.json:4")


def test_text_summaries_per_file_and_overall() -> None:
    text = render_text(mixed_report())
    assert "a.json: 4 objects — 2 errors, 0 warnings — FAILED" in text
    assert "b.json: 1,200 objects — 0 errors, 1 warning — PASSED" in text
    assert text.rstrip().splitlines()[-1] == (
        "2 files, 1,204 objects: 2 errors, 1 warning — FAILED"
    )


def test_strict_turns_warnings_into_failure() -> None:
    report = make_report([finding(WARNING_ID)])
    assert summary_line(report).endswith("— PASSED")
    assert summary_line(report, strict=True).endswith("— FAILED (strict)")


def test_info_findings_never_fail() -> None:
    report = make_report([finding(INFO_ID)])
    assert summary_line(report, strict=True) == (
        "1 file, 2 objects: 0 errors, 0 warnings, 1 note — PASSED (strict)"
    )


def test_quiet_prints_only_the_summary() -> None:
    assert render_text(mixed_report(), quiet=True).splitlines() == [
        "2 files, 1,204 objects: 2 errors, 1 warning — FAILED"
    ]


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render_text(mixed_report())
    coloured = render_text(mixed_report(), color=True)
    assert "\x1b[1;31m" in coloured and "\x1b[0m" in coloured


def test_unreadable_inputs_fail_the_run_and_are_listed() -> None:
    report = make_report([])
    problem = UnreadableInput("gone.json", "gone.json: no such file")
    text = render_text(report, unreadable=[problem])
    assert "not validated: gone.json: no such file" in text
    assert text.rstrip().endswith(
        "2 files (1 unreadable), 2 objects: 0 errors, 0 warnings — FAILED"
    )


def test_dropped_findings_are_counted_and_mentioned() -> None:
    report = make_report([])
    for line in range(1, 6):
        report.add(finding(line=line), max_findings=2)
    text = render_text(report)
    assert "3 further findings not shown" in text
    assert "5 errors" in text.splitlines()[-1]


# --- JSON ---------------------------------------------------------------------------------


def test_json_report_structure() -> None:
    data = json.loads(render_json(mixed_report()))
    assert data["report_version"] == JSON_REPORT_VERSION
    assert data["tool"]["name"] == "infoshare"
    assert data["mode"] == "profile" and data["strict"] is False and data["passed"] is False
    assert data["summary"] == {
        "inputs": 2, "unreadable": 0, "objects": 1204, "errors": 2, "warnings": 1, "infos": 0,
        "findings_shown": 3, "findings_not_shown": 0, "passed": False,
    }  # fmt: skip
    assert [i["name"] for i in data["inputs"]] == ["a.json", "b.json"]
    assert data["inputs"][0]["errors"] == 2 and data["inputs"][0]["status"] == "validated"
    warn = data["findings"][-1]
    assert warn == {
        **finding(WARNING_ID, "b.json", 4, None, json_path="$.objects[0].name",
                  object_id=OBJ_ID, object_index=0, message="consider this").to_dict(),
        "check_title": catalogue()[WARNING_ID].title,
        "spec_section": catalogue()[WARNING_ID].section,
        "help_uri": section_uri(catalogue()[WARNING_ID].section),
    }  # fmt: skip


def test_json_lists_unreadable_inputs_with_their_error() -> None:
    problem = UnreadableInput("dir", "dir is a directory with no .json files in it", "hint")
    data = report_to_dict(make_report([]), unreadable=[problem])
    entry = data["inputs"][-1]
    assert entry["status"] == "unreadable" and entry["passed"] is False
    assert entry["error"] == {"message": problem.message, "hint": "hint"}
    assert data["passed"] is False and data["summary"]["unreadable"] == 1


@given(
    message=st.text(max_size=60),
    path=st.text(max_size=40),
    name=st.text(min_size=1, max_size=30),
)
def test_json_round_trips_any_text(message: str, path: str, name: str) -> None:
    report = make_report([finding(file=name, message=message, json_path=path)], {name: 1})
    data = json.loads(render_json(report).encode("utf-8", "surrogatepass"))
    assert data["findings"][0]["message"] == message
    assert data["findings"][0]["json_path"] == path


# --- SARIF --------------------------------------------------------------------------------

#: The parts of the SARIF 2.1.0 schema this renderer must satisfy (written for this test).
SARIF_MINIMAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {"driver": {"$ref": "#/$defs/driver"}},
                    },
                    "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                    "invocations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["executionSuccessful"],
                            "properties": {"executionSuccessful": {"type": "boolean"}},
                        },
                    },
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                },
            },
        },
    },
    "$defs": {
        "message": {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string"}},
        },
        "driver": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "informationUri": {"type": "string", "format": "uri"},
                "rules": {
                    "type": "array",
                    "uniqueItems": True,
                    "items": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {
                            "id": {"type": "string"},
                            "shortDescription": {"$ref": "#/$defs/message"},
                            "fullDescription": {"$ref": "#/$defs/message"},
                            "helpUri": {"type": "string", "format": "uri"},
                            "defaultConfiguration": {
                                "type": "object",
                                "properties": {"level": {"$ref": "#/$defs/level"}},
                            },
                        },
                    },
                },
            },
        },
        "level": {"enum": ["none", "note", "warning", "error"]},
        "result": {
            "type": "object",
            "required": ["message"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "level": {"$ref": "#/$defs/level"},
                "message": {"$ref": "#/$defs/message"},
                "locations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "physicalLocation": {
                                "type": "object",
                                "properties": {
                                    "artifactLocation": {
                                        "type": "object",
                                        "properties": {
                                            "uri": {"type": "string", "format": "uri-reference"},
                                            "index": {"type": "integer", "minimum": -1},
                                        },
                                    },
                                    "region": {
                                        "type": "object",
                                        "properties": {
                                            "startLine": {"type": "integer", "minimum": 1},
                                            "startColumn": {"type": "integer", "minimum": 1},
                                        },
                                    },
                                },
                            },
                            "logicalLocations": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "name": {"type": "string"},
                                        "fullyQualifiedName": {"type": "string"},
                                        "kind": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def assert_valid_sarif(log: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(
        SARIF_MINIMAL_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(log)


def test_sarif_is_valid_and_carries_the_catalogue_as_rules() -> None:
    log = json.loads(render_sarif(mixed_report()))
    assert_valid_sarif(log)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "infoshare" and driver["informationUri"] == PROJECT_URI
    assert [r["id"] for r in driver["rules"]] == list(catalogue())
    rule = driver["rules"][0]
    info = catalogue()[rule["id"]]
    assert rule["shortDescription"]["text"] == info.title
    assert rule["fullDescription"]["text"] == info.requirement
    assert rule["helpUri"] == section_uri(info.section)
    assert rule["defaultConfiguration"]["level"] == "error"


def test_sarif_results_have_levels_locations_and_rule_index() -> None:
    report = mixed_report()
    report.add(finding(INFO_ID, "b.json", None, None))
    run = sarif_log(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert by_rule["IS-001"]["level"] == "error"
    assert by_rule[WARNING_ID]["level"] == "warning"
    assert by_rule[INFO_ID]["level"] == "note"
    physical = by_rule["IS-001"]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "a.json"
    assert physical["region"] == {"startLine": 9, "startColumn": 2}
    assert "region" not in by_rule[INFO_ID]["locations"][0]["physicalLocation"]
    logical = by_rule[WARNING_ID]["locations"][0]["logicalLocations"]
    assert {"fullyQualifiedName": "$.objects[0].name", "kind": "property"} in logical
    assert {"name": OBJ_ID, "kind": "object"} in logical
    artifacts = [a["location"]["uri"] for a in run["artifacts"]]
    assert artifacts == ["a.json", "b.json"]
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_reports_unreadable_inputs_as_notifications() -> None:
    problem = UnreadableInput("missing case.json", "missing case.json: no such file")
    log = sarif_log(make_report([]), unreadable=[problem])
    assert_valid_sarif(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    note = invocation["toolExecutionNotifications"][0]
    assert note["level"] == "error" and "no such file" in note["message"]["text"]
    uri = note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "missing%20case.json"


def test_sarif_stdin_has_no_physical_location() -> None:
    report = make_report([finding(file="<stdin>")], {"<stdin>": 1})
    log = sarif_log(report)
    assert_valid_sarif(log)
    location = log["runs"][0]["results"][0]["locations"][0]
    assert "physicalLocation" not in location
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "$"
    assert log["runs"][0]["artifacts"] == []


@pytest.mark.parametrize(
    ("name", "uri"),
    [
        ("cases/a b.json", "cases/a%20b.json"),
        ("/srv/cases/x.json", "file:///srv/cases/x.json"),
        ("<stdin>", None),
        ("caf\u00e9.json", "caf%C3%A9.json"),
        ("C:\\cases\\x.json", "file:///C:/cases/x.json"),
        # A drive-relative Windows name is no absolute path: kept relative, colon escaped.
        ("A:", "A%3A"),
        ("A:x.json", "A%3Ax.json"),
    ],
)
def test_artifact_uri(name: str, uri: str | None) -> None:
    assert artifact_uri(name) == uri


@given(st.text(max_size=40), st.text(max_size=40))
def test_sarif_valid_for_any_message_and_name(message: str, name: str) -> None:
    name = name or "x"
    report = make_report([finding(file=name, message=message)], {name: 1})
    assert_valid_sarif(sarif_log(report))


# --- links --------------------------------------------------------------------------------


def test_section_links_point_into_the_published_profile() -> None:
    for info in catalogue().values():
        assert section_uri(info.section).startswith(f"{PROJECT_URI}/blob/main/spec/profile/")


def test_github_anchor() -> None:
    assert github_anchor(" 14.2 Parse and envelope") == "142-parse-and-envelope"
    assert github_anchor("12.1 TLP: the marking (required)") == "121-tlp-the-marking-required"
