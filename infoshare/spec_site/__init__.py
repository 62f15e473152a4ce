"""The published site of the profile: HTML pages, a PDF of the whole profile, the brief.

Implements docs/adr/0016-published-profile-site.md. :func:`build_site` turns
spec/ (the profile's Markdown and JSON files) and spec/site/ (the site's
configuration, its own pages and assets) into a static site with mkdocs-material,
refuses any warning and any broken link or anchor, prints the PDFs with
Chromium, and writes ``build-info.json``, which the node reads to serve only a
site of the profile version it enforces.

mkdocs is an optional dependency (the ``site`` extra); it is imported only here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infoshare._spec_files import spec_dir
from infoshare.errors import InfoshareError, SpecDataError, UsageError
from infoshare.profile import PROFILE_VERSION
from infoshare.spec_site._assemble import (
    BRIEF_PDF,
    PROFILE_PDF,
    Release,
    assemble,
    release_of,
)
from infoshare.spec_site._links import LinkReport, check_links
from infoshare.spec_site._pdf import find_chromium, print_page, print_to_pdf

__all__ = [
    "BRIEF_PDF",
    "BUILD_INFO",
    "PROFILE_PDF",
    "LinkReport",
    "SiteBuild",
    "build_site",
    "check_links",
    "read_build_info",
]

#: The file at the root of a built site that says what it was built from.
BUILD_INFO = "build-info.json"


@dataclass
class SiteBuild:
    """What :func:`build_site` made."""

    out: Path
    release: Release
    pages: int
    links: int
    external_links: set[str] = field(default_factory=set)
    pdfs: list[Path] = field(default_factory=list)


class _Collect(logging.Handler):
    """Every warning mkdocs (or the theme, or an extension) logs during a build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


def _import_mkdocs() -> Any:
    try:
        from mkdocs.commands import build
        from mkdocs.config import load_config
    except ImportError:
        raise UsageError(
            "building the profile site needs mkdocs-material, which is not installed",
            hint="pip install 'infoshare[site]' (make spec-site installs it into .venv)",
        ) from None
    return build, load_config


def _mkdocs(config_file: Path, docs: Path, site: Path) -> None:
    build, load_config = _import_mkdocs()
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        config = load_config(
            config_file=str(config_file), docs_dir=str(docs), site_dir=str(site), strict=True
        )
        build.build(config)
    except InfoshareError:
        raise
    except Exception as exc:  # mkdocs' Abort, a YAML or theme error: report, no traceback
        collect.messages.append(f"{type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(collect)
    if collect.messages:
        shown = collect.messages[:20]
        raise SpecDataError(
            f"the profile site does not build cleanly ({len(collect.messages)} problem(s)):\n  "
            + "\n  ".join(shown),
            hint="fix the pages named above; the site is built with no warning allowed",
        )


_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def inline_script_hashes(site: Path) -> list[str]:
    """The CSP hashes (``sha256-…``) of every inline script of the site's pages.

    The theme writes a few small inline scripts (colour scheme, page scope); the node
    allows exactly these in its Content-Security-Policy and no other inline script.
    """
    hashes: set[str] = set()
    for page in site.rglob("*.html"):
        for match in _SCRIPT.finditer(page.read_text(encoding="utf-8")):
            attrs = match["attrs"]
            if "src=" in attrs or "application/json" in attrs or not match["body"].strip():
                continue
            digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
            hashes.add("sha256-" + base64.b64encode(digest).decode("ascii"))
    return sorted(hashes)


def _profile_pages(site: Path) -> list[Path]:
    names = [
        "profile/index.html",
        *(
            f"profile/{path.name}/index.html"
            for path in sorted((site / "profile").iterdir())
            if path.is_dir() and path.name[:2].isdigit()
        ),
        "profile/annex-a-stix-tables/index.html",
        "glossary/index.html",
        "checks/index.html",
        "CHANGELOG/index.html",
    ]
    pages = [site / name for name in names]
    for page in pages:
        if not page.is_file():
            raise SpecDataError(f"the built site has no {page.relative_to(site)}")
    return pages


def _title_block(release: Release) -> str:
    return (
        "<h1>The infoshare FIMI exchange profile</h1>"
        f"<p>Version {release.version}, {release.date}</p>"
        "<p>A STIX 2.1 profile for exchanging cases of foreign information manipulation"
        " and interference between governments.</p>"
        "<p>Published by the infoshare editors.</p>"
    )


def _pdfs(site: Path, release: Release, chromium: str) -> list[Path]:
    profile_pdf = site / PROFILE_PDF
    brief_pdf = site / BRIEF_PDF
    printable = print_page(site, _profile_pages(site), _title_block(release))
    try:
        print_to_pdf(chromium, printable, profile_pdf)
    finally:
        shutil.rmtree(site / "print", ignore_errors=True)
    print_to_pdf(chromium, site / "brief" / "index.html", brief_pdf)
    return [profile_pdf, brief_pdf]


def build_site(out: Path, *, chromium: str | None = None, spec: Path | None = None) -> SiteBuild:
    """Build the published site of the profile into ``out`` (replaced if it exists).

    Raises :class:`SpecDataError` when the site has a warning, a broken link or
    anchor, or a PDF cannot be printed; ``out`` then holds no ``build-info.json``, so
    a node never serves a half-built site.
    """
    spec = (spec or spec_dir()).resolve()
    site_sources = spec / "site"
    config_file = site_sources / "mkdocs.yml"
    if not config_file.is_file():
        raise SpecDataError(f"{config_file} is missing: the site's configuration")
    browser = find_chromium(chromium)
    release = release_of(spec, PROFILE_VERSION)
    repo_root = spec.parent if (spec.parent / "pyproject.toml").is_file() else None
    out = out.resolve()
    if out == spec or out.is_relative_to(spec) or spec.is_relative_to(out):
        raise UsageError(f"{out}: the site cannot be built into or over the spec folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / BUILD_INFO).is_file():
        raise UsageError(
            f"{out} is a folder with other files, and the build replaces the whole folder",
            hint="name an empty or new folder, or a folder that holds an earlier build",
        )
    with tempfile.TemporaryDirectory(prefix="infoshare-site-") as temporary:
        docs = Path(temporary) / "docs"
        built = Path(temporary) / "site"
        docs.mkdir()
        assemble(spec, site_sources / "pages", docs, release, repo_root)
        _mkdocs(config_file, docs, built)
        # The theme's 404 page links by absolute paths from the server's root; the node
        # answers unknown pages below /spec/ with a page of its own instead.
        (built / "404.html").unlink(missing_ok=True)
        pdfs = _pdfs(built, release, browser)
        report = check_links(built)
        if report.broken:
            raise SpecDataError(
                f"the profile site has {len(report.broken)} broken link(s):\n  "
                + "\n  ".join(report.broken[:20])
            )
        hashes = inline_script_hashes(built)
        shutil.rmtree(out, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(built, out)
    info = {
        "profile_version": release.version,
        "release_date": release.date,
        "built_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "pages": report.pages,
        "csp_script_hashes": hashes,
    }
    (out / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return SiteBuild(
        out=out,
        release=release,
        pages=report.pages,
        links=report.links,
        external_links=report.external,
        pdfs=[out / p.relative_to(built) for p in pdfs],
    )


def read_build_info(folder: Path) -> dict[str, Any]:
    """The ``build-info.json`` of a built site, or a :class:`SpecDataError` saying why not."""
    path = folder / BUILD_INFO
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecDataError(f"{path} is missing: no profile site was built there") from None
    except (OSError, ValueError) as exc:
        raise SpecDataError(f"{path} is unreadable: {exc}") from None
    if not isinstance(info, dict) or not isinstance(info.get("profile_version"), str):
        raise SpecDataError(f"{path} does not name a profile_version")
    return info
