"""Cross-object checks give the same findings in memory and once spilled to disk.

The checks that need the whole input (IS-111, IS-112, IS-123, IS-301, IS-605,
IS-711, IS-720) keep
at most ``ValidationOptions.spill_threshold`` entries each in memory and move
the rest to a temporary on-disk database (docs/adr/0005-bounded-memory.md).
These tests force that path with a tiny threshold and compare every finding
(check id, path, message, order) with a run that never spills.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare import profile
from infoshare.errors import InfoshareError, UsageError
from infoshare.validation import ValidationOptions, Validator
from infoshare.validation._registry import CROSS_OBJECT_CHECKS, CrossObjectCheck, ObjectRef
from infoshare.validation._spill import SpillDatabase

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "spec" / "conformance"
CROSS_CHECKS = frozenset(
    {"IS-111", "IS-112", "IS-123", "IS-301", "IS-308", "IS-605", "IS-711", "IS-713", "IS-720"}
)

AGENCY = "identity--0b7ad0a4-3f7e-4b44-9c1e-7f5d2a1c0001"
FIMI = profile.EXT_FIMI_INCIDENT
_NEW_SDO = {"extension_type": "new-sdo"}


def _uid(rng: random.Random, kind: str) -> str:
    return f"{kind}--{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _sdo(rng: random.Random, kind: str, day: int, **props: Any) -> dict[str, Any]:
    stamp = f"2026-04-{1 + day % 28:02d}T09:{rng.randrange(60):02d}:00.000Z"
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": _uid(rng, kind),
        "created": stamp,
        "modified": stamp,
        "created_by_ref": AGENCY,
        "object_marking_refs": [profile.TLP_AMBER],
        **props,
    }


def _relationship(rng: random.Random, day: int, kind: str, source: str, target: str) -> Any:
    return _sdo(
        rng, "relationship", day, relationship_type=kind, source_ref=source, target_ref=target
    )


def _incident(rng: random.Random, day: int, determination: str) -> dict[str, Any]:
    return _sdo(
        rng,
        "incident",
        day,
        name=f"Fictional amplification case {day}",
        extensions={
            FIMI: {
                "extension_type": "property-extension",
                "determination": determination,
                "investigation_status": "open",
            }
        },
    )


def _platform_request(
    rng: random.Random, day: int, later: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """A platform and a request to it, each in two versions that may disagree."""
    platform = _sdo(rng, "identity", day, name=f"Fictional platform {day}")
    platform["identity_class"] = rng.choice(["organization", "individual"])
    revised = dict(platform, modified="2026-06-05T00:00:00.000Z")
    revised["identity_class"] = rng.choice(["organization", "system"])
    task = _sdo(rng, "task", day, outcome="pending")
    task["extensions"] = {
        profile.EXT_OASIS_TASK: {"extension_type": "new-sdo"},
        profile.EXT_PLATFORM_ACTION: {
            "extension_type": "property-extension",
            "legal_basis": [{"kind": "platform-policy", "instrument": "Fictional rules"}],
            "requested_actions": ["remove"],
            "target_refs": [_uid(rng, "media-content")],
            "platform_ref": platform["id"],
            "submitted": task["created"],
        },
    }
    step = dict(task, modified="2026-06-06T00:00:00.000Z", outcome="ongoing")
    action = dict(task["extensions"][profile.EXT_PLATFORM_ACTION])
    if rng.random() < 0.5:  # a later version that moves submitted (IS-609)
        action["submitted"] = "2026-06-06T00:00:00.000Z"
    step["extensions"] = {**task["extensions"], profile.EXT_PLATFORM_ACTION: action}
    for obj in (platform, task, revised, step):
        if rng.random() < 0.3:
            later.append(obj)
        else:
            yield obj


def defective_objects(cases: int, seed: int) -> Iterator[dict[str, Any]]:
    """Fictional FIMI cases with every defect the cross-object checks look for.

    Per case: an incident (sometimes false-positive), a threat actor, accounts,
    and relationships, with, at random, dangling and forward references,
    duplicates (SDO and SCO), a new version with a changed created, a proper
    new version, a conflicting copy of the same version, a version after a
    revocation, and attributions to false-positive incidents before and after
    the incident's revision. From profile 1.1, with a second generator (so the
    draws above stay as they were): attributions whose two forms disagree, and
    platforms of requests whose class changes between versions.
    """
    rng = random.Random(seed)
    extra = random.Random(seed + 1)
    yield {
        "type": "identity",
        "spec_version": "2.1",
        "id": AGENCY,
        "created": "2026-04-01T08:00:00.000Z",
        "modified": "2026-04-01T08:00:00.000Z",
        "name": "Fictional Partner Agency",
        "identity_class": "organization",
        "object_marking_refs": [profile.TLP_GREEN],
    }
    later: list[dict[str, Any]] = []
    for day in range(cases):
        incident = _incident(rng, day, rng.choice(["suspected", "confirmed", "false-positive"]))
        actor = _sdo(rng, "threat-actor", day, name=f"Fictional actor {day}")
        if rng.random() < 0.3:  # forward reference: the actor comes later
            later.append(actor)
        else:
            yield actor
        incident["extensions"][FIMI]["attribution"] = {
            "actor_refs": [actor["id"]],
            "confidence": extra.choice([60, 45, 20, 95]),
            "basis": ["infrastructure-overlap"],
        }
        yield from _platform_request(extra, day, later)
        yield incident
        attribution = _relationship(rng, day, "attributed-to", incident["id"], actor["id"])
        attribution.update(confidence=60, description="Shared infrastructure (fictional).")
        yield attribution
        for n in range(rng.randrange(3)):
            account = {
                "type": "user-account",
                "spec_version": "2.1",
                "id": _uid(rng, "user-account"),
                "account_login": f"fict_acct_{day}_{n}",
                "object_marking_refs": [profile.TLP_AMBER],
                "extensions": {
                    profile.EXT_FIMI_ACCOUNT: {
                        "extension_type": "property-extension",
                        "account_class": rng.choice(["inauthentic", "private-person"]),
                    }
                },
            }
            yield account
            if rng.random() < 0.3:  # its followers, sometimes TLP:CLEAR (IS-720)
                followers = _sdo(rng, "engagement", day, subject_ref=account["id"],
                                 measured_at="2026-04-01T08:00:00.000Z", follower_count=n,
                                 measurement_method="platform-api",
                                 extensions={profile.EXT_ENGAGEMENT: _NEW_SDO})  # fmt: skip
                followers["object_marking_refs"] = [
                    rng.choice([profile.TLP_CLEAR, profile.TLP_AMBER])
                ]
                if rng.random() < 0.3:  # it may come before or after the account
                    later.append(followers)
                else:
                    yield followers
            if rng.random() < 0.2:
                later.append(dict(account))  # SCO duplicate
        roll = rng.random()
        if roll < 0.15:  # dangling reference
            yield _relationship(rng, day, "targets", incident["id"], _uid(rng, "location"))
        elif roll < 0.3:  # exact duplicate of the incident
            later.append(dict(incident))
        elif roll < 0.45:  # a new version that changes created
            changed = dict(incident, created="2026-05-01T00:00:00.000Z")
            changed["modified"] = "2026-06-01T00:00:00.000Z"
            later.append(changed)
        elif roll < 0.6:  # a proper new version, which may revise the determination
            revised = dict(incident, modified="2026-06-02T00:00:00.000Z")
            revised["extensions"] = {FIMI: dict(incident["extensions"][FIMI])}
            revised["extensions"][FIMI]["determination"] = rng.choice(
                ["false-positive", "confirmed"]
            )
            later.append(revised)
        elif roll < 0.7:  # a conflicting copy: same version, other determination
            conflicting = dict(incident, extensions={FIMI: dict(incident["extensions"][FIMI])})
            fimi = conflicting["extensions"][FIMI]
            fimi["determination"] = (
                "confirmed" if fimi["determination"] != "confirmed" else ("false-positive")
            )
            later.append(conflicting)
        elif roll < 0.8:  # revoked, then versioned again (IS-123), in either order
            revoked = dict(incident, modified="2026-06-03T00:00:00.000Z", revoked=True)
            after = dict(incident, modified=f"2026-06-{rng.choice([2, 4]):02d}T00:00:00.000Z")
            later.extend(rng.sample([revoked, after], 2))
        if rng.random() < 0.5:  # an engagement series, its readings sometimes out of order
            yield from _engagement_series(rng, day, later)
        if later and rng.random() < 0.5:
            yield later.pop(rng.randrange(len(later)))
    yield from later


def _engagement_series(
    rng: random.Random, day: int, later: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Versions of one engagement (IS-605), some held back to arrive after later ones."""
    first = _sdo(rng, "engagement", day, subject_ref=_uid(rng, "channel"),
                 measurement_method="platform-api",
                 extensions={profile.EXT_ENGAGEMENT: _NEW_SDO})  # fmt: skip
    readings = list(range(1, rng.randrange(2, 6)))
    if rng.random() < 0.5:
        rng.shuffle(readings)
    for number, reading in enumerate(readings, start=1):
        version = dict(first, modified=f"2026-07-{number:02d}T12:00:00.000Z",
                       measured_at=f"2026-07-{reading:02d}T06:00:00.000Z",
                       like_count=number)  # fmt: skip
        if rng.random() < 0.3:
            later.append(version)
        else:
            yield version


def _findings(objects: list[dict[str, Any]], threshold: int | None) -> list[dict[str, object]]:
    options = ValidationOptions(max_findings=None, spill_threshold=threshold)
    report = Validator(options).validate_objects(objects)
    return [f.to_dict() for f in report.findings]


@pytest.fixture(scope="module")
def defective() -> list[dict[str, Any]]:
    return list(defective_objects(400, seed=7))


def test_the_generated_input_exercises_every_cross_object_check(
    defective: list[dict[str, Any]],
) -> None:
    found = {f["check_id"] for f in _findings(defective, None)}
    assert found >= CROSS_CHECKS


@pytest.fixture
def inserts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows written to spill databases during the test, one entry per batch."""
    written: list[int] = []
    insert = SpillDatabase.insert

    def counting(self: SpillDatabase, sql: str, rows: Any) -> None:
        written.append(len(rows))
        insert(self, sql, rows)

    monkeypatch.setattr(SpillDatabase, "insert", counting)
    return written


@pytest.mark.parametrize("threshold", [1, 2, 7, 50, 333])
def test_spilled_findings_equal_in_memory_findings(
    defective: list[dict[str, Any]], threshold: int, inserts: list[int]
) -> None:
    in_memory = _findings(defective, None)
    assert not inserts
    assert _findings(defective, threshold) == in_memory
    assert sum(inserts) > len(defective) // 2  # the spill path really ran


def test_each_check_holds_at_most_about_the_threshold_in_memory(
    defective: list[dict[str, Any]],
) -> None:
    Validator()  # registers every check
    threshold = 20
    for cls in CROSS_OBJECT_CHECKS:
        check = cls(ValidationOptions(spill_threshold=threshold))
        largest = 0
        try:
            for index, obj in enumerate(defective):
                if cls.types is None or obj["type"] in cls.types:
                    check.observe(obj, ObjectRef("<case>", index, None, obj["id"]))
                held = [v for v in vars(check).values() if isinstance(v, list | dict | set)]
                largest = max(largest, sum(len(v) for v in held))
            assert check.spill.opened, cls.check_id
            assert largest <= 2 * threshold, cls.check_id
        finally:
            check.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cases=st.integers(min_value=0, max_value=40),
    seed=st.integers(min_value=0, max_value=2**32),
    threshold=st.integers(min_value=1, max_value=60),
)
def test_spilling_never_changes_findings(cases: int, seed: int, threshold: int) -> None:
    objects = list(defective_objects(cases, seed))
    assert _findings(objects, threshold) == _findings(objects, None)


def test_streamed_bundle_gives_the_same_findings_when_spilled(
    defective: list[dict[str, Any]], inserts: list[int]
) -> None:
    data = json.dumps({"type": "bundle", "id": f"bundle--{uuid.UUID(int=5, version=4)}",
                       "objects": defective}, indent=1).encode()  # fmt: skip
    spilled = Validator(ValidationOptions(max_findings=None, spill_threshold=3))
    in_memory = Validator(ValidationOptions(max_findings=None, spill_threshold=None))
    got = [f.to_dict() for f in spilled.validate_bytes(data).findings]
    assert got == [f.to_dict() for f in in_memory.validate_bytes(data).findings]
    assert any(f["line"] is not None for f in got if f["check_id"] in CROSS_CHECKS)
    assert inserts


def _conformance_fixtures() -> list[Path]:
    return sorted(CONFORMANCE.glob("*/*/*.json"))


@pytest.mark.parametrize("mode", ["profile", "stix"])
def test_conformance_fixtures_give_the_same_findings_when_spilled(mode: str) -> None:
    spilled = Validator(ValidationOptions(mode=mode, spill_threshold=1))  # type: ignore[arg-type]
    in_memory = Validator(ValidationOptions(mode=mode, spill_threshold=None))  # type: ignore[arg-type]
    fixtures = _conformance_fixtures()
    assert len(fixtures) > 50
    for path in fixtures:
        got = [f.to_dict() for f in spilled.validate_path(path).findings]
        assert got == [f.to_dict() for f in in_memory.validate_path(path).findings], path.name


def test_the_spill_database_is_only_created_when_needed() -> None:
    spill = SpillDatabase()
    assert not spill.opened
    spill.close()
    spill = SpillDatabase()
    spill.execute("CREATE TABLE t (x INTEGER)")
    assert spill.opened
    spill.close()
    assert not spill.opened


def test_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(UsageError, match="spill_threshold"):
        ValidationOptions(spill_threshold=0)


def _pending_references(check: CrossObjectCheck) -> int:
    (spilled,) = check.spill.query("SELECT COUNT(*) FROM pending")
    return int(spilled[0]) + len(getattr(check, "_pending"))  # noqa: B009


def test_an_often_cited_id_stays_in_memory_across_spills() -> None:
    Validator()  # registers the checks in their usual order before this import
    from infoshare.validation.checks.references import ReferencesResolve

    check = ReferencesResolve(ValidationOptions(spill_threshold=10))
    rng = random.Random(3)

    def observe(obj: dict[str, Any], index: int) -> None:
        check.observe(obj, ObjectRef("<case>", index, None, obj["id"]))

    try:
        for index in range(200):
            observe(_sdo(rng, "campaign", 1, name="Fictional campaign"), index)
        # The agency is not in the input yet: every citation of it is pending.
        assert _pending_references(check) == 200
        observe(_sdo(rng, "identity", 1, name="Fictional Partner Agency") | {"id": AGENCY}, 200)
        for index in range(201, 400):
            observe(_sdo(rng, "campaign", 1, name="Fictional campaign"), index)
        # Once seen, the agency stays in memory: (almost) no citation is pending.
        assert _pending_references(check) < 210
    finally:
        check.close()


def test_a_failing_spill_database_raises_an_error_a_user_can_act_on() -> None:
    spill = SpillDatabase()
    try:
        with pytest.raises(InfoshareError, match="temporary spill database failed") as caught:
            spill.execute("CREATE TABLE t (x INTEGER)")
            spill.query("SELECT y FROM t")
        assert "SQLITE_TMPDIR" in caught.value.diagnostics()
    finally:
        spill.close()
