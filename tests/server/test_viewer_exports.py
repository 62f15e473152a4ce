"""The case viewer's exports: the STIX bundle, the DISARM Navigator layers, the PDF brief.

docs/adr/0015-case-viewer.md ("Reading a case", "Exports") on SQLite and
PostgreSQL, with the example cases ingested through the real node
(``_viewer_data``). The bundle is checked against the node's own TAXII API
over HTTP: every object in it is served to the same partner at the same
version, so the export shows exactly what the API shows, no more. A partner
cleared for GREEN gets no AMBER object, technique or count in any export.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from _access import OPERATOR, password_of
from _databases import BACKENDS
from _http import TAXII, TIMEOUT
from _node import PROFILE_COLLECTION, READ_ONLY_COLLECTION, STIX_COLLECTION
from _viewer_data import (
    GREEN_INCIDENT,
    SEAFOOD_INCIDENT,
    TAKEDOWN_INCIDENT,
    ViewerNode,
    viewer_node,
)
from infoshare_server.viewer import brief
from infoshare_server.viewer.cases import NotVisible, load_case
from infoshare_server.viewer.exports import (
    case_brief_pdf,
    case_bundle,
    case_layer,
    collection_layer,
)
from infoshare_server.viewer.model import Case, CaseRef, CaseSummary

from infoshare.navigator import layer_problems
from infoshare.stix.tlp import tlp_level


@pytest.fixture
def printing() -> None:
    """Skip a brief test on a machine that cannot print PDF; in CI, fail it instead."""
    problem = brief.weasyprint_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"the brief must be printed in CI, but {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ViewerNode]:
    folder: Path = tmp_path_factory.mktemp(f"exports-{request.param}")
    with viewer_node(request.param, folder) as running:
        yield running


def case(node: ViewerNode, who: str, incident: str, collection: str = PROFILE_COLLECTION,
         language: str = "en") -> Case:  # fmt: skip
    found = load_case(
        node.store, node.policy(who), CaseRef("fimi", collection, incident),
        language=language, collections=node.collections,
    )  # fmt: skip
    assert found is not None
    return found


def _taxii_latest(node: ViewerNode, who: str, collection: str, object_id: str) -> Any:
    """The object as the node's TAXII API serves it to ``who`` (None: not served)."""
    response = requests.get(
        node.node.node.url(f"fimi/collections/{collection}/objects/{object_id}/"),
        headers={"Accept": TAXII},
        auth=(who, password_of(who)),
        timeout=TIMEOUT,
    )
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    objects = response.json()["objects"]
    return objects[-1]


# --- the STIX bundle ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "incident"),
    [("green-reader", GREEN_INCIDENT), ("amber-reader", SEAFOOD_INCIDENT),
     ("amber-reader", TAKEDOWN_INCIDENT)],
)  # fmt: skip
def test_bundle_holds_exactly_what_the_taxii_api_serves(
    node: ViewerNode, who: str, incident: str
) -> None:
    bundle = case_bundle(case(node, who, incident))
    assert bundle["type"] == "bundle" and bundle["id"].startswith("bundle--")
    assert "spec_version" not in bundle  # STIX 2.1 bundles carry none
    ids = [o["id"] for o in bundle["objects"]]
    assert incident in ids and len(ids) == len(set(ids))
    for obj in bundle["objects"]:
        served = _taxii_latest(node, who, PROFILE_COLLECTION, obj["id"])
        assert served == obj, obj["id"]


def test_green_bundle_has_no_amber_object(node: ViewerNode) -> None:
    bundle = case_bundle(case(node, "green-reader", GREEN_INCIDENT))
    assert {tlp_level(o) for o in bundle["objects"]} <= {"clear", "green"}
    # The AMBER case's objects are not reachable for a GREEN reader at all.
    amber = case_bundle(case(node, "amber-reader", SEAFOOD_INCIDENT))
    hidden = [o["id"] for o in amber["objects"] if tlp_level(o) == "amber"]
    assert hidden
    for object_id in hidden[:5]:
        assert _taxii_latest(node, "green-reader", PROFILE_COLLECTION, object_id) is None


# --- Navigator layers --------------------------------------------------------------------


def test_case_layer_scores_the_case_techniques(node: ViewerNode) -> None:
    seafood = case(node, "amber-reader", SEAFOOD_INCIDENT)
    layer = case_layer(seafood)
    assert layer_problems(layer) == []
    scored = {t["techniqueID"]: t["score"] for t in layer["techniques"] if "score" in t}
    assert scored == {t.technique_id: 1 for t in seafood.techniques}
    assert (
        "TLP:AMBER" in layer["name"] and {"name": "TLP", "value": "TLP:AMBER"} in layer["metadata"]
    )


def test_collection_layer_counts_visible_incidents(node: ViewerNode) -> None:
    operator = collection_layer(
        node.store, node.policy(OPERATOR), "fimi", PROFILE_COLLECTION,
        collections=node.collections,
    )  # fmt: skip
    assert layer_problems(operator) == []
    scores = {t["techniqueID"]: t.get("score") for t in operator["techniques"]}
    assert scores["T0023.001"] == 2  # the seafood and the election cases both use it
    assert operator["gradient"]["maxValue"] == 2
    green = collection_layer(
        node.store, node.policy("green-reader"), "fimi", PROFILE_COLLECTION,
        collections=node.collections,
    )  # fmt: skip
    # Only the GREEN example is visible to it, and it cites no DISARM technique.
    assert green["techniques"] == []
    assert {"name": "incidents", "value": "1"} in green["metadata"]


def test_collection_layer_of_an_unreadable_collection_is_not_visible(node: ViewerNode) -> None:
    for who, root, collection in (
        ("clear-reader", "fimi", PROFILE_COLLECTION),  # no read right
        ("green-reader", "fimi", "00000000-0000-4000-8000-000000000000"),  # no such collection
        ("green-reader", "partners", STIX_COLLECTION),  # in another API root
        ("amber-reader", "fimi", READ_ONLY_COLLECTION),  # no grant there
    ):
        with pytest.raises(NotVisible):
            collection_layer(
                node.store, node.policy(who), root, collection, collections=node.collections
            )


# --- the brief ---------------------------------------------------------------------------


def _page_texts(document: Any) -> list[tuple[list[str], list[str], str]]:
    """(top labels, bottom labels, body text) of every laid-out page."""

    def texts(box: Any, out: list[str]) -> list[str]:
        if hasattr(box, "text"):
            out.append(box.text)
        for child in getattr(box, "children", None) or []:
            texts(child, out)
        return out

    pages = []
    for page in document.pages:
        top, bottom, body = [], [], []
        for child in page._page_box.children:
            where = getattr(child, "at_keyword", None)
            if where == "@top-center":
                top += texts(child, [])
            elif where == "@bottom-center":
                bottom += texts(child, [])
            elif where is None:
                body += texts(child, [])
        pages.append((top, bottom, " ".join(body)))
    return pages


@pytest.mark.parametrize("language", ["en", "ja"])
def test_brief_prints_the_tlp_label_on_every_page(
    node: ViewerNode, printing: None, language: str
) -> None:
    seafood = case(node, OPERATOR, SEAFOOD_INCIDENT, language=language)
    document = brief.render(seafood, language=language, messages={})
    pages = _page_texts(document)
    assert len(pages) >= 2  # long enough to prove "every page"
    for top, bottom, _ in pages:
        assert top == ["TLP:AMBER"] and bottom == ["TLP:AMBER"]
    text = " ".join(body for _, _, body in pages)
    assert seafood.summary.name in text
    expected = "帰属" if language == "ja" else "Attribution"
    assert expected in text
    # The confidence in the words of §13.2.1, in the reader's language, with the number.
    words = "可能性が非常に高い" if language == "ja" else "very likely"
    squeezed = "".join(text.split())  # lines may break inside the table cell
    assert "".join(words.split()) + "(80)" in squeezed
    pdf = case_brief_pdf(seafood, language=language, messages={})
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def test_brief_uses_the_catalogue_messages_first(node: ViewerNode) -> None:
    seafood = case(node, OPERATOR, SEAFOOD_INCIDENT)
    html = brief.brief_html(
        seafood, language="en", messages={"brief.attribution": "Who is behind it",
                                          "brief.more": "{unknown} placeholder"},
    )  # fmt: skip
    assert "Who is behind it" in html
    assert "{unknown}" not in html  # a broken catalogue entry falls back to the default


def test_green_brief_shows_nothing_amber(node: ViewerNode, printing: None) -> None:
    green = case(node, "green-reader", GREEN_INCIDENT)
    pages = _page_texts(brief.render(green, language="en", messages={}))
    for top, bottom, body in pages:
        assert top == ["TLP:GREEN"] and bottom == ["TLP:GREEN"]
        assert "TLP:AMBER" not in body
    amber = case(node, OPERATOR, SEAFOOD_INCIDENT)
    text = " ".join(body for _, _, body in pages)
    for obj in amber.objects:
        if tlp_level(obj) == "amber" and isinstance(obj.get("name"), str):
            assert obj["name"] not in text


def test_a_long_case_is_cut_with_a_count(node: ViewerNode) -> None:
    takedown = case(node, OPERATOR, TAKEDOWN_INCIDENT)
    entry = takedown.timeline[0]
    longer = dataclasses.replace(takedown, timeline=(entry,) * (brief.LIMITS["timeline"] + 7))
    html = brief.brief_html(longer, language="en", messages={})
    assert "… and 7 more" in html


def test_hostile_case_text_is_escaped_and_fetches_nothing(node: ViewerNode, printing: None) -> None:
    seafood = case(node, OPERATOR, SEAFOOD_INCIDENT)
    hostile = '<img src="http://127.0.0.1:9/x.png"><script>alert(1)</script>'
    summary: CaseSummary = dataclasses.replace(
        seafood.summary,
        name=hostile,
        description='<link rel="stylesheet" href="file:///etc/passwd">',
    )
    bad = dataclasses.replace(seafood, summary=summary)
    html = brief.brief_html(bad, language='en"><script>', messages={})
    assert "<script>" not in html and "<img" not in html and "<link" not in html
    assert "&lt;script&gt;" in html
    assert '<html lang="enscript">' in html
    pdf = case_brief_pdf(bad, language="en", messages={})
    assert pdf.startswith(b"%PDF-")


def test_unmarked_case_says_so_on_every_page(node: ViewerNode, printing: None) -> None:
    seafood = case(node, OPERATOR, SEAFOOD_INCIDENT)
    unmarked = dataclasses.replace(seafood, summary=dataclasses.replace(seafood.summary, tlp=None))
    pages = _page_texts(brief.render(unmarked, language="en", messages={}))
    assert all(top == ["No TLP marking"] for top, _, _ in pages)
