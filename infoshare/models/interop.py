"""Interoperability with the OASIS ``stix2`` library and with OpenCTI exports.

Implements the consumer clause of spec/profile/14-conformance.md §14.4 and
the TLP normalisation of spec/profile/12-markings.md §12.2:

* :func:`to_stix2` turns a model into a ``stix2`` object; :func:`from_stix2`
  turns a ``stix2`` object (or its dict) back into a model. Standard types
  use ``stix2``'s own classes; the profile's new types (narrative, channel,
  media-content, event, impact, task) are registered with ``stix2`` as
  extension-defined custom types on first use. Custom properties pass with
  ``allow_custom=True``, so a round trip keeps every property. ``stix2``
  writes ``created`` and ``modified`` to the millisecond (STIX 2.1 §3.2), so
  values given with other precision come back as the same instant at
  millisecond precision.
* :func:`normalise_tlp_marking` rewrites OpenCTI's non-standard TLP:CLEAR
  marking (``definition_type: "tlp"``, ``definition: {"tlp": "clear"}``),
  which ``stix2`` rejects, into the OASIS TLP 2.0 form;
  :func:`normalise_tlp_markings` also moves references to it in a list of objects.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any, Final

import stix2
from stix2 import properties as p
from stix2.exceptions import STIXError

from infoshare.errors import ModelError
from infoshare.models._base import StixObject
from infoshare.models._parse import parse_object
from infoshare.profile import (
    EXT_CHANNEL,
    EXT_MEDIA_CONTENT,
    EXT_NARRATIVE,
    EXT_OASIS_EVENT,
    EXT_OASIS_IMPACT,
    EXT_OASIS_TASK,
    TLP_CLEAR,
)

__all__ = [
    "OPENCTI_TLP_CLEAR_ID",
    "from_stix2",
    "normalise_tlp_marking",
    "normalise_tlp_markings",
    "register_stix2_types",
    "to_stix2",
]

#: The id OpenCTI gives its TLP:CLEAR marking: TLP 1.0 WHITE's id, reused.
OPENCTI_TLP_CLEAR_ID: Final = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"

_lock = threading.Lock()
_registered = False


def _str_list() -> p.ListProperty:
    return p.ListProperty(p.StringProperty)


def _sdo_properties(required: str | None, *optional: str) -> list[tuple[str, p.Property]]:
    props: list[tuple[str, p.Property]] = []
    if required is not None:
        props.append((required, p.StringProperty(required=True)))
    props.extend((name, p.StringProperty()) for name in optional)
    return props


def register_stix2_types() -> None:
    """Register the profile's new types with ``stix2`` (idempotent, thread-safe).

    Only the required properties are declared strictly; every other property
    travels as a custom property, so ``stix2`` keeps values exactly as given.
    """
    global _registered
    with _lock:
        if _registered:
            return
        stix2.v21.CustomObject(
            "narrative", _sdo_properties("name", "description"), extension_name=EXT_NARRATIVE
        )(type("Narrative", (), {}))
        stix2.v21.CustomObject(
            "channel", _sdo_properties("name", "description"), extension_name=EXT_CHANNEL
        )(type("Channel", (), {}))
        stix2.v21.CustomObject(
            "event",
            _sdo_properties("status", "name", "description"),
            extension_name=EXT_OASIS_EVENT,
        )(type("Event", (), {}))
        stix2.v21.CustomObject(
            "impact",
            _sdo_properties("impact_category", "description"),
            extension_name=EXT_OASIS_IMPACT,
        )(type("Impact", (), {}))
        stix2.v21.CustomObject(
            "task", _sdo_properties("outcome", "name", "description"), extension_name=EXT_OASIS_TASK
        )(type("Task", (), {}))
        stix2.v21.CustomObservable(
            "media-content",
            [("url", p.StringProperty(required=True)), ("title", p.StringProperty())],
            id_contrib_props=["url"],
            extension_name=EXT_MEDIA_CONTENT,
        )(type("MediaContent", (), {}))
        _registered = True


def to_stix2(model: StixObject) -> Any:
    """The ``stix2`` object for ``model`` (custom properties allowed)."""
    register_stix2_types()
    try:
        return stix2.parse(model.to_dict(), allow_custom=True, version="2.1")
    except (STIXError, ValueError) as exc:  # stix2 raises plain ValueError for some markings
        hint = "apply normalise_tlp_marking first" if model.type == "marking-definition" else None
        message = f"stix2 rejected {model.id}: {exc}"
        raise ModelError(f"{message}; {hint}" if hint else message, hint=hint) from None


def from_stix2(obj: Any) -> StixObject:
    """The model for a ``stix2`` object, or for the plain dict stix2 returns for unknown types."""
    if isinstance(obj, dict):
        data = copy.deepcopy(obj)
    elif hasattr(obj, "serialize"):
        data = json.loads(obj.serialize())
    else:
        raise ModelError(f"from_stix2 needs a stix2 object or a dict, got {type(obj).__name__}")
    return parse_object(data)


def _is_opencti_clear(obj: dict[str, Any]) -> bool:
    if obj.get("type") != "marking-definition":
        return False
    definition = obj.get("definition")
    if str(obj.get("definition_type", "")).lower() != "tlp" or not isinstance(definition, dict):
        return False
    return str(definition.get("tlp", "")).lower() == "clear"


def normalise_tlp_marking(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` in OASIS TLP 2.0 form when it is OpenCTI's TLP:CLEAR marking.

    Any other object comes back as an unchanged copy. The input is never changed.
    """
    if not _is_opencti_clear(obj):
        return copy.deepcopy(obj)
    from infoshare.models.builders import tlp_marking_definition

    return tlp_marking_definition(TLP_CLEAR).to_dict()


def _move_refs(value: Any, old: str, new: str) -> Any:
    if isinstance(value, list):
        return [new if item == old else _move_refs(item, old, new) for item in value]
    if isinstance(value, dict):
        return {
            key: (new if key == "marking_ref" and item == old else _move_refs(item, old, new))
            for key, item in value.items()
        }
    return value


def normalise_tlp_markings(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalise OpenCTI's TLP:CLEAR in a list of objects and move references to it.

    When the list holds OpenCTI's TLP:CLEAR marking (which reuses TLP 1.0
    WHITE's id), that marking becomes the OASIS TLP:CLEAR one and every
    ``object_marking_refs`` / ``marking_ref`` pointing at its id is moved to
    the TLP 2.0 CLEAR id. Returns new dicts; the inputs are not changed.
    """
    old_ids = {obj["id"] for obj in objects if isinstance(obj, dict) and _is_opencti_clear(obj)}
    out = []
    seen_clear = False
    for obj in objects:
        new = normalise_tlp_marking(obj)
        if _is_opencti_clear(obj):
            if seen_clear:
                continue
            seen_clear = True
        for old in old_ids:
            if "object_marking_refs" in new:
                new["object_marking_refs"] = _move_refs(new["object_marking_refs"], old, TLP_CLEAR)
            if "granular_markings" in new:
                new["granular_markings"] = _move_refs(new["granular_markings"], old, TLP_CLEAR)
        out.append(new)
    return out
