"""Interop with the real stix2 library, and OpenCTI's TLP:CLEAR normalisation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import stix2
from stix2.exceptions import STIXError

from infoshare.errors import ModelError
from infoshare.models import (
    AttackPattern,
    Channel,
    Event,
    FimiIncident,
    Identity,
    Impact,
    MediaContent,
    Narrative,
    Relationship,
    Task,
    UserAccount,
    create,
    from_stix2,
    normalise_tlp_marking,
    normalise_tlp_markings,
    parse_object,
    read_bundle,
    tlp_marking_definition,
    to_stix2,
)
from infoshare.profile import (
    EXT_FIMI_ACCOUNT,
    EXT_FIMI_INCIDENT,
    TLP_AMBER,
    TLP_CLEAR,
    TLP_GREEN,
)

EXAMPLE = Path(__file__).parent.parent / "examples" / "03-deepfake-investment-scam.json"
OPENCTI_CLEAR = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "created": "2017-01-20T00:00:00.000Z",
    "definition_type": "TLP",
    "name": "TLP:CLEAR",
    "definition": {"tlp": "clear"},
}


def _samples() -> list[Any]:
    fimi = {
        EXT_FIMI_INCIDENT: {
            "extension_type": "property-extension",
            "determination": "suspected",
            "investigation_status": "new",
            "fimi_types": ["fraud-scam"],
            "breakout_scale": 2,
            "synthetic_media": {"present": True, "kinds": ["voice-clone"]},
        }
    }
    account = {
        EXT_FIMI_ACCOUNT: {"extension_type": "property-extension", "account_class": "inauthentic"}
    }
    return [
        create(Identity, marking=TLP_GREEN, name="Fictional Agency", x_custom={"a": [1, None]}),
        create(FimiIncident, marking=TLP_AMBER, name="Fictional scam", extensions=fimi),
        create(
            Narrative,
            marking=TLP_GREEN,
            name="Guaranteed returns",
            aliases=["GR"],
            languages=["ja"],
            x_score=3,
        ),
        create(
            Channel,
            marking=TLP_GREEN,
            name="Fake page",
            channel_types=["social-media-page"],
            platform="facebook",
        ),
        create(
            MediaContent,
            marking=TLP_GREEN,
            url="https://video.example/v/1",
            view_count=3,
            is_synthetic=True,
            hashes={"SHA-256": "ab" * 32},
        ),
        create(UserAccount, marking=TLP_GREEN, account_login="fictional.page", extensions=account),
        create(
            Event,
            marking=TLP_GREEN,
            status="occurred",
            name="Fictional election",
            event_types=["election"],
        ),
        create(
            Impact,
            marking=TLP_AMBER,
            impact_category="external",
            extensions={"external-ext": {"impact_type": "public-confidence"}},
        ),
        create(
            Task, marking=TLP_AMBER, outcome="pending", task_types=["takedown-request"], priority=80
        ),
        create(
            AttackPattern,
            marking=TLP_GREEN,
            name="Deliver Ads",
            external_references=[{"source_name": "DISARM", "external_id": "T0114"}],
            kill_chain_phases=[{"kill_chain_name": "disarm", "phase_name": "deliver-content"}],
        ),
        tlp_marking_definition(TLP_AMBER),
    ]


@pytest.mark.parametrize("model", _samples(), ids=lambda m: m.type)
def test_model_to_stix2_and_back_keeps_every_property(model: Any) -> None:
    obj = to_stix2(model)
    assert not isinstance(obj, dict), "stix2 must build a real object"
    assert obj["type"] == model.type and obj["id"] == model.id
    back = from_stix2(obj)
    assert back.to_dict() == model.to_dict()
    assert type(back) is type(model)


def test_stix2_objects_become_models() -> None:
    made = stix2.v21.Identity(
        name="Fictional Ministry",
        identity_class="organization",
        object_marking_refs=[TLP_GREEN],
        custom_properties={"x_k": 1},
    )
    model = from_stix2(made)
    assert isinstance(model, Identity)
    assert model.to_dict() == json.loads(made.serialize())
    rel = stix2.v21.Relationship(
        source_ref=model.id, target_ref=model.id, relationship_type="related-to"
    )
    assert isinstance(from_stix2(rel), Relationship)


def test_stix2_normalises_created_to_milliseconds() -> None:
    data = create(Identity, marking=TLP_GREEN, name="x").to_dict()
    data["created"] = data["modified"] = "2026-03-02T08:15:00Z"
    back = from_stix2(to_stix2(parse_object(data)))
    assert back.to_dict()["created"] == "2026-03-02T08:15:00.000Z"


def test_example_bundle_round_trips_through_stix2() -> None:
    bundle = read_bundle(EXAMPLE)
    for model in bundle.objects:
        assert from_stix2(to_stix2(model)).to_dict() == model.to_dict(), model.id


def test_opencti_tlp_clear_is_rejected_by_stix2_and_normalised() -> None:
    with pytest.raises((STIXError, ValueError)):
        stix2.parse(OPENCTI_CLEAR, allow_custom=True)
    before = copy.deepcopy(OPENCTI_CLEAR)
    fixed = normalise_tlp_marking(OPENCTI_CLEAR)
    assert before == OPENCTI_CLEAR
    assert fixed["id"] == TLP_CLEAR and fixed["name"] == "TLP:CLEAR"
    assert "definition" not in fixed
    stix2.parse(fixed, allow_custom=True)  # accepted now
    with pytest.raises(ModelError, match="normalise_tlp_marking"):
        to_stix2(parse_object(OPENCTI_CLEAR))


def test_normalise_tlp_markings_moves_references() -> None:
    post = create(Identity, marking=TLP_GREEN, name="x").to_dict()
    post["object_marking_refs"] = [OPENCTI_CLEAR["id"]]
    post["granular_markings"] = [{"marking_ref": OPENCTI_CLEAR["id"], "selectors": ["name"]}]
    out = normalise_tlp_markings([OPENCTI_CLEAR, post])
    assert out[0]["id"] == TLP_CLEAR
    assert out[1]["object_marking_refs"] == [TLP_CLEAR]
    assert out[1]["granular_markings"][0]["marking_ref"] == TLP_CLEAR
    assert post["object_marking_refs"] == [OPENCTI_CLEAR["id"]]


def test_other_markings_are_left_alone() -> None:
    green = tlp_marking_definition(TLP_GREEN).to_dict()
    assert normalise_tlp_marking(green) == green
