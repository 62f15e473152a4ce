"""Helpers shared by the tests of ``infoshare convert``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infoshare.validation import validate

ROOT = Path(__file__).resolve().parents[1]
BRIDGES = ROOT / "tests" / "data" / "bridges"
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def errors(bundle: dict[str, Any], mode: str = "profile") -> list[str]:
    """The error findings of a bundle, as 'IS-xxx message' lines."""
    report = validate(bundle, mode=mode)  # type: ignore[arg-type]
    return [
        f"{f.check_id} {f.object_id} {f.message}"
        for f in report.findings
        if f.severity.value == "error"
    ]
