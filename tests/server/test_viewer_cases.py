"""The case viewer's reader: the case list, one case, filter choices, related cases.

docs/adr/0015-case-viewer.md ("Reading a case") on SQLite and PostgreSQL: the
example cases go in through the real node's ingest path under different
partners (``_viewer_data``), and every answer of the reader is checked
against what the requester may see: a partner cleared for GREEN never gets an
AMBER object anywhere; withdrawn records are hidden from partners and shown,
flagged, to operators; another partner's AMBER does not travel (TLP by
origin); paging tokens serve only their owner and their filters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from _access import OPERATOR, ROOT_OF
from _databases import BACKENDS
from _node import OTHER_COLLECTION, PROFILE_COLLECTION, STIX_COLLECTION
from _viewer_data import (
    GREEN_INCIDENT,
    SEAFOOD_INCIDENT,
    SIGNER,
    TAKEDOWN_INCIDENT,
    WITHDRAWN_INCIDENT,
    ViewerNode,
    example_incidents,
    viewer_node,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from infoshare_server.errors import RequestError
from infoshare_server.paging import PageSigner
from infoshare_server.viewer.cases import (
    CaseReadError,
    confidence_words,
    filter_choices,
    list_cases,
    load_case,
)
from infoshare_server.viewer.model import Case, CaseFilters, CaseRef, CaseSummary

from infoshare.stix.tlp import tlp_level

GREEN_LEVELS = {"clear", "green"}
#: The module-scoped node is shared by every example Hypothesis draws, on purpose.
_FIXTURE = [HealthCheck.function_scoped_fixture]


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ViewerNode]:
    folder: Path = tmp_path_factory.mktemp(f"viewer-{request.param}")
    with viewer_node(request.param, folder) as running:
        yield running


def every_case(node: ViewerNode, who: str, filters: CaseFilters | None = None,
               limit: int = 100) -> list[CaseSummary]:  # fmt: skip
    """Every line of the case list, following the next tokens."""
    policy = node.policy(who)
    out: list[CaseSummary] = []
    token = None
    for _ in range(200):
        page = list_cases(
            node.store, policy, filters or CaseFilters(), limit=limit, token=token,
            pager=SIGNER, collections=node.collections,
        )  # fmt: skip
        out += page.cases
        token = page.next_token
        if token is None:
            return out
    raise AssertionError("the case list never ended")


def case(node: ViewerNode, who: str, incident: str, collection: str = PROFILE_COLLECTION,
         language: str = "en") -> Case | None:  # fmt: skip
    return load_case(
        node.store, node.policy(who), CaseRef(ROOT_OF[collection], collection, incident),
        language=language, collections=node.collections,
    )  # fmt: skip


def ids(cases: list[CaseSummary]) -> list[str]:
    return [c.ref.incident_id for c in cases]


# --- the list ---------------------------------------------------------------------------


def test_operator_sees_every_case_and_the_withdrawn_one_flagged(node: ViewerNode) -> None:
    listed = every_case(node, OPERATOR)
    assert len(ids(listed)) == len(set(ids(listed))), "a case is listed twice"
    added = {node.own_incident, node.sibling_incident, node.twin_incident}
    assert set(ids(listed)) == set(example_incidents()) | added
    flagged = {c.ref.incident_id for c in listed if c.withdrawn}
    assert flagged == {WITHDRAWN_INCIDENT}


def test_green_partner_sees_only_green_cases(node: ViewerNode) -> None:
    listed = every_case(node, "green-reader")
    # Newest first: the sibling case was posted after the examples.
    assert ids(listed) == [node.sibling_incident, GREEN_INCIDENT]
    assert all(c.tlp in GREEN_LEVELS for c in listed)
    for incident in example_incidents():
        if incident != GREEN_INCIDENT:
            assert case(node, "green-reader", incident) is None


def test_amber_partner_sees_amber_cases_but_not_withdrawn_ones(node: ViewerNode) -> None:
    listed = set(ids(every_case(node, "amber-reader")))
    assert SEAFOOD_INCIDENT in listed and TAKEDOWN_INCIDENT in listed
    assert WITHDRAWN_INCIDENT not in listed
    assert case(node, "amber-reader", WITHDRAWN_INCIDENT) is None
    withdrawn = case(node, OPERATOR, WITHDRAWN_INCIDENT)
    assert withdrawn is not None and withdrawn.summary.withdrawn


def test_another_partners_amber_does_not_travel(node: ViewerNode) -> None:
    """amber-reader's own AMBER case: itself and the operators see it; strict-red, cleared
    for AMBER+STRICT and reading the same collection, does not (TLP by origin)."""
    assert node.own_incident in ids(every_case(node, "amber-reader"))
    assert node.own_incident not in ids(every_case(node, "strict-red"))
    assert case(node, "strict-red", node.own_incident, STIX_COLLECTION) is None
    own = case(node, "amber-reader", node.own_incident, STIX_COLLECTION)
    assert own is not None and own.summary.tlp == "amber"


def test_list_is_newest_first_and_pages_without_gaps(node: ViewerNode) -> None:
    whole = every_case(node, OPERATOR)
    paged = every_case(node, OPERATOR, limit=2)
    assert ids(paged) == ids(whole)
    single = every_case(node, OPERATOR, limit=1)
    assert ids(single) == ids(whole)


def test_tokens_serve_only_their_owner_and_filters(node: ViewerNode) -> None:
    first = list_cases(
        node.store, node.policy("amber-reader"), CaseFilters(), limit=1, token=None,
        pager=SIGNER, collections=node.collections,
    )  # fmt: skip
    assert first.next_token is not None
    for who, filters, signer, message in (
        ("strict-red", CaseFilters(), SIGNER, "another partner"),
        ("amber-reader", CaseFilters(tlp="amber"), SIGNER, "other filters"),
        ("amber-reader", CaseFilters(), PageSigner(b"another node's paging secret!"), "altered"),
    ):
        with pytest.raises(RequestError, match=message) as refused:
            list_cases(
                node.store, node.policy(who), filters, limit=1, token=first.next_token,
                pager=signer, collections=node.collections,
            )  # fmt: skip
        assert refused.value.status == 400
    # A TAXII token of the objects endpoint is no case-list token either.
    with pytest.raises(RequestError):
        list_cases(
            node.store, node.policy("amber-reader"), CaseFilters(), limit=1,
            token=first.next_token[:-2] + "AA", pager=SIGNER, collections=node.collections,
        )  # fmt: skip


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "3"])
def test_bad_limits_are_refused(node: ViewerNode, limit: object) -> None:
    with pytest.raises(CaseReadError, match="limit"):
        list_cases(
            node.store, node.policy(OPERATOR), CaseFilters(), limit=limit,  # type: ignore[arg-type]
            token=None, pager=SIGNER, collections=node.collections,
        )  # fmt: skip


def test_filters_select_the_matching_cases(node: ViewerNode) -> None:
    japan = every_case(node, OPERATOR, CaseFilters(country="jp"))
    assert SEAFOOD_INCIDENT in ids(japan) and TAKEDOWN_INCIDENT in ids(japan)
    assert all("JP" in c.countries for c in japan)
    impersonation = every_case(node, OPERATOR, CaseFilters(fimi_type="impersonation"))
    assert TAKEDOWN_INCIDENT in ids(impersonation)
    assert SEAFOOD_INCIDENT not in ids(impersonation)
    suspected = every_case(node, OPERATOR, CaseFilters(determination="suspected"))
    assert suspected and all(c.determination == "suspected" for c in suspected)
    creator = example_incidents()[TAKEDOWN_INCIDENT]["created_by_ref"]
    by_origin = every_case(node, OPERATOR, CaseFilters(origin=creator))
    assert TAKEDOWN_INCIDENT in ids(by_origin)
    assert all(c.origin_id == creator for c in by_origin)
    nothing = every_case(node, OPERATOR, CaseFilters(since=date(2100, 1, 1)))
    assert nothing == []
    dated = every_case(node, OPERATOR, CaseFilters(since=date(2026, 9, 1), until=date(2026, 9, 30)))
    assert dated and all("2026-09" <= c.modified[:7] <= "2026-09" for c in dated)


_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["JP", "jp", "TH", "confirmed", "suspected", "open", "amber", "green",
                     "disinformation", "impersonation", "' OR 1=1 --", "%", "_", "\x00"]),
    st.text(max_size=30),
)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=_FIXTURE)
@given(
    country=_VALUES, fimi_type=_VALUES, determination=_VALUES, status=_VALUES, tlp=_VALUES,
    origin=_VALUES, since=st.none() | st.dates(), until=st.none() | st.dates(),
)  # fmt: skip
def test_any_filters_give_a_subset_that_matches(
    node: ViewerNode, country: str | None, fimi_type: str | None, determination: str | None,
    status: str | None, tlp: str | None, origin: str | None, since: date | None,
    until: date | None,
) -> None:  # fmt: skip
    filters = CaseFilters(country, fimi_type, determination, status, tlp, origin, since, until)
    everything = {c.ref.incident_id: c for c in every_case(node, "amber-reader")}
    chosen = every_case(node, "amber-reader", filters, limit=3)
    assert set(ids(chosen)) <= set(everything)
    expected = [
        i for i, c in everything.items()
        if (country is None or not country or country.upper() in c.countries)
        and (not fimi_type or fimi_type in c.fimi_types)
        and (not determination or determination == c.determination)
        and (not status or status == c.status)
        and (not tlp or tlp == c.tlp)
        and (not origin or origin == c.origin_id)
        and (since is None or c.modified[:10] >= since.isoformat())
        and (until is None or c.modified[:10] <= until.isoformat())
    ]  # fmt: skip
    assert ids(chosen) == expected


# --- filter choices ---------------------------------------------------------------------


def test_filter_choices_come_from_visible_cases_only(node: ViewerNode) -> None:
    green = filter_choices(node.store, node.policy("green-reader"), collections=node.collections)
    assert [c.value for c in green.tlps] == ["green"]
    green_case = example_incidents()[GREEN_INCIDENT]
    assert [c.value for c in green.origins] == [green_case["created_by_ref"]]
    operator = filter_choices(node.store, node.policy(OPERATOR), collections=node.collections)
    assert {"amber", "green"} <= {c.value for c in operator.tlps}
    assert "JP" in {c.value for c in operator.countries}
    assert any("Japan" in c.label for c in operator.countries)
    assert {"confirmed", "suspected"} <= {c.value for c in operator.determinations}
    assert {c.value for c in green.countries} <= {c.value for c in operator.countries}


# --- one case ---------------------------------------------------------------------------


def _objects_are_visible_to_green(found: Case) -> None:
    for obj in found.objects:
        assert tlp_level(obj) in GREEN_LEVELS, obj["id"]
    for node in found.nodes:
        assert node.tlp in GREEN_LEVELS, node


def test_green_case_holds_no_amber_object(node: ViewerNode) -> None:
    found = case(node, "green-reader", GREEN_INCIDENT)
    assert found is not None
    _objects_are_visible_to_green(found)
    seen = {o["id"] for o in found.objects}
    for edge in found.edges:
        assert edge.source in seen and edge.target in seen
    for related in found.related:
        assert related.summary.tlp in GREEN_LEVELS


def test_case_edges_only_join_objects_of_the_case(node: ViewerNode) -> None:
    for who in (OPERATOR, "amber-reader", "green-reader"):
        for incident in (SEAFOOD_INCIDENT, TAKEDOWN_INCIDENT, GREEN_INCIDENT):
            found = case(node, who, incident)
            if found is None:
                continue
            shown = {n.id for n in found.nodes}
            for edge in found.edges:
                assert edge.source in shown and edge.target in shown, edge


def test_seafood_case_summary_and_content(node: ViewerNode) -> None:
    found = case(node, "amber-reader", SEAFOOD_INCIDENT, language="ja")
    assert found is not None
    summary = found.summary
    assert summary.determination == "confirmed" and summary.status == "open"
    assert summary.tlp == "amber"
    assert {"JP", "KR", "PH", "TH", "VN"} <= set(summary.countries)
    assert summary.origin_name and "fictional" in summary.origin_name.lower()
    (attribution,) = found.attributions
    assert attribution.actor_name.startswith("Grey Current Network")
    # Example 04 (a later version by a partner) raised the confidence from 75 to 80.
    assert attribution.confidence == 80 and attribution.confidence_words == "very likely"
    assert attribution.basis and "platform-disclosure" in attribution.basis
    assert any(t.technique_id == "T0002" and t.tactic_ids for t in found.techniques)
    translated = [n for n in found.narratives if n.translation]
    assert translated and translated[0].translation_language == "ja"
    assert translated[0].original != translated[0].translation
    kinds = {e.kind for e in found.timeline}
    assert {"post", "sighting"} <= kinds
    assert [e.at for e in found.timeline] == sorted(e.at for e in found.timeline)
    assert any(o.opinion == "agree" for o in found.opinions)
    english = case(node, "amber-reader", SEAFOOD_INCIDENT, language="en")
    assert english is not None
    assert not any(n.translation_language == "ja" for n in english.narratives)


def test_takedown_case_gives_the_outcome_per_item(node: ViewerNode) -> None:
    found = case(node, OPERATOR, TAKEDOWN_INCIDENT)
    assert found is not None
    (action,) = found.platform_actions
    assert action.kind == "takedown-request"
    assert action.platform and action.legal_basis
    assert "Information Distribution" in action.legal_basis
    outcomes = sorted(i.outcome or "" for i in action.items)
    assert outcomes == ["appealed", "refused", "removed", "removed", "restricted"]
    assert action.appeal and "pending" in action.appeal
    assert action.submitted == "2026-09-08T03:00:00.000Z"
    steps = [e for e in found.timeline if e.kind == "platform-action"]
    assert len(steps) >= 4
    assert found.co_authors


def test_engagement_and_account_states_from_every_version(node: ViewerNode) -> None:
    troll = "incident--3403dcec-fb65-4b5a-b12e-03b30958668d"
    found = case(node, OPERATOR, troll)
    assert found is not None
    engagement = [e for e in found.timeline if e.kind == "engagement"]
    states = [e for e in found.timeline if e.kind == "account-state"]
    assert len(engagement) >= 2 and states
    # Several snapshots of the same engagement object (its versions) are all on the timeline.
    by_object: dict[str, int] = {}
    for entry in engagement:
        by_object[entry.object_id] = by_object.get(entry.object_id, 0) + 1
    assert max(by_object.values()) >= 2


_ROOTS = st.sampled_from(["fimi", "partners", "", "../fimi", "fimi\x00"])
_COLLECTIONS = st.sampled_from([PROFILE_COLLECTION, STIX_COLLECTION, "", "x" * 500, "*"])
_INCIDENTS = st.one_of(
    st.sampled_from([SEAFOOD_INCIDENT, WITHDRAWN_INCIDENT, "incident--", "identity--" +
                     SEAFOOD_INCIDENT[10:], SEAFOOD_INCIDENT.upper(), SEAFOOD_INCIDENT + "%",
                     "incident--%", "incident--5a7929c4-c70c-4f37-8a4d-c16e1dd5879_"]),
    st.text(max_size=400),
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=_FIXTURE)
@given(api_root=_ROOTS, collection=_COLLECTIONS, incident=_INCIDENTS)
def test_hostile_case_references_give_none_or_the_visible_case(
    node: ViewerNode, api_root: str, collection: str, incident: str
) -> None:
    ref = CaseRef(api_root, collection, incident)
    found = load_case(
        node.store, node.policy("green-reader"), ref, language="en", collections=node.collections
    )
    if found is not None:
        assert found.summary.ref == ref and incident == GREEN_INCIDENT
        _objects_are_visible_to_green(found)


def test_confidence_words_follow_the_dni_scale() -> None:
    assert [confidence_words(v) for v in (0, 9, 10, 20, 40, 60, 75, 80, 90, 100)] == [
        "almost no chance", "almost no chance", "very unlikely", "unlikely",
        "roughly even chance", "likely", "likely", "very likely", "almost certain",
        "almost certain",
    ]  # fmt: skip
    assert confidence_words(101) is None and confidence_words(True) is None


def test_model_values_are_immutable(node: ViewerNode) -> None:
    found = case(node, OPERATOR, SEAFOOD_INCIDENT)
    assert found is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.summary.name = "changed"  # type: ignore[misc]


# --- related cases ----------------------------------------------------------------------


def _related(found: Case | None) -> dict[str, tuple[str, ...]]:
    assert found is not None
    return {r.summary.ref.incident_id: r.shared for r in found.related}


def test_cases_sharing_a_post_are_related_for_readers_of_both(node: ViewerNode) -> None:
    from _viewer_data import example_objects

    post = next(
        o for o in example_objects("01-treated-water-disinformation.json")
        if o["id"] == node.own_post
    )  # fmt: skip
    for who in ("amber-reader", OPERATOR):
        related = _related(case(node, who, SEAFOOD_INCIDENT))
        assert node.own_incident in related, who
        assert f"URL {post['url']}" in related[node.own_incident]
        own = _related(case(node, who, node.own_incident, STIX_COLLECTION))
        assert SEAFOOD_INCIDENT in own
        # The other case's relationship to the shared post belongs to that case: it is a
        # related case, not part of this one's graph or bundle.
        seafood = case(node, who, SEAFOOD_INCIDENT)
        assert seafood is not None
        assert node.own_incident not in {o["id"] for o in seafood.objects}
    # strict-red reads the STIX collection but may not see amber-reader's AMBER case.
    assert node.own_incident not in _related(case(node, "strict-red", SEAFOOD_INCIDENT))


def test_a_shared_thing_counts_only_if_visible_in_both_cases(node: ViewerNode) -> None:
    from _viewer_data import sibling_case

    _, _, login, url = sibling_case()
    green = _related(case(node, "green-reader", GREEN_INCIDENT))
    assert green == {node.sibling_incident: (f"account @{login}",)}
    operator = _related(case(node, OPERATOR, GREEN_INCIDENT))
    assert set(operator[node.sibling_incident]) == {f"account @{login}", f"URL {url}"}


def test_cases_with_the_same_techniques_are_related(node: ViewerNode) -> None:
    election = "incident--8eb639ee-cf82-4d29-9281-e5740ff6f842"
    related = _related(case(node, OPERATOR, election))
    assert node.twin_incident in related
    (shared,) = related[node.twin_incident]
    assert shared.startswith("techniques T0015.002, T0023.001")
    assert election not in _related(case(node, OPERATOR, SEAFOOD_INCIDENT))


def test_hidden_objects_and_their_edges_are_absent(node: ViewerNode) -> None:
    """The sibling case links an AMBER url through an AMBER relationship, and a campaign
    whose later version is AMBER: a GREEN reader gets neither the url nor the edge, and the
    campaign at its GREEN version, as the TAXII API serves them."""
    from _viewer_data import SIBLING_CAMPAIGN_V1, SIBLING_CAMPAIGN_V2

    green = case(node, "green-reader", node.sibling_incident, OTHER_COLLECTION)
    operator = case(node, OPERATOR, node.sibling_incident, OTHER_COLLECTION)
    assert green is not None and operator is not None
    assert "url" in {n.type for n in operator.nodes}
    assert "url" not in {n.type for n in green.nodes}
    assert len(green.edges) == len(operator.edges) - 1
    campaign = SIBLING_CAMPAIGN_V1["id"]
    shown = {n.id: n.label for n in green.nodes}
    assert shown[campaign] == SIBLING_CAMPAIGN_V1["name"]
    assert {n.id: n.label for n in operator.nodes}[campaign] == SIBLING_CAMPAIGN_V2["name"]
    _objects_are_visible_to_green(green)


def test_every_case_a_green_reader_sees_is_green_throughout(node: ViewerNode) -> None:
    listed = every_case(node, "green-reader")
    assert listed
    for line in listed:
        ref = line.ref
        found = load_case(
            node.store, node.policy("green-reader"), ref, language="ja",
            collections=node.collections,
        )  # fmt: skip
        assert found is not None
        _objects_are_visible_to_green(found)
        assert all(r.summary.tlp in GREEN_LEVELS for r in found.related)
        assert all(entry.kind != "withdrawal" for entry in found.timeline)


def test_a_case_stops_at_its_size_bound_and_says_so(
    node: ViewerNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoshare_server.viewer import cases as reader

    whole = case(node, OPERATOR, SEAFOOD_INCIDENT)
    assert whole is not None and not whole.truncated
    monkeypatch.setattr(reader, "MAX_CASE_OBJECTS", 12)
    cut = case(node, OPERATOR, SEAFOOD_INCIDENT)
    assert cut is not None and cut.truncated
    structural = [o for o in cut.objects if o["type"] not in ("identity", "marking-definition")]
    assert len(structural) <= 12
    assert {o["id"] for o in cut.objects} <= {o["id"] for o in whole.objects}


def test_the_reader_needs_the_nodes_collections_outside_a_request() -> None:
    from infoshare_server.storage import Store

    with pytest.raises(CaseReadError, match="collections="):
        list_cases(
            Store.__new__(Store), None, CaseFilters(), limit=1, token=None,  # type: ignore[arg-type]
            pager=SIGNER,
        )  # fmt: skip


def test_translations_follow_the_readers_language() -> None:
    from infoshare_server.viewer.cases import _localised, _translations

    narrative = {"type": "narrative", "id": "narrative--1", "name": "Name", "description": "Text"}
    content = {
        "type": "language-content", "id": "language-content--1", "object_ref": "narrative--1",
        "contents": {"ja": {"description": "日本語"}, "ja-JP": {"description": "日本語 (JP)"},
                     "th": {"name": "ชื่อ"}},
    }  # fmt: skip
    objects = [narrative, content]
    exact = _localised(narrative, _translations(objects, "ja-JP"), "ja-JP")
    assert (exact.translation_language, exact.translation) == ("ja-JP", "日本語 (JP)")
    primary = _localised(narrative, _translations(objects, "ja"), "ja")
    assert (primary.translation_language, primary.translation) == ("ja", "日本語")
    name_only = _localised(narrative, _translations(objects, "th"), "th")
    assert name_only.translation == "ชื่อ"
    none = _localised(narrative, _translations(objects, "fr"), "fr")
    assert none.translation is None and none.original == "Text"
    # No translation into the language the text is already in.
    english = {**narrative, "lang": "ja"}
    same = _localised(english, _translations(objects, "ja"), "ja")
    assert same.translation is None


@settings(max_examples=40, deadline=None, suppress_health_check=_FIXTURE)
@given(token=st.one_of(st.text(max_size=300), st.binary(max_size=200).map(lambda b: b.hex())))
def test_hostile_tokens_are_refused_with_a_reason(node: ViewerNode, token: str) -> None:
    with pytest.raises(RequestError) as refused:
        list_cases(
            node.store, node.policy("amber-reader"), CaseFilters(), limit=5, token=token,
            pager=SIGNER, collections=node.collections,
        )  # fmt: skip
    assert refused.value.status == 400 and "next token" in str(refused.value)
