"""infoshare.reference: the DISARM, country and language tables and the BCP 47 parser.

The DISARM tables are compared with the DISARM Foundation's own files in
../shared/data/disarm/ (every attack-pattern of the official bundle, every
counter of the DISARM pages) and with a fresh run of spec/reference/derive.py.
The BCP 47 parser is compared with an independent transcription of the
RFC 5646 ABNF on generated input.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import infoshare.reference as ref
from infoshare.reference import (
    GRANDFATHERED,
    country_code_problem,
    disarm_framework,
    is_country_code,
    is_iso639_code,
    is_language_tag,
    is_well_formed_language_tag,
    language_name,
    language_tag_problem,
    parse_language_tag,
)

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "spec" / "reference"
DISARM_SOURCE = ROOT.parent / "shared" / "data" / "disarm"
needs_disarm_source = pytest.mark.skipif(
    not (DISARM_SOURCE / "DISARM-1.6.json").is_file(),
    reason="the DISARM Foundation's source files are not beside the repository",
)


def test_public_surface_is_the_sorted_all() -> None:
    def kind(name: str) -> tuple[int, str]:  # constants, classes, functions (ruff RUF022)
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert ref.__all__ == sorted(ref.__all__, key=kind)
    public = {name for name in vars(ref) if not name.startswith("_")}
    assert public == set(ref.__all__)
    assert all(hasattr(ref, name) for name in ref.__all__)


# --- DISARM -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def official_bundle() -> dict[str, Any]:
    if not (DISARM_SOURCE / "DISARM-1.6.json").is_file():
        pytest.skip("the official DISARM bundle is not beside the repository")
    return json.loads((DISARM_SOURCE / "DISARM-1.6.json").read_text("utf-8"))  # type: ignore[no-any-return]


def test_tables_have_the_published_sizes() -> None:
    framework = disarm_framework()
    assert framework.version == "1.6"
    assert len(framework.tactics) == 16
    assert len(framework.techniques) == 391
    assert sum(t.is_subtechnique for t in framework.techniques.values()) == 288
    assert len(framework.counters) == 140
    assert "TA03" not in framework.tactics and "TA04" not in framework.tactics


def test_lookups_answer_the_usual_questions() -> None:
    framework = disarm_framework()
    technique = framework.technique("T0049.003")
    assert technique is not None
    assert technique.parent_id == "T0049" and technique.is_subtechnique
    assert [t.id for t in framework.tactics_of("T0049.003")] == ["TA17"]
    assert framework.tactics_of("T0049.003")[0].shortname == "maximise-exposure"
    assert framework.tactics_of("T0999") == ()
    assert framework.technique("T0019") is None
    counter = framework.counter("C00006")
    assert counter is not None and counter.name == "Charge for social media"
    assert framework.counter("C00001") is None
    tactic = framework.tactic_by_shortname("develop-content")
    assert tactic is not None and tactic.id == "TA06"
    assert framework.tactic_by_shortname("initial-access") is None
    assert disarm_framework() is framework  # read once per process


def test_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        disarm_framework().techniques["T9999"] = None  # type: ignore[index]


def test_every_attack_pattern_of_the_official_bundle_is_known(
    official_bundle: dict[str, Any],
) -> None:
    framework = disarm_framework()
    objects = official_bundle["objects"]
    shortnames = {o["id"]: o["x_mitre_shortname"] for o in objects if o["type"] == "x-mitre-tactic"}
    parents = {
        o["source_ref"]: o["target_ref"]
        for o in objects
        if o["type"] == "relationship" and o["relationship_type"] == "subtechnique-of"
    }
    by_stix_id = {o["id"]: o for o in objects if o["type"] == "attack-pattern"}
    assert len(by_stix_id) == 391
    for stix_id, pattern in by_stix_id.items():
        (citation,) = pattern["external_references"]
        technique = framework.technique(citation["external_id"])
        assert technique is not None, citation["external_id"]
        assert technique.name == pattern["name"]
        assert technique.stix_id == stix_id
        (phase,) = pattern["kill_chain_phases"]
        assert [t.shortname for t in framework.tactics_of(technique.id)] == [phase["phase_name"]]
        assert phase["phase_name"] in shortnames.values()
        parent = parents.get(stix_id)
        expected_parent = (
            by_stix_id[parent]["external_references"][0]["external_id"] if parent else None
        )
        assert technique.parent_id == expected_parent


@needs_disarm_source
def test_every_counter_of_the_disarm_pages_is_known() -> None:
    tables = json.loads((DISARM_SOURCE / "DISARM-1.6-tables.json").read_text("utf-8"))
    framework = disarm_framework()
    assert {row["disarm_id"] for row in tables["counters"]} == set(framework.counters)
    for row in tables["counters"]:
        counter = framework.counter(row["disarm_id"])
        assert counter is not None
        assert counter.name == row["name"]
        assert row["tactic"].startswith(counter.tactic_id)
        assert counter.tactic_id in framework.tactics
        assert counter.response_type_id == row["responsetype"]


@needs_disarm_source
def test_derived_tables_equal_a_fresh_derivation(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REFERENCE / "derive.py"), "--source", str(DISARM_SOURCE),
         "--output", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    written = sorted(p.name for p in tmp_path.glob("*.json"))
    assert written, "derive.py wrote no tables"
    for name in written:
        assert (tmp_path / name).read_bytes() == (REFERENCE / name).read_bytes(), name


def test_derived_code_tables_equal_a_fresh_derivation(tmp_path: Path) -> None:
    pytest.importorskip("pycountry")
    result = subprocess.run(
        [sys.executable, str(REFERENCE / "derive_codes.py"), "--output", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    for path in tmp_path.glob("*.json"):
        assert path.read_bytes() == (REFERENCE / path.name).read_bytes(), path.name


# --- countries ----------------------------------------------------------------------------


def test_assigned_country_codes() -> None:
    assert len(ref.countries()) == 249
    assert is_country_code("JP") and is_country_code("GB") and is_country_code("VN")
    for code in ("jp", "UK", "EU", "XK", "ZQ", "JPN", "", None, 81):
        assert not is_country_code(code)
    country = ref.country("PH")
    assert country is not None and country.alpha_3 == "PHL" and country.numeric == "608"


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("UK", "use 'GB'"),
        ("EU", "list the countries concerned"),
        ("XK", "user-assigned"),
        ("QZ", "user-assigned"),
        ("jp", "upper case: 'JP'"),
        ("VNM", "alpha-3 code; the profile uses alpha-2 codes: 'VN'"),
        ("ZQ", "not an assigned ISO 3166-1 alpha-2"),
        ("J", "not an assigned ISO 3166-1 alpha-2"),
    ],
)
def test_country_code_problems_say_what_to_write(code: str, hint: str) -> None:
    problem = country_code_problem(code)
    assert problem is not None and hint in problem


@given(st.text(max_size=6))
def test_country_code_problem_never_raises(code: str) -> None:
    assert (country_code_problem(code) is None) == is_country_code(code)


def test_m49_regions() -> None:
    region = ref.m49_region("419")
    assert region is not None and "Latin America" in region.name
    assert ref.m49_region("392") is None  # Japan's numeric code is not a BCP 47 region


# --- ISO 639 ------------------------------------------------------------------------------


def test_iso639_codes() -> None:
    for code in ("en", "ja", "fil", "tl", "ceb", "zho", "und", "mul", "qaa", "qtz", "sgn"):
        assert is_iso639_code(code), code
    for code in ("jp", "xx", "english", "qua0", "", "e"):
        assert not is_iso639_code(code), code
    assert language_name("ja") == "Japanese"
    assert language_name("fre") == language_name("fr") == "French"
    assert language_name("xx") is None


# --- BCP 47 -------------------------------------------------------------------------------

# An independent transcription of the RFC 5646 section 2.1 ABNF, for comparison.
_ALNUM = "[a-z0-9]"
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language ["-" extlang]
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"  # variants
    rf"(?:-[0-9a-wy-z](?:-{_ALNUM}{{2,8}})+)*"  # extensions
    rf"(?:-x(?:-{_ALNUM}{{1,8}})+)?"  # private use
)
_RFC5646 = re.compile(
    rf"(?:{_LANGTAG}|x(?:-{_ALNUM}{{1,8}})+|{'|'.join(map(re.escape, GRANDFATHERED))})"
)


def _rfc5646_well_formed(tag: str) -> bool:
    return tag.isascii() and _RFC5646.fullmatch(tag.lower()) is not None


_subtag_chars = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@st.composite
def _tag_like(draw: st.DrawFn) -> str:
    """Hyphen-separated runs of letters and digits: mostly near-misses of real tags."""
    subtags = draw(st.lists(st.text(_subtag_chars, min_size=0, max_size=9), min_size=1, max_size=7))
    return "-".join(subtags)


@settings(max_examples=400)
@given(st.one_of(_tag_like(), st.text(max_size=20)))
def test_parser_agrees_with_the_rfc_5646_grammar(tag: str) -> None:
    assert is_well_formed_language_tag(tag) == _rfc5646_well_formed(tag)


@given(st.one_of(st.text(max_size=30), _tag_like()))
def test_language_tag_problem_never_raises(tag: str) -> None:
    problem = language_tag_problem(tag)
    assert problem is None or repr(tag) in problem


_letters = "abcdefghijklmnopqrstuvwxyz"
_alnum = _letters + "0123456789"


@st.composite
def _well_formed_tags(draw: st.DrawFn) -> str:
    """Tags built from the RFC 5646 grammar, with random case."""
    parts = [draw(st.text(_letters, min_size=2, max_size=3))]
    if draw(st.booleans()):
        parts += draw(st.lists(st.text(_letters, min_size=3, max_size=3), max_size=3))
    if draw(st.booleans()):
        parts.append(draw(st.text(_letters, min_size=4, max_size=4)).title())
    if draw(st.booleans()):
        parts.append(
            draw(st.one_of(st.text(_letters, min_size=2, max_size=2).map(str.upper),
                           st.text("0123456789", min_size=3, max_size=3)))
        )  # fmt: skip
    parts += draw(
        st.lists(
            st.one_of(
                st.text(_alnum, min_size=5, max_size=8),
                st.tuples(
                    st.sampled_from("0123456789"), st.text(_alnum, min_size=3, max_size=3)
                ).map("".join),
            ),
            max_size=2,
        )
    )  # fmt: skip
    for singleton in draw(st.lists(st.sampled_from("abuz0t"), max_size=2, unique=True)):
        parts.append(singleton)
        parts += draw(st.lists(st.text(_alnum, min_size=2, max_size=8), min_size=1, max_size=2))
    if draw(st.booleans()):
        parts.append("x")
        parts += draw(st.lists(st.text(_alnum, min_size=1, max_size=8), min_size=1, max_size=2))
    return "-".join(parts)


@given(_well_formed_tags())
def test_generated_well_formed_tags_are_parsed(tag: str) -> None:
    assert _rfc5646_well_formed(tag)  # the generator follows the grammar
    parsed = parse_language_tag(tag)
    assert parsed is not None
    assert parsed.tag == tag
    assert parsed.language == tag.split("-")[0].lower()


_ISO639_1 = sorted(json.loads((REFERENCE / "iso639.json").read_text("utf-8"))["alpha_2"])
_REGIONS = sorted(ref.countries())


@given(
    st.sampled_from(_ISO639_1),
    st.one_of(st.none(), st.sampled_from(["Latn", "Cyrl", "Hant", "Hans", "Thai"])),
    st.one_of(st.none(), st.sampled_from(_REGIONS), st.just("419")),
)
def test_tags_of_real_codes_are_accepted(
    language: str, script: str | None, region: str | None
) -> None:
    tag = "-".join(p for p in (language, script, region) if p)
    assert language_tag_problem(tag) is None
    assert is_language_tag(tag) and is_language_tag(tag.upper())


def test_parsed_subtags() -> None:
    parsed = parse_language_tag("zh-yue-Hant-HK-1996-u-co-pinyin-x-internal")
    assert parsed is not None
    assert (parsed.language, parsed.extlangs, parsed.script, parsed.region) == (
        "zh",
        ("yue",),
        "hant",
        "hk",
    )
    assert parsed.variants == ("1996",)
    assert parsed.extensions == ("u-co-pinyin",)
    assert parsed.private_use == "x-internal"
    assert not parsed.grandfathered
    irregular = parse_language_tag("i-klingon")
    assert irregular is not None and irregular.grandfathered and irregular.language == ""
    regular = parse_language_tag("zh-min-nan")
    assert regular is not None and regular.grandfathered and regular.language == "zh"


@pytest.mark.parametrize(
    "tag",
    ["en", "ja", "fil", "tl", "ceb", "zh-Hant", "zh-Hans-CN", "es-419", "en-GB", "sr-Latn-RS",
     "de-DE-1901", "sl-rozaj-biske", "ja-JP-u-ca-japanese", "en-US-x-twain", "qaa-x-local",
     "und", "mul", "zxx", "en-GB-oed", "zh-min-nan", "art-lojban", "no-bok", "sgn-BE-FR", "EN-us"],
)  # fmt: skip
def test_acceptable_tags(tag: str) -> None:
    assert language_tag_problem(tag) is None


@pytest.mark.parametrize(
    ("tag", "hint"),
    [
        ("en_US", "separate subtags with hyphens: 'en-US'"),
        (" en", "remove the surrounding spaces: 'en'"),
        ("jp", "not an ISO 639-1 code"),
        ("english", "not an ISO 639 code"),
        ("eng", "use 'en'"),
        ("fre", "ISO 639-2/B code, which BCP 47 does not use: use 'fr'"),
        ("chi", "use 'zh'"),
        ("x-private", "private-use tag"),
        ("i-klingon", "use 'tlh'"),
        ("i-default", "use a tag that starts with an ISO 639 code"),
        ("en-UK", "use 'GB'"),
        ("en-ZQ", "'ZQ' is not an assigned"),
        ("en-392", "not a UN M.49 area"),
        ("de-1901-1901", "repeats a variant"),
        ("en-a-bbb-a-ccc", "repeats an extension singleton"),
        ("en-", "not a well-formed"),
        ("", "not a well-formed"),
        ("en--US", "not a well-formed"),
        ("en-a", "not a well-formed"),
        ("en-x", "not a well-formed"),
        ("toolongsubtag", "not a well-formed"),
        ("ja-JP-東京", "not a well-formed"),
    ],
)
def test_unacceptable_tags_say_what_to_write(tag: str, hint: str) -> None:
    problem = language_tag_problem(tag)
    assert problem is not None and hint in problem


def test_non_strings_are_not_tags() -> None:
    for value in (None, 42, ["en"], b"en"):
        assert parse_language_tag(value) is None
        assert not is_language_tag(value)
