"""Where the profile's published files (spec/) live at run time.

In a wheel the spec/ folder is shipped as ``infoshare/_spec``; in a source
checkout (editable install) it is the repository's own ``spec/`` folder.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from infoshare.errors import SpecDataError

_PACKAGE_DIR = Path(__file__).resolve().parent


@functools.cache
def spec_dir() -> Path:
    """The folder that holds the profile's published files."""
    for candidate in (_PACKAGE_DIR / "_spec", _PACKAGE_DIR.parent / "spec"):
        if (candidate / "checks.json").is_file():
            return candidate
    raise SpecDataError(
        "the profile's spec/ folder was not found next to the infoshare package",
        hint="reinstall infoshare (pip install infoshare) or run from a full source checkout",
    )


@functools.cache
def load_spec_json(relative: str) -> Any:
    """Parse a JSON file below spec/, once per process."""
    path = spec_dir() / relative
    try:
        with path.open("rb") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise SpecDataError(f"spec file missing: {relative}") from exc
    except (OSError, ValueError) as exc:
        raise SpecDataError(f"spec file unreadable: {relative}: {exc}") from exc
