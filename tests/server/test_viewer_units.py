"""Unit tests of the case viewer's web layer: catalogues, contrast, graph, heat map, tokens.

docs/adr/0015-case-viewer.md ("Languages", "Accessibility", "Graph", "CSRF").
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from infoshare_server.viewer import i18n
from infoshare_server.viewer.graph import HEIGHT, MAX_DRAWN, TYPE_COLOURS, WIDTH, heat_map, layout
from infoshare_server.viewer.model import GraphEdge, GraphNode, TechniqueUse
from infoshare_server.viewer.palette import SHAPE_PAIRS, TEXT_PAIRS, contrast
from infoshare_server.viewer.sessions import csrf_ok, csrf_token, digest

from infoshare.reference import disarm_framework

VIEWER = Path(i18n.__file__).parent
CSS = (VIEWER / "static" / "viewer.css").read_text(encoding="utf-8")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_catalogue_has_every_key_with_the_same_fields() -> None:
    reference = i18n.catalogues()[i18n.DEFAULT].messages
    assert len(i18n.catalogues()) >= 2 and "ja" in i18n.catalogues()
    for language, catalogue in i18n.catalogues().items():
        assert set(catalogue.messages) == set(reference), language
        for key, text in catalogue.messages.items():
            assert _fields(text) == _fields(reference[key]), (language, key)
            assert text.strip(), (language, key)


def test_every_message_the_templates_use_exists() -> None:
    used: set[str] = set()
    for path in [*(VIEWER / "templates").glob("*.html"), VIEWER / "web.py"]:
        if path.name.startswith("brief"):
            continue  # the brief's labels come with their own defaults (brief.py)
        text = path.read_text(encoding="utf-8")
        used.update(re.findall(r"""\bt\(\s*["']([a-z_.]+[a-z_])["']""", text))
        used.update(k for k in re.findall(r'"(error\.[a-z_]+)"', text) if k != "error.html")
    known = set(i18n.catalogues()[i18n.DEFAULT].messages)
    assert used and used <= known, used - known
    for prefix, values in (
        ("tlp.", ("clear", "green", "amber", "amber+strict", "red", "none")),
        ("timeline.", ("post", "sighting", "engagement", "account-state", "platform-action",
                       "event", "withdrawal")),
        ("word.determination.", ("blocked", "confirmed", "failed-attempt", "false-positive",
                                 "suspected")),
        ("word.status.", ("new", "open", "closed")),
        ("filter.", ("country", "fimi_type", "determination", "status", "tlp", "origin",
                     "since", "until")),
    ):  # fmt: skip
        assert {prefix + value for value in values} <= known


def test_a_missing_or_malformed_message_falls_back_without_failing() -> None:
    japanese = i18n.catalogues()["ja"]
    assert japanese.get("cases.caption", count=3).startswith("このページの事案 3 件")
    assert japanese.get("no.such.key") == "no.such.key"
    assert "{count}" in japanese.get("cases.caption", wrong=1)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("fr-FR, en;q=0.5", "en"),
        ("en;q=0.1, ja;q=0.9", "ja"),
        ("de, fr", None),
        ("", None),
        ("ja;q=abc, en", "en"),
        ("*", None),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


@given(st.text(max_size=600))
def test_hostile_language_headers_never_fail(header: str) -> None:
    chosen = i18n.from_accept_language(header)
    assert chosen is None or chosen in i18n.catalogues()
    assert i18n.supported(header) in (None, *i18n.catalogues())


@pytest.mark.parametrize(("text", "background", "where"), TEXT_PAIRS)
def test_text_colours_reach_wcag_aa(text: str, background: str, where: str) -> None:
    assert contrast(text, background) >= 4.5, where
    assert text in CSS and background in CSS, where


@pytest.mark.parametrize(("colour", "background", "where"), SHAPE_PAIRS)
def test_focus_and_shapes_reach_the_non_text_contrast(
    colour: str, background: str, where: str
) -> None:
    assert contrast(colour, background) >= 3.0, where
    assert colour in CSS or colour in (VIEWER / "templates" / "case.html").read_text()


def test_graph_colours_stand_out_from_the_white_canvas() -> None:
    for kind, colour in TYPE_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 3.0, kind
        assert f".sw-{kind} {{ background: {colour}; }}" in CSS


def test_the_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_the_style_sheet_fetches_nothing_and_shows_focus() -> None:
    assert "url(" not in CSS and "@import" not in CSS and "http" not in CSS
    assert ":focus-visible" in CSS and ".skip:focus" in CSS


def test_the_heat_map_lists_every_tactic_in_order_with_shades() -> None:
    framework = disarm_framework()
    uses = (
        TechniqueUse("T0049.003", "Bots amplify", ("TA17",), 3),
        TechniqueUse("T0086", "Develop image-based content", ("TA06",), 1),
    )
    rows = heat_map(uses)
    assert [row.tactic_id for row in rows] == list(framework.tactics)
    by_id = {row.tactic_id: row for row in rows}
    assert by_id["TA17"].total == 3 and by_id["TA17"].shade == 4
    assert by_id["TA06"].total == 1 and by_id["TA06"].shade == 2
    assert sum(row.total for row in rows) == 4
    assert all(row.shade == 0 for row in rows if row.total == 0)
    assert all(row.shade == 0 for row in heat_map(()))


def _graph(count: int) -> tuple[list[GraphNode], list[GraphEdge]]:
    nodes = [GraphNode("incident--0", "incident", "The incident", "green")]
    edges = []
    for i in range(1, count):
        nodes.append(GraphNode(f"media-content--{i}", "media-content", f"Post {i}" * 5, None))
        edges.append(GraphEdge("incident--0" if i < 5 else f"media-content--{i - 4}",
                               f"media-content--{i}", "related-to"))  # fmt: skip
    return nodes, edges


def test_the_graph_puts_the_incident_in_the_centre_and_stays_in_bounds() -> None:
    nodes, edges = _graph(30)
    drawing = layout(nodes, edges, "incident--0")
    centre = next(n for n in drawing.nodes if n.id == "incident--0")
    assert (centre.x, centre.y) == (WIDTH / 2, HEIGHT / 2)
    assert all(0 <= n.x <= WIDTH and 0 <= n.y <= HEIGHT for n in drawing.nodes)
    assert len(drawing.edges) == len(edges) and drawing.left_out == 0
    assert all(len(n.short) <= 22 for n in drawing.nodes)
    assert layout(list(reversed(nodes)), edges, "incident--0") == drawing  # stable


def test_a_large_graph_is_capped_and_says_how_many_are_left_out() -> None:
    nodes, edges = _graph(MAX_DRAWN + 25)
    drawing = layout(nodes, edges, "incident--0")
    assert len(drawing.nodes) == MAX_DRAWN and drawing.left_out == 25
    drawn = {n.id for n in drawing.nodes}
    assert len(drawing.edges) == sum(1 for e in edges if e.source in drawn and e.target in drawn)


def test_edges_to_unknown_nodes_are_not_drawn() -> None:
    nodes = [GraphNode("incident--0", "incident", "I", None)]
    drawing = layout(nodes, [GraphEdge("incident--0", "identity--hidden", "created-by")], "x")
    assert len(drawing.nodes) == 1 and drawing.edges == ()


def test_csrf_tokens_are_tied_to_their_session() -> None:
    token = csrf_token("session-a")
    assert csrf_ok("session-a", token)
    assert not csrf_ok("session-b", token)
    assert not csrf_ok("session-a", None) and not csrf_ok("session-a", "")
    assert not csrf_ok("session-a", token + "0") and not csrf_ok("session-a", "x" * 10_000)
    assert digest("session-a") != "session-a" and len(digest("session-a")) == 64


def test_the_demo_banner_gives_the_viewer_address_and_its_sign_ins(tmp_path: Path) -> None:
    from infoshare_server.demo import _banner

    text = _banner(
        "http://127.0.0.1:6100",
        "demo-password",
        tmp_path / "node.toml",
        tmp_path / "node.log",
        [("harbour-watch", "green", "partner-password", "isk_token")],
    )
    assert re.search(r"Case viewer\s+http://127\.0\.0\.1:6100/\s", text)
    assert "demo-password" in text and "partner-password" in text
    assert "harbour-watch" in text and "viewer's sign-in" in text
