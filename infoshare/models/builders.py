"""Building new objects and new versions: ids, timestamps, markings.

Implements STIX 2.1 sections 2.9 (identifiers, including deterministic SCO
ids), 3.2 (created/modified) and 3.6 (versioning), with the profile's rule
that every shared object carries a TLP 2.0 marking
(spec/profile/12-markings.md).

* SDOs and SROs get a random UUIDv4 id; SCOs a UUIDv5 over their
  id-contributing properties (media-content: ``url``) in the STIX namespace.
* ``created`` and ``modified`` are "now" in UTC, to the millisecond.
* :func:`new_version` keeps ``id`` and ``created`` and moves ``modified``
  strictly forward, even twice within one millisecond.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar

from pydantic import BaseModel

from infoshare.errors import ModelError
from infoshare.markings import canonical_tlp_marking
from infoshare.models._base import StixCyberObservable, StixObject, VersionedObject
from infoshare.models._meta_objects import MarkingDefinition
from infoshare.models._synthetic_media import SyntheticMediaAnalysis, SyntheticMediaVerdict
from infoshare.models._withdrawal import Withdrawal
from infoshare.profile import (
    NEW_OBJECT_EXTENSIONS,
    STIX_SPEC_VERSION,
    TLP_1_0_IDS,
    TLP_2_0_LEVELS,
)
from infoshare.stix.identifiers import (
    ID_CONTRIBUTING_PROPERTIES,
    STIX_NAMESPACE,
    expected_sco_id,
)
from infoshare.stix.timestamps import format_timestamp, parse_timestamp, timestamp_key

__all__ = [
    "ID_CONTRIBUTING_PROPERTIES",
    "STIX_NAMESPACE",
    "analyse_media",
    "create",
    "deterministic_id",
    "new_id",
    "new_version",
    "now",
    "revoke",
    "sco_id",
    "tlp_marking_definition",
    "withdraw",
]

_UNMARKED_TYPES: Final = frozenset({"marking-definition", "extension-definition"})
_FIXED_ON_NEW_VERSION: Final = frozenset({"type", "id", "created", "spec_version"})

M = TypeVar("M", bound=StixObject)


def now() -> str:
    """The current UTC time as a STIX timestamp with milliseconds."""
    return format_timestamp(datetime.now(UTC))


def new_id(stix_type: str) -> str:
    """A fresh ``<type>--<UUIDv4>`` identifier."""
    return f"{stix_type}--{uuid.uuid4()}"


def deterministic_id(stix_type: str, seed: str) -> str:
    """A reproducible UUIDv4-form id derived (via UUIDv5) from ``seed``.

    For examples and tests that must give the same bytes on every run; real
    objects should use :func:`new_id`.
    """
    digest = uuid.uuid5(STIX_NAMESPACE, f"{stix_type}:{seed}")
    return f"{stix_type}--{uuid.UUID(bytes=digest.bytes, version=4)}"


def sco_id(stix_type: str, properties: dict[str, Any]) -> str:
    """The deterministic id of an SCO: UUIDv5 over its id-contributing properties.

    Computed by :func:`infoshare.stix.identifiers.expected_sco_id` (STIX 2.1
    section 2.9: the STIX namespace, RFC 8785 canonical JSON). A type without
    ID Contributing Properties, or with none of them present, gets a random
    UUIDv4, as section 2.9 requires.
    """
    if any(isinstance(value, BaseModel) for value in properties.values()):
        raise ModelError("id-contributing properties must be plain JSON values")
    expected = expected_sco_id({**properties, "type": stix_type})
    return expected if expected is not None else new_id(stix_type)


def _plain(value: Any) -> Any:
    if isinstance(value, StixObject | BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _check_marking(stix_type: str, marking: str | None) -> None:
    if marking is None:
        if stix_type in _UNMARKED_TYPES:
            return
        raise ModelError(
            f"a {stix_type} must carry a TLP 2.0 marking",
            hint="pass marking=TLP_GREEN (or TLP_CLEAR, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED)",
        )
    if marking not in TLP_2_0_LEVELS:
        raise ModelError(
            f"marking {marking!r} is not a TLP 2.0 marking-definition id",
            hint="use one of the TLP_* constants of infoshare.profile",
        )


def create(model: type[M], *, marking: str | None, **properties: Any) -> M:
    """Build a new object of ``model`` with id, timestamps and a TLP 2.0 marking filled in.

    ``marking`` is one of the five TLP 2.0 marking-definition ids (None only
    for marking-definition and extension-definition). ``id``, ``created`` and
    ``modified`` may be given to reproduce an object; otherwise they are new.
    New object types (narrative, channel, media-content, event, impact, task)
    get their extension-definition entry in ``extensions`` automatically.
    """
    stix_type = model.stix_type
    if stix_type is None:
        raise ModelError(f"{model.__name__} has no fixed type; build it with parse_object")
    _check_marking(stix_type, marking)
    data: dict[str, Any] = {key: _plain(value) for key, value in properties.items()}
    data["type"] = stix_type
    is_sco = issubclass(model, StixCyberObservable)
    data.setdefault("spec_version", STIX_SPEC_VERSION)
    if issubclass(model, VersionedObject) or model is MarkingDefinition:
        stamp = data.setdefault("created", now())
        if model is not MarkingDefinition:
            data.setdefault("modified", stamp)
    extension_id = NEW_OBJECT_EXTENSIONS.get(stix_type)
    if extension_id is not None:
        kind = "new-sco" if is_sco else "new-sdo"
        extensions = dict(data.get("extensions") or {})
        extensions.setdefault(extension_id, {"extension_type": kind})
        data["extensions"] = extensions
    if "id" not in data:
        data["id"] = sco_id(stix_type, data) if is_sco else new_id(stix_type)
    if marking is not None:
        refs = list(data.get("object_marking_refs") or [])
        if marking not in refs:
            refs.insert(0, marking)
        data["object_marking_refs"] = refs
    return model(**data)


def _later_than(previous: str) -> str:
    candidate = now()
    if timestamp_key(candidate) > timestamp_key(previous):
        return candidate
    bumped = parse_timestamp(previous) + timedelta(milliseconds=1)
    return format_timestamp(bumped)


def new_version(obj: M, **changes: Any) -> M:
    """A new version of ``obj`` with ``changes``: same id and created, later modified.

    STIX 2.1 section 3.6: the new ``modified`` is strictly later than the
    previous one. A given ``modified`` must itself be later. Revoked objects,
    SCOs and marking-definitions cannot be versioned.
    """
    if not isinstance(obj, VersionedObject):
        raise ModelError(
            f"a {obj.type} has no versions (no created/modified); build a new object instead"
        )
    if obj.revoked:
        raise ModelError(
            f"{obj.id} is revoked; a revoked object must not get new versions",
            hint="create a new object with a new id instead",
        )
    fixed = _FIXED_ON_NEW_VERSION.intersection(changes)
    if fixed:
        raise ModelError(
            f"a new version keeps {', '.join(sorted(fixed))}; create a new object to change them"
        )
    data = obj.to_dict()
    for key, value in changes.items():
        field = type(obj).model_fields.get(key)
        name = field.alias if field is not None and field.alias else key
        if value is None:
            data.pop(name, None)
        else:
            data[name] = _plain(value)
    given = data.get("modified") if "modified" in changes else None
    if given is not None and timestamp_key(given) <= timestamp_key(obj.modified):
        raise ModelError(
            f"modified {given} must be later than the previous version's {obj.modified}"
        )
    if given is None:
        data["modified"] = _later_than(obj.modified)
    new = type(obj)(**data)
    if obj._key_order is not None:
        new._key_order = obj._key_order + tuple(k for k in data if k not in obj._key_order)
    return new


def revoke(obj: M) -> M:
    """The revoked last version of ``obj`` (``revoked: true``, later ``modified``)."""
    return new_version(obj, revoked=True)


def tlp_marking_definition(marking: str) -> MarkingDefinition:
    """The OASIS TLP 2.0 marking-definition object for one of the five TLP 2.0 ids."""
    if marking not in TLP_2_0_LEVELS:
        raise ModelError(f"{marking!r} is not a TLP 2.0 marking-definition id")
    return MarkingDefinition(**canonical_tlp_marking(marking))


# --- Profile 1.1: per-item synthetic media (spec/profile/19-synthetic-media.md) and
# withdrawal (spec/profile/20-withdrawal.md) ------------------------------------------


def analyse_media(
    media: StixCyberObservable | str,
    *,
    verdict: SyntheticMediaVerdict,
    detection_methods: Sequence[str],
    confidence: int,
    marking: str,
    kinds: Sequence[str] | None = None,
    depicted: Sequence[StixObject | str] | None = None,
    **properties: Any,
) -> SyntheticMediaAnalysis:
    """A synthetic-media-analysis of ``media`` (a media-content or its id), §19.2.

    ``kinds`` (synthetic-media-ov) is given when, and only when, ``verdict`` is
    ``synthetic``; ``depicted`` are the identities the item shows or imitates.
    A changed verdict or confidence is a :func:`new_version` of the analysis.
    """
    given: dict[str, Any] = {
        "media_ref": media if isinstance(media, str) else media.id,
        "verdict": verdict,
        "detection_methods": list(detection_methods),
        "confidence": confidence,
    }
    if kinds is not None:
        given["synthetic_media_kinds"] = list(kinds)
    if depicted is not None:
        given["depicted_refs"] = [ref if isinstance(ref, str) else ref.id for ref in depicted]
    return create(SyntheticMediaAnalysis, marking=marking, **given, **properties)


def _most_open_marking(objects: Sequence[StixObject | str]) -> str | None:
    levels = list(TLP_2_0_LEVELS)
    found = [
        ref
        for obj in objects
        if not isinstance(obj, str)
        for ref in obj.tlp_marking_refs
        if ref in TLP_2_0_LEVELS
    ]
    return min(found, key=levels.index) if found else None


def withdraw(
    objects: Sequence[StixObject | str],
    *,
    by: str,
    reason: str,
    marking: str | None = None,
    description: str | None = None,
    **properties: Any,
) -> Withdrawal:
    """A withdrawal by the organisation ``by`` (an identity id) of ``objects`` (§20.2).

    ``objects`` are models or ids. A model created by another organisation is
    refused: only an object's creator may withdraw it (check IS-310). Without
    ``marking``, the withdrawal takes the most open TLP marking of the objects
    given as models, so it can reach every partner that received them (IS-723).
    ``reason`` comes from withdrawal-reason-ov, e.g. ``false-positive``.
    """
    for obj in objects:
        creator = getattr(obj, "created_by_ref", None)
        if creator is not None and creator != by:
            raise ModelError(
                f"{getattr(obj, 'id', obj)} was created by {creator}, not {by}: only the "
                "organisation that created an object may withdraw it",
            )
    chosen = marking if marking is not None else _most_open_marking(objects)
    if chosen in TLP_1_0_IDS:
        chosen = None
    given: dict[str, Any] = {
        "created_by_ref": by,
        "withdrawn_refs": [obj if isinstance(obj, str) else obj.id for obj in objects],
        "reason": reason,
    }
    if description is not None:
        given["description"] = description
    return create(Withdrawal, marking=chosen, **given, **properties)
