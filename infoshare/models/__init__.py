"""Pydantic models of the FIMI profile's objects, builders, bundle IO and stix2 interop.

Implements the object sections of the profile (spec/profile/03-fimi-incident.md
to spec/profile/12-markings.md) on top of STIX 2.1 sections 2-8.

* Every model round-trips STIX JSON without loss: unknown and custom
  properties and unknown extensions are kept, and ``to_dict()`` gives back
  exactly what was read. Timestamps are kept as their original strings.
* Every construction failure raises :class:`infoshare.errors.ModelError`
  whose message names the property path.
* Build new objects with :func:`create`, new versions with :func:`new_version`.
"""

from infoshare.models._base import (
    ExternalReference,
    GranularMarking,
    KillChainPhase,
    ModelProblems,
    StixCyberObservable,
    StixDomainObject,
    StixModel,
    StixObject,
    StixRelationshipObject,
    VersionedObject,
)
from infoshare.models._bundle import Bundle, bundle_to_json, read_bundle, write_bundle
from infoshare.models._changing_facts import AccountState, EngagementMeasurement
from infoshare.models._disinformation import Channel, MediaContent, Narrative
from infoshare.models._domain_objects import (
    AttackPattern,
    Campaign,
    CourseOfAction,
    Identity,
    IntrusionSet,
    Location,
    Note,
    Opinion,
    Report,
    ThreatActor,
)
from infoshare.models._incident import (
    Attribution,
    Engagement,
    FimiIncident,
    FimiIncidentExtension,
    Incident,
    IncidentCoreExtension,
    SyntheticMedia,
)
from infoshare.models._meta_objects import (
    ExtensionDefinition,
    LanguageContent,
    MarkingDefinition,
    Tlp2Extension,
)
from infoshare.models._network import CoordinatedNetworkExtension
from infoshare.models._oasis import ChangedObject, Event, Impact, Task
from infoshare.models._observables import DomainName, FimiAccountExtension, Url, UserAccount
from infoshare.models._parse import MODEL_BY_TYPE, GenericStixObject, model_for, parse_object
from infoshare.models._platform_actions import (
    Appeal,
    ItemOutcome,
    JointAuthorshipExtension,
    LegalBasis,
    PlatformActionExtension,
    Referral,
    joint_authorship_of,
)
from infoshare.models._relationships import Relationship, Sighting
from infoshare.models._synthetic_media import SyntheticMediaAnalysis
from infoshare.models._withdrawal import Withdrawal
from infoshare.models.action_builders import (
    acknowledge_request,
    decide_appeal,
    decide_items,
    joint_authorship,
    legal_basis,
    platform_request,
    record_appeal,
    referral_request,
    task_outcome,
)
from infoshare.models.builders import (
    STIX_NAMESPACE,
    analyse_media,
    create,
    deterministic_id,
    new_id,
    new_version,
    now,
    revoke,
    sco_id,
    tlp_marking_definition,
    withdraw,
)
from infoshare.models.facts import (
    account_state,
    coordinated_network,
    engagement,
    measurement,
    series,
    state_change,
)
from infoshare.models.interop import (
    from_stix2,
    normalise_tlp_marking,
    normalise_tlp_markings,
    to_stix2,
)
from infoshare.stix.timestamps import format_timestamp, parse_timestamp

__all__ = [
    "MODEL_BY_TYPE",
    "STIX_NAMESPACE",
    "AccountState",
    "Appeal",
    "AttackPattern",
    "Attribution",
    "Bundle",
    "Campaign",
    "ChangedObject",
    "Channel",
    "CoordinatedNetworkExtension",
    "CourseOfAction",
    "DomainName",
    "Engagement",
    "EngagementMeasurement",
    "Event",
    "ExtensionDefinition",
    "ExternalReference",
    "FimiAccountExtension",
    "FimiIncident",
    "FimiIncidentExtension",
    "GenericStixObject",
    "GranularMarking",
    "Identity",
    "Impact",
    "Incident",
    "IncidentCoreExtension",
    "IntrusionSet",
    "ItemOutcome",
    "JointAuthorshipExtension",
    "KillChainPhase",
    "LanguageContent",
    "LegalBasis",
    "Location",
    "MarkingDefinition",
    "MediaContent",
    "ModelProblems",
    "Narrative",
    "Note",
    "Opinion",
    "PlatformActionExtension",
    "Referral",
    "Relationship",
    "Report",
    "Sighting",
    "StixCyberObservable",
    "StixDomainObject",
    "StixModel",
    "StixObject",
    "StixRelationshipObject",
    "SyntheticMedia",
    "SyntheticMediaAnalysis",
    "Task",
    "ThreatActor",
    "Tlp2Extension",
    "Url",
    "UserAccount",
    "VersionedObject",
    "Withdrawal",
    "account_state",
    "acknowledge_request",
    "analyse_media",
    "bundle_to_json",
    "coordinated_network",
    "create",
    "decide_appeal",
    "decide_items",
    "deterministic_id",
    "engagement",
    "format_timestamp",
    "from_stix2",
    "joint_authorship",
    "joint_authorship_of",
    "legal_basis",
    "measurement",
    "model_for",
    "new_id",
    "new_version",
    "normalise_tlp_marking",
    "normalise_tlp_markings",
    "now",
    "parse_object",
    "parse_timestamp",
    "platform_request",
    "read_bundle",
    "record_appeal",
    "referral_request",
    "revoke",
    "sco_id",
    "series",
    "state_change",
    "task_outcome",
    "tlp_marking_definition",
    "to_stix2",
    "withdraw",
    "write_bundle",
]
