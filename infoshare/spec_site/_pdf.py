"""Print the profile and the brief to PDF with Debian's Chromium (headless).

The diagrams are drawn by JavaScript (the site's own copy of mermaid), so the
pages are printed by a real browser, which runs it, rather than by an HTML-to-PDF
converter without scripts (docs/adr/0016-published-profile-site.md). Chromium
runs with a fresh profile, no network name resolution and a time budget in
which the scripts finish; it reads the built site from disk.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from infoshare.errors import SpecDataError, UsageError

_ARTICLE = re.compile(r"<article\b[^>]*>(?P<body>.*)</article>", re.S)
_HEAD_ASSET = re.compile(
    r'<link rel="stylesheet" href="[^"]+"\s*/?>'
    r'|<script src="[^"]*assets/(?:vendor/mermaid/mermaid\.min|diagrams)\.js"></script>'
)
_LOCAL_HREF = re.compile(r'\shref="(?!https?:)[^"]*"')
_IDS = re.compile(r'\sid="([^"]*)"')


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium binary: ``explicit``, $INFOSHARE_CHROMIUM, or chromium on PATH."""
    candidate = explicit or os.environ.get("INFOSHARE_CHROMIUM") or shutil.which("chromium")
    if not candidate or not Path(candidate).is_file():
        raise UsageError(
            "Chromium is needed to print the profile to PDF, and it was not found"
            + (f" at {candidate}" if candidate else ""),
            hint="install Debian's chromium (apt-get install chromium), or set INFOSHARE_CHROMIUM",
        )
    return candidate


def print_to_pdf(chromium: str, page: Path, pdf: Path, *, budget_ms: int = 30000) -> None:
    """Print the local HTML file ``page`` to ``pdf`` once its scripts have run."""
    profile = tempfile.mkdtemp(prefix="infoshare-print-")
    command = [
        chromium,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        "--generate-pdf-document-outline",
        f"--virtual-time-budget={budget_ms}",
        f"--print-to-pdf={pdf}",
        page.resolve().as_uri(),
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=180, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SpecDataError(f"Chromium could not print {page.name}: {exc}") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise SpecDataError(
            f"Chromium could not print {page.name} to PDF (exit {done.returncode})",
            hint="\n".join(tail) or None,
        )


def _article(page: Path) -> str:
    match = _ARTICLE.search(page.read_text(encoding="utf-8"))
    if match is None:
        raise SpecDataError(f"{page}: the built page has no <article>; the theme changed")
    return match["body"]


def print_page(site: Path, pages: list[Path], title_block: str) -> Path:
    """One HTML page holding the articles of ``pages`` in order, for printing.

    It is written at ``print/profile/index.html`` (the depth of a profile section, so
    the theme's assets resolve as from one), links between pages are dropped (the PDF
    is read in order) and ids are made unique per page.
    """
    model = (site / "profile" / "01-scope" / "index.html").read_text(encoding="utf-8")
    assets = "\n".join(_HEAD_ASSET.findall(model))
    parts = []
    for number, page in enumerate(pages):
        body = _LOCAL_HREF.sub("", _article(page))
        body = _IDS.sub(f' id="p{number}-\\1"', body)
        parts.append(f'<section class="print-page">{body}</section>')
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The infoshare FIMI exchange profile</title>
{assets}
<style>
.print-page {{ break-before: page; }}
.print-title {{ text-align: center; padding-top: 30vh; }}
body {{ margin: 0; }}
.md-typeset {{ font-size: 10pt; }}
@page {{ size: A4; margin: 16mm 14mm; }}
</style></head>
<body><div class="md-container"><main class="md-main"><div class="md-content">
<div class="md-typeset">
<section class="print-title">{title_block}</section>
{"".join(parts)}
</div></div></main></div></body></html>
"""
    target = site / "print" / "profile" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(document, encoding="utf-8")
    return target
