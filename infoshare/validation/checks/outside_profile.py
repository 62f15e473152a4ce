"""IS-801: objects of types outside STIX 2.1 and the profile (spec/profile/ §9.5).

Such objects are carried through unchanged, but only the core rules check
them. The set of known types lives in :mod:`.core_types` (``KNOWN_TYPES``:
every STIX 2.1 type plus the profile's narrative, channel, media-content,
event, impact and task).
"""

from __future__ import annotations

from infoshare.validation._registry import Emit, StixDict, jpath, object_check
from infoshare.validation.checks.core_types import KNOWN_TYPES


@object_check("IS-801")
def type_outside_profile(obj: StixDict, emit: Emit) -> None:
    kind = obj["type"]
    if kind in KNOWN_TYPES:
        return
    emit(
        jpath("type"),
        f"type {kind!r} is defined neither by STIX 2.1 nor by the profile: the object is "
        "carried through unchanged but checked only against the core rules; if partners "
        "should rely on it, propose it as a profile type or map it to a profile type",
    )
