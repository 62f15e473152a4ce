"""Where a check's spec section can be read: links used by every renderer.

A check's ``section`` (spec/checks.json) is a number such as ``14.2``; the
section lives in the file ``spec/profile/14-*.md``. Links point at the file in
the project's public repository, with the heading's anchor when the heading
can be found in the shipped copy of the spec.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from infoshare._spec_files import spec_dir
from infoshare.errors import SpecDataError

#: The project's home page: SARIF ``informationUri`` and the base of spec links.
PROJECT_URI = "https://github.com/infoshare-fimi/infoshare"
#: The profile's Markdown sections, as published in the repository.
SPEC_PROFILE_URI = f"{PROJECT_URI}/blob/main/spec/profile/"

_NON_SLUG = re.compile(r"[^\w\- ]", re.UNICODE)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading ("14.2 Parse" -> "142-parse")."""
    return _NON_SLUG.sub("", heading.strip().lower()).replace(" ", "-")


@functools.cache
def _profile_files() -> dict[str, Path]:
    """Spec chapter number ("14") -> its Markdown file, from the shipped spec."""
    try:
        folder = spec_dir() / "profile"
    except SpecDataError:
        return {}
    files: dict[str, Path] = {}
    if folder.is_dir():
        for path in sorted(folder.glob("[0-9]*-*.md")):
            files.setdefault(str(int(path.name.split("-", 1)[0])), path)
    return files


@functools.cache
def _heading_anchor(path: Path, section: str) -> str | None:
    pattern = re.compile(rf"^#+\s+(?:§\s*)?{re.escape(section)}(?![\d.]\d)\.?\s+\S")
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if pattern.match(line):
                    return github_anchor(line.lstrip("#"))
    except (OSError, UnicodeDecodeError):
        return None
    return None


@functools.cache
def section_uri(section: str) -> str:
    """A link to a spec section such as ``"14.2"`` or ``"3"``."""
    chapter = section.split(".", 1)[0]
    path = _profile_files().get(chapter.lstrip("0") or "0")
    if path is None:
        return SPEC_PROFILE_URI
    anchor = _heading_anchor(path, section)
    return f"{SPEC_PROFILE_URI}{path.name}" + (f"#{anchor}" if anchor else "")
