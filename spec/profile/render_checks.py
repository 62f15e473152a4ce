#!/usr/bin/env python3
"""Regenerate the tables of the profile text that are derived from JSON files.

Five blocks are rewritten, each between its pair of HTML comment markers:

* ``checks``              in 14-conformance.md (§14.5), from spec/checks.json;
* ``relationships``       in 10-relationships.md (§10.2), from
  spec/vocabularies/relationships.json: the profile's links and the common
  relationships, as two tables;
* ``stix-relationships``  in annex-a-stix-tables.md (A.1): the links adopted
  unchanged from STIX 2.1 (``"origin": "stix"`` in the same file);
* ``vocabularies``        in 11-vocabularies.md (§11.4), from spec/vocabularies/*.json;
* ``annex-vocabularies``  in annex-a-stix-tables.md (A.2): the vocabularies whose
  file says ``"listed_in": "annex-a"``, kept out of §11.4 because FIMI cases do
  not use them.

Only the standard library is used. Run from anywhere:

    python spec/profile/render_checks.py          # rewrite the blocks
    python spec/profile/render_checks.py --check  # exit 1 if a block is stale
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

PROFILE = Path(__file__).resolve().parent
SPEC = PROFILE.parent
VOCABULARIES = SPEC / "vocabularies"
RELATIONSHIPS = VOCABULARIES / "relationships.json"

_HEADING = re.compile(r"^#{1,6} (\d+(?:\.\d+)*) (.+?)\s*$")


def _cell(text: object) -> str:
    """Text fit for one Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code_list(values: Iterable[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def section_headings() -> dict[str, tuple[str, str]]:
    """Numbered section -> (file name, anchor), for every numbered heading."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(PROFILE.glob("[0-9][0-9]-*.md")):
        in_code = False
        for line in path.read_text("utf-8").splitlines():
            if line.startswith("```"):
                in_code = not in_code
            match = None if in_code else _HEADING.match(line)
            if match:
                found.setdefault(match[1], (path.name, _anchor(line.lstrip("#"))))
    return found


# --- the blocks -------------------------------------------------------------------------


def render_checks() -> str:
    catalogue = json.loads((SPEC / "checks.json").read_text("utf-8"))
    headings = section_headings()
    rows = [
        "| id | level | title | requirement | presets | section |",
        "|---|---|---|---|---|---|",
    ]
    for check in catalogue["checks"]:
        section = check["section"]
        place = headings.get(section)
        link = f"[§{section}]({place[0]}#{place[1]})" if place else f"§{section} (missing)"
        rows.append(
            f"| {check['id']} | {check['level']} ({check['severity']}) | {_cell(check['title'])} "
            f"| {_cell(check['requirement'])} | {', '.join(check['modes'])} | {link} |"
        )
    return "\n".join(rows)


def _relationship_rows(entries: Iterable[dict[str, Any]]) -> list[str]:
    rows = ["| source | relationship_type | target | meaning |", "|---|---|---|---|"]
    for entry in entries:
        rows.append(
            f"| {_code_list(_as_list(entry['source']))} | `{entry['relationship_type']}` "
            f"| {_code_list(_as_list(entry['target']))} | {_cell(entry['description'])} |"
        )
    return rows


def render_relationships() -> str | None:
    """§10.2: the profile's own links, then the common relationships."""
    if not RELATIONSHIPS.is_file():
        return None
    data = json.loads(RELATIONSHIPS.read_text("utf-8"))
    entries: list[dict[str, Any]] = data["relationships"]
    rows = _relationship_rows(e for e in entries if e["origin"] == "profile")
    rows += [
        "",
        "Common relationships, allowed between any two objects:",
        "",
        "| relationship_type | joins | meaning |",
        "|---|---|---|",
    ]
    for common in data["common"]:
        joins = "two objects of the same type" if common["same_type"] else "any two objects"
        rows.append(
            f"| `{common['relationship_type']}` | {joins} | {_cell(common['description'])} |"
        )
    return "\n".join(rows)


def render_stix_relationships() -> str | None:
    """Annex A.1: the links adopted unchanged from the STIX 2.1 relationship summaries."""
    if not RELATIONSHIPS.is_file():
        return None
    entries: list[dict[str, Any]] = json.loads(RELATIONSHIPS.read_text("utf-8"))["relationships"]
    return "\n".join(_relationship_rows(e for e in entries if e["origin"] == "stix"))


#: The value of a vocabulary file's ``listed_in`` that moves it from §11.4 to annex A.2.
ANNEX_LISTING = "annex-a"


def _vocabulary_files(in_annex: bool) -> Iterable[tuple[Path, dict[str, Any]]]:
    for path in sorted(VOCABULARIES.glob("*.json")):
        if path == RELATIONSHIPS:
            continue
        vocab = json.loads(path.read_text("utf-8"))
        if not isinstance(vocab, dict) or "terms" not in vocab:
            continue
        if (vocab.get("listed_in") == ANNEX_LISTING) == in_annex:
            yield path, vocab


def render_vocabularies(in_annex: bool = False) -> str:
    """§11.4 (``in_annex`` False) or annex A.2: one heading and table per vocabulary."""
    parts: list[str] = []
    for path, vocab in _vocabulary_files(in_annex):
        parts.append(f"### {_vocabulary_heading(vocab)}")
        parts.append("")
        parts.append(_cell(vocab.get("description", "")))
        parts.append("")
        used_by = "; ".join(_cell(u) for u in vocab.get("used_by", []))
        parts.append(f"- Used by: {used_by}")
        parts.append(f"- Source: {_cell(vocab.get('source', ''))}")
        parts.append(f"- File: [{path.name}](../vocabularies/{path.name})")
        if vocab.get("note"):
            parts.append(f"- Note: {_cell(vocab['note'])}")
        parts.append("")
        parts.append("| value | meaning |")
        parts.append("|---|---|")
        for term in vocab["terms"]:
            parts.append(f"| `{term['value']}` | {_cell(term.get('description', ''))} |")
        parts.append("")
    if not in_annex:
        moved = [
            f"[{vocab['name']}](annex-a-stix-tables.md#{_anchor(_vocabulary_heading(vocab))})"
            for _, vocab in _vocabulary_files(in_annex=True)
        ]
        if moved:
            parts.append(f"Listed in annex A.2, as FIMI cases do not use them: {', '.join(moved)}.")
    return "\n".join(parts).rstrip()


def _vocabulary_heading(vocab: dict[str, Any]) -> str:
    kind = "closed" if vocab.get("kind") == "closed" else "open"
    return f"{vocab['name']} ({kind})"


def render_annex_vocabularies() -> str:
    return render_vocabularies(in_annex=True)


BLOCKS: list[tuple[str, str, Callable[[], str | None]]] = [
    ("14-conformance.md", "checks", render_checks),
    ("10-relationships.md", "relationships", render_relationships),
    ("11-vocabularies.md", "vocabularies", render_vocabularies),
    ("annex-a-stix-tables.md", "stix-relationships", render_stix_relationships),
    ("annex-a-stix-tables.md", "annex-vocabularies", render_annex_vocabularies),
]


def replace_block(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise SystemExit(f"markers {begin} … {end} not found")
    return text[: start + len(begin)] + "\n" + body + "\n" + text[stop:]


def render_all() -> dict[Path, str]:
    """Every file with a block, as it should read (unchanged blocks included)."""
    result: dict[Path, str] = {}
    for file_name, name, render in BLOCKS:
        path = PROFILE / file_name
        text = result.get(path, path.read_text("utf-8"))
        body = render()
        result[path] = text if body is None else replace_block(text, name, body)
    return result


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    stale = []
    for path, text in render_all().items():
        if path.read_text("utf-8") != text:
            stale.append(path.name)
            if not check_only:
                path.write_text(text, "utf-8")
    if check_only and stale:
        print(f"stale: {', '.join(stale)}; run python spec/profile/render_checks.py")
        return 1
    if stale:
        print(f"rewrote {', '.join(stale)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
