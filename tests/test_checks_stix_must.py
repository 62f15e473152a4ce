"""The STIX 2.1 MUST rules IS-113 to IS-127 (spec/profile/14-conformance.md §14.3.3).

Each defect STIX 2.1 forbids gets its check in plain STIX mode, and the
conforming neighbours of each defect pass: the spec's own boundary cases
(equal timestamps, private-use language tags, custom hash names on files,
defanged values) are asserted both ways.
"""

from __future__ import annotations

import copy
import string
from functools import cache
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.validation import Finding, Severity, ValidationOptions, Validator
from infoshare.validation.checks.stix_markings import selector_problem
from infoshare.validation.checks.stix_patterns import MAX_PATTERN_LENGTH
from infoshare.validation.checks.stix_urls import url_problem

T0 = "2026-03-02T08:15:00.000Z"
T1 = "2026-03-04T11:40:00.000Z"
T2 = "2026-03-06T09:00:00.000Z"
AGENCY = "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11"
CAMPAIGN = "campaign--8d0e6d1c-3f43-4b8e-9a3f-6f7a2d9c1e55"
INDICATOR = "indicator--5c1f0a7e-2b4d-4e8f-9a6b-7c8d9e0f1a2b"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
SHA256 = "4bc6e7d5b2f1f2b0a0d0c5e1e4a3f0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3"


@cache
def validator(mode: str = "stix") -> Validator:
    return Validator(ValidationOptions(mode=mode))  # type: ignore[arg-type]


def findings(*objects: Any, mode: str = "stix") -> list[Finding]:
    """The errors: these tests judge MUST rules; the SHOULD rules' warnings have their
    own tests (test_checks_stix_should.py)."""
    report = validator(mode).validate_objects(list(objects))
    return [f for f in report.findings if f.severity is Severity.ERROR]


def ids(*objects: Any, mode: str = "stix") -> set[str]:
    return {f.check_id for f in findings(*objects, mode=mode)}


def sdo(kind: str, object_id: str | None = None, **props: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": kind,
        "spec_version": "2.1",
        "id": object_id or f"{kind}--6b0f5a3e-8c1d-4e2f-9a7b-3c4d5e6f7a8b",
        "created": T0,
        "modified": T0,
        "created_by_ref": AGENCY,
    }
    obj.update(props)
    return obj


def campaign(**props: Any) -> dict[str, Any]:
    return sdo("campaign", CAMPAIGN, name="Operation Paper Lantern (fictional)", **props)


def indicator(pattern: str, pattern_type: str = "stix", **props: Any) -> dict[str, Any]:
    return sdo("indicator", INDICATOR, pattern=pattern, pattern_type=pattern_type,
               valid_from=T0, **props)  # fmt: skip


def relationship(**props: Any) -> dict[str, Any]:
    props.setdefault("relationship_type", "targets")
    return sdo("relationship", source_ref=CAMPAIGN, target_ref=AGENCY, **props)


def sco(kind: str, **props: Any) -> dict[str, Any]:
    object_id = f"{kind}--1e8d6f0a-3b2c-5d4e-8f6a-7b8c9d0e1f2a"
    return {"type": kind, "spec_version": "2.1", "id": object_id, **props}


# --- every case the plain STIX mode used to miss -----------------------------------------

MISSED_BEFORE: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("IS-113", "created to the second", [campaign(created="2026-03-02T08:15:00Z")]),
    ("IS-113", "modified to the tenth", [campaign(modified="2026-03-02T08:15:00.5Z")]),
    ("IS-114", "relationship_type with _", [relationship(relationship_type="attributed_to")]),
    ("IS-115", "stop_time == start_time", [relationship(start_time=T1, stop_time=T1)]),
    ("IS-115", "stop_time < start_time", [relationship(start_time=T1, stop_time=T0)]),
    ("IS-115", "sighting last before first",
     [sdo("sighting", sighting_of_ref=CAMPAIGN, first_seen=T1, last_seen=T0)]),
    ("IS-115", "valid_until == valid_from", [indicator("[url:value = 'x']", valid_until=T0)]),
    ("IS-116", "selector names an absent property",
     [campaign(granular_markings=[{"marking_ref": GREEN, "selectors": ["objective"]}])]),
    ("IS-116", "selector index out of range",
     [campaign(labels=["a"],
               granular_markings=[{"marking_ref": GREEN, "selectors": ["labels.[1]"]}])]),
    ("IS-117", "custom extension without -ext",
     [sco("file", name="a.pdf", extensions={"x-fictional-scan": {"scanner": "av"}})]),
    ("IS-118", "reserved severity", [campaign(severity="high")]),
    ("IS-118", "reserved phone_number",
     [sdo("identity", AGENCY, name="Agency", phone_number="+00 000")]),
    ("IS-119", "lang not RFC 5646", [campaign(lang="en_GB")]),
    ("IS-119", "language-content key not RFC 5646",
     [sdo("language-content", object_ref=CAMPAIGN, object_modified=T0,
          contents={"english": {"name": "x"}})]),
    ("IS-120", "pattern syntax error", [indicator("[url:value = 'x'")]),
    ("IS-120", "unknown operator", [indicator("[url:value CONTAINS 'x']")]),
    ("IS-120", "YARA under stix", [indicator('rule r { condition: true }')]),
    ("IS-121", "empty _refs on a custom object",
     [sdo("x-fictional-case", member_refs=[])]),
    ("IS-121", "empty custom list", [campaign(x_fictional_tags=[])]),
    ("IS-122", "defanged on an SDO", [campaign(defanged=True)]),
    ("IS-123", "version after a revocation",
     [campaign(modified=T1, revoked=True), campaign(modified=T2)]),
    ("IS-124", "external reference url with a space",
     [campaign(external_references=[{"source_name": "m", "url": "https://a.example/b c"}])]),
    ("IS-124", "url SCO without a scheme", [sco("url", value="a.example/b")]),
    ("IS-125", "abbreviated hive", [sco("windows-registry-key", key="HKCU\\Software\\X")]),
    ("IS-127", "MD5 of the wrong length", [sco("file", name="a", hashes={"MD5": "abc"})]),
    ("IS-126", "external-reference hash key outside the vocabulary",
     [campaign(external_references=[{"source_name": "m", "url": "https://a.example/",
                                     "hashes": {"sha-256": SHA256}}])]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("check_id", "objects"),
    [(c, o) for c, _, o in MISSED_BEFORE],
    ids=[f"{c} {what}" for c, what, _ in MISSED_BEFORE],
)
def test_each_missed_must_is_found_in_stix_mode(
    check_id: str, objects: list[dict[str, Any]]
) -> None:
    assert ids(*objects) == {check_id}
    assert check_id in ids(*objects, mode="profile")


def test_the_empty_objects_list_is_found_with_its_position() -> None:
    data = (
        b'{"type": "bundle",\n "id": "bundle--6c3c2b1a-0f9e-4d8c-b7a6-958473625140",\n'
        b' "objects": [ ]}'
    )
    report = validator().validate_bytes(data)
    [finding] = report.findings
    assert (finding.check_id, finding.json_path, finding.line) == ("IS-121", "$.objects", 3)
    absent = b'{"type": "bundle", "id": "bundle--6c3c2b1a-0f9e-4d8c-b7a6-958473625140"}'
    assert validator().validate_bytes(absent).findings == []


# --- the boundaries of each rule, both ways ----------------------------------------------


@given(digits=st.integers(min_value=0, max_value=9))
def test_precision_needs_three_digits(digits: int) -> None:
    fraction = "." + "7" * digits if digits else ""
    stamp = f"2026-03-02T08:15:00{fraction}Z"
    assert ("IS-113" in ids(campaign(created=stamp, modified=stamp))) == (digits < 3)


def test_equal_times_pass_only_where_stix_says_or_equal() -> None:
    assert ids(sdo("sighting", sighting_of_ref=CAMPAIGN, first_seen=T1, last_seen=T1)) == set()
    assert ids(campaign(first_seen=T1, last_seen="2026-03-04T11:40:00.000000Z")) == set()
    obs = sdo("observed-data", first_observed=T1, last_observed=T1, number_observed=1,
              object_refs=["url--1e8d6f0a-3b2c-5d4e-8f6a-7b8c9d0e1f2a"])  # fmt: skip
    assert ids(obs) == set()
    assert ids(indicator("[url:value = 'x']", valid_until=T1)) == set()
    assert ids(relationship(start_time=T0, stop_time=T1)) == set()
    [finding] = findings(indicator("[url:value = 'x']", valid_until=T0))
    assert "equals" in finding.message and finding.json_path == "$.objects[0].valid_until"


def test_relationship_type_suggestion() -> None:
    [finding] = findings(relationship(relationship_type="Attributed To"))
    assert "'attributed-to'" in finding.message


def test_custom_ref_properties_are_not_references_but_defined_ones_are() -> None:
    assert ids(campaign(x_mitre_modified_by_ref="", x_fictional_refs=["free text"])) == set()
    assert ids(campaign(created_by_ref="")) == {"IS-103"}
    sighting = sdo("sighting", sighting_of_ref=CAMPAIGN, where_sighted_refs=["identity--x"])
    assert ids(sighting) == {"IS-103"}


def test_duplicate_representations_are_stix_but_not_profile() -> None:
    assert ids(campaign(), campaign()) == set()
    assert "IS-111" in ids(campaign(), campaign(), mode="profile")


def test_custom_extensions() -> None:
    good = sco("file", name="a.pdf", extensions={"x-fictional-scan-ext": {"scanner": "av"}})
    assert ids(good) == set()
    assert ids(sco("file", name="a.pdf", extensions={"X-Scan-Ext": {"a": 1}})) == {"IS-117"}
    assert ids(campaign(extensions={"fictional-ext": {"reviewed": True}})) == {"IS-117"}
    # a custom object of unknown kind gets the benefit of the doubt
    assert ids(sdo("x-fictional-thing", extensions={"fictional-ext": {"a": 1}})) == set()
    # extension-definition keys and predefined names stay IS-108's
    bad_id = {"extension-definition--x": {"extension_type": "property-extension"}}
    assert ids(campaign(extensions=bad_id)) == {"IS-108"}
    misplaced = {"archive-ext": {"contains_refs": [AGENCY]}}
    assert ids(sco("url", value="https://a.example/", extensions=misplaced)) == {"IS-108"}


def test_reserved_names_inside_extensions_and_on_course_of_action() -> None:
    ext = "extension-definition--3c1d2e5f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
    obj = campaign(extensions={ext: {"extension_type": "property-extension", "action": "x"}})
    [finding] = findings(obj)
    assert finding.check_id == "IS-118" and finding.json_path.endswith(".action")
    assert ids(sdo("course-of-action", name="Debunk", action="publish")) == {"IS-118"}
    assert ids(campaign(x_fictional_severity="high", usernames=["a"])) == set()


def test_language_tags_stix_accepts_what_rfc_5646_allows() -> None:
    for tag in ("en", "pt-BR", "zh-Hant", "es-419", "x-lantern", "i-klingon", "sgn-BE-FR"):
        assert ids(campaign(lang=tag)) == set(), tag
    assert ids(campaign(lang="x-lantern"), mode="profile") >= {"IS-412"}
    assert "IS-119" not in ids(campaign(lang="x-lantern"), mode="profile")
    [finding] = findings(campaign(lang="fre"))
    assert finding.check_id == "IS-119" and "'fr'" in finding.message


def test_pattern_messages_carry_the_parser_position() -> None:
    [finding] = findings(indicator("[url:value = 'x'"))
    assert finding.check_id == "IS-120" and "line 1:" in finding.message
    assert ids(indicator("rule r { condition: true }", pattern_type="yara")) == set()
    assert ids(indicator("[file:hashes.'SHA-256' = 'zz']")) == {"IS-120"}  # not a SHA-256
    assert ids(indicator("([url:value = 'a'] OR [url:value = 'b']) REPEATS 2 TIMES")) == set()


@pytest.mark.parametrize(
    "pattern",
    [
        "(" * 2000 + "[url:value = 'x']" + ")" * 2000,
        "[url:value = '" + "x" * (MAX_PATTERN_LENGTH + 1) + "']",
        "\x00[]",
        "[" * 500,
        "",
    ],
    ids=["deep-nesting", "huge", "nul", "open-brackets", "empty"],
)
def test_hostile_patterns_are_findings_not_crashes(pattern: str) -> None:
    found = findings(indicator(pattern))
    assert [f.check_id for f in found] == ["IS-120"], [f.message for f in found]
    assert "internal error" not in found[0].message


def test_each_distinct_pattern_is_parsed_once() -> None:
    from infoshare.validation.checks import stix_patterns

    stix_patterns.pattern_problems.cache_clear()
    findings(*(indicator("[url:value = 'repeated']") for _ in range(5)))
    assert stix_patterns.pattern_problems.cache_info().misses == 1


def test_empty_lists_where_no_schema_sizes_them() -> None:
    ext = "extension-definition--3c1d2e5f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
    obj = campaign(extensions={ext: {"extension_type": "property-extension", "scores": {"a": []}}})
    [finding] = findings(obj)
    assert finding.check_id == "IS-121" and finding.json_path.endswith(".scores.a")
    # a list STIX defines is sized by the core schema: IS-102, reported once
    assert ids(campaign(aliases=[])) == {"IS-102"}
    assert ids(sco("file", name="a.pdf", extensions={"x-scan-ext": {}})) == {"IS-121"}


def test_defanged_values_are_not_urls() -> None:
    assert ids(sco("url", value="hxxp://a[.]example/", defanged=True)) == set()
    assert ids(sco("url", value="hxxp://a[.]example/")) == {"IS-124"}
    assert ids(sdo("x-fictional-thing", defanged=True)) == set()


def test_revocation_in_any_order() -> None:
    revoked = campaign(modified=T1, revoked=True)
    assert ids(campaign(modified=T2), revoked, campaign()) == {"IS-123"}
    assert ids(campaign(), revoked) == set()
    [finding] = findings(campaign(modified=T2), revoked)
    assert finding.object_index == 0 and "objects[1]" in finding.message


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("HKEY_LOCAL_MACHINE\\System\\Foo", True),
        ("hkey_current_user\\Software", True),
        ("HKLM\\System", False),
        ("HKU\\S-1-5-18", False),
        ("HKEY_LOCAL\\System", False),
        ("HKEY_LOCAL_MACHINE", True),
    ],
)
def test_registry_hives(key: str, ok: bool) -> None:
    assert ids(sco("windows-registry-key", key=key)) == (set() if ok else {"IS-125"})


def test_hash_keys() -> None:
    ref = {"source_name": "m", "url": "https://a.example/"}
    assert ids(campaign(external_references=[ref | {"hashes": {"SHA3-256": SHA256}}])) == set()
    assert ids(campaign(external_references=[ref | {"hashes": {"SHA3-256": "ab"}}])) == {"IS-127"}
    [finding] = findings(campaign(external_references=[ref | {"hashes": {"sha256": SHA256}}]))
    assert "'SHA-256'" in finding.message
    assert ids(sco("file", hashes={"x_fictional_phash": "ab", "SHA-256": SHA256})) == set()
    assert ids(sco("file", hashes={"ab": SHA256})) == {"IS-126"}
    nested = {"ntfs-ext": {"alternate_data_streams": [{"name": "s", "hashes": {"S H A": "1"}}]}}
    [finding] = findings(sco("file", name="a", extensions=nested))
    assert finding.check_id == "IS-126" and "alternate_data_streams[0].hashes" in finding.json_path


# --- properties ---------------------------------------------------------------------------

_segment = st.text(alphabet=string.ascii_letters + string.digits + "-._~ äé/?#[]%", max_size=12)


@settings(max_examples=200)
@given(host=st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True),
       path=st.lists(_segment, max_size=4), query=_segment, fragment=_segment)  # fmt: skip
def test_percent_encoded_urls_are_valid(
    host: str, path: list[str], query: str, fragment: str
) -> None:
    url = f"https://{host}/" + "/".join(quote(p, safe="") for p in path)
    url += f"?{quote(query, safe='=&')}#{quote(fragment, safe='')}"
    assert url_problem(url) is None, url


@settings(max_examples=200)
@given(text=st.text(min_size=1, max_size=20), bad=st.sampled_from([" ", "ä", '"', "<", "\\", "^"]))
def test_urls_with_raw_unsafe_characters_are_refused(text: str, bad: str) -> None:
    url = f"https://a.example/{quote(text, safe='')}{bad}"
    problem = url_problem(url)
    assert problem is not None and "position" in problem


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)


def _selectors(value: Any, prefix: str = "") -> list[str]:
    found: list[str] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            if key and "." not in key and not key.startswith("["):
                found += _selectors(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list) and prefix:
        for index, item in enumerate(value):
            found += _selectors(item, f"{prefix}.[{index}]")
    return found


@settings(max_examples=200)
@given(content=st.dictionaries(st.text(min_size=1, max_size=6), _JSON, min_size=1, max_size=4))
def test_every_present_path_is_a_valid_selector_and_one_past_the_end_is_not(
    content: dict[str, Any],
) -> None:
    obj = {"type": "campaign", **content}
    for selector in _selectors(content):
        assert selector_problem(obj, selector) is None, selector
    for key, value in content.items():
        if isinstance(value, list) and key and "." not in key and not key.startswith("["):
            assert selector_problem(obj, f"{key}.[{len(value)}]") is not None


@settings(max_examples=150, deadline=None)
@given(obj=st.dictionaries(
    st.sampled_from(["lang", "granular_markings", "pattern", "pattern_type", "relationship_type",
                     "revoked", "defanged", "hashes", "external_references", "extensions", "key",
                     "value", "url", "contents", "severity", "x_fictional_refs", "created"]),
    _JSON, max_size=6),
    kind=st.sampled_from(["indicator", "relationship", "file", "url", "artifact", "campaign",
                          "windows-registry-key", "language-content", "x-fictional"]))  # fmt: skip
def test_new_checks_never_raise(obj: dict[str, Any], kind: str) -> None:
    subject = {**obj, "type": kind, "id": f"{kind}--6b0f5a3e-8c1d-4e2f-9a7b-3c4d5e6f7a8b"}
    for mode in ("stix", "profile"):
        report = validator(mode).validate_objects([subject, copy.deepcopy(subject)])
        assert not [f.message for f in report.findings if "internal error" in f.message]
