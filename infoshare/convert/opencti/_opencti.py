"""What OpenCTI writes and reads: its identifiers, TLP markings, types and relationships.

Every fact here was read from OpenCTI's own code, which docs/bridges-opencti.md and
tests/data/bridges/opencti/README.md cite file by file:

* extension ids: the platform's ``src/types/stix-2-1-extensions.ts`` and the
  client's ``pycti/utils/opencti_stix2.py`` (``STIX_EXT_OCTI``, ``STIX_EXT_OCTI_SCO``,
  ``STIX_EXT_MITRE``);
* TLP ids: ``pycti/entities/opencti_marking_definition.py`` (``generate_id``), where
  TLP:CLEAR takes TLP 1.0 WHITE's id and the other colours TLP 1.0 ids;
* standard ids: the same ``generate_id`` functions, a UUID v5 of the canonical JSON of
  the identifying properties (``x_mitre_id`` for techniques, the lower-case name for
  narratives, channels and events);
* the relationship types OpenCTI accepts between the disinformation types: the module
  definitions ``src/modules/channel/channel.ts``, ``narrative/narrative.ts`` and
  ``event/event.ts`` (their ``relations`` tables);
* DISARM: the DISARM Framework connector (``external-import/disarm-framework``) imports
  the DISARM Foundation's STIX bundle with every kill-chain name rewritten to
  ``disarm``; the bundle cites techniques with ``source_name`` ``mitre-attack``, and
  pycti's ``AttackPattern.import_from_stix2`` takes ``x_mitre_id`` from the first
  external reference whose source name starts with ``mitre-``.
"""

from __future__ import annotations

import uuid
from typing import Final

from infoshare.profile import TLP_2_0_LEVELS
from infoshare.stix.identifiers import canonical_json

#: OpenCTI's own property extension on every object it exports (internal id, dates,
#: workflow, organisation sharing...), and the marker of its new SDO types.
EXT_OCTI: Final = "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba"
#: OpenCTI's extension on the observables it adds to STIX (media-content, text...).
EXT_OCTI_SCO: Final = "extension-definition--f93e2c80-4231-4f9a-af8b-95c9bd566a82"
#: OpenCTI's MITRE extension on attack-patterns (``id`` = the technique id).
EXT_MITRE: Final = "extension-definition--322b8f77-262a-4cb8-a915-1e441e00329b"
OPENCTI_EXTENSIONS: Final = frozenset({EXT_OCTI, EXT_OCTI_SCO, EXT_MITRE})

#: The namespace of pycti's ``generate_id`` functions.
OPENCTI_NAMESPACE: Final = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

#: The TLP marking ids OpenCTI writes, by TLP 2.0 level. CLEAR reuses TLP 1.0 WHITE's id.
OPENCTI_TLP_IDS: Final[dict[str, str]] = {
    "clear": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "amber+strict": "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
#: The ``created`` pycti gives its TLP markings when it exports them.
OPENCTI_TLP_CREATED: Final = "2017-01-20T00:00:00.000Z"

#: Every TLP marking id a reader may meet, of either TLP version, by TLP 2.0 level.
TLP_LEVEL_OF_ID: Final[dict[str, str]] = {
    **{mid: level for level, mid in OPENCTI_TLP_IDS.items()},
    **TLP_2_0_LEVELS,
}

#: TLP labels (``name`` or ``definition`` of a marking), upper-case, by TLP 2.0 level.
TLP_LEVEL_OF_LABEL: Final[dict[str, str]] = {
    "TLP:WHITE": "clear",
    "TLP:CLEAR": "clear",
    "TLP:GREEN": "green",
    "TLP:AMBER": "amber",
    "TLP:AMBER+STRICT": "amber+strict",
    "TLP:RED": "red",
}

#: The disinformation types OpenCTI adds to STIX, with the profile's extension for each.
OPENCTI_NEW_SDOS: Final = frozenset({"narrative", "channel", "event"})
OPENCTI_NEW_SCOS: Final = frozenset({"media-content"})

#: Types OpenCTI imports. The profile's other types (impact, task, language-content,
#: engagement, account-state, synthetic-media-analysis, withdrawal) it drops.
OPENCTI_TYPES: Final = frozenset(
    {
        "attack-pattern",
        "campaign",
        "channel",
        "course-of-action",
        "domain-name",
        "event",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "marking-definition",
        "media-content",
        "narrative",
        "note",
        "observed-data",
        "opinion",
        "relationship",
        "report",
        "sighting",
        "threat-actor",
        "tool",
        "url",
        "user-account",
        "vulnerability",
    }
)

#: OpenCTI's case container, the natural home of a disinformation case in OpenCTI;
#: read as a ``report`` of the profile (pycti/utils/opencti_stix2_utils.py lists both names).
OPENCTI_CASE_TYPES: Final = frozenset({"case-incident", "x-opencti-case-incident"})

#: OpenCTI's types that neither STIX 2.1 nor the profile defines, or that collide with a
#: profile type of another meaning (OpenCTI's case ``task`` is not the OASIS task).
#: From ``STIX_CORE_OBJECTS`` and ``STIX_META_OBJECTS`` in pycti/utils/opencti_stix2_utils.py.
OPENCTI_ONLY_TYPES: Final = frozenset(
    {
        "case-rfi",
        "x-opencti-case-rfi",
        "case-rft",
        "x-opencti-case-rft",
        "feedback",
        "x-opencti-feedback",
        "x-opencti-task",
        "language",
        "data-component",
        "x-mitre-data-component",
        "data-source",
        "x-mitre-data-source",
        "security-coverage",
        "external-reference",
        "label",
        "vocabulary",
        "kill-chain-phase",
    }
)

#: Properties OpenCTI reads on its disinformation types and on incidents; everything
#: else of these types it ignores on import (the converter keeps it aside).
OPENCTI_PROPERTIES: Final[dict[str, frozenset[str]]] = {
    "narrative": frozenset({"name", "description", "aliases", "narrative_types"}),
    "channel": frozenset({"name", "description", "aliases", "channel_types"}),
    "event": frozenset(
        {"name", "description", "aliases", "event_types", "start_time", "stop_time"}
    ),
    "media-content": frozenset(
        {"url", "title", "description", "content", "media_category", "publication_date"}
    ),
    "incident": frozenset(
        {
            "name",
            "description",
            "aliases",
            "first_seen",
            "last_seen",
            "objective",
            "incident_type",
            "severity",
            "source",
        }
    ),
}

#: (source type, relationship type) -> target types OpenCTI accepts, for the
#: relationships that start at one of its disinformation types.
OPENCTI_FIMI_RELATIONS: Final[dict[tuple[str, str], frozenset[str]]] = {
    ("channel", "targets"): frozenset({"identity", "location", "event", "vulnerability"}),
    ("channel", "uses"): frozenset(
        {"infrastructure", "narrative", "attack-pattern", "malware", "tool"}
    ),
    ("channel", "publishes"): frozenset(
        {"file", "url", "domain-name", "media-content", "text", "hostname"}
    ),
    ("channel", "amplifies"): frozenset({"channel", "media-content"}),
    ("channel", "belongs-to"): frozenset(
        {"user-account", "identity", "threat-actor", "intrusion-set"}
    ),
    ("channel", "delivers"): frozenset({"malware"}),
    ("channel", "drops"): frozenset({"malware"}),
    ("channel", "derived-from"): frozenset({"channel"}),
    ("narrative", "subnarrative-of"): frozenset({"narrative"}),
    ("narrative", "derived-from"): frozenset({"narrative"}),
    ("event", "located-at"): frozenset({"location"}),
}

#: Relationships of the profile (spec/vocabularies/relationships.json) that OpenCTI has
#: no relationship for, beyond those touching a type it drops.
OPENCTI_REFUSED: Final = frozenset({("incident", "located-at", "location")})

#: Profile relationships written in OpenCTI's word for the same link, and back.
#: The profile's "channel amplifies narrative" is OpenCTI's "channel uses narrative".
RENAMED_OUT: Final[dict[tuple[str, str, str], str]] = {
    ("channel", "amplifies", "narrative"): "uses",
}
RENAMED_IN: Final[dict[tuple[str, str, str], str]] = {
    (source, new, target): old for (source, old, target), new in RENAMED_OUT.items()
}


def opencti_accepts(source_type: str, relationship_type: str, target_type: str) -> bool:
    """Whether OpenCTI imports this relationship (both ends must be types it knows)."""
    if source_type not in OPENCTI_TYPES or target_type not in OPENCTI_TYPES:
        return False
    if (source_type, relationship_type, target_type) in OPENCTI_REFUSED:
        return False
    if relationship_type == "related-to":
        return True
    allowed = OPENCTI_FIMI_RELATIONS.get((source_type, relationship_type))
    if allowed is not None:
        return target_type in allowed
    if source_type in OPENCTI_NEW_SDOS or source_type in OPENCTI_NEW_SCOS:
        return False
    if target_type in OPENCTI_NEW_SDOS or target_type in OPENCTI_NEW_SCOS:
        # Standard types reach the new ones only with "uses" (incident, intrusion-set,
        # campaign, threat-actor uses narrative / channel) or "targets" (event).
        return relationship_type in {"uses", "targets"}
    return True


def standard_id(stix_type: str, identifying: dict[str, str]) -> str:
    """The id pycti's ``generate_id`` gives an object with these identifying properties."""
    return f"{stix_type}--{uuid.uuid5(OPENCTI_NAMESPACE, canonical_json(identifying))}"


def tlp_marking(level: str) -> dict[str, object]:
    """The TLP marking-definition in the form pycti exports (``definition_type`` "tlp").

    pycti writes TLP:CLEAR on TLP 1.0 WHITE's id with ``{"tlp": "clear"}``, which STIX
    2.1 forbids for that id (§7.2.1.4). Here it says ``{"tlp": "white"}``: valid STIX,
    and pycti's import reads it as TLP:CLEAR all the same (``MarkingDefinition.
    import_from_stix2`` replaces "TLP:WHITE" by "TLP:CLEAR").
    """
    label = "TLP:" + level.upper()
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": OPENCTI_TLP_IDS[level],
        "created": OPENCTI_TLP_CREATED,
        "definition_type": "tlp",
        "name": label,
        "definition": {"tlp": "white" if level == "clear" else level},
    }
