"""Assemble the site's temporary docs folder from spec/ and spec/site/pages/.

Implements the "published profile site" design (docs/adr/0016-published-profile-site.md):
the profile's own Markdown is the source of the site as it is, and the builder only
adds pages generated from the JSON files (the table of conformance checks, each
linked to its fixtures) and fills the landing page's download block.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infoshare.errors import SpecDataError

#: Files of spec/ that are tools, not published content.
_SKIP_SUFFIXES = (".py", ".pyc")
_SKIP_DIRS = {"site", "__pycache__"}

#: Where the landing page (spec/README.md) gets its generated download block.
DOWNLOADS_MARKER = "<!-- site: downloads -->"

#: The PDFs, relative to the site's root; placeholders are written before the
#: site is built (so links to them validate) and replaced by the real files after.
PROFILE_PDF = "pdf/infoshare-profile.pdf"
BRIEF_PDF = "pdf/infoshare-brief.pdf"

_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?\)")
_RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})\s*$", re.M)


@dataclass(frozen=True)
class Release:
    """The profile version a site is built for and its release date (from the changelog)."""

    version: str
    date: str


def release_of(spec: Path, version: str) -> Release:
    """The changelog's entry for ``version``, or a :class:`SpecDataError` naming the file."""
    changelog = spec / "CHANGELOG.md"
    try:
        text = changelog.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecDataError(f"{changelog}: cannot read the changelog: {exc.strerror}") from None
    for match in _RELEASE.finditer(text):
        if match["version"] == version:
            return Release(version, match["date"])
    raise SpecDataError(
        f"{changelog}: no entry '## [{version}] - YYYY-MM-DD' for the profile version {version}",
        hint="record the release in the changelog before publishing the site",
    )


def _copy_spec(spec: Path, docs: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        return {
            name
            for name in names
            if name.endswith(_SKIP_SUFFIXES) or (name in _SKIP_DIRS and (here / name).is_dir())
        }

    shutil.copytree(spec, docs, ignore=ignore, dirs_exist_ok=True)


def _rewrite_links(spec: Path, repo_root: Path | None, docs: Path) -> None:
    """Links a static site cannot follow as written in the repository.

    A link to a folder of spec/ goes to its README or its generated file list. A link
    to another file of the repository (examples/...) is copied into the site under
    ``repository/`` and the link rewritten; outside a source checkout (a wheel) such a
    link is a defect of the spec folder.
    """
    for page in sorted(docs.rglob("*.md")):
        source = spec / page.relative_to(docs)
        text = page.read_text(encoding="utf-8")
        changed = False

        def rewrite(match: re.Match[str], page: Path = page, source: Path = source) -> str:
            nonlocal changed
            target = match["target"]
            if "://" in target or target.startswith(("mailto:", "/")):
                return match.group(0)
            resolved = (source.parent / target).resolve()
            if resolved.is_relative_to(spec.resolve()):
                if not resolved.is_dir():
                    return match.group(0)
                # A folder: its README, or the file list the builder writes for it.
                index = "README.md" if (resolved / "README.md").is_file() else "index.md"
                changed = True
                return f"[{match['text']}]({target.rstrip('/')}/{index}{match['anchor'] or ''})"
            if repo_root is None or not resolved.is_relative_to(repo_root):
                # An installed package ships spec/ alone: the text stays, without the link.
                changed = True
                return match["text"]
            if not resolved.is_file():
                raise SpecDataError(
                    f"{source}: the link {target!r} leaves the spec folder and names no file",
                    hint="link to a file inside spec/, to a file of the repository, or to a web"
                    " address",
                )
            copy = docs / "repository" / resolved.relative_to(repo_root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(resolved, copy)
            changed = True
            relative = Path(*([".."] * (len(page.relative_to(docs).parts) - 1))) / copy.relative_to(
                docs
            )
            return f"[{match['text']}]({relative.as_posix()}{match['anchor'] or ''})"

        text = _LINK.sub(rewrite, text)
        if changed:
            page.write_text(text, encoding="utf-8")


#: Folders of the site that are pages, not published data files.
_PAGE_FOLDERS = {"profile", "brief", "assets", "pdf", "repository"}


def _folder_lists(docs: Path) -> None:
    """An ``index.md`` listing the files of every data folder that has no README."""
    for folder in sorted(p for p in docs.rglob("*") if p.is_dir()):
        relative = folder.relative_to(docs)
        if relative.parts[0] in _PAGE_FOLDERS:
            continue
        if (folder / "README.md").is_file() or (folder / "index.md").is_file():
            continue
        lines = [f"# {relative.as_posix()}/", "", "The files of this folder of the profile.", ""]
        for entry in sorted(folder.iterdir()):
            if entry.is_dir():
                index = "README.md" if (entry / "README.md").is_file() else "index.md"
                lines.append(f"- [{entry.name}/]({entry.name}/{index})")
            else:
                lines.append(f"- [{entry.name}]({entry.name})")
        (folder / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _section_page(section: str, pages: dict[str, str]) -> str:
    number = section.split(".")[0]
    if number.upper() == "A" or section.upper().startswith("A"):
        return "profile/annex-a-stix-tables.md"
    page = pages.get(number)
    if page is None:
        raise SpecDataError(f"spec/checks.json: a check names section {section}, which is no page")
    return page


def _slug(heading: str) -> str:
    """The id mkdocs' table-of-contents extension gives a heading (its default slugify)."""
    text = re.sub(r"[`*_]", "", heading)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _section_anchor(spec: Path, section: str, pages: dict[str, str]) -> str:
    """``#id`` of the heading of a numbered subsection (12.1, 13.2.1), "" for a whole section."""
    if "." not in section:
        return ""
    source = spec / _section_page(section, pages)
    heading = re.compile(rf"^#{{2,6}} {re.escape(section)} (.+)$", re.M)
    match = heading.search(source.read_text(encoding="utf-8"))
    return f"#{_slug(section + ' ' + match[1])}" if match else ""


def _checks_page(spec: Path) -> str:
    """The table of conformance checks, each linked to its section and its fixtures."""
    try:
        catalogue: dict[str, Any] = json.loads((spec / "checks.json").read_text("utf-8"))
        index: dict[str, Any] = json.loads((spec / "conformance" / "index.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecDataError(f"spec/checks.json or spec/conformance/index.json: {exc}") from None
    pages = {
        path.name.split("-", 1)[0].lstrip("0"): f"profile/{path.name}"
        for path in sorted((spec / "profile").glob("[0-9][0-9]-*.md"))
    }
    fixtures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fixture in index.get("fixtures", []):
        fixtures[str(fixture["check_id"])].append(fixture)
    lines = [
        "# Conformance checks",
        "",
        "Every rule of the profile that software can test has a number (IS-nnn). A",
        "bundle conforms when it passes every mandatory check. Each check below names the",
        "section of the profile it enforces and links to its test fixtures: small",
        "example bundles that must fail the check (`fail-0N`) or pass every check",
        "(`pass-1N`). Implementers run the fixtures to show their software reads the",
        "profile the same way; policy staff can read each check's requirement in one",
        "sentence. The same list, as a table, is in",
        "[§14.5](profile/14-conformance.md#145-table-of-checks); the machine-readable",
        "catalogue is [checks.json](checks.json) and the fixture list",
        "[conformance/index.json](conformance/index.json).",
        "",
        "| level | what it means |",
        "|---|---|",
        "| mandatory | an error: a bundle that fails it does not conform |",
        "| recommended | a warning: the bundle conforms, but should be improved |",
        "| informative | a note for the reader, never a failure |",
        "",
    ]
    for check in catalogue.get("checks", []):
        check_id = str(check["id"])
        section = str(check["section"])
        page = _section_page(section, pages) + _section_anchor(spec, section, pages)
        level = str(check["level"])
        lines += [
            f"## {check_id} {check['title']} {{#{check_id.lower()}}}",
            "",
            f"**{level.capitalize()}** ({check['severity']}); enforces"
            f" [§{section}]({page}); presets: {', '.join(check['modes'])}.",
            "",
            f"> {check['requirement']}",
            "",
        ]
        mine = fixtures.get(check_id, [])
        if mine:
            folder = Path(mine[0]["path"]).parent.as_posix()
            readme = spec / "conformance" / folder / "README.md"
            about = (
                f" ([what each fixture shows](conformance/{folder}/README.md))"
                if readme.is_file()
                else ""
            )
            lines.append(f"Fixtures{about}:")
            lines.append("")
            for fixture in mine:
                path = str(fixture["path"])
                if not (spec / "conformance" / path).is_file():
                    raise SpecDataError(
                        f"spec/conformance/index.json lists {path}, which is missing"
                    )
                verdict = "must fail" if fixture["verdict"] == "fail" else "must pass"
                name = html.escape(Path(path).name)
                lines.append(f"- [`{name}`](conformance/{path}): {verdict}")
            lines.append("")
        else:
            lines += ["No fixture: this check is tested by the library's own tests.", ""]
    return "\n".join(lines) + "\n"


def _downloads_block(release: Release) -> str:
    return "\n".join(
        [
            "## Downloads",
            "",
            f"- [The whole profile as a PDF]({PROFILE_PDF}) (version {release.version},"
            f" {release.date})",
            f"- [The two-page brief for policy staff as a PDF]({BRIEF_PDF})",
            "- [The check catalogue as JSON](checks.json), and the",
            "  [extension definitions as one STIX bundle](extension-definitions/bundle.json)",
            "",
        ]
    )


def assemble(spec: Path, pages: Path, docs: Path, release: Release, repo_root: Path | None) -> None:
    """Fill the empty folder ``docs`` with everything mkdocs builds the site from."""
    readme = spec / "README.md"
    try:
        landing = readme.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecDataError(f"{readme}: cannot read the landing page: {exc.strerror}") from None
    for needed, what in ((release.version, "profile version"), (release.date, "release date")):
        if needed not in landing:
            raise SpecDataError(
                f"{readme}: the landing page does not state the {what} {needed}",
                hint="update its status box to the version being published",
            )
    if DOWNLOADS_MARKER not in landing:
        raise SpecDataError(f"{readme}: the marker {DOWNLOADS_MARKER} is missing")
    _copy_spec(spec, docs)
    shutil.copytree(pages, docs, dirs_exist_ok=True)
    (docs / "README.md").write_text(
        # In the repository the landing page links the site's own pages under site/pages/;
        # in the site they sit at the root.
        landing.replace(DOWNLOADS_MARKER, _downloads_block(release)).replace("](site/pages/", "]("),
        encoding="utf-8",
    )
    (docs / "checks.md").write_text(_checks_page(spec), encoding="utf-8")
    for pdf in (PROFILE_PDF, BRIEF_PDF):
        (docs / pdf).parent.mkdir(parents=True, exist_ok=True)
        (docs / pdf).write_bytes(b"")
    _folder_lists(docs)
    _rewrite_links(spec, repo_root, docs)
