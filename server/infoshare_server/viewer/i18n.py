"""The case viewer's interface languages: one JSON message catalogue per language.

Implements "Languages" of docs/adr/0015-case-viewer.md. ``locales/en.json``
is the reference catalogue; every other catalogue must have exactly its keys
(a test checks this), so a page never shows a missing message. A message is
a Python format string with named fields (``"{count} cases"``). To add a
language, copy ``en.json`` to ``<tag>.json`` (a BCP 47 tag), translate every
value and add the language's own name as ``language.name``; the viewer
offers every catalogue it finds (docs/viewer.md, "Adding a language").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

LOCALES: Final = Path(__file__).parent / "locales"
DEFAULT: Final = "en"
_TAG: Final = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


class CatalogueError(ValueError):
    """A message catalogue cannot be used (unreadable, not an object of strings)."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One language's messages."""

    language: str
    messages: Mapping[str, str]

    @property
    def name(self) -> str:
        """The language's name in itself (``English``, ``日本語``)."""
        return self.messages.get("language.name", self.language)

    def get(self, key: str, **fields: object) -> str:
        """The message ``key`` with its fields filled in; the English one if missing here."""
        text = self.messages.get(key)
        if text is None:
            text = catalogues()[DEFAULT].messages.get(key, key)
        if not fields:
            return text
        try:
            return text.format(**fields)
        except (KeyError, IndexError, ValueError):
            return text


def _load(path: Path) -> Catalogue:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"{path.name}: cannot read the catalogue: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: a catalogue is a JSON object of strings")
    bad = [key for key, value in data.items() if not isinstance(value, str)]
    if bad:
        raise CatalogueError(f"{path.name}: the value of {bad[0]!r} is not a string")
    return Catalogue(path.stem, dict(data))


@cache
def catalogues() -> Mapping[str, Catalogue]:
    """Every catalogue in ``locales/``, by language tag (English first)."""
    found = {path.stem: _load(path) for path in sorted(LOCALES.glob("*.json"))}
    if DEFAULT not in found:
        raise CatalogueError(f"the reference catalogue {DEFAULT}.json is missing")
    return {DEFAULT: found[DEFAULT], **{k: v for k, v in found.items() if k != DEFAULT}}


def supported(tag: str | None) -> str | None:
    """The catalogue language matching ``tag`` (``ja-JP`` → ``ja``), or None."""
    if not tag or len(tag) > 35:
        return None
    tag = tag.strip()
    if not _TAG.match(tag.lower().split("-")[0]):
        return None
    known = catalogues()
    if tag in known:
        return tag
    primary = tag.split("-")[0].lower()
    return primary if primary in known else None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an ``Accept-Language`` header (by quality)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:500].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        ranked.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(ranked):
        match = supported(tag)
        if match is not None:
            return match
    return None
