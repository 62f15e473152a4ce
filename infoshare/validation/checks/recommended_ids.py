"""IS-151 and IS-152: which UUID an identifier SHOULD use (STIX 2.1 §2.9).

* IS-151: SDOs, SROs, meta objects (marking-definition, language-content,
  extension-definition) and the bundle SHOULD use a UUIDv4. A few ids are
  fixed by OASIS publications (the TLP 1.0 and TLP 2.0 marking-definitions,
  the TLP 2.0 and Incident suite extension-definitions); they are never
  flagged, whatever their version, because a producer must copy them as
  published (spec/profile/14-conformance.md §14.3.5).
* IS-152: the 18 SCO types of STIX 2.1 SHOULD use the UUIDv5 computed from
  their ID Contributing Properties (infoshare.stix.identifiers), and
  a UUIDv4 when none is present (``process`` always). SCO types that STIX
  does not define (such as the profile's media-content, whose own id rule is
  in spec/profile/06-media-content.md) are left alone.

Malformed ids are IS-103's; these checks look only at well-formed ones.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.markings import TLP_2_0_IDS
from infoshare.profile import (
    EXT_OASIS_EVENT,
    EXT_OASIS_IMPACT,
    EXT_OASIS_INCIDENT_CORE,
    EXT_OASIS_TASK,
    EXT_TLP_2_0,
    TLP_1_0_IDS,
)
from infoshare.stix.identifiers import ID_CONTRIBUTING_PROPERTIES, expected_sco_ids, is_identifier
from infoshare.validation._registry import Emit, StixDict, envelope_check, jpath, object_check
from infoshare.validation.checks.core_types import SCO_LIKE_TYPES, declared_kind

#: Ids that OASIS publications fix; a producer copies them, so their version is not its choice.
FIXED_OASIS_IDS: Final = frozenset(
    {
        *TLP_1_0_IDS,
        *TLP_2_0_IDS.values(),
        EXT_TLP_2_0,
        EXT_OASIS_INCIDENT_CORE,
        EXT_OASIS_EVENT,
        EXT_OASIS_IMPACT,
        EXT_OASIS_TASK,
    }
)

_ID_PATH: Final = jpath("id")


def uuid_version(identifier: Any) -> str | None:
    """The version digit of a well-formed identifier's UUID, or None for a malformed one."""
    if not isinstance(identifier, str) or len(identifier) < 39:
        return None
    version = identifier[-22]  # <type>--xxxxxxxx-xxxx-Vxxx-xxxx-xxxxxxxxxxxx
    if version == "4":  # the usual case, settled without the full pattern
        return version if identifier[-37:-36] == "-" and identifier[-23] == "-" else None
    return version if is_identifier(identifier) else None


@object_check("IS-151")
def uuid4_identifier(obj: StixDict, emit: Emit) -> None:
    kind = obj["type"]
    if kind in SCO_LIKE_TYPES or kind in ID_CONTRIBUTING_PROPERTIES:
        return
    identifier = obj.get("id")
    version = uuid_version(identifier)
    if version is None or version == "4" or identifier in FIXED_OASIS_IDS:
        return
    if declared_kind(obj) == "new-sco":
        return
    emit(
        _ID_PATH,
        f"{identifier} uses a version {version} UUID; STIX 2.1 §2.9 asks for a random"
        " UUIDv4 for every object that is not an SCO: generate the id with uuid4",
    )


@envelope_check("IS-151")
def uuid4_bundle_identifier(envelope: dict[str, Any], emit: Emit) -> None:
    identifier = envelope.get("id")
    version = uuid_version(identifier)
    if version is None or version == "4" or envelope.get("type") != "bundle":
        return
    emit(
        _ID_PATH,
        f"the bundle id {identifier} uses a version {version} UUID; STIX 2.1 §2.9 asks"
        " for a random UUIDv4",
    )


@object_check("IS-152", types=ID_CONTRIBUTING_PROPERTIES)
def deterministic_sco_identifier(obj: StixDict, emit: Emit) -> None:
    identifier = obj.get("id")
    expected = expected_sco_ids(obj)
    if expected is None or identifier in expected:
        return  # the usual case: the deterministic id (so a well-formed one)
    version = uuid_version(identifier)
    if version is None:
        return
    kind = obj["type"]
    if not expected:
        if version != "4":
            reason = (
                "a process has no ID Contributing Properties"
                if kind == "process"
                else f"none of its ID Contributing Properties ({_names(kind)}) is present"
            )
            emit(_ID_PATH, f"{reason}, so its id should be a random UUIDv4 (STIX 2.1 §2.9)")
        return
    if identifier in expected:
        return
    emit(
        _ID_PATH,
        f"{identifier} is not the deterministic id of this {kind}: the UUIDv5 of its ID"
        f" Contributing Properties ({_names(kind)}) in the STIX namespace is {expected[0]};"
        " use it so that every producer gives this observable the same id (STIX 2.1 §2.9)",
    )


def _names(kind: str) -> str:
    return ", ".join(ID_CONTRIBUTING_PROPERTIES[kind])
