"""Checks IS-401 to IS-404 (DISARM citations) and IS-411, IS-412 (country and language codes).

The conformance fixtures are run by test_conformance.py; these tests pin what
the fixtures cannot show on their own: the official DISARM bundle, how a
``mitre-attack`` reference is told apart from MITRE ATT&CK, every technique
with every wrong tactic, exact JSON paths, and that malformed input never
raises and is never mutated.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare import profile as P
from infoshare.reference import disarm_framework
from infoshare.validation import Finding, Severity, ValidationOptions, Validator
from infoshare.validation.checks import codes, disarm

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL_BUNDLE = ROOT.parent / "shared" / "data" / "disarm" / "DISARM-1.6.json"
MY_CHECKS = frozenset({"IS-401", "IS-402", "IS-403", "IS-404", "IS-411", "IS-412"})
T0 = "2026-05-11T07:40:00.000Z"
FIMI = P.EXT_FIMI_INCIDENT
DISARM_PAGE = "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages"

FRAMEWORK = disarm_framework()
TECHNIQUE_IDS = sorted(FRAMEWORK.techniques)
COUNTER_IDS = sorted(FRAMEWORK.counters)
SHORTNAMES = sorted(t.shortname for t in FRAMEWORK.tactics.values())


@cache
def validator(mode: str = "profile", select: frozenset[str] = MY_CHECKS) -> Validator:
    return Validator(ValidationOptions(mode=mode, select=select))  # type: ignore[arg-type]


def run(*objects: Any) -> list[Finding]:
    return validator().validate_objects(list(objects)).findings


def found(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.check_id, f.json_path) for f in findings]


def sdo(kind: str, **props: Any) -> dict[str, Any]:
    obj = {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--6b0f5a3e-8c1d-4e2f-9a7b-3c4d5e6f7a8b",
        "created": T0,
        "modified": T0,
        "object_marking_refs": [P.TLP_GREEN],
    }
    obj.update(props)
    return obj


def technique(
    code: str,
    phase: str | None = None,
    *,
    source: str = "DISARM",
    chain: str = "disarm",
    url: str | None = None,
) -> dict[str, Any]:
    reference = {"source_name": source, "external_id": code}
    if url is not None:
        reference["url"] = url
    props: dict[str, Any] = {"name": "technique", "external_references": [reference]}
    if phase is not None:
        props["kill_chain_phases"] = [{"kill_chain_name": chain, "phase_name": phase}]
    return sdo("attack-pattern", **props)


def counter(code: str, *, source: str = "DISARM") -> dict[str, Any]:
    return sdo(
        "course-of-action",
        name="counter",
        external_references=[{"source_name": source, "external_id": code}],
    )


def tactic_of(code: str) -> str:
    return FRAMEWORK.tactics_of(code)[0].shortname


# --- the official DISARM bundle ----------------------------------------------------------


@pytest.fixture(scope="module")
def official_bundle() -> bytes:
    if not OFFICIAL_BUNDLE.is_file():
        pytest.skip("the official DISARM bundle is not beside the repository")
    return OFFICIAL_BUNDLE.read_bytes()


def test_official_bundle_has_no_disarm_errors(official_bundle: bytes) -> None:
    report = Validator(ValidationOptions()).validate_bytes(official_bundle)
    by_check: dict[str, int] = {}
    for finding in report.findings:
        by_check[finding.check_id] = by_check.get(finding.check_id, 0) + 1
    assert not {"IS-401", "IS-402", "IS-403"} & by_check.keys()
    # Only the citation form is reported: source_name and kill_chain_name of each technique.
    assert by_check["IS-404"] == 2 * 391
    assert all("internal error" not in f.message for f in report.findings)


def test_official_bundle_has_no_error_in_stix_mode(official_bundle: bytes) -> None:
    report = Validator(ValidationOptions(mode="stix")).validate_bytes(official_bundle)
    assert [f for f in report.findings if f.severity is not Severity.WARNING] == []
    # Its only SHOULD breaches are the deprecated x-/x_ custom forms (STIX 2.1 §11).
    assert {f.check_id for f in report.findings} == {"IS-159"}


def test_official_form_converted_to_profile_form_passes(official_bundle: bytes) -> None:
    objects = json.loads(official_bundle)["objects"]
    patterns = [o for o in objects if o["type"] == "attack-pattern"]
    for pattern in patterns[:: len(patterns) // 25]:
        converted = copy.deepcopy(pattern)
        converted["external_references"][0]["source_name"] = "DISARM"
        converted["kill_chain_phases"][0]["kill_chain_name"] = "disarm"
        converted["object_marking_refs"] = [P.TLP_CLEAR]
        assert run(converted) == [], pattern["external_references"][0]["external_id"]


# --- IS-401 / IS-402 ----------------------------------------------------------------------


@settings(max_examples=150)
@given(st.sampled_from(TECHNIQUE_IDS), st.sampled_from(SHORTNAMES))
def test_tactic_is_checked_for_every_technique(code: str, phase: str) -> None:
    findings = run(technique(code, phase))
    if phase == tactic_of(code):
        assert findings == []
    else:
        assert found(findings) == [("IS-402", "$.objects[0].kill_chain_phases[0].phase_name")]
        assert repr(tactic_of(code)) in findings[0].message


@settings(max_examples=50)
@given(st.sampled_from(TECHNIQUE_IDS))
def test_official_form_is_checked_like_the_profile_form(code: str) -> None:
    right = technique(code, tactic_of(code), source="mitre-attack", chain="mitre-attack")
    assert sorted(found(run(right))) == [
        ("IS-404", "$.objects[0].external_references[0].source_name"),
        ("IS-404", "$.objects[0].kill_chain_phases[0].kill_chain_name"),
    ]
    wrong_phase = next(s for s in SHORTNAMES if s != tactic_of(code))
    wrong = technique(code, wrong_phase, source="mitre-attack", chain="mitre-attack")
    assert "IS-402" in {f.check_id for f in run(wrong)}


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("T0019", "not a technique in DISARM 1.6"),
        ("T0049.009", "its sub-techniques are T0049.001 to T0049.008"),
        ("T0002.001", "it has no sub-techniques"),
        ("T49", "write the id as T0000"),
        ("C00006", "is a DISARM counter id"),
    ],
)
def test_unknown_techniques(code: str, hint: str) -> None:
    findings = run(technique(code, "plan-objectives"))
    assert found(findings) == [("IS-401", "$.objects[0].external_references[0].external_id")]
    assert hint in findings[0].message


def test_missing_kill_chain_phase_says_what_to_add() -> None:
    findings = run(technique("T0097.202"))
    assert found(findings) == [("IS-402", "$.objects[0]")]
    assert "'establish-legitimacy'" in findings[0].message


def test_other_kill_chains_are_ignored_but_do_not_name_the_tactic() -> None:
    obj = technique("T0115", "weaponization", chain="lockheed-martin-cyber-kill-chain")
    assert found(run(obj)) == [("IS-402", "$.objects[0].kill_chain_phases")]
    obj["kill_chain_phases"].append({"kill_chain_name": "disarm", "phase_name": "deliver-content"})
    assert run(obj) == []


def test_two_techniques_need_both_tactics() -> None:
    obj = technique("T0049", "maximise-exposure")
    obj["external_references"].append({"source_name": "DISARM", "external_id": "T0115"})
    assert found(run(obj)) == [("IS-402", "$.objects[0].kill_chain_phases")]
    obj["kill_chain_phases"].append({"kill_chain_name": "disarm", "phase_name": "deliver-content"})
    assert run(obj) == []


@pytest.mark.parametrize(
    "obj",
    [
        # MITRE ATT&CK (enterprise): mitre-attack source name, T1xxx ids, ATT&CK tactics
        technique("T1566.002", "initial-access", source="mitre-attack", chain="mitre-attack",
                  url="https://attack.mitre.org/techniques/T1566/002"),
        # MITRE ATT&CK for ICS: T0xxx ids that look like DISARM's, but nothing says DISARM
        technique("T0817", "initial-access", source="mitre-attack", chain="mitre-ics-attack",
                  url="https://attack.mitre.org/techniques/T0817"),
        # a tactic cited next to nothing else is not a technique citation
        technique("TA06"),
        # another framework altogether
        technique("AML.T0048", source="mitre-atlas"),
        sdo("attack-pattern", name="no references"),
    ],
)  # fmt: skip
def test_references_that_are_not_disarm_citations(obj: dict[str, Any]) -> None:
    assert run(obj) == []


@pytest.mark.parametrize(
    "obj",
    [
        technique("T0999", source="mitre-attack", url=f"{DISARM_PAGE}/techniques/T0999.md"),
        technique("T0999", "develop-content", source="mitre-attack", chain="mitre-attack"),
    ],
)
def test_official_form_with_a_sign_of_disarm_is_a_citation(obj: dict[str, Any]) -> None:
    assert "IS-401" in {f.check_id for f in run(obj)}


# --- IS-403 -------------------------------------------------------------------------------


@given(st.sampled_from(COUNTER_IDS))
def test_every_counter_is_known(code: str) -> None:
    assert run(counter(code)) == []


@given(st.integers(0, 99999).map(lambda n: f"C{n:05d}"))
def test_counter_ids_outside_the_table_are_reported(code: str) -> None:
    findings = run(counter(code))
    if code in FRAMEWORK.counters:
        assert findings == []
    else:
        assert found(findings) == [("IS-403", "$.objects[0].external_references[0].external_id")]


def test_counter_in_mitre_attack_form_is_checked_and_warned() -> None:
    assert found(run(counter("C00006", source="mitre-attack"))) == [
        ("IS-404", "$.objects[0].external_references[0].source_name")
    ]
    unknown = counter("C00001", source="mitre-attack")
    assert run(unknown) == []  # nothing says this mitre-attack reference means DISARM
    unknown["external_references"][0]["url"] = f"{DISARM_PAGE}/counters/C00001.md"
    assert sorted(f.check_id for f in run(unknown)) == ["IS-403", "IS-404"]
    assert run(counter("M1017", source="mitre-attack")) == []  # an ATT&CK mitigation


# --- IS-404 -------------------------------------------------------------------------------


def test_citation_form_warnings_point_at_the_property() -> None:
    obj = technique("T0115", "deliver-content", source="Disarm", chain="DISARM")
    findings = run(obj)
    assert sorted(found(findings)) == [
        ("IS-404", "$.objects[0].external_references[0].source_name"),
        ("IS-404", "$.objects[0].kill_chain_phases[0].kill_chain_name"),
    ]
    assert {f.severity.value for f in findings} == {"warning"}


# --- IS-411 -------------------------------------------------------------------------------


def incident(**ext: Any) -> dict[str, Any]:
    body = {
        "extension_type": "property-extension",
        "determination": "suspected",
        "investigation_status": "open",
        "fimi_types": ["disinformation"],
    }
    body.update(ext)
    return sdo("incident", name="case", extensions={FIMI: body})


EXT_PATH = f"$.objects[0].extensions['{FIMI}']"


def test_country_code_paths() -> None:
    obj = incident(
        target_countries=["PH", "ZQ", "jp"],
        attribution={"attributed_country": "UK", "confidence": 60, "basis": ["other"]},
    )
    assert found(run(obj)) == [
        ("IS-411", f"{EXT_PATH}.target_countries[1]"),
        ("IS-411", f"{EXT_PATH}.target_countries[2]"),
        ("IS-411", f"{EXT_PATH}.attribution.attributed_country"),
    ]


def test_location_country_in_either_case() -> None:
    assert run(sdo("location", country="vn")) == []
    assert run(sdo("location", country="VN")) == []
    findings = run(sdo("location", country="uk"))
    assert found(findings) == [("IS-411", "$.objects[0].country")]
    assert "'GB'" in findings[0].message


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2))
def test_every_two_letter_code_is_judged_by_the_table(code: str) -> None:
    from infoshare.reference import is_country_code

    findings = run(incident(target_countries=[code]))
    assert (findings == []) == is_country_code(code)


# --- IS-412 -------------------------------------------------------------------------------


def test_language_tag_paths() -> None:
    narrative = sdo("narrative", name="story", languages=["ja", "jp"], lang="en_GB")
    narrative["granular_markings"] = [{"lang": "english", "selectors": ["name"]}]
    content = sdo(
        "language-content",
        object_ref=narrative["id"],
        object_modified=T0,
        contents={"zh-Hant": {"name": "故事"}, "zh_TW": {"name": "故事"}},
    )
    media = {"type": "media-content", "id": "media-content--1", "url": "https://a.example/",
             "language": "vn"}  # fmt: skip
    objects = [narrative, content, media, incident(target_languages=["en", "en-UK"])]
    findings = validator(select=MY_CHECKS | {"IS-119"}).validate_objects(objects).findings
    # Tags that are not RFC 5646 at all, where STIX 2.1 defines them, are IS-119's.
    assert found(findings) == [
        ("IS-119", "$.objects[0].lang"),
        ("IS-119", "$.objects[0].granular_markings[0].lang"),
        ("IS-412", "$.objects[0].languages[1]"),
        ("IS-119", "$.objects[1].contents.zh_TW"),
        ("IS-412", "$.objects[2].language"),
        ("IS-412", f"{EXT_PATH.replace('[0]', '[3]')}.target_languages[1]"),
    ]


def test_lang_is_checked_on_any_object() -> None:
    findings = run(sdo("identity", name="agency", identity_class="organization", lang="EN-gb"))
    assert findings == []
    findings = run(sdo("threat-actor", name="actor", lang="x-internal"))
    assert found(findings) == [("IS-412", "$.objects[0].lang")]
    assert "private-use" in findings[0].message
    stix_mode = Validator(ValidationOptions(mode="stix", select=frozenset({"IS-119", "IS-412"})))
    findings = stix_mode.validate_objects([sdo("threat-actor", name="actor", lang="fre")]).findings
    assert found(findings) == [("IS-119", "$.objects[0].lang")]
    assert "'fr'" in findings[0].message


# --- robustness ---------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _maybe(**props: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts holding any subset of ``props``."""
    return st.fixed_dictionaries({}, optional=props)


_citation_like = _maybe(
    source_name=st.sampled_from(["DISARM", "disarm", "mitre-attack"]) | _json,
    external_id=st.sampled_from(["T0049", "T0049.003", "C00006", "TA06", "T0999"]) | _json,
    url=_json,
)
_phase_like = _maybe(
    kill_chain_name=st.sampled_from(["disarm", "mitre-attack", "DISARM"]) | _json,
    phase_name=st.sampled_from(SHORTNAMES) | _json,
)
_fimi_like = _maybe(
    target_countries=st.lists(st.sampled_from(["JP", "jp", "UK"]) | _json, max_size=3) | _json,
    target_languages=st.lists(st.sampled_from(["ja", "jp", "en_US"]) | _json, max_size=3) | _json,
    attribution=_maybe(attributed_country=_json) | _json,
)
_PROPERTIES: dict[str, st.SearchStrategy[Any]] = {
    "external_references": st.lists(_citation_like | _json, max_size=3) | _json,
    "kill_chain_phases": st.lists(_phase_like | _json, max_size=3) | _json,
    "country": _json,
    "lang": _json,
    "languages": _json,
    "language": _json,
    "contents": _json,
    "granular_markings": st.lists(_maybe(lang=_json) | _json, max_size=2) | _json,
    "extensions": st.fixed_dictionaries({FIMI: _fimi_like}) | _json,
}


@settings(max_examples=300)
@given(
    st.sampled_from(
        ["attack-pattern", "course-of-action", "incident", "location", "narrative",
         "media-content", "language-content", "identity"]
    ),
    st.fixed_dictionaries({}, optional=_PROPERTIES),
)  # fmt: skip
def test_malformed_input_never_raises_and_is_not_mutated(kind: str, props: dict[str, Any]) -> None:
    obj = {"type": kind, **props}
    before = copy.deepcopy(obj)
    messages: list[tuple[str, str]] = []

    def emit(path: str, message: str, check_id: str | None = None) -> None:
        assert isinstance(path, str) and message
        messages.append((path, message))

    for fn in (
        disarm.technique_exists,
        disarm.tactic_matches,
        disarm.counter_exists,
        disarm.citation_form,
        codes.country_codes,
        codes.language_tags,
    ):
        fn(obj, emit)
    assert obj == before
