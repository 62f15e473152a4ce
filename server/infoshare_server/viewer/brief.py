"""The printable brief of a case: HTML of our own, rendered to PDF with WeasyPrint.

Implements "The printable brief" of docs/adr/0015-case-viewer.md ("Reading a
case"). The brief is what an analyst hands to a manager or a minister's
office: the summary card, the attribution with its confidence in words and
its basis (profile §13.2, which also asks that an attribution is never
presented as the reader's own government's finding), the narratives with
their translation, the techniques, the platform actions with the outcome of
each item, the opinions of other partners and the related cases; long lists
are cut with a count of what is left out.

* In the reader's language: every label comes from ``messages`` (the
  viewer's message catalogue), falling back to :data:`DEFAULT_MESSAGES`
  for that language, then to English. :data:`MESSAGE_KEYS` lists the keys.
* The TLP label of the case is printed at the top and the bottom of every
  page (CSS paged-media margin boxes), in the colours of FIRST's TLP 2.0.
* Autoescaped Jinja2: nothing from a case can become markup; no resource is
  fetched (WeasyPrint's URL fetcher refuses every URL, so a URL in a case
  cannot make the node fetch anything).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape

from infoshare.stix.tlp import tlp_label
from infoshare_server.viewer.model import Case

TEMPLATES: Final = Path(__file__).with_name("templates")
#: Entries of each list printed before "and N more".
LIMITS: Final = {
    "timeline": 40, "posts": 12, "narratives": 12, "actions": 10, "action_items": 25,
    "opinions": 12, "related": 15, "techniques": 60, "attributions": 10,
}  # fmt: skip

#: TLP 2.0 label colours (FIRST, "Traffic Light Protocol 2.0"): text on black.
TLP_COLOURS: Final = {
    "clear": "#ffffff",
    "green": "#33ff00",
    "amber": "#ffc000",
    "amber+strict": "#ffc000",
    "red": "#ff2b2b",
}

DEFAULT_MESSAGES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "brief.title": "Case brief",
        "brief.printed": "Printed {date} from the infoshare node for {reader}. It shows only"
        " what this account may see; share it only as its TLP marking allows.",
        "brief.no_tlp": "No TLP marking",
        "brief.summary": "Summary",
        "brief.verdict": "Verdict",
        "brief.status": "Status",
        "brief.tlp": "TLP",
        "brief.origin": "Partner of origin",
        "brief.co_authors": "Co-authors",
        "brief.countries": "Countries",
        "brief.types": "FIMI types",
        "brief.updated": "Last updated",
        "brief.withdrawn": "Withdrawn by its originator: shown to the node's operators only.",
        "brief.truncated": "This case is larger than the viewer shows; the brief is cut short.",
        "brief.attribution": "Attribution",
        "brief.attribution_note": "As assessed by the partner of origin; not a finding of"
        " your own government.",
        "brief.actor": "Actor",
        "brief.confidence": "Confidence",
        "brief.basis": "Basis",
        "brief.not_stated": "not stated",
        "brief.narratives": "Narratives",
        "brief.posts": "Posts",
        "brief.original": "Original",
        "brief.translation": "Translation",
        "brief.timeline": "Timeline",
        "brief.when": "When",
        "brief.what": "What",
        "brief.techniques": "DISARM techniques",
        "brief.technique": "Technique",
        "brief.tactics": "Tactics",
        "brief.platform_actions": "Platform actions",
        "brief.platform": "Platform",
        "brief.legal_basis": "Legal basis",
        "brief.state": "State",
        "brief.item": "Item",
        "brief.requested": "Requested",
        "brief.outcome": "Outcome",
        "brief.decided": "Decided",
        "brief.appeal": "Appeal",
        "brief.opinions": "Opinions of other partners",
        "brief.related": "Related cases",
        "brief.shared": "Shared",
        "brief.more": "… and {count} more",
        "brief.none": "None visible to you.",
        # The words of profile §13.2.1, as printed (English: the words themselves).
        "brief.confidence.almost no chance": "almost no chance",
        "brief.confidence.very unlikely": "very unlikely",
        "brief.confidence.unlikely": "unlikely",
        "brief.confidence.roughly even chance": "roughly even chance",
        "brief.confidence.likely": "likely",
        "brief.confidence.very likely": "very likely",
        "brief.confidence.almost certain": "almost certain",
    },
    "ja": {
        "brief.title": "事案概要",
        "brief.printed": "{date} に infoshare ノードから {reader} 向けに印刷。このアカウントが"
        "閲覧できる情報のみを含みます。TLP 表示の範囲内でのみ共有してください。",
        "brief.no_tlp": "TLP 表示なし",
        "brief.summary": "概要",
        "brief.verdict": "判定",
        "brief.status": "状況",
        "brief.tlp": "TLP",
        "brief.origin": "作成機関",
        "brief.co_authors": "共同作成者",
        "brief.countries": "対象国",
        "brief.types": "FIMI の種類",
        "brief.updated": "最終更新",
        "brief.withdrawn": "作成機関により撤回済み。ノード運用者のみに表示されます。",
        "brief.truncated": "この事案はビューアーの表示上限を超えるため、概要は一部のみです。",
        "brief.attribution": "帰属",
        "brief.attribution_note": "作成機関による評価であり、貴国政府の判断ではありません。",
        "brief.actor": "主体",
        "brief.confidence": "確度",
        "brief.basis": "根拠",
        "brief.not_stated": "記載なし",
        "brief.narratives": "ナラティブ",
        "brief.posts": "投稿",
        "brief.original": "原文",
        "brief.translation": "翻訳",
        "brief.timeline": "時系列",
        "brief.when": "日時",
        "brief.what": "内容",
        "brief.techniques": "DISARM 手法",
        "brief.technique": "手法",
        "brief.tactics": "戦術",
        "brief.platform_actions": "プラットフォームへの措置",
        "brief.platform": "プラットフォーム",
        "brief.legal_basis": "法的根拠",
        "brief.state": "状態",
        "brief.item": "対象",
        "brief.requested": "要請内容",
        "brief.outcome": "結果",
        "brief.decided": "決定日時",
        "brief.appeal": "異議申立て",
        "brief.opinions": "他機関の意見",
        "brief.related": "関連事案",
        "brief.shared": "共通点",
        "brief.more": "… ほか {count} 件",
        "brief.none": "閲覧できる情報はありません。",
        "brief.confidence.almost no chance": "ほぼ可能性なし",
        "brief.confidence.very unlikely": "可能性は非常に低い",
        "brief.confidence.unlikely": "可能性は低い",
        "brief.confidence.roughly even chance": "五分五分",
        "brief.confidence.likely": "可能性が高い",
        "brief.confidence.very likely": "可能性が非常に高い",
        "brief.confidence.almost certain": "ほぼ確実",
    },
}
#: Every message key the brief uses (a catalogue that has them all needs no fallback).
MESSAGE_KEYS: Final = tuple(DEFAULT_MESSAGES["en"])


class Messages:
    """The brief's labels in one language: the catalogue's, else the defaults."""

    def __init__(self, language: str, messages: Mapping[str, str]) -> None:
        primary = language.split("-")[0].lower() if language else "en"
        self._chain = (messages, DEFAULT_MESSAGES.get(primary, {}), DEFAULT_MESSAGES["en"])

    def __call__(self, key: str, **values: object) -> str:
        for table in self._chain:
            text = table.get(key)
            if isinstance(text, str):
                try:
                    return text.format(**values) if values else text
                except (KeyError, IndexError, ValueError):
                    continue  # a catalogue entry with other placeholders: use the default
        return key


@functools.cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = when
    return environment


def when(timestamp: object) -> str:
    """A STIX timestamp as a person reads it: ``2026-06-28 06:00 UTC`` (seconds when set)."""
    text = str(timestamp or "")
    if len(text) < 16 or text[10:11] != "T" or not text.endswith("Z"):
        return text
    seconds = text[16:19]
    shown = text[:10] + " " + text[11:16]
    if seconds not in ("", ":00"):
        shown += seconds
    return shown + " UTC"


def brief_html(
    case: Case, *, language: str, messages: Mapping[str, str], reader: str = "", now: str = ""
) -> str:
    """The brief's HTML (its CSS is ``templates/brief.css``)."""
    label = tlp_label(case.summary.tlp) if case.summary.tlp else None
    m = Messages(language, messages)
    printed = now or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        _environment()
        .get_template("brief.html")
        .render(
            case=case,
            m=m,
            lang=_language_tag(language),
            tlp=label or m("brief.no_tlp"),
            printed=m("brief.printed", date=printed, reader=reader or "—"),
            limits=LIMITS,
        )
    )


def _language_tag(language: str) -> str:
    cleaned = "".join(ch for ch in language if ch.isalnum() or ch == "-")[:35]
    return cleaned or "en"


def page_css(case: Case, messages: Messages) -> str:
    """The paged-media rules: the TLP label at the top and bottom of every page."""
    level = case.summary.tlp
    label = tlp_label(level) if level else messages("brief.no_tlp")
    colour = TLP_COLOURS.get(level or "", "#ffffff")
    text = label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    box = (
        f'content: "{text}"; color: {colour}; background: #000000; font-weight: bold;'
        " font-size: 10pt; padding: 1pt 6pt; margin: 4mm auto;"
    )
    return (
        "@page { size: A4; margin: 22mm 16mm 22mm 16mm;"
        f" @top-center {{ {box} }} @bottom-center {{ {box} }}"
        ' @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt;'
        " color: #333333; } }"
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: the brief loads nothing, so a URL in a case fetches nothing."""
    raise ValueError(f"the brief loads no external resource ({url[:60]!r})")


class BriefUnavailable(RuntimeError):
    """The machine cannot print PDF: WeasyPrint or the Pango library it needs is missing."""


def weasyprint_problem() -> str | None:
    """Why the brief cannot be printed on this machine, or None when it can."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return (
            f"WeasyPrint cannot be loaded ({str(exc)[:200]}); install the node's server extra"
            " and the Pango library (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
        )
    return None


def render(case: Case, *, language: str, messages: Mapping[str, str], reader: str = "") -> Any:
    """The laid-out WeasyPrint document of the brief (pages, for tests and for the PDF).

    Raises :class:`BriefUnavailable`, saying what to install, when WeasyPrint cannot
    be loaded."""
    problem = weasyprint_problem()
    if problem is not None:
        raise BriefUnavailable(problem)
    from weasyprint import CSS, HTML

    html = brief_html(case, language=language, messages=messages, reader=reader)
    stylesheets = [
        CSS(filename=str(TEMPLATES / "brief.css"), url_fetcher=_no_fetch),
        CSS(string=page_css(case, Messages(language, messages)), url_fetcher=_no_fetch),
    ]
    return HTML(string=html, url_fetcher=_no_fetch, base_url=str(TEMPLATES)).render(
        stylesheets=stylesheets
    )


def brief_pdf(case: Case, *, language: str, messages: Mapping[str, str], reader: str = "") -> bytes:
    """The brief as PDF bytes."""
    document = render(case, language=language, messages=messages, reader=reader)
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
