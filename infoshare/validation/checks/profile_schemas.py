"""The profile schemas: checks IS-201 to IS-209, IS-220 and IS-223.

Implements spec/profile/14-conformance.md §14.1 (layer 4) with the JSON
Schemas of spec/schemas/profile/, for the FIMI incident extension
(spec/profile/03-fimi-incident.md §3.2), narrative (04-narrative.md §4.1),
channel (05-channel.md §5.1), media-content (06-media-content.md §6.1), the
FIMI account extension (07-accounts.md §7.2), the reused OASIS Incident
Extension Suite (08-oasis-incident-suite.md §8.1 to §8.4), and, from profile
1.1, the synthetic-media analysis (19-synthetic-media.md §19.2) and the
withdrawal (20-withdrawal.md §20.2).

Each schema is compiled once, at import. What a schema cannot say is checked
here next to it: that every incident carries the FIMI extension (IS-201),
that Incident Core agrees with it (IS-206), and that an impact carries the
category extension its ``impact_category`` names (IS-208).

The schemas follow the normative text; where the text names two checks for
one rule (the extension entry of a new type is IS-108 and part of its schema)
both report it. Rules the text gives to another check alone are left to it:
identifier and timestamp forms (IS-103, IS-104), reference target types of
STIX properties (IS-110), country codes and language tags (IS-411, IS-412),
time order (IS-601) and an attribution's confidence and basis (IS-711).
"""

from __future__ import annotations

import re
from typing import Any, Final

from infoshare._spec_files import load_spec_json
from infoshare.profile import (
    EXT_COORDINATED_NETWORK,
    EXT_FIMI_ACCOUNT,
    EXT_FIMI_INCIDENT,
    EXT_OASIS_IMPACT,
    EXT_OASIS_INCIDENT_CORE,
    TYPE_ACCOUNT_STATE,
    TYPE_CHANNEL,
    TYPE_ENGAGEMENT,
    TYPE_EVENT,
    TYPE_IMPACT,
    TYPE_MEDIA_CONTENT,
    TYPE_NARRATIVE,
    TYPE_SYNTHETIC_MEDIA_ANALYSIS,
    TYPE_TASK,
    TYPE_WITHDRAWAL,
)
from infoshare.validation._registry import Emit, ObjectCheckFn, StixDict, jpath, object_check
from infoshare.validation._schema import Check, PathChain, render_path
from infoshare.validation._schemas_loaded import schema_set

#: Schema file of each object type the profile defines or reuses, and the
#: schema file of each property-extension, by extension-definition id.
OBJECT_SCHEMAS: Final[dict[str, str]] = {
    TYPE_NARRATIVE: "narrative.json",
    TYPE_CHANNEL: "channel.json",
    TYPE_MEDIA_CONTENT: "media-content.json",
    TYPE_EVENT: "event.json",
    TYPE_IMPACT: "impact.json",
    TYPE_TASK: "task.json",
    TYPE_SYNTHETIC_MEDIA_ANALYSIS: "synthetic-media-analysis.json",
    TYPE_WITHDRAWAL: "withdrawal.json",
    TYPE_ACCOUNT_STATE: "account-state.json",
    TYPE_ENGAGEMENT: "engagement.json",
}
EXTENSION_SCHEMAS: Final[dict[str, str]] = {
    EXT_FIMI_INCIDENT: "fimi-incident-extension.json",
    EXT_FIMI_ACCOUNT: "fimi-account-extension.json",
    EXT_OASIS_INCIDENT_CORE: "oasis-incident-core-extension.json",
    EXT_COORDINATED_NETWORK: "coordinated-network-extension.json",
}

_FIMI_HINT = (
    "a property-extension with determination, investigation_status and fimi_types"
    " (spec/profile/03-fimi-incident.md §3.2)"
)
#: The two values Incident Core repeats from the FIMI extension (§8.1).
_SHARED_WITH_CORE: Final = ("determination", "investigation_status")


def schema_uri(name: str) -> str:
    """The ``$id`` of the schema file ``name`` of spec/schemas/profile/, whichever
    profile version introduced it (1.0 or a later minor version, §15.1)."""
    uri: str = load_spec_json(f"schemas/profile/{name}")["$id"]
    return uri


def _compile(name: str) -> tuple[Check, str]:
    uri = schema_uri(name)
    return schema_set().compile(uri), schema_set().document(uri)["title"]


_OBJECTS: Final = {kind: _compile(name) for kind, name in OBJECT_SCHEMAS.items()}
_EXTENSIONS: Final = {ext_id: _compile(name) for ext_id, name in EXTENSION_SCHEMAS.items()}


#: The pattern of a reference restricted to some types (profile/common.json and
#: the schemas' ``typed_ref`` form): ``^(?:(?:event|task)--|(?![a-z0-9-]+--))``.
_TYPED_REFERENCE = re.compile(r"^(\S+) does not match the pattern \^\(\?:\(\?:([a-z0-9\\|-]+)\)--")
_URL_PATTERN = "does not match the pattern ^[A-Za-z][A-Za-z0-9+.-]*:"


def _explain(message: str) -> str | None:
    """A plain message for the pattern failures whose regex would mean little to a reader."""
    typed = _TYPED_REFERENCE.match(message)
    if typed is not None:
        wanted = " or ".join(typed[2].replace("\\", "").split("|"))
        return f"{typed[1]} must point to an object of type {wanted}; correct the reference"
    if _URL_PATTERN in message:
        value = message.split(" does not match", 1)[0]
        return f"{value} is not an absolute URL; write it in full, e.g. https://news.example/post/1"
    return None


def _validate(check: Check, title: str, value: Any, at: PathChain, emit: Emit) -> None:
    """Run a compiled schema on ``value`` (found at ``at``) and report each failure."""

    def report(chain: PathChain, message: str, keyword: str) -> None:
        explained = _explain(message) if keyword == "pattern" else None
        if explained is not None:
            text = explained
        elif keyword == "required":
            text = f"{message}: {title} requires it; add it"
        elif keyword == "additionalProperties":
            text = f"{message}; remove it, or record the information in a note (§9.5)"
        elif keyword == "false":
            name = chain[1] if isinstance(chain, tuple) else chain
            text = (
                f"{name} is not allowed here by {title}; remove it, or correct the value"
                " that decides whether it may be given"
            )
        else:
            text = f"{message}; correct the value as {title} defines it"
        emit(render_path(chain), text)

    check(value, at, report)


def validate_extension(check: Check, title: str, value: Any, ext_id: str, emit: Emit) -> None:
    """Run a property-extension's compiled schema on its value in ``extensions[ext_id]``."""
    _validate(check, title, value, _extension_at(ext_id), emit)


def _extensions(obj: StixDict) -> dict[str, Any] | None:
    extensions = obj.get("extensions")
    return extensions if isinstance(extensions, dict) else None


def _extension_at(ext_id: str) -> PathChain:
    return ((None, "extensions"), ext_id)


# --- IS-201 and IS-206: the incident -----------------------------------------------------


@object_check("IS-201", types={"incident"})
def fimi_incident_extension(obj: StixDict, emit: Emit) -> None:
    """Every incident carries the FIMI incident extension, and it conforms to its schema."""
    extensions = _extensions(obj)
    if extensions is None or EXT_FIMI_INCIDENT not in extensions:
        if "extensions" in obj and extensions is None:
            return  # IS-102 reports extensions that are not an object
        emit(
            jpath("extensions") if extensions is not None else "",
            f"the incident does not carry the FIMI incident extension: add "
            f"extensions[{EXT_FIMI_INCIDENT!r}], {_FIMI_HINT}",
        )
        return
    check, title = _EXTENSIONS[EXT_FIMI_INCIDENT]
    _validate(check, title, extensions[EXT_FIMI_INCIDENT], _extension_at(EXT_FIMI_INCIDENT), emit)


@object_check("IS-206", types={"incident"})
def incident_core_consistency(obj: StixDict, emit: Emit) -> None:
    """Incident Core, when present, conforms and agrees with the FIMI extension."""
    extensions = _extensions(obj)
    if extensions is None or EXT_OASIS_INCIDENT_CORE not in extensions:
        return
    core = extensions[EXT_OASIS_INCIDENT_CORE]
    check, title = _EXTENSIONS[EXT_OASIS_INCIDENT_CORE]
    _validate(check, title, core, _extension_at(EXT_OASIS_INCIDENT_CORE), emit)
    fimi = extensions.get(EXT_FIMI_INCIDENT)
    if not isinstance(core, dict) or not isinstance(fimi, dict):
        return  # a missing FIMI extension is IS-201
    for name in _SHARED_WITH_CORE:
        if name in core and name in fimi and core[name] != fimi[name]:
            emit(
                jpath("extensions", EXT_OASIS_INCIDENT_CORE, name),
                f"Incident Core's {name} is {core[name]!r} but the FIMI incident extension's "
                f"is {fimi[name]!r}: the two must be equal (§8.1); set both to the current "
                "value",
            )


# --- IS-205: the account extension ---------------------------------------------------------


@object_check("IS-205", types={"user-account"})
def fimi_account_extension(obj: StixDict, emit: Emit) -> None:
    """The FIMI account extension, when present, conforms to its schema."""
    extensions = _extensions(obj)
    if extensions is None or EXT_FIMI_ACCOUNT not in extensions:
        return  # IS-703 recommends it
    check, title = _EXTENSIONS[EXT_FIMI_ACCOUNT]
    _validate(check, title, extensions[EXT_FIMI_ACCOUNT], _extension_at(EXT_FIMI_ACCOUNT), emit)


# --- IS-202, IS-203, IS-204, IS-207, IS-209: whole objects --------------------------------


def _object_check(kind: str) -> ObjectCheckFn:
    check, title = _OBJECTS[kind]

    def conforms(obj: StixDict, emit: Emit) -> None:
        _validate(check, title, obj, None, emit)

    conforms.__name__ = f"{kind.replace('-', '_')}_schema"
    conforms.__doc__ = f"A {kind} conforms to {title}."
    return conforms


narrative_schema = object_check("IS-202", types={TYPE_NARRATIVE})(_object_check(TYPE_NARRATIVE))
channel_schema = object_check("IS-203", types={TYPE_CHANNEL})(_object_check(TYPE_CHANNEL))
media_content_schema = object_check("IS-204", types={TYPE_MEDIA_CONTENT})(
    _object_check(TYPE_MEDIA_CONTENT)
)
event_schema = object_check("IS-207", types={TYPE_EVENT})(_object_check(TYPE_EVENT))
task_schema = object_check("IS-209", types={TYPE_TASK})(_object_check(TYPE_TASK))
synthetic_media_analysis_schema = object_check("IS-220", types={TYPE_SYNTHETIC_MEDIA_ANALYSIS})(
    _object_check(TYPE_SYNTHETIC_MEDIA_ANALYSIS)
)
withdrawal_schema = object_check("IS-223", types={TYPE_WITHDRAWAL})(_object_check(TYPE_WITHDRAWAL))


# --- IS-208: the impact ---------------------------------------------------------------------


def _category_key(category: str) -> str:
    return category if category.endswith("-ext") else f"{category}-ext"


@object_check("IS-208", types={TYPE_IMPACT})
def impact_schema(obj: StixDict, emit: Emit) -> None:
    """An impact conforms to its schema and carries the extension its category names."""
    check, title = _OBJECTS[TYPE_IMPACT]
    _validate(check, title, obj, None, emit)
    category = obj.get("impact_category")
    extensions = _extensions(obj)
    if not isinstance(category, str) or not category or extensions is None:
        return  # the schema reports a missing or malformed category or extensions
    key = _category_key(category)
    if key not in extensions:
        others = sorted(k for k in extensions if k != EXT_OASIS_IMPACT)
        found = f" (it carries {', '.join(others)})" if others else ""
        emit(
            jpath("extensions"),
            f"impact_category is {category!r} but extensions has no {key!r} entry{found}: "
            f"add extensions[{key!r}] with the details of the impact, or correct "
            "impact_category to the category of the extension used (§8.3)",
        )
