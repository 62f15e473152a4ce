"""The profile's published site builds with no warning and no broken link.

docs/adr/0016-published-profile-site.md. The real build (mkdocs-material in strict
mode, then a check of every link and anchor in the written HTML, then the PDFs
printed by Debian's Chromium) runs once for the module; the other tests read what
it wrote. Hostile cases break a copy of spec/ and expect a clear error.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from infoshare._spec_files import spec_dir
from infoshare.cli.main import main
from infoshare.errors import SpecDataError, UsageError
from infoshare.profile import PROFILE_VERSION
from infoshare.spec_site import BRIEF_PDF, PROFILE_PDF, build_site, check_links, read_build_info
from infoshare.spec_site._assemble import release_of

CHROMIUM = Path(os.environ.get("INFOSHARE_CHROMIUM", "/usr/bin/chromium"))
LANGUAGES = {"ja": "参考訳", "th": "คำแปลเพื่อให้ข้อมูล", "vi": "Bản dịch tham khảo",
             "fil": "Salin na pang-impormasyon", "id": "Terjemahan informatif"}  # fmt: skip


def _need_site_tools() -> None:
    """Skip without mkdocs or Chromium locally; in CI (CI=true) fail instead."""
    missing = None
    if importlib.util.find_spec("mkdocs") is None:
        missing = "the site extra (mkdocs-material) is not installed; make installs it"
    elif not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing: install Debian's chromium to print the PDFs"
    if missing is None:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"the site tests must run in CI, but {missing}")
    pytest.skip(missing)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_site_tools()
    out = tmp_path_factory.mktemp("spec-site") / "site"
    build = build_site(out, chromium=str(CHROMIUM))
    assert build.out == out.resolve()
    return out


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_site_has_no_broken_link_or_anchor(site: Path) -> None:
    report = check_links(site)
    assert report.broken == []
    assert report.pages > 100 and report.links > 5000
    info = read_build_info(site)
    assert info["profile_version"] == PROFILE_VERSION
    assert all(h.startswith("sha256-") for h in info["csp_script_hashes"])


def test_nothing_is_loaded_from_outside(site: Path) -> None:
    loads = re.compile(
        r'<(?:script|img|iframe)\b[^>]*\bsrc="(https?:)?//|<link\b[^>]*href="https?:'
    )
    for page in site.rglob("*.html"):
        text = _text(page)
        assert not loads.search(text), page
        assert "fonts.googleapis" not in text and "unpkg.com" not in text
    assert (site / "assets" / "vendor" / "mermaid" / "mermaid.min.js").is_file()
    assert (site / "assets" / "vendor" / "mermaid" / "LICENSE").is_file()


def test_the_landing_page_is_for_policy_staff(site: Path) -> None:
    landing = _text(site / "index.html")
    release = release_of(spec_dir(), PROFILE_VERSION)
    for needed in (
        f"Version {PROFILE_VERSION}",
        release.date,
        "the infoshare editors",
        "How to comment",
        "Status",
        PROFILE_PDF,
        BRIEF_PDF,
        "glossary/",
        "brief/",
    ):
        assert needed in landing, needed
    assert (site / "glossary" / "index.html").is_file()
    assert "Versioning policy" in _text(site / "profile" / "15-versioning" / "index.html")


def test_every_section_is_a_page_and_the_diagram_source_is_kept_for_rendering(site: Path) -> None:
    for source in sorted((spec_dir() / "profile").glob("[0-9][0-9]-*.md")):
        page = site / "profile" / source.stem / "index.html"
        title = source.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
        assert title.split(" ", 1)[1] in _text(page), source.name
    overview = _text(site / "profile" / "02-overview" / "index.html")
    assert '<div class="infoshare-diagram">' in overview
    assert 'class="mermaid"' not in overview  # the theme would fetch mermaid from a CDN


def test_every_check_links_to_its_section_and_every_fixture(site: Path) -> None:
    page = _text(site / "checks" / "index.html")
    catalogue = json.loads((spec_dir() / "checks.json").read_text("utf-8"))
    for check in catalogue["checks"]:
        assert f'id="{check["id"].lower()}"' in page, check["id"]
    index = json.loads((spec_dir() / "conformance" / "index.json").read_text("utf-8"))
    for fixture in index["fixtures"]:
        assert f'href="../conformance/{fixture["path"]}"' in page, fixture["path"]
        assert (site / "conformance" / fixture["path"]).is_file()


def test_the_summaries_are_marked_informative_and_tagged_with_their_language(site: Path) -> None:
    for code, notice in LANGUAGES.items():
        page = _text(site / "brief" / code / "index.html")
        assert f'lang="{code}"' in page
        assert notice in page and "informative translation" in page
        assert 'href="../"' in page  # back to the English brief


def _pdf_text(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def test_the_brief_is_at_most_two_pages(site: Path) -> None:
    pages, text = _pdf_text(site / BRIEF_PDF)
    assert 1 <= pages <= 2
    for needed in ("What is shared", "Under which rules", "Which safeguards", "TLP:AMBER"):
        assert needed in text


def test_the_profile_pdf_has_every_section(site: Path) -> None:
    pages, text = _pdf_text(site / PROFILE_PDF)
    assert pages > 50
    assert f"Version {PROFILE_VERSION}" in text
    sources = sorted((spec_dir() / "profile").glob("[0-9][0-9]-*.md"))
    for source in [*sources, spec_dir() / "profile" / "annex-a-stix-tables.md"]:
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                heading = line.removeprefix("## ").replace("`", "")
                assert heading in text, f"{source.name}: {heading}"
    assert "Glossary" in text and "IS-001" in text
    # The diagram of §2.1 was drawn (its labels are text of the PDF), not left as source.
    assert "flowchart LR" not in text and "attributed-to" in text


# --- hostile input: a broken spec folder gives a clear error -----------------------------


def _copy_spec(tmp_path: Path) -> Path:
    copy = tmp_path / "spec"
    shutil.copytree(spec_dir(), copy, ignore=shutil.ignore_patterns("conformance"))
    shutil.copytree(
        spec_dir() / "conformance",
        copy / "conformance",
        ignore=shutil.ignore_patterns("*-1[1-9]-*"),
    )
    index = json.loads((copy / "conformance" / "index.json").read_text("utf-8"))
    index["fixtures"] = [
        f for f in index["fixtures"] if (copy / "conformance" / f["path"]).is_file()
    ]
    (copy / "conformance" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return copy


def test_a_broken_link_in_a_section_fails_the_build_and_names_the_page(tmp_path: Path) -> None:
    _need_site_tools()
    spec = _copy_spec(tmp_path)
    page = spec / "profile" / "04-narrative.md"
    page.write_text(_text(page) + "\nSee [§99](99-nowhere.md).\n", encoding="utf-8")
    with pytest.raises(SpecDataError) as caught:
        build_site(tmp_path / "out", chromium=str(CHROMIUM), spec=spec)
    assert "profile/04-narrative.md" in caught.value.message
    assert "99-nowhere.md" in caught.value.message
    assert not (tmp_path / "out" / "build-info.json").exists()


def test_a_broken_anchor_fails_the_build(tmp_path: Path) -> None:
    _need_site_tools()
    spec = _copy_spec(tmp_path)
    page = spec / "profile" / "04-narrative.md"
    page.write_text(_text(page) + "\nSee [§12.9](12-markings.md#129-nothing).\n", "utf-8")
    with pytest.raises(SpecDataError, match="129-nothing"):
        build_site(tmp_path / "out", chromium=str(CHROMIUM), spec=spec)


def test_a_landing_page_of_another_version_is_refused(tmp_path: Path) -> None:
    _need_site_tools()
    spec = _copy_spec(tmp_path)
    readme = spec / "README.md"
    readme.write_text(_text(readme).replace(PROFILE_VERSION, "9.9.9"), encoding="utf-8")
    with pytest.raises(
        SpecDataError, match=f"does not state the profile version {PROFILE_VERSION}"
    ):
        build_site(tmp_path / "out", chromium=str(CHROMIUM), spec=spec)


def test_the_link_checker_finds_missing_files_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h1 id="top">A</h1>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="a/#top">ok</a><a href="a/#gone">x</a><a href="b/">x</a>'
        '<a href="/abs">x</a><a href="https://example.org/">out</a><img src="c.png">',
        encoding="utf-8",
    )
    report = check_links(tmp_path)
    assert len(report.broken) == 4
    assert report.external == {"https://example.org/"}


def test_the_command_refuses_to_overwrite_a_folder_that_is_no_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _need_site_tools()
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    code = main(["spec-site", "build", "--out", str(tmp_path)])
    assert code != 0
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "keep me"


def test_the_site_is_never_built_into_the_spec_folder(tmp_path: Path) -> None:
    _need_site_tools()
    for out in (spec_dir() / "site-build", spec_dir().parent):
        with pytest.raises(UsageError, match="cannot be built into or over the spec folder"):
            build_site(out, chromium=str(CHROMIUM))


def test_a_missing_chromium_is_explained(tmp_path: Path) -> None:
    _need_site_tools()
    with pytest.raises(UsageError, match="Chromium is needed"):
        build_site(tmp_path / "out", chromium=str(tmp_path / "no-chromium"))
