"""Check every link and anchor of a built site (docs/adr/0016-published-profile-site.md).

mkdocs checks the links between Markdown pages; this checks the HTML that was
actually written, including the theme's own links, the assets pages load, and
links to files: every relative ``href`` and ``src`` must name a file of the
site, and every ``#fragment`` an ``id`` of its target page. Links to other
sites are listed, never fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

_URL_ATTRIBUTES = {"href", "src"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            elif name in _URL_ATTRIBUTES and not (tag == "link" and _is_hint(attrs)):
                self.urls.append(value)


def _is_hint(attrs: list[tuple[str, str | None]]) -> bool:
    """``<link rel="canonical|alternate">`` names an address, not a file the page loads."""
    rel = dict(attrs).get("rel") or ""
    return any(word in ("canonical", "alternate") for word in rel.split())


@dataclass
class LinkReport:
    """What :func:`check_links` found."""

    pages: int = 0
    links: int = 0
    broken: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)


def _parse(path: Path, cache: dict[Path, _Page]) -> _Page:
    page = cache.get(path)
    if page is None:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return page


def _target(site: Path, page: Path, path: str) -> Path | None:
    if path.startswith("/"):
        return None  # the site is served below a prefix (/spec/): absolute paths are bugs
    target = (page.parent / unquote(path)).resolve()
    if not target.is_relative_to(site):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def check_links(site: Path) -> LinkReport:
    """Every broken relative link and anchor of the HTML pages below ``site``."""
    site = site.resolve()
    report = LinkReport()
    cache: dict[Path, _Page] = {}
    for page_path in sorted(site.rglob("*.html")):
        report.pages += 1
        page = _parse(page_path, cache)
        where = page_path.relative_to(site).as_posix()
        for url in page.urls:
            report.links += 1
            parts = urlsplit(url)
            if parts.scheme in ("http", "https"):
                report.external.add(url)
                continue
            if parts.scheme in ("mailto", "data", "javascript") or parts.netloc:
                if parts.scheme == "javascript" or (parts.netloc and not parts.scheme):
                    report.broken.append(f"{where}: {url} (not a plain link)")
                continue
            target = _target(site, page_path, parts.path) if parts.path else page_path
            if target is None:
                report.broken.append(f"{where}: {url} (no such file in the site)")
                continue
            if parts.fragment and target.suffix == ".html":
                fragment = unquote(parts.fragment)
                if fragment not in _parse(target, cache).ids:
                    report.broken.append(f"{where}: {url} (no anchor #{fragment})")
    return report
