"""Builders: ids, timestamps, markings, new versions, revocation, the example case."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from infoshare.errors import ModelError
from infoshare.models import (
    FimiIncident,
    Identity,
    MediaContent,
    Narrative,
    Task,
    Url,
    create,
    deterministic_id,
    new_version,
    now,
    revoke,
    sco_id,
    tlp_marking_definition,
)
from infoshare.profile import (
    EXT_FIMI_INCIDENT,
    EXT_MEDIA_CONTENT,
    EXT_NARRATIVE,
    EXT_OASIS_TASK,
    EXT_TLP_2_0,
    TLP_2_0_LEVELS,
    TLP_AMBER,
    TLP_GREEN,
)
from infoshare.stix.timestamps import timestamp_key

ROOT = Path(__file__).parent.parent
MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_now_has_millisecond_precision() -> None:
    assert MILLIS.match(now())


def test_create_sdo_fills_id_timestamps_marking() -> None:
    agency = create(
        Identity, marking=TLP_GREEN, name="Fictional Agency", identity_class="organization"
    )
    data = agency.to_dict()
    assert list(data)[:5] == ["type", "spec_version", "id", "created", "modified"]
    kind, _, value = agency.id.partition("--")
    assert kind == "identity" and uuid.UUID(value).version == 4
    assert MILLIS.match(agency.created) and agency.created == agency.modified
    assert data["object_marking_refs"] == [TLP_GREEN]


def test_create_requires_a_tlp_2_0_marking() -> None:
    with pytest.raises(ModelError, match=r"must carry a TLP 2.0 marking"):
        create(Identity, marking=None, name="x")
    with pytest.raises(ModelError, match=r"not a TLP 2.0 marking-definition id"):
        create(
            Identity, marking="marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", name="x"
        )


def test_create_adds_new_type_extension_entries() -> None:
    narrative = create(Narrative, marking=TLP_AMBER, name="Guaranteed returns")
    assert narrative.to_dict()["extensions"] == {EXT_NARRATIVE: {"extension_type": "new-sdo"}}
    task = create(Task, marking=TLP_AMBER, outcome="pending", task_types=["takedown-request"])
    assert task.to_dict()["extensions"] == {EXT_OASIS_TASK: {"extension_type": "new-sdo"}}


def test_sco_ids_are_uuid5_over_contributing_properties() -> None:
    post = create(MediaContent, marking=TLP_GREEN, url="https://video.example/v/1", title="a")
    same = create(MediaContent, marking=TLP_GREEN, url="https://video.example/v/1", title="b")
    assert post.id == same.id
    assert uuid.UUID(post.id.split("--")[1]).version == 5
    expected = uuid.uuid5(
        uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7"), '{"url":"https://video.example/v/1"}'
    )
    assert post.id == f"media-content--{expected}"
    assert post.to_dict()["extensions"] == {EXT_MEDIA_CONTENT: {"extension_type": "new-sco"}}
    assert create(Url, marking=TLP_GREEN, value="https://a.example/").id == sco_id(
        "url", {"value": "https://a.example/"}
    )


def test_create_rejects_bad_values_with_model_error() -> None:
    with pytest.raises(ModelError, match=r"breakout_scale"):
        create(
            FimiIncident,
            marking=TLP_AMBER,
            name="x",
            extensions={
                EXT_FIMI_INCIDENT: {
                    "extension_type": "property-extension",
                    "determination": "confirmed",
                    "investigation_status": "open",
                    "fimi_types": ["fraud-scam"],
                    "breakout_scale": 9,
                }
            },
        )


def test_deterministic_ids_are_stable_v4_form() -> None:
    first = deterministic_id("incident", "seed")
    assert first == deterministic_id("incident", "seed") != deterministic_id("incident", "other")
    assert uuid.UUID(first.split("--")[1]).version == 4


def test_new_version_keeps_id_and_created_and_moves_modified() -> None:
    original = create(Narrative, marking=TLP_AMBER, name="n", x_custom=1)
    versions = [original]
    for i in range(5):  # several within the same millisecond
        versions.append(new_version(versions[-1], description=f"v{i}"))
    for older, newer in itertools.pairwise(versions):
        assert newer.id == original.id and newer.created == original.created
        assert timestamp_key(newer.modified) > timestamp_key(older.modified)
    assert versions[-1].description == "v4"
    assert versions[-1].to_dict()["x_custom"] == 1
    assert original.description is None  # the old version is unchanged


def test_new_version_after_a_future_or_microsecond_timestamp() -> None:
    base = create(
        Identity,
        marking=TLP_GREEN,
        name="x",
        created="2999-01-01T00:00:00.999999Z",
        modified="2999-01-01T00:00:00.999999Z",
    )
    newer = new_version(base, name="y")
    assert newer.modified == "2999-01-01T00:00:01.000Z"


def test_new_version_rules() -> None:
    base = create(Identity, marking=TLP_GREEN, name="x")
    with pytest.raises(ModelError, match="keeps created, id"):
        new_version(base, id="identity--2f3c6f25-7b0a-4c3e-9a55-0c9d0f3e8b11", created=base.created)
    with pytest.raises(ModelError, match="must be later"):
        new_version(base, modified=base.modified)
    with pytest.raises(ModelError, match="has no versions"):
        new_version(create(Url, marking=TLP_GREEN, value="https://a.example/"))
    dropped = new_version(base, identity_class=None)
    assert "identity_class" not in dropped.to_dict()


def test_revoke() -> None:
    base = create(Identity, marking=TLP_GREEN, name="x")
    gone = revoke(base)
    assert gone.revoked is True and gone.id == base.id
    assert timestamp_key(gone.modified) > timestamp_key(base.modified)
    with pytest.raises(ModelError, match="is revoked"):
        new_version(gone, name="again")


@pytest.mark.parametrize("marking", sorted(TLP_2_0_LEVELS))
def test_tlp_marking_definitions_match_oasis(marking: str) -> None:
    level = TLP_2_0_LEVELS[marking]
    data = tlp_marking_definition(marking).to_dict()
    assert data["name"] == f"TLP:{level.upper()}"
    assert data["extensions"][EXT_TLP_2_0] == {
        "extension_type": "property-extension",
        "tlp_2_0": level,
    }
    assert "modified" not in data


def test_example_script_output_equals_committed_file(tmp_path: Path) -> None:
    out = tmp_path / "case.json"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "build_deepfake_scam_case.py"), str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    committed = ROOT / "examples" / "03-deepfake-investment-scam.json"
    assert out.read_bytes() == committed.read_bytes()
