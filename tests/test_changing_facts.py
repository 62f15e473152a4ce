"""Changing facts and coordinated networks (spec/profile/16-changing-facts.md).

The models and builders of account-state, engagement and the coordinated
network extension round-trip without loss, refuse what the checks report,
build series that read back in order of modified and pass the profile
checks; example 05 is reproduced by its build script.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare.errors import ModelError
from infoshare.models import (
    AccountState,
    Channel,
    EngagementMeasurement,
    account_state,
    coordinated_network,
    engagement,
    format_timestamp,
    measurement,
    parse_object,
    series,
    state_change,
)
from infoshare.profile import EXT_COORDINATED_NETWORK, TLP_AMBER, TLP_GREEN
from infoshare.validation import ValidationOptions, Validator
from infoshare.validation.checks.changing_facts import changing_kind
from infoshare.validation.checks.series_order import FACT_TIME, _out_of_order

ROOT = Path(__file__).resolve().parent.parent
CASE_05 = ROOT / "examples" / "05-troll-network-over-a-week.json"
BUILD_05 = ROOT / "examples" / "build_changing_facts_case.py"
FIXTURES = ROOT / "spec" / "conformance"

AGENCY = "identity--3fcb4b70-f79a-4ffc-a71b-9592244ececa"
PLATFORM = "identity--0b6f2a4e-5d1c-4b8e-9f3a-2c7d8e9f1a20"
ACCOUNT = "user-account--25de1d84-281c-54a1-bc15-83c0b65eb362"
POST = "media-content--3afc1430-2ae3-538a-9bc1-01fca78de97a"
NETWORK = "channel--4f0a9b8c-7d6e-4f5a-9b3c-2d1e0f9a8b7c"
T0 = "2026-03-02T09:00:00.000Z"
FACT_CHECKS = frozenset({"IS-110", "IS-210", "IS-211", "IS-212", "IS-213", "IS-214", "IS-604"})
CHECKS = Validator(ValidationOptions(mode="profile", select=FACT_CHECKS))


def findings(*objects: Any) -> list[str]:
    """The findings of this section's checks on ``objects`` (models or dicts), as one bundle."""
    data = [o if isinstance(o, dict) else o.to_dict() for o in objects]
    bundle = {"type": "bundle", "id": "bundle--0d8e5c1a-3b7f-4e2a-9c6d-000000000099"}
    report = CHECKS.validate_bytes(json.dumps({**bundle, "objects": data}).encode())
    return [f"{f.check_id} {f.json_path}: {f.message}" for f in report.findings]


# --- round trips -------------------------------------------------------------------------


def _fixture_objects(kind: str) -> list[dict[str, Any]]:
    """The ``kind`` objects of every passing profile-mode fixture (the models are the
    profile's: a stix-mode fixture may carry another organisation's extension instead)."""
    index = json.loads((FIXTURES / "index.json").read_text("utf-8"))
    modes = {entry["path"]: entry["mode"] for entry in index["fixtures"]}
    found = []
    for path in sorted(FIXTURES.glob("*/IS-*/pass-*.json")):
        if modes[path.relative_to(FIXTURES).as_posix()] != "profile":
            continue
        for obj in json.loads(path.read_text("utf-8")).get("objects", []):
            if obj["type"] == kind:
                found.append(obj)
    return found


@pytest.mark.parametrize("kind", ["account-state", "engagement", "channel"])
def test_fixture_objects_round_trip_without_loss(kind: str) -> None:
    objects = _fixture_objects(kind)
    assert objects
    for data in objects:
        model = parse_object(data)
        assert model.to_dict() == data
        assert list(model.to_dict()) == list(data)


def test_unknown_properties_and_extensions_survive_a_round_trip() -> None:
    data = account_state(ACCOUNT, "suspended", T0, marking=TLP_GREEN).to_dict()
    data["x_case_number"] = "VOII-2026-118"
    data["extensions"]["extension-definition--6d8f0a2c-4e6b-4d8f-9a1c-3e5f7a9b1c3d"] = {
        "extension_type": "property-extension",
        "queue": "B",
    }
    model = parse_object(data)
    assert isinstance(model, AccountState)
    assert model.to_dict() == data


def test_the_typed_network_extension_is_kept_as_read() -> None:
    channel = coordinated_network(
        "Net", ["copy-paste-text"], marking=TLP_GREEN, estimated_size=5, estimated_at=T0,
        created=T0, modified=T0, account_refs=[ACCOUNT],
    )  # fmt: skip
    data = channel.to_dict()
    data["extensions"][EXT_COORDINATED_NETWORK]["x_note"] = "kept"
    again = parse_object(data)
    assert isinstance(again, Channel)
    assert again.extensions.coordinated_network is not None
    assert again.extensions.coordinated_network.estimated_size == 5
    assert again.to_dict() == data


# --- builders and series ---------------------------------------------------------------------


def test_an_account_suspended_then_restored_reads_back_in_order() -> None:
    suspended = account_state(
        ACCOUNT, "suspended", "2026-03-02T06:00:00.000Z", marking=TLP_GREEN,
        decided_by_ref=PLATFORM, reason="spam", created=T0, modified=T0,
    )  # fmt: skip
    restored = state_change(suspended, "restored", "2026-03-05T08:00:00.000Z",
                            modified="2026-03-05T09:00:00.000Z")  # fmt: skip
    assert restored.id == suspended.id and restored.created == suspended.created
    assert restored.reason is None and restored.decided_by_ref is None  # not carried over
    history = series([restored, suspended], suspended.id, AccountState)
    assert [v.state for v in history] == ["suspended", "restored"]
    assert findings(suspended, restored) == []


def test_a_new_measurement_replaces_every_count() -> None:
    first = engagement(POST, "2026-03-02T08:00:00.000Z", {"like_count": 10, "view_count": 90},
                       marking=TLP_GREEN, measurement_method="platform-api",
                       created=T0, modified=T0)  # fmt: skip
    second = measurement(first, "2026-03-03T08:00:00.000Z", {"like_count": 5000},
                         modified="2026-03-03T09:00:00.000Z")  # fmt: skip
    assert second.counts() == {"like_count": 5000}
    assert second.measurement_method == "platform-api"  # the source stays with the series
    assert series([second, first], first.id, EngagementMeasurement) == [first, second]


def test_series_refuses_a_version_of_another_kind() -> None:
    state = account_state(ACCOUNT, "active", T0, marking=TLP_GREEN, created=T0, modified=T0)
    with pytest.raises(ModelError, match="not a EngagementMeasurement"):
        series([state], state.id, EngagementMeasurement)


def test_unknown_count_names_are_refused() -> None:
    with pytest.raises(ModelError, match="unknown count likes"):
        engagement(POST, T0, {"likes": 3}, marking=TLP_GREEN, measurement_method="estimate")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: engagement(POST, T0, {}, marking=TLP_GREEN, measurement_method="estimate",
                            created=T0, modified=T0), "at least one of"),
        (lambda: engagement(POST, T0, {"like_count": 1}, marking=TLP_GREEN, created=T0,
                            modified=T0), "names its source"),
        (lambda: engagement(POST, T0, {"like_count": -1}, marking=TLP_GREEN,
                            measurement_method="estimate", created=T0, modified=T0),
         "greater than or equal to 0"),
        (lambda: engagement(POST, "2026-03-02T10:00:00.000Z", {"like_count": 1},
                            marking=TLP_GREEN, measurement_method="estimate", created=T0,
                            modified=T0), "measured_at .* is later than modified"),
        (lambda: engagement(POST, T0, {"like_count": 1}, marking=TLP_GREEN,
                            measurement_method="estimate", counted_from="2026-03-03T00:00:00Z",
                            created=T0, modified=T0), "counted_from .* is later than measured_at"),
        (lambda: engagement(ACCOUNT, T0, {"like_count": 1}, marking=TLP_GREEN,
                            measurement_method="estimate", amplifier_ref=ACCOUNT,
                            created=T0, modified=T0), "channel"),
        (lambda: account_state(ACCOUNT, "banned", T0, marking=TLP_GREEN, created=T0,
                               modified=T0), "suspended"),
        (lambda: account_state(POST, "active", T0, marking=TLP_GREEN, created=T0,
                               modified=T0), "user-account"),
        (lambda: account_state(ACCOUNT, "active", "2026-03-04T00:00:00Z", marking=TLP_GREEN,
                               created=T0, modified=T0), "state_since .* is later"),
        (lambda: coordinated_network("Net", [], marking=TLP_GREEN), "at least 1 item"),
        (lambda: coordinated_network("Net", ["copy-paste-text"], marking=TLP_GREEN,
                                     estimated_size=3), "needs estimated_at"),
        (lambda: coordinated_network("Net", ["copy-paste-text"], marking=TLP_GREEN,
                                     estimated_size=1, estimated_at=T0, created=T0, modified=T0,
                                     account_refs=[ACCOUNT, POST.replace("media-content",
                                                                         "user-account")]),
         "smaller than the 2 member accounts"),
        (lambda: coordinated_network("Net", ["copy-paste-text"], marking=TLP_GREEN,
                                     estimated_size=9, estimated_at="2026-03-09T00:00:00Z",
                                     created=T0, modified=T0), "later than modified"),
    ],
)  # fmt: skip
def test_models_refuse_what_the_checks_report(build: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build()


# --- IS-213: names of changing values ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("x_follower_count", "count"),
        ("likes", "count"),
        ("x_kestrel_views", "count"),
        ("account_status", "state"),
        ("x_is_suspended", "state"),
        ("moderation-state", "state"),
        ("account_login", None),
        ("display_name", None),
        ("x_reply_to", None),
        ("in_quote_of_ref", None),
    ],
)
def test_changing_kind_reads_property_names(name: str, kind: str | None) -> None:
    assert changing_kind(name) == kind


def test_the_capture_counts_of_media_content_and_is_disabled_stay_allowed() -> None:
    account = {"type": "user-account", "spec_version": "2.1", "id": ACCOUNT,
               "account_login": "civic_truth_now", "is_disabled": True,
               "object_marking_refs": [TLP_AMBER]}  # fmt: skip
    post = {"type": "media-content", "spec_version": "2.1", "id": POST,
            "url": "https://chirper.example/civic_truth_now/status/100200300",
            "like_count": 10, "share_count": 3, "object_marking_refs": [TLP_AMBER],
            "extensions": {"extension-definition--0e82d571-4ad2-487e-ac3e-b2e3d4c1eb8b":
                           {"extension_type": "new-sco"}}}  # fmt: skip
    assert [f for f in findings(account, post) if f.startswith("IS-213")] == []
    post["x_retweets"] = 4
    assert [f.split(":")[0] for f in findings(account, post)] == ["IS-213 $.objects[1].x_retweets"]


# --- generated series pass the checks -----------------------------------------------------

_COUNT = st.integers(min_value=0, max_value=10**12)
_COUNTS = st.dictionaries(
    st.sampled_from(["share_count", "like_count", "quote_count", "reply_count", "view_count",
                     "follower_count"]),
    _COUNT, min_size=1,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    readings=st.lists(st.tuples(_COUNTS, st.integers(min_value=0, max_value=3600)), min_size=1,
                      max_size=8),
    subject=st.sampled_from([POST, ACCOUNT, NETWORK,
                             "narrative--1db163b0-5071-49dd-b9da-d7930bacb22c"]),
    amplified=st.booleans(),
)  # fmt: skip
def test_any_built_series_passes_the_checks_and_reads_back_in_order(
    readings: list[tuple[dict[str, int], int]], subject: str, amplified: bool
) -> None:
    base = 1_772_438_400  # 2026-03-02T08:00:00Z
    stamp = 0
    versions: list[EngagementMeasurement] = []
    for index, (counts, lag) in enumerate(readings):
        stamp += 86_400
        measured = format_timestamp_at(base + stamp - lag)
        modified = format_timestamp_at(base + stamp)
        if index == 0:
            extra = {"amplifier_ref": NETWORK} if amplified else {}
            versions.append(engagement(subject, measured, counts, marking=TLP_GREEN,
                                       measured_by_ref=AGENCY, created=modified,
                                       modified=modified, **extra))  # fmt: skip
        else:
            versions.append(measurement(versions[-1], measured, counts, modified=modified))
    assert findings(*versions) == []
    for version in versions:
        assert parse_object(version.to_dict()).to_dict() == version.to_dict()
    shuffled = list(reversed(versions))
    assert [v.modified for v in series(shuffled, versions[0].id, EngagementMeasurement)] == [
        v.modified for v in versions
    ]


def format_timestamp_at(seconds: int) -> str:
    return format_timestamp(datetime.fromtimestamp(seconds, tz=UTC))


# --- example 05 ---------------------------------------------------------------------------


def test_build_script_reproduces_case_05(tmp_path: Path) -> None:
    out = tmp_path / CASE_05.name
    subprocess.run([sys.executable, str(BUILD_05), str(out)], check=True, capture_output=True,
                   cwd=ROOT)  # fmt: skip
    assert out.read_bytes() == CASE_05.read_bytes(), (
        f"{CASE_05.name} is out of date: run python {BUILD_05.relative_to(ROOT)}"
    )


def test_case_05_holds_the_three_series() -> None:
    objects = [parse_object(o) for o in json.loads(CASE_05.read_text("utf-8"))["objects"]]
    states = [o for o in objects if isinstance(o, AccountState)]
    assert [s.state for s in series(states, states[0].id, AccountState)] == [
        "suspended",
        "restored",
    ]
    measurements = [o for o in objects if isinstance(o, EngagementMeasurement)]
    by_id: dict[str, list[EngagementMeasurement]] = {}
    for m in measurements:
        by_id.setdefault(m.id, []).append(m)
    post_series = next(v for v in by_id.values() if v[0].subject_ref.startswith("media-content"))
    ordered = series(post_series, post_series[0].id, EngagementMeasurement)
    likes = [m.like_count or 0 for m in ordered]
    assert len(likes) >= 5 and likes == sorted(likes) and likes[0] > 0
    amplification = next(v for v in by_id.values() if v[0].amplifier_ref is not None)
    assert all(m.quote_count is not None and m.like_count is not None for m in amplification)


# --- IS-605: series in order ----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 5), st.integers(0, 9)),
        max_size=12,
    )
)
def test_series_order_flags_exactly_the_facts_earlier_than_an_earlier_version(
    versions: list[tuple[str, int, int]],
) -> None:
    rows = [
        (f"engagement--{series_id}", f"{modified:02d}", f"{fact:02d}", f"f{fact}", f"m{modified}",
         index, None)
        for index, (series_id, modified, fact) in enumerate(versions)
    ]  # fmt: skip
    flagged = {f[0] for f in _out_of_order(sorted(rows, key=lambda r: (r[0], r[1], r[5])),
                                           FACT_TIME)}  # fmt: skip
    expected = {
        index
        for index, (series_id, modified, fact) in enumerate(versions)
        if any(s == series_id and m < modified and f > fact for s, m, f in versions)
    }
    assert flagged == expected


def test_the_media_content_properties_left_alone_are_the_schemas() -> None:
    """IS-213 skips media-content's own properties: exactly those its schema defines,
    plus the common SCO properties."""
    import json
    from pathlib import Path

    from infoshare.validation.checks.changing_facts import DEFINED

    path = Path(__file__).resolve().parents[1] / "spec/schemas/profile/media-content.json"
    schema = json.loads(path.read_text("utf-8"))
    common = {"type", "spec_version", "id", "object_marking_refs", "granular_markings", "defanged"}
    assert DEFINED["media-content"] == frozenset(schema["properties"]) | common
