"""The profile's TLP 2.0 marking-definitions: the five canonical OASIS objects.

Implements spec/profile/12-markings.md §12.2 (the canonical OASIS TLP 2.0
marking-definitions, as published in oasis-open/cti-stix-common-objects,
extension-definition-specifications/tlp-2.0/) and the profile's mapping of
the TLP 1.0 markings to their TLP 2.0 successors (§12.1), which the
validator (IS-501 to IS-503) and the builders read.

Which TLP level governs an object, and how levels order, is decided once for
the whole library and the node in :mod:`infoshare.stix.tlp`.
"""

from __future__ import annotations

from typing import Any, Final

from infoshare.profile import EXT_TLP_2_0, STIX_SPEC_VERSION, TLP_2_0_LEVELS
from infoshare.stix.tlp import TLP_1_0_LEVELS, tlp_label

__all__ = [
    "TLP_1_0_SUCCESSORS",
    "TLP_2_0_CREATED",
    "TLP_2_0_IDS",
    "canonical_tlp_marking",
]

#: The ``created`` timestamp of all five OASIS TLP 2.0 marking-definitions.
TLP_2_0_CREATED: Final = "2022-10-01T00:00:00.000Z"

#: TLP 2.0 level -> its marking-definition id.
TLP_2_0_IDS: Final[dict[str, str]] = {level: mid for mid, level in TLP_2_0_LEVELS.items()}

#: TLP 1.0 marking id -> (its label, the TLP 2.0 id to use instead).
TLP_1_0_SUCCESSORS: Final[dict[str, tuple[str, str]]] = {
    marking_id: ("TLP:WHITE" if level == "clear" else tlp_label(level), TLP_2_0_IDS[level])
    for marking_id, level in TLP_1_0_LEVELS.items()
}


def canonical_tlp_marking(marking_id: str) -> dict[str, Any]:
    """A fresh copy of the OASIS TLP 2.0 marking-definition with this id.

    Raises :class:`KeyError` for an id that is not one of the five TLP 2.0 ids.
    """
    level = TLP_2_0_LEVELS[marking_id]
    return {
        "type": "marking-definition",
        "spec_version": STIX_SPEC_VERSION,
        "id": marking_id,
        "created": TLP_2_0_CREATED,
        "name": tlp_label(level),
        "extensions": {EXT_TLP_2_0: {"extension_type": "property-extension", "tlp_2_0": level}},
    }
