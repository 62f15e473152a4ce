"""The report as SARIF 2.1.0, for code-scanning dashboards and CI annotations.

Renders the report model of spec/profile/14-conformance.md section 14.1 as an
OASIS SARIF 2.1.0 log: one run, whose driver's rules are the whole check
catalogue (spec/checks.json), whose results are the findings, and whose
invocation lists the inputs that could not be read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from infoshare import __version__
from infoshare.profile import PROFILE_VERSION
from infoshare.reporting._links import PROJECT_URI, section_uri
from infoshare.reporting._summary import UnreadableInput, findings_by_file, run_passed
from infoshare.validation import CheckInfo, Finding, Severity, ValidationReport, catalogue

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_WORD = re.compile(r"[A-Za-z0-9]+")
_LAST_STEP = re.compile(r"(\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*|\['(?:[^'\\]|\\.)*'\])$")
_OBJECT_PATH = re.compile(r"^\$(\.objects\[\d+\])?$")


def _rule_name(title: str) -> str:
    """SARIF rule names are identifiers: "Well-formed JSON" -> "WellFormedJson"."""
    return "".join(word.capitalize() for word in _WORD.findall(title))


def _rule(info: CheckInfo) -> dict[str, Any]:
    help_uri = section_uri(info.section)
    return {
        "id": info.id,
        "name": _rule_name(info.title),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.requirement},
        "help": {"text": f"{info.requirement} See spec §{info.section} ({help_uri})."},
        "helpUri": help_uri,
        "defaultConfiguration": {"level": _LEVELS[info.severity]},
        "properties": {
            "level": info.level,
            "modes": sorted(info.modes),
            "specSection": info.section,
            "tags": [info.level, *sorted(info.modes)],
        },
    }


def artifact_uri(name: str) -> str | None:
    """A SARIF URI for an input name; None for a stream such as ``<stdin>``."""
    if name.startswith("<") and name.endswith(">"):
        return None
    windows = PureWindowsPath(name)
    if windows.drive and windows.is_absolute():
        return windows.as_uri()
    path = PurePosixPath(name)
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix(), safe="/")


def _logical_kind(json_path: str) -> str:
    """SARIF's JSON kinds: the STIX object itself, a named property, or an array item."""
    if _OBJECT_PATH.match(json_path):
        return "object"
    step = _LAST_STEP.search(json_path)
    return "value" if step and step.group(1)[1:2].isdigit() else "property"


def _location(finding: Finding, artifact_index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {}
    uri = artifact_uri(finding.file)
    if uri is not None:
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": uri, "index": artifact_index[finding.file]}
        }
        if finding.line is not None and finding.line >= 1:
            region: dict[str, int] = {"startLine": finding.line}
            if finding.column is not None and finding.column >= 1:
                region["startColumn"] = finding.column
            physical["region"] = region
        location["physicalLocation"] = physical
    logical: list[dict[str, str]] = [
        {"fullyQualifiedName": finding.json_path, "kind": _logical_kind(finding.json_path)}
    ]
    if finding.object_id:
        logical.append({"name": finding.object_id, "kind": "object"})
    location["logicalLocations"] = logical
    return location


def _result(
    finding: Finding, rule_index: dict[str, int], artifacts: dict[str, int]
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding, artifacts)],
    }
    if finding.check_id in rule_index:
        result["ruleIndex"] = rule_index[finding.check_id]
    properties: dict[str, Any] = {"jsonPath": finding.json_path}
    if finding.object_id:
        properties["objectId"] = finding.object_id
    if finding.object_index is not None:
        properties["objectIndex"] = finding.object_index
    result["properties"] = properties
    return result


def _notification(problem: UnreadableInput) -> dict[str, Any]:
    text = problem.message + (f" ({problem.hint})" if problem.hint else "")
    notification: dict[str, Any] = {"level": "error", "message": {"text": text}}
    uri = artifact_uri(problem.name)
    if uri is not None:
        notification["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
    return notification


def sarif_log(
    report: ValidationReport, *, unreadable: Sequence[UnreadableInput] = (), strict: bool = False
) -> dict[str, Any]:
    """The SARIF 2.1.0 log of a report, as plain data."""
    checks = catalogue()
    rule_index = {check_id: i for i, check_id in enumerate(checks)}
    artifacts: list[dict[str, Any]] = []
    artifact_index: dict[str, int] = {}
    for summary in report.files:
        uri = artifact_uri(summary.name)
        if uri is None or summary.name in artifact_index:
            continue
        artifact_index[summary.name] = len(artifacts)
        artifacts.append(
            {"location": {"uri": uri}, "length": summary.bytes_read, "roles": ["analysisTarget"]}
        )
    for finding in report.findings:  # a finding always names a validated input, but be safe
        if finding.file not in artifact_index and (uri := artifact_uri(finding.file)):
            artifact_index[finding.file] = len(artifacts)
            artifacts.append({"location": {"uri": uri}, "roles": ["analysisTarget"]})
    results = [
        _result(finding, rule_index, artifact_index)
        for group in findings_by_file(report).values()
        for finding in group
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not unreadable}
    if unreadable:
        invocation["toolExecutionNotifications"] = [_notification(p) for p in unreadable]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "infoshare",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URI,
                "rules": [_rule(info) for info in checks.values()],
            }
        },
        "invocations": [invocation],
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "mode": report.mode,
            "strict": strict,
            "profileVersion": PROFILE_VERSION,
            "objects": report.objects_checked,
            "findingsNotShown": report.dropped,
            "passed": run_passed(report, unreadable, strict=strict),
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(
    report: ValidationReport, *, unreadable: Sequence[UnreadableInput] = (), strict: bool = False
) -> str:
    """The SARIF 2.1.0 log as text."""
    data = sarif_log(report, unreadable=unreadable, strict=strict)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
