"""The machine-readable report: one JSON document with a versioned structure.

Renders the report model of spec/profile/14-conformance.md section 14.1. The
structure is documented in docs/cli.md ("JSON report"); any change that
removes or renames a member bumps :data:`JSON_REPORT_VERSION`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from infoshare import __version__
from infoshare.profile import PROFILE_VERSION
from infoshare.reporting._links import section_uri
from infoshare.reporting._summary import (
    UnreadableInput,
    counts_by_file,
    findings_by_file,
    run_passed,
)
from infoshare.validation import Severity, ValidationReport, catalogue

#: Version of the JSON report structure (not of the package or the profile).
JSON_REPORT_VERSION = "1.0"


def _counts(counts: Counter[Severity]) -> dict[str, int]:
    return {
        "errors": counts[Severity.ERROR],
        "warnings": counts[Severity.WARNING],
        "infos": counts[Severity.INFO],
    }


def report_to_dict(
    report: ValidationReport, *, unreadable: Sequence[UnreadableInput] = (), strict: bool = False
) -> dict[str, Any]:
    """The JSON report as plain data (see docs/cli.md for every member)."""
    checks = catalogue()
    per_file = counts_by_file(report)
    inputs: list[dict[str, Any]] = []
    for summary in report.files:
        counts = per_file.get(summary.name, Counter())
        inputs.append(
            {
                "name": summary.name,
                "status": "validated",
                "objects": summary.objects,
                "bytes": summary.bytes_read,
                **_counts(counts),
                "passed": counts[Severity.ERROR] == 0 and not (strict and counts[Severity.WARNING]),
                "error": None,
            }
        )
    for problem in unreadable:
        inputs.append(
            {
                "name": problem.name,
                "status": "unreadable",
                "objects": 0,
                "bytes": 0,
                "errors": 0,
                "warnings": 0,
                "infos": 0,
                "passed": False,
                "error": {"message": problem.message, "hint": problem.hint},
            }
        )
    findings: list[dict[str, Any]] = []
    ordered = (f for group in findings_by_file(report).values() for f in group)
    for finding in ordered:
        entry = finding.to_dict()
        info = checks.get(finding.check_id)
        entry["check_title"] = info.title if info else None
        entry["spec_section"] = info.section if info else None
        entry["help_uri"] = section_uri(info.section) if info else None
        findings.append(entry)
    total: Counter[Severity] = Counter({s: report.count(s) for s in Severity})
    passed = run_passed(report, unreadable, strict=strict)
    return {
        "report_version": JSON_REPORT_VERSION,
        "tool": {"name": "infoshare", "version": __version__},
        "profile_version": PROFILE_VERSION,
        "mode": report.mode,
        "strict": strict,
        "passed": passed,
        "summary": {
            "inputs": len(report.files) + len(unreadable),
            "unreadable": len(unreadable),
            "objects": report.objects_checked,
            **_counts(total),
            "findings_shown": len(report.findings),
            "findings_not_shown": report.dropped,
            "passed": passed,
        },
        "inputs": inputs,
        "findings": findings,
    }


def render_json(
    report: ValidationReport, *, unreadable: Sequence[UnreadableInput] = (), strict: bool = False
) -> str:
    """The JSON report as text (indented, UTF-8 characters kept readable)."""
    data = report_to_dict(report, unreadable=unreadable, strict=strict)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
