"""The models (infoshare.models) and the validator agree on the core STIX rules.

Both take identifiers, timestamps and the bundle envelope from
:mod:`infoshare.stix`; these properties make sure nothing between them (a
pydantic type, a schema format, a cache, a check's own shortcut) lets one
accept what the other refuses. Values are generated valid and near-valid:
case changes, non-ASCII digits, leap seconds, missing or extra fraction
digits, offsets, impossible dates, stray characters. For each, the model
accepts the value if and only if the validator reports no finding on that
property.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from infoshare.errors import ModelError
from infoshare.models import Campaign, Identity, parse_object, read_bundle
from infoshare.validation import Finding, Severity, ValidationOptions, Validator

STIX = Validator(ValidationOptions(mode="stix"))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDENTITY: dict[str, Any] = {
    "type": "identity",
    "spec_version": "2.1",
    "id": "identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11",
    "created": "2026-03-02T08:15:00.000Z",
    "modified": "2026-03-02T08:15:00.000Z",
    "name": "Fictional Agency",
}
CAMPAIGN: dict[str, Any] = {
    "type": "campaign",
    "spec_version": "2.1",
    "id": "campaign--6a0a5c3e-1f0b-4a45-9d0e-3f9b2c1d7e21",
    "created": "2026-03-02T08:15:00.000Z",
    "modified": "2026-03-02T08:15:00.000Z",
    "name": "Fictional campaign",
}

# Digits that Python's \d and int() take but RFC 3339 and STIX do not.
FOREIGN_DIGITS = ["０", "３", "٣", "۵", "७", "๙", "𝟘"]  # noqa: RUF001


def findings_at(obj: dict[str, Any], path: str) -> list[Finding]:
    """The validator's errors on ``path`` of ``obj`` (and below it), checked alone.

    Errors only: the models enforce the MUST rules; a SHOULD rule's warning (a
    UUID that is not version 4, say) does not make a value invalid.
    """
    report = STIX.validate_objects([obj])
    where = "$.objects[0]" + path
    return [
        f
        for f in report.findings
        if f.severity is Severity.ERROR
        and (f.json_path == where or f.json_path.startswith(where + "["))
    ]


def model_accepts(build: Any, obj: dict[str, Any]) -> bool:
    try:
        build(obj)
    except ModelError:
        return False
    return True


def test_the_baselines_pass_both() -> None:
    for obj, model in [(IDENTITY, Identity), (CAMPAIGN, Campaign)]:
        assert STIX.validate_objects([obj]).findings == []
        model.from_dict(obj)


# --- identifiers ------------------------------------------------------------------------------


@st.composite
def near_identifiers(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["identity", "identity", "campaign", "x-acme", "ab", "a" * 251]))
    value = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4))
    mutation = draw(
        st.sampled_from(
            [
                "none",
                "upper-all",
                "upper-one",
                "upper-type",
                "foreign-digit",
                "version",
                "variant",
                "drop-hyphen",
                "trailing",
                "leading",
                "separator",
            ]
        )
    )
    if mutation == "upper-all":
        value = value.upper()
    elif mutation == "upper-one":
        index = draw(st.integers(0, len(value) - 1))
        value = value[:index] + value[index].upper() + value[index + 1 :]
    elif mutation == "upper-type":
        kind = kind.capitalize()
    elif mutation == "foreign-digit":
        digits = [i for i, c in enumerate(value) if c.isdigit()]
        if digits:
            index = draw(st.sampled_from(digits))
            value = value[:index] + draw(st.sampled_from(FOREIGN_DIGITS)) + value[index + 1 :]
    elif mutation == "version":
        value = value[:14] + draw(st.sampled_from("0123456789abcdef")) + value[15:]
    elif mutation == "variant":
        value = value[:19] + draw(st.sampled_from("0123456789abcdefABCDEF")) + value[20:]
    elif mutation == "drop-hyphen":
        value = value.replace("-", "", 1)
    elif mutation == "trailing":
        value += draw(st.sampled_from(["\n", " ", "0", "x"]))
    elif mutation == "leading":
        kind = draw(st.sampled_from(["-", " ", "\n"])) + kind
    separator = draw(st.sampled_from(["--", "-", "---", "__"])) if mutation == "separator" else "--"
    return f"{kind}{separator}{value}"


@SETTINGS
@given(near_identifiers())
@example("identity--2F3C6F25-7B0A-4C3E-9A55-0C9D0F3E8B11")
@example("identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b1٣")
def test_models_and_validator_agree_on_object_ids(value: str) -> None:
    obj = {**IDENTITY, "id": value}
    assert model_accepts(Identity.from_dict, obj) == (findings_at(obj, ".id") == [])


@SETTINGS
@given(near_identifiers())
@example("identity--2F3C6F25-7B0A-4C3E-9A55-0C9D0F3E8B11")
def test_models_and_validator_agree_on_references(value: str) -> None:
    obj = {**CAMPAIGN, "created_by_ref": value}
    assert model_accepts(Campaign.from_dict, obj) == (findings_at(obj, ".created_by_ref") == [])


# --- timestamps -------------------------------------------------------------------------------


@st.composite
def near_timestamps(draw: st.DrawFn) -> str:
    year = draw(st.sampled_from([0, 1, 1900, 2000, 2015, 2016, 2023, 2024, 9999]))
    month = draw(st.integers(1, 12) | st.sampled_from([0, 13, 6, 12]))
    day = draw(st.integers(1, 28) | st.sampled_from([0, 29, 30, 31, 32]))
    hour = draw(st.integers(0, 23) | st.just(24))
    minute = draw(st.integers(0, 59) | st.just(60))
    second = draw(st.integers(0, 59) | st.sampled_from([60, 61]))
    if draw(st.booleans()):  # aim at the places where a leap second may be
        month, day = draw(st.sampled_from([(6, 30), (12, 31), (3, 31), (6, 29)]))
        hour, minute, second = 23, 59, 60
    digits = draw(st.integers(0, 12))
    fraction = "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=digits, max_size=digits))
    )
    value = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    value += f".{fraction}" if digits else ""
    zone = draw(st.sampled_from(["Z", "Z", "Z", "z", "+00:00", "-05:00", "", "Z\n", " Z"]))
    value += zone
    mutation = draw(st.sampled_from(["none", "none", "lower-t", "space", "foreign", "dot"]))
    if mutation == "lower-t":
        value = value.replace("T", "t", 1)
    elif mutation == "space":
        value = value.replace("T", " ", 1)
    elif mutation == "foreign":
        index = draw(st.sampled_from([i for i, c in enumerate(value) if c in "0123456789"]))
        value = value[:index] + draw(st.sampled_from(FOREIGN_DIGITS)) + value[index + 1 :]
    elif mutation == "dot" and not digits:
        value = value.replace("Z", ".Z", 1)
    return value


@SETTINGS
@given(near_timestamps())
@example("2016-12-31T23:59:60Z")
@example("2016-12-31T22:59:60Z")
@example("２０２４-05-01T09:30:00Z")  # noqa: RUF001
@example("2024-05-01t09:30:00z")
@example("2024-05-01T09:30:00+00:00")
@example("2024-05-01T09:30:00Z")
def test_models_and_validator_agree_on_timestamps(value: str) -> None:
    # first_seen: a timestamp with no rule of its own (no precision, no pair without last_seen).
    obj = {**CAMPAIGN, "first_seen": value}
    assert model_accepts(Campaign.from_dict, obj) == (findings_at(obj, ".first_seen") == [])


# --- envelope ---------------------------------------------------------------------------------

_BUNDLE_ID = "bundle--9b1f3c2e-2d4f-4b8a-9c1e-7f6a5b4c3d2e"
_ABSENT = object()


@st.composite
def near_envelopes(draw: st.DrawFn) -> Any:
    shape = draw(st.sampled_from(["object", "object", "object", "array", "string", "null"]))
    if shape == "array":
        return [IDENTITY]
    if shape == "string":
        return "bundle"
    if shape == "null":
        return None
    envelope: dict[str, Any] = {}
    kind = draw(st.sampled_from(["bundle", "bundle", "Bundle", "identity", 5, _ABSENT]))
    if kind is not _ABSENT:
        envelope["type"] = kind
    bundle_id = draw(
        st.sampled_from(
            [
                _BUNDLE_ID,
                _BUNDLE_ID,
                _BUNDLE_ID.upper().replace("BUNDLE", "bundle"),
                "identity--9b1f3c2e-2d4f-4b8a-9c1e-7f6a5b4c3d2e",
                "bundle--1",
                7,
                _ABSENT,
            ]
        )
    )
    if bundle_id is not _ABSENT:
        envelope["id"] = bundle_id
    members = draw(
        st.sampled_from(
            [
                [IDENTITY],
                [IDENTITY, CAMPAIGN],
                [],
                [5],
                [IDENTITY, None],
                [{"id": "x"}],
                [{"type": 5}],
                {"a": IDENTITY},
                "objects",
                _ABSENT,
            ]
        )
    )
    if members is not _ABSENT:
        envelope["objects"] = members
    if kind == "identity" and members is _ABSENT:  # a single object, not a bundle
        envelope.update({k: v for k, v in IDENTITY.items() if k not in envelope})
    return envelope


def _models_read(data: bytes) -> bool:
    try:
        read_bundle(data)
    except ModelError:
        return False
    return True


@SETTINGS
@given(near_envelopes())
def test_models_and_validator_agree_on_the_envelope(value: Any) -> None:
    data = json.dumps(value).encode()
    report = STIX.validate_bytes(data)
    envelope_findings = [f for f in report.findings if f.check_id in ("IS-005", "IS-006")]
    assert _models_read(data) == (envelope_findings == []), [f.message for f in report.findings]


def test_a_member_the_models_refuse_is_one_the_validator_cannot_read() -> None:
    for member in [5, None, "x", [], {"id": "x"}, {"type": 5}]:
        try:
            parse_object(member)  # type: ignore[arg-type]
        except ModelError as exc:
            assert "not a STIX object" in exc.message
        else:
            raise AssertionError(member)
