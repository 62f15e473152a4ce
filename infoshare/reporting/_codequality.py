"""The report as a GitLab Code Quality report, shown in merge requests.

GitLab does not display SARIF. What it shows natively, in the merge request
widget on every tier, is a Code Quality report: a JSON array of issues in a
subset of the Code Climate format, each with ``description``, ``check_name``,
``fingerprint``, ``severity`` and ``location.path`` / ``location.lines.begin``
(relative to the repository root). This renders the report model of
spec/profile/14-conformance.md section 14.1 in that form: one issue per
finding, and one per input that could not be read.

GitLab compares the issues of a merge request with those of its target
branch by fingerprint, so a fingerprint depends only on what the finding is
and where (check id, file, object, JSON path, message), never on the run.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infoshare.reporting._links import section_uri
from infoshare.reporting._summary import UnreadableInput, findings_by_file
from infoshare.validation import Finding, Severity, ValidationReport, catalogue

#: Code Climate severities GitLab knows: info, minor, major, critical, blocker.
_SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}
#: The check name of an input that could not be read (it has no check id).
UNREADABLE_CHECK = "infoshare-unreadable-input"


def repository_path(name: str, root: Path | None = None) -> str:
    """``name`` relative to ``root`` (default: the working directory), in posix form.

    GitLab links an issue to a file of the repository by its relative path;
    a path outside ``root``, or a stream such as ``<stdin>``, is kept as it is.
    """
    if name.startswith("<") and name.endswith(">"):
        return name
    base = (root or Path.cwd()).resolve()
    path = Path(name)
    absolute = path if path.is_absolute() else base / path
    try:
        return Path(os.path.normpath(absolute)).relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _fingerprint(*parts: str) -> str:
    import hashlib  # here: it costs start-up time to every other report format

    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _description(finding: Finding) -> str:
    where = f" at {finding.json_path}" if finding.json_path != "$" else ""
    subject = f" (object {finding.object_id})" if finding.object_id else ""
    return f"{finding.check_id}: {finding.message}{where}{subject}"


def codequality_issues(
    report: ValidationReport,
    *,
    unreadable: Sequence[UnreadableInput] = (),
    root: Path | None = None,
) -> list[dict[str, Any]]:
    """The Code Quality issues of a report, as plain data."""
    checks = catalogue()
    issues: list[dict[str, Any]] = []
    seen: Counter[str] = Counter()
    for group in findings_by_file(report).values():
        for finding in group:
            path = repository_path(finding.file, root)
            key = _fingerprint(
                finding.check_id, path, finding.object_id or "", finding.json_path, finding.message
            )
            seen[key] += 1
            fingerprint = key if seen[key] == 1 else _fingerprint(key, str(seen[key]))
            issue: dict[str, Any] = {
                "type": "issue",
                "check_name": finding.check_id,
                "description": _description(finding),
                "categories": ["Bug Risk"],
                "severity": _SEVERITIES[finding.severity],
                "fingerprint": fingerprint,
                "location": {"path": path, "lines": {"begin": max(finding.line or 1, 1)}},
            }
            info = checks.get(finding.check_id)
            if info is not None:
                link = section_uri(info.section)
                issue["content"] = {"body": f"{info.requirement} See spec §{info.section}: {link}"}
            issues.append(issue)
    for problem in unreadable:
        path = repository_path(problem.name, root)
        text = problem.message + (f" ({problem.hint})" if problem.hint else "")
        issues.append(
            {
                "type": "issue",
                "check_name": UNREADABLE_CHECK,
                "description": text,
                "categories": ["Bug Risk"],
                "severity": "blocker",
                "fingerprint": _fingerprint(UNREADABLE_CHECK, path, problem.message),
                "location": {"path": path, "lines": {"begin": 1}},
            }
        )
    return issues


def render_codequality(
    report: ValidationReport, *, unreadable: Sequence[UnreadableInput] = (), strict: bool = False
) -> str:
    """The GitLab Code Quality report as text (``strict`` changes nothing: GitLab
    shows every issue, and the job's exit code carries the verdict)."""
    del strict
    return (
        json.dumps(codequality_issues(report, unreadable=unreadable), indent=2, ensure_ascii=False)
        + "\n"
    )
