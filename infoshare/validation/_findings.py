"""Findings and the report the validator returns.

Implements the report model of spec/profile/14-conformance.md section 14.1:
every finding names a check id, a severity, where it is (file, line, object
id, JSON path) and a message that says how to fix it.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field


class Severity(enum.Enum):
    """How serious a finding is. Mandatory checks give errors, recommended
    ones warnings and informative ones info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One breach of one check, at one place."""

    check_id: str
    severity: Severity
    message: str
    file: str
    json_path: str = "$"
    object_id: str | None = None
    line: int | None = None
    column: int | None = None
    #: Position of the object in the input's objects array, when it is one.
    object_index: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "check_id": self.check_id,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "object_id": self.object_id,
            "json_path": self.json_path,
            "object_index": self.object_index,
        }


@dataclass(slots=True)
class FileSummary:
    """What was read from one input."""

    name: str
    objects: int = 0
    bytes_read: int = 0


@dataclass(slots=True)
class ValidationReport:
    """The structured result of a validation run over one or more inputs.

    The verdict is a property, so ``if report.passed:`` means what it says:
    :attr:`passed` is true when no finding is an error, :attr:`passed_strict`
    when there is no warning either (what ``infoshare validate --strict``
    requires). Not to be confused with :class:`infoshare.models.Report`, the
    STIX report object.
    """

    mode: str
    findings: list[Finding] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    #: Findings not kept because ``max_findings`` was reached (still counted).
    dropped: int = 0
    #: Checks that failed with an exception (a bug in infoshare, never in the
    #: input). Each one is also a finding of the failed check, so the report
    #: still says where; the command line exits with code 4 when this is not 0.
    internal_errors: int = 0
    _counts: Counter[Severity] = field(default_factory=Counter, init=False, repr=False)

    def add(self, finding: Finding, max_findings: int | None = None) -> None:
        self._counts[finding.severity] += 1
        if max_findings is not None and len(self.findings) >= max_findings:
            self.dropped += 1
            return
        self.findings.append(finding)

    def count(self, severity: Severity) -> int:
        """How many findings of a severity were found (kept or dropped)."""
        return self._counts[severity]

    @property
    def errors(self) -> int:
        return self._counts[Severity.ERROR]

    @property
    def warnings(self) -> int:
        return self._counts[Severity.WARNING]

    @property
    def objects_checked(self) -> int:
        return sum(f.objects for f in self.files)

    @property
    def passed(self) -> bool:
        """True when no finding is an error (spec/profile/14-conformance.md §14.1)."""
        return self.errors == 0

    @property
    def passed_strict(self) -> bool:
        """True when no finding is an error or a warning (``--strict``)."""
        return self.errors == 0 and self.warnings == 0

    def sorted_findings(self) -> list[Finding]:
        """Findings by file, then position, then severity."""
        return sorted(
            self.findings,
            key=lambda f: (f.file, f.line or 0, f.severity.rank, f.check_id, f.json_path),
        )
