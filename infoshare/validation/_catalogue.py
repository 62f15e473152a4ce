"""The catalogue of numbered checks, read from spec/checks.json.

The catalogue is the single source of each check's id, title, level,
severity, modes and the spec section it enforces (spec/profile/14-conformance.md).
Code registers an implementation per id; it never restates that metadata.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from infoshare._spec_files import load_spec_json
from infoshare.errors import SpecDataError, UsageError
from infoshare.validation._findings import Severity

Mode = Literal["profile", "stix"]
MODES: tuple[Mode, ...] = ("profile", "stix")


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """A numbered check as the spec defines it."""

    id: str
    title: str
    level: str
    severity: Severity
    modes: frozenset[str]
    section: str
    requirement: str


@functools.cache
def catalogue() -> dict[str, CheckInfo]:
    """Every check of the profile, by id, in catalogue order."""
    data = load_spec_json("checks.json")
    checks: dict[str, CheckInfo] = {}
    try:
        for entry in data["checks"]:
            checks[entry["id"]] = CheckInfo(
                id=entry["id"],
                title=entry["title"],
                level=entry["level"],
                severity=Severity(entry["severity"]),
                modes=frozenset(entry["modes"]),
                section=entry["section"],
                requirement=entry["requirement"],
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecDataError(f"spec/checks.json is malformed: {exc!r}") from exc
    return checks


def check_info(check_id: str) -> CheckInfo:
    try:
        return catalogue()[check_id]
    except KeyError:
        raise SpecDataError(f"check {check_id} is not in spec/checks.json") from None


def resolve_selection(patterns: list[str] | None) -> set[str]:
    """Expand ids and prefixes (``IS-4`` means every IS-4xx check) to check ids.

    An id or prefix that matches nothing is a usage error, so a typo in
    ``--select`` or ``--ignore`` never silently disables the selection.
    """
    selected: set[str] = set()
    for raw in patterns or []:
        for pattern in (p.strip().upper() for p in raw.split(",")):
            if not pattern:
                continue
            matches = {cid for cid in catalogue() if cid.startswith(pattern)}
            if not matches:
                raise UsageError(
                    f"no check matches {pattern!r}",
                    hint="check ids look like IS-101; a prefix such as IS-4 selects IS-4xx",
                )
            selected |= matches
    return selected
