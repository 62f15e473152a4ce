"""The normative text (spec/profile/) agrees with the catalogue and its own links.

* every check id of spec/checks.json appears in 14-conformance.md;
* every section a check names exists as a numbered heading;
* every check named in the text exists in the catalogue;
* the generated tables are current (rendering changes nothing);
* every relative link in spec/**/*.md resolves, anchors included (the site's own
  pages in spec/site/pages/ are checked by the site build instead).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
PROFILE = SPEC / "profile"

_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_CHECK_ID = re.compile(r"\bIS-\d{3}\b")


def _load_renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_checks", PROFILE / "render_checks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RENDER = _load_renderer()


def _catalogue() -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = json.loads((SPEC / "checks.json").read_text("utf-8"))["checks"]
    return checks


def _without_code(text: str) -> str:
    """The Markdown text with fenced code blocks blanked out."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


#: The published site's own pages link as they sit in the built site, not in the
#: repository; the site build checks those links (tests/test_spec_site.py).
SITE_PAGES = SPEC / "site" / "pages"


def _markdown_files() -> list[Path]:
    return sorted(path for path in SPEC.rglob("*.md") if not path.is_relative_to(SITE_PAGES))


def _anchors(path: Path) -> set[str]:
    text = _without_code(path.read_text("utf-8"))
    return {
        RENDER._anchor(line.lstrip("#"))
        for line in text.splitlines()
        if re.match(r"^#{1,6} ", line)
    }


def test_every_check_id_appears_in_the_conformance_section() -> None:
    text = (PROFILE / "14-conformance.md").read_text("utf-8")
    missing = [c["id"] for c in _catalogue() if c["id"] not in text]
    assert missing == []


@pytest.mark.parametrize("check", _catalogue(), ids=lambda c: c["id"])
def test_section_of_each_check_exists_as_a_heading(check: dict[str, Any]) -> None:
    headings = RENDER.section_headings()
    assert check["section"] in headings, f"{check['id']} names §{check['section']}"


@pytest.mark.parametrize("check", _catalogue(), ids=lambda c: c["id"])
def test_section_of_each_check_names_the_check(check: dict[str, Any]) -> None:
    file_name, _ = RENDER.section_headings()[check["section"]]
    text = (PROFILE / file_name).read_text("utf-8")
    generated = text.split("<!-- checks:begin -->")[0]
    assert check["id"] in generated, f"{file_name} should say it is enforced by {check['id']}"


def test_check_ids_named_in_the_text_exist() -> None:
    known = {c["id"] for c in _catalogue()}
    for path in sorted(PROFILE.glob("*.md")):
        unknown = set(_CHECK_ID.findall(path.read_text("utf-8"))) - known
        assert not unknown, f"{path.name} names unknown checks {sorted(unknown)}"


def test_numbered_sections_are_unique_per_file_and_match_file_numbers() -> None:
    for path in sorted(PROFILE.glob("[0-9][0-9]-*.md")):
        number = str(int(path.name[:2]))
        first = next(line for line in path.read_text("utf-8").splitlines() if line.startswith("# "))
        assert first.startswith(f"# {number} "), f"{path.name} must open with '# {number} …'"


def test_generated_tables_are_current() -> None:
    stale = [
        path.name for path, text in RENDER.render_all().items() if path.read_text("utf-8") != text
    ]
    assert stale == [], "run python spec/profile/render_checks.py"


def test_every_relative_link_resolves() -> None:
    broken: list[str] = []
    for path in _markdown_files():
        for target in _LINK.findall(_without_code(path.read_text("utf-8"))):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: …
                continue
            file_part, _, anchor = target.partition("#")
            resolved = (path.parent / unquote(file_part)).resolve() if file_part else path
            if not resolved.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{path.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_renderer_escapes_table_cells() -> None:
    assert RENDER._cell("a | b\n c") == "a \\| b c"


def test_each_vocabulary_is_listed_once_in_section_11_4_or_annex_a2() -> None:
    """Trimming §11.4 moves a vocabulary to annex A.2; it never drops one."""
    listed = {
        "11-vocabularies.md": _block(PROFILE / "11-vocabularies.md", "vocabularies"),
        "annex-a-stix-tables.md": _block(PROFILE / "annex-a-stix-tables.md", "annex-vocabularies"),
    }
    for path in sorted((SPEC / "vocabularies").glob("*.json")):
        vocabulary = json.loads(path.read_text("utf-8"))
        if not isinstance(vocabulary, dict) or "terms" not in vocabulary:
            continue
        headed = [name for name, block in listed.items() if f"### {vocabulary['name']} (" in block]
        expected = "annex-a-stix-tables.md" if vocabulary.get("listed_in") else "11-vocabularies.md"
        assert headed == [expected], f"{path.name} is listed in {headed}"


def _block(path: Path, name: str) -> str:
    text = path.read_text("utf-8")
    return text.split(f"<!-- {name}:begin -->")[1].split(f"<!-- {name}:end -->")[0]
