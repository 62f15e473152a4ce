"""The human-readable report: findings grouped per input, then a summary.

Renders the report model of spec/profile/14-conformance.md section 14.1 for a
terminal or a CI log::

    cases/ballot.json:14:9  IS-001  error  invalid JSON: Expecting ',' delimiter
        at $.objects[2]  (see spec §14.2)
    cases/ballot.json: 2 objects — 1 error — FAILED

    1 file, 2 objects: 1 error — FAILED
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from infoshare.reporting._summary import (
    UnreadableInput,
    counts_by_file,
    findings_by_file,
    plural,
    run_passed,
)
from infoshare.validation import CheckInfo, Finding, Severity, ValidationReport, catalogue

_RESET = "\x1b[0m"
_STYLES = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "info": "\x1b[36m",
    "dim": "\x1b[2m",
    "bold": "\x1b[1m",
    "passed": "\x1b[1;32m",
    "failed": "\x1b[1;31m",
}
_SEVERITY_WIDTH = max(len(s.value) for s in Severity)


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self.color else text


def _where(finding: Finding) -> str:
    if finding.line is None:
        return finding.file
    if finding.column is None:
        return f"{finding.file}:{finding.line}"
    return f"{finding.file}:{finding.line}:{finding.column}"


def _detail(finding: Finding, info: CheckInfo | None) -> str:
    parts = [f"at {finding.json_path}"]
    if finding.object_id:
        parts.append(f"object {finding.object_id}")
    if info is not None:
        parts.append(f"(see spec §{info.section})")
    return "  ".join(parts)


def _counts_text(counts: Counter[Severity]) -> str:
    parts = [plural(counts[Severity.ERROR], "error"), plural(counts[Severity.WARNING], "warning")]
    if counts[Severity.INFO]:
        parts.append(plural(counts[Severity.INFO], "note"))
    return ", ".join(parts)


def _verdict(paint: _Painter, passed: bool) -> str:
    return paint("passed", "PASSED") if passed else paint("failed", "FAILED")


def render_text(
    report: ValidationReport,
    *,
    unreadable: Sequence[UnreadableInput] = (),
    strict: bool = False,
    color: bool = False,
    quiet: bool = False,
) -> str:
    """Render ``report`` for people. ``quiet`` keeps only the overall summary."""
    paint = _Painter(color)
    checks = catalogue()
    lines: list[str] = []
    if not quiet:
        counts = counts_by_file(report)
        objects = {f.name: f.objects for f in report.files}
        for name, findings in findings_by_file(report).items():
            for finding in findings:
                severity = finding.severity.value
                lines.append(
                    f"{paint('bold', _where(finding))}  {finding.check_id}  "
                    f"{paint(severity, severity.ljust(_SEVERITY_WIDTH))}  {finding.message}"
                )
                lines.append("    " + paint("dim", _detail(finding, checks.get(finding.check_id))))
            file_counts = counts.get(name, Counter())
            file_passed = file_counts[Severity.ERROR] == 0 and not (
                strict and file_counts[Severity.WARNING]
            )
            lines.append(
                f"{paint('bold', name)}: {plural(objects.get(name, 0), 'object')} — "
                f"{_counts_text(file_counts)} — {_verdict(paint, file_passed)}"
            )
        for problem in unreadable:
            status = paint("error", "not validated")
            lines.append(f"{status}: {problem.message}")
        if report.dropped:
            lines.append(
                f"{plural(report.dropped, 'further finding')} not shown"
                " (raise --max-findings to see them)"
            )
        lines.append("")
    lines.append(summary_line(report, unreadable=unreadable, strict=strict, color=color))
    return "\n".join(lines) + "\n"


def summary_line(
    report: ValidationReport,
    *,
    unreadable: Sequence[UnreadableInput] = (),
    strict: bool = False,
    color: bool = False,
) -> str:
    """One line: "3 files, 1,204 objects: 2 errors, 1 warning — FAILED"."""
    paint = _Painter(color)
    files = plural(len(report.files) + len(unreadable), "file")
    if unreadable:
        files += f" ({len(unreadable):,} unreadable)"
    counts: Counter[Severity] = Counter({s: report.count(s) for s in Severity})
    passed = run_passed(report, unreadable, strict=strict)
    mode = " (strict)" if strict else ""
    return (
        f"{files}, {plural(report.objects_checked, 'object')}: {_counts_text(counts)}"
        f" — {_verdict(paint, passed)}{mode}"
    )
