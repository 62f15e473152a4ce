"""What every rendering of a report says the same way: counts and the verdict.

Implements the verdict of spec/profile/14-conformance.md section 14.1: an input
passes when it has no error (and, in strict mode, no warning). An input that
could not be read at all never passes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from infoshare.validation import Finding, Severity, ValidationReport


@dataclass(frozen=True, slots=True)
class UnreadableInput:
    """An input that could not be validated at all (missing, unreadable, empty folder)."""

    name: str
    message: str
    hint: str | None = None


def run_passed(
    report: ValidationReport, unreadable: Sequence[UnreadableInput], *, strict: bool
) -> bool:
    """True when every input was read and none has a failing finding."""
    return (report.passed_strict if strict else report.passed) and not unreadable


def counts_by_file(report: ValidationReport) -> dict[str, Counter[Severity]]:
    """Severity counts of the findings kept in the report, per input name."""
    counts: dict[str, Counter[Severity]] = {f.name: Counter() for f in report.files}
    for finding in report.findings:
        counts.setdefault(finding.file, Counter())[finding.severity] += 1
    return counts


def findings_by_file(report: ValidationReport) -> dict[str, list[Finding]]:
    """Kept findings grouped per input (in input order), each group by position."""
    groups: dict[str, list[Finding]] = {f.name: [] for f in report.files}
    for finding in report.findings:
        groups.setdefault(finding.file, []).append(finding)
    for group in groups.values():
        group.sort(
            key=lambda f: (
                f.line or 0,
                f.column or 0,
                f.severity.rank,
                f.check_id,
                f.json_path,
            )
        )
    return groups


def plural(count: int, word: str) -> str:
    """``plural(1, "error")`` -> "1 error"; ``plural(1204, "object")`` -> "1,204 objects"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
