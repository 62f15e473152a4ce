"""DISINFOX → profile.

DISINFOX (an open-source platform that tracks disinformation incidents) shares
each incident as a plain STIX 2.1 bundle: the incident is an
``intrusion-set`` labelled ``disinformation``, DISARM techniques are
``attack-pattern``\\ s cited as ``mitre-attack``, targets are ``location``\\ s
whose ``country`` holds an English country *name*, and nothing carries a TLP
marking. This direction turns that into a profile case:

* the labelled intrusion-set becomes an ``incident`` with the FIMI incident
  extension (spec/profile/03-fimi-incident.md §3.2): determination
  ``suspected`` (DISINFOX records none), status ``open``, FIMI type
  ``disinformation``, its ``first_seen``/``last_seen``; relationships from it
  now start at the incident;
* DISARM techniques get the profile's citation (§9, source ``DISARM``, kill
  chain ``disarm``);
* country names become ISO 3166-1 alpha-2 codes;
* every object gets the TLP the user gives (``--tlp``) and, where it names no
  author, the user's identity (``--author``);
* what has no place in the profile (the intrusion-set's aliases and goals,
  ``x_mitre_*`` properties, markings that are not TLP, authors absent from the
  bundle) is kept aside in one note, "Kept aside from the DISINFOX source".

What is mapped, kept aside and needed is listed in docs/bridges.md.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from infoshare.convert._model import Conversion, ConversionOptions
from infoshare.convert._support import (
    Report,
    aside_note,
    author_identity,
    author_location,
    bundle,
    bundle_objects,
    country_code,
    pad_timestamps,
    stable_id,
    tlp_marking_id,
    tlp_markings_in_use,
)
from infoshare.markings import TLP_2_0_IDS
from infoshare.profile import EXT_FIMI_INCIDENT
from infoshare.reference import disarm_framework
from infoshare.stix.tlp import MARKING_LEVELS

SOURCE: Final = "disinfox"

#: intrusion-set properties the incident has a place for (the rest is kept aside).
_INCIDENT_KEEPS: Final = frozenset(
    {"type", "spec_version", "id", "created", "modified", "created_by_ref", "name",
     "description", "external_references", "object_marking_refs", "labels", "lang",
     "confidence", "first_seen", "last_seen"}
)  # fmt: skip

#: Common properties every converted object keeps as they are.
_COMMON: Final = frozenset(
    {"type", "spec_version", "id", "created", "modified", "created_by_ref", "revoked",
     "labels", "confidence", "lang", "external_references", "object_marking_refs",
     "granular_markings", "extensions"}
)  # fmt: skip


def is_disinformation_incident(obj: Mapping[str, Any]) -> bool:
    """True for DISINFOX's form of an incident: an intrusion-set labelled disinformation."""
    labels = obj.get("labels")
    return (
        obj.get("type") == "intrusion-set"
        and isinstance(labels, list)
        and "disinformation" in [label.lower() for label in labels if isinstance(label, str)]
    )


def disinfox_to_profile(data: Mapping[str, Any], options: ConversionOptions) -> Conversion:
    """Convert a DISINFOX bundle to a profile bundle (see the module docstring)."""
    source_objects = bundle_objects(data, SOURCE)
    report = Report(SOURCE, "profile")
    marking = tlp_marking_id(options)
    incidents = {o["id"] for o in source_objects if is_disinformation_incident(o)}
    if not incidents:
        report.note(
            "no intrusion-set labelled 'disinformation' was found, so the bundle has no incident"
        )
    renamed = {old: stable_id("incident", old) for old in incidents}
    present = {o["id"] for o in source_objects}
    earliest = min((str(o.get("created", "")) for o in source_objects), default="")
    author = author_identity(options, earliest or "1970-01-01T00:00:00.000Z")
    aside: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []

    dropped = _set_aside_whole(source_objects, incidents, aside, report)
    for obj in source_objects:
        obj = copy.deepcopy(obj)
        oid = obj["id"]
        if oid in dropped:
            continue
        pad_timestamps(obj)
        if obj["type"] == "marking-definition":
            if oid in MARKING_LEVELS:
                continue  # a TLP marking: the canonical TLP 2.0 one is written instead
            aside.setdefault(oid, {})["object"] = obj
            report.keep_aside(oid, "marking-definition", "note (kept aside)", "not a TLP marking")
            continue
        if oid in incidents:
            obj = _incident(obj, renamed[oid], aside, report)
        elif obj["type"] == "attack-pattern":
            _technique(obj, aside, report)
        elif obj["type"] == "location":
            _location(obj, aside, report)
        _rewrite_refs(obj, renamed)
        _markings(obj, marking, aside, report)
        _author(obj, author, present, aside, report)
        out.append(obj)

    if author is not None:
        if marking is not None:
            author["object_marking_refs"] = [marking]
        out[:0] = [author, *author_location(author, options, marking)]
    if aside:
        author_id = author["id"] if author is not None else None
        out.append(
            aside_note("Kept aside from the DISINFOX source", aside, out, author_id, marking)
        )
    out = tlp_markings_in_use(out) + out
    return Conversion(
        output=bundle(out, str(data.get("id", ""))),
        report=report.finish(o["type"] for o in out),
    )


def _set_aside_whole(
    objects: list[dict[str, Any]],
    incidents: set[str],
    aside: dict[str, dict[str, Any]],
    report: Report,
) -> set[str]:
    """Objects the profile cannot take at all, and relationships that lead to them."""
    framework = disarm_framework()
    dropped: dict[str, str] = {}
    for obj in objects:
        if obj["type"] == "attack-pattern":
            cited = [
                str(ref.get("external_id"))
                for ref in obj.get("external_references", ())
                if isinstance(ref, dict) and str(ref.get("external_id", "")).startswith("T0")
            ]
            if cited and not any(framework.technique(code) for code in cited):
                dropped[obj["id"]] = (
                    f"{', '.join(cited)} is not a technique of DISARM {framework.version}"
                )
        elif obj["type"] == "location" and isinstance(obj.get("country"), str):
            if country_code(obj["country"]) is None and not obj.get("region"):
                dropped[obj["id"]] = f"{obj['country']!r} is not a country name known to ISO 3166-1"
        elif (
            obj["type"] == "relationship"
            and obj.get("relationship_type") == "attributed-to"
            and obj.get("source_ref") in incidents
            and not _states_basis(obj)
        ):
            dropped[obj["id"]] = (
                "the profile asks an attribution for its confidence and basis (§13.2),"
                " which the source does not give; add them and restore it by hand"
            )
    for obj in objects:
        if obj["type"] == "relationship" and (
            obj.get("source_ref") in dropped or obj.get("target_ref") in dropped
        ):
            dropped.setdefault(obj["id"], "it links an object that was kept aside")
    for obj in objects:
        if obj["id"] in dropped:
            aside.setdefault(obj["id"], {})["object"] = obj
            report.keep_aside(obj["id"], obj["type"], "note (kept aside)", dropped[obj["id"]])
    return set(dropped)


def _states_basis(relationship: Mapping[str, Any]) -> bool:
    """True when an attribution gives the confidence and basis the profile asks for."""
    basis = relationship.get("description") or relationship.get("external_references")
    return "confidence" in relationship and bool(basis)


def _incident(
    obj: dict[str, Any], new_id: str, aside: dict[str, dict[str, Any]], report: Report
) -> dict[str, Any]:
    extension: dict[str, Any] = {
        "extension_type": "property-extension",
        "determination": "suspected",
        "investigation_status": "open",
        "fimi_types": ["disinformation"],
    }
    for key in ("first_seen", "last_seen"):
        if key in obj:
            extension[key] = obj[key]
    incident = {k: v for k, v in obj.items() if k in _INCIDENT_KEEPS - {"first_seen", "last_seen"}}
    incident["type"] = "incident"
    incident["id"] = new_id
    labels = [x for x in incident.pop("labels", []) if x not in ("incident", "disinformation")]
    if labels:
        incident["labels"] = labels
    incident["extensions"] = {EXT_FIMI_INCIDENT: extension}
    for key, value in obj.items():
        if key not in _INCIDENT_KEEPS and key != "extensions":
            aside.setdefault(new_id, {})[key] = value
            report.keep_aside(
                obj["id"], key, "note (kept aside)", "an incident has no such property"
            )
    report.note(
        f"{obj['id']} became {new_id}: determination 'suspected' and status 'open', since"
        " DISINFOX records neither; change them once the case is assessed"
    )
    return incident


def _technique(obj: dict[str, Any], aside: dict[str, dict[str, Any]], report: Report) -> None:
    framework = disarm_framework()
    refs = obj.get("external_references")
    technique = None
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, dict) and framework.technique(str(ref.get("external_id"))):
                technique = framework.technique(str(ref["external_id"]))
                if ref.get("source_name") != "DISARM":
                    ref["source_name"] = "DISARM"
                    report.note("DISARM techniques cited as 'mitre-attack' are cited as 'DISARM'")
    if technique is not None:
        tactic = framework.tactic(technique.tactic_id)
        if tactic is not None:
            phase = {"kill_chain_name": "disarm", "phase_name": tactic.shortname}
            obj["kill_chain_phases"] = [phase]
    for key in [k for k in obj if k.startswith("x_")]:
        aside.setdefault(obj["id"], {})[key] = obj.pop(key)
        report.keep_aside(obj["id"], key, "note (kept aside)", "a custom property of the source")


def _location(obj: dict[str, Any], aside: dict[str, dict[str, Any]], report: Report) -> None:
    name = obj.get("country")
    if not isinstance(name, str):
        return
    code = country_code(name)
    if code is None:
        aside.setdefault(obj["id"], {})["country"] = obj.pop("country")
        report.keep_aside(
            obj["id"], "country", "note (kept aside)", f"{name!r} is not a country name known"
            " to ISO 3166-1; add the alpha-2 code by hand"
        )  # fmt: skip
        if "name" not in obj and "region" not in obj:
            obj["name"] = name
    elif code != name:
        obj["country"] = code
        obj.setdefault("name", name)
        report.note("country names were replaced by their ISO 3166-1 alpha-2 codes")


def _rewrite_refs(obj: dict[str, Any], renamed: Mapping[str, str]) -> None:
    for key in ("source_ref", "target_ref", "sighting_of_ref"):
        if obj.get(key) in renamed:
            obj[key] = renamed[obj[key]]
    for key in ("object_refs", "where_sighted_refs"):
        if isinstance(obj.get(key), list):
            obj[key] = [renamed.get(ref, ref) for ref in obj[key]]


def _markings(
    obj: dict[str, Any], marking: str | None, aside: dict[str, dict[str, Any]], report: Report
) -> None:
    if obj["type"] in ("marking-definition", "extension-definition", "language-content"):
        return
    found = obj.pop("object_marking_refs", [])
    found = found if isinstance(found, list) else []
    tlp = [ref for ref in found if ref in MARKING_LEVELS]
    other = [ref for ref in found if ref not in MARKING_LEVELS]
    if other:
        aside.setdefault(obj["id"], {})["object_marking_refs"] = other
        report.keep_aside(obj["id"], "object_marking_refs", "note (kept aside)",
                          "markings that are not TLP, defined outside the bundle")  # fmt: skip
    if tlp:
        obj["object_marking_refs"] = [TLP_2_0_IDS[MARKING_LEVELS[tlp[0]]]]
    elif marking is not None:
        obj["object_marking_refs"] = [marking]
    else:
        report.need("--tlp", obj["id"], "the source marks no TLP; give the level to share under")


def _author(
    obj: dict[str, Any],
    author: dict[str, Any] | None,
    present: set[str],
    aside: dict[str, dict[str, Any]],
    report: Report,
) -> None:
    if (
        obj["type"] in ("marking-definition", "extension-definition")
        or obj["id"].split("--")[0] in _SCO_TYPES
    ):
        return
    creator = obj.get("created_by_ref")
    if isinstance(creator, str) and creator not in present:
        aside.setdefault(obj["id"], {})["created_by_ref"] = obj.pop("created_by_ref")
        report.keep_aside(obj["id"], "created_by_ref", "note (kept aside)",
                          "its identity is not in the bundle")  # fmt: skip
    if "created_by_ref" not in obj:
        if author is None:
            report.need("--author", obj["id"], "the source names no author; name your organisation")
        else:
            obj["created_by_ref"] = author["id"]


_SCO_TYPES: Final = frozenset(
    {"artifact", "autonomous-system", "directory", "domain-name", "email-addr",
     "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic",
     "process", "software", "url", "user-account", "windows-registry-key", "x509-certificate",
     "media-content"}
)  # fmt: skip
