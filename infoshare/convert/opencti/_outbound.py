"""Profile → OpenCTI: write a case of the profile in the form OpenCTI imports.

OpenCTI drops what it has no field for, so everything of that kind travels in a
kept-aside note (:mod:`infoshare.convert.opencti._common`) that OpenCTI stores
with the object and that :func:`~infoshare.convert.opencti.opencti_to_profile`
reads back. docs/bridges-opencti.md ("profile → OpenCTI") lists what is mapped and kept
aside, type by type.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any, Final

from infoshare.convert._model import Conversion, ConversionOptions, ConversionReport, KeptAside
from infoshare.convert.opencti._common import (
    bundle_id,
    extensions_of,
    kept_aside_note,
    kept_aside_note_id,
    latest_timestamp,
    list_of,
    point_object_refs,
    read_bundle,
    read_kept_aside,
    rename_references,
    string_list,
)
from infoshare.convert.opencti._opencti import (
    EXT_MITRE,
    EXT_OCTI,
    EXT_OCTI_SCO,
    OPENCTI_CASE_TYPES,
    OPENCTI_EXTENSIONS,
    OPENCTI_NEW_SCOS,
    OPENCTI_NEW_SDOS,
    OPENCTI_PROPERTIES,
    OPENCTI_TLP_IDS,
    OPENCTI_TYPES,
    RENAMED_OUT,
    TLP_LEVEL_OF_ID,
    opencti_accepts,
    tlp_marking,
)
from infoshare.errors import ConversionError
from infoshare.profile import EXT_FIMI_INCIDENT
from infoshare.stix.references import reference_ids

DIRECTION: Final = "profile-to-opencti"

#: Properties every STIX object may carry, which OpenCTI reads on every type.
COMMON: Final = frozenset(
    {
        "type",
        "spec_version",
        "id",
        "created",
        "modified",
        "created_by_ref",
        "revoked",
        "labels",
        "confidence",
        "lang",
        "external_references",
        "object_marking_refs",
        "granular_markings",
        "extensions",
    }
)

#: The profile's new-object markers that say nothing but "this type is defined by an
#: extension"; the inbound direction writes them again, so they need not travel.
_MARKER_ONLY: Final = ({"extension_type": "new-sdo"}, {"extension_type": "new-sco"})


class _Outbound:
    def __init__(self, options: ConversionOptions) -> None:
        self.options = options
        self.kept: list[KeptAside] = []
        self.notes: list[str] = []
        self.disarm = 0
        self.tlp_levels: set[str] = set()
        #: Profile ids written otherwise in OpenCTI (a report that was a Case-Incident).
        self.renamed: dict[str, str] = {}

    def _keep(self, obj: dict[str, Any], what: str, why: str, where: str) -> None:
        self.kept.append(KeptAside(obj["id"], what, where, why))

    def _markings(self, obj: dict[str, Any], where: str) -> None:
        refs = string_list(obj, "object_marking_refs", where)
        if refs:
            out: list[str] = []
            for ref in refs:
                level = TLP_LEVEL_OF_ID.get(ref)
                new = OPENCTI_TLP_IDS[level] if level else ref
                if level:
                    self.tlp_levels.add(level)
                if new not in out:
                    out.append(new)
            obj["object_marking_refs"] = out
        for item in list_of(obj, "granular_markings", where):
            if isinstance(item, dict) and isinstance(item.get("marking_ref"), str):
                level = TLP_LEVEL_OF_ID.get(item["marking_ref"])
                if level:
                    item["marking_ref"] = OPENCTI_TLP_IDS[level]
                    self.tlp_levels.add(level)

    def _extensions_aside(self, obj: dict[str, Any], aside: dict[str, Any], where: str) -> None:
        extensions = obj.get("extensions")
        if extensions is None:
            return
        if not isinstance(extensions, dict):
            raise ConversionError(f"{where}.extensions: expected an object")
        moved: dict[str, Any] = {}
        for ext_id in list(extensions):
            if ext_id in OPENCTI_EXTENSIONS:
                continue
            block = extensions.pop(ext_id)
            if block in _MARKER_ONLY:
                continue
            moved[ext_id] = block
            self._keep(
                obj,
                "extensions",
                f"OpenCTI ignores extensions it does not define ({ext_id})",
                "kept-aside note on the object",
            )
        if moved:
            aside["extensions"] = moved
        if not extensions:
            del obj["extensions"]

    def _disarm(self, obj: dict[str, Any], where: str) -> None:
        """The profile's DISARM citation -> the form OpenCTI's DISARM connector writes."""
        refs = obj.get("external_references")
        if not isinstance(refs, list):
            return
        for index, ref in enumerate(refs):
            if not isinstance(ref, dict):
                raise ConversionError(f"{where}.external_references[{index}]: expected an object")
            if ref.get("source_name") == "DISARM" and isinstance(ref.get("external_id"), str):
                ref["source_name"] = "mitre-attack"
                obj.setdefault("x_mitre_id", ref["external_id"])
                self.disarm += 1
        for phase in list_of(obj, "kill_chain_phases", where):
            if isinstance(phase, dict) and phase.get("kill_chain_name") == "mitre-attack":
                phase["kill_chain_name"] = "disarm"

    def _typed(self, obj: dict[str, Any], aside: dict[str, Any], where: str) -> None:
        kind = obj["type"]
        if kind == "event" and "end_time" in obj:
            obj["stop_time"] = obj.pop("end_time")
        if kind == "incident":
            fimi = aside.get("extensions", {}).get(EXT_FIMI_INCIDENT)
            for name in ("first_seen", "last_seen"):
                value = fimi.get(name) if isinstance(fimi, dict) else None
                if isinstance(value, str):
                    obj.setdefault(name, value)
        allowed = OPENCTI_PROPERTIES.get(kind)
        if allowed is not None:
            for name in [n for n in obj if n not in COMMON and n not in allowed]:
                aside[name] = obj.pop(name)
                self._keep(
                    obj,
                    name,
                    f"OpenCTI's {kind} has no such field",
                    "kept-aside note on the object",
                )
        if kind in OPENCTI_NEW_SDOS:
            extensions_of(obj, where, create=True)[EXT_OCTI] = {"extension_type": "new-sdo"}
        elif kind in OPENCTI_NEW_SCOS:
            extensions_of(obj, where, create=True)[EXT_OCTI_SCO] = {"extension_type": "new-sco"}
        if kind in ("attack-pattern", "course-of-action"):
            self._disarm(obj, where)

    def _restore(self, obj: dict[str, Any], body: dict[str, Any] | None, where: str) -> None:
        """Put back OpenCTI's own properties that a conversion from OpenCTI kept aside."""
        if body is None:
            return
        properties = dict(body.get("properties", {}))
        kind = properties.pop("opencti_type", None)
        if isinstance(kind, str) and kind in OPENCTI_CASE_TYPES and obj["type"] == "report":
            new_id = kind + "--" + obj["id"].split("--", 1)[1]
            self.renamed[obj["id"]] = new_id
            obj.update(type=kind, id=new_id)
        for name in properties.pop("infoshare_added", None) or []:
            if isinstance(name, str):
                obj.pop(name, None)
        for name, value in properties.items():
            if name == "opencti_extension" and isinstance(value, dict):
                extensions = extensions_of(obj, where, create=True)
                extensions[EXT_OCTI] = {**extensions.get(EXT_OCTI, {}), **value}
            elif name == "mitre_extension" and isinstance(value, dict):
                extensions = extensions_of(obj, where, create=True)
                mitre: dict[str, Any] = {"extension_type": "property-extension"}
                if isinstance(obj.get("x_mitre_id"), str):
                    mitre["id"] = obj["x_mitre_id"]
                extensions[EXT_MITRE] = {**mitre, **value}
            else:
                obj[name] = value

    def run(self, objects: list[dict[str, Any]]) -> Conversion:
        created = latest_timestamp(objects)
        kept_types = {o["id"] for o in objects if o["type"] in OPENCTI_TYPES}
        # Where a note goes when what it carries names nothing OpenCTI holds: the case.
        anchors = [o["id"] for o in objects if o["type"] == "incident"] + [
            o["id"] for o in objects if o["type"] == "report"
        ]
        others = sorted(i for i in kept_types if not i.startswith("marking-definition--"))
        fallback = (anchors or others)[:1]
        out: list[dict[str, Any]] = []
        notes: list[dict[str, Any]] = []
        # Notes an earlier conversion from OpenCTI wrote: OpenCTI's own properties go back.
        restored: dict[tuple[str, str], dict[str, Any]] = {}
        carried: dict[str, str] = {}  # note id -> the object it carries whole
        in_notes: dict[str, str] = {}  # object carried whole -> its note's id
        for obj in objects:
            body = read_kept_aside(obj)
            if body is not None:
                restored[(body["object"], str(body.get("version", "")))] = body
                if "whole_object" in body:
                    carried[obj["id"]] = body["object"]
        for key, body in restored.items():
            if "whole_object" in body and body["whole_object"].get("id") == key[0]:
                out.append(copy.deepcopy(body["whole_object"]))
        for index, original in enumerate(objects):
            where = f"$.objects[{index}]"
            if read_kept_aside(original) is not None:
                continue
            obj = copy.deepcopy(original)
            kind = obj["type"]
            if kind == "marking-definition" and obj["id"] in TLP_LEVEL_OF_ID:
                self.tlp_levels.add(TLP_LEVEL_OF_ID[obj["id"]])
                continue
            if kind == "extension-definition":
                continue
            self._markings(obj, where)
            whole = kind not in OPENCTI_TYPES
            if kind == "relationship":
                source, target = obj.get("source_ref"), obj.get("target_ref")
                rel = obj.get("relationship_type")
                if not (
                    isinstance(source, str) and isinstance(target, str) and isinstance(rel, str)
                ):
                    raise ConversionError(
                        f"{where}: a relationship needs relationship_type, source_ref, target_ref"
                    )
                ends = (source.split("--")[0], rel, target.split("--")[0])
                if ends in RENAMED_OUT:
                    obj["relationship_type"] = rel = RENAMED_OUT[ends]
                    source_type, old, target_type = ends
                    self.notes.append(
                        f"'{source_type} {old} {target_type}' written as OpenCTI's "
                        f"'{source_type} {rel} {target_type}'"
                    )
                whole = not opencti_accepts(ends[0], rel, ends[2])
            if whole:
                refs = [
                    r
                    for r in reference_ids(original)
                    if r in kept_types
                    and r != original.get("created_by_ref")
                    and not r.startswith(("marking-definition--", "relationship--"))
                ] or fallback
                if not refs:
                    raise ConversionError(
                        f"{where}: {original['id']} has no home in OpenCTI and the bundle has no "
                        "object OpenCTI imports to attach it to",
                        hint="include the incident or report the object belongs to",
                    )
                notes.append(
                    kept_aside_note(
                        obj, refs[:50], direction=DIRECTION, whole_object=original, created=created
                    )
                )
                in_notes[original["id"]] = kept_aside_note_id(DIRECTION, obj)
                self._keep(
                    original,
                    f"{kind} object"
                    if kind != "relationship"
                    else f"relationship '{original.get('relationship_type')}'",
                    "OpenCTI does not import it"
                    if kind != "relationship"
                    else "OpenCTI refuses this relationship",
                    "kept-aside note (whole object)",
                )
                continue
            aside: dict[str, Any] = {}
            self._extensions_aside(obj, aside, where)
            self._typed(obj, aside, where)
            self._restore(obj, restored.get((obj["id"], str(obj.get("modified", "")))), where)
            out.append(obj)
            if aside:
                notes.append(
                    kept_aside_note(
                        obj, [obj["id"]], direction=DIRECTION, properties=aside, created=created
                    )
                )
        markings = [tlp_marking(level) for level in sorted(self.tlp_levels)]
        if self.disarm:
            self.notes.append(
                f"{self.disarm} DISARM citation(s) written as OpenCTI's DISARM connector writes "
                "them (source 'mitre-attack', x_mitre_id, kill chain 'disarm'), so OpenCTI "
                "merges them with the techniques it already holds"
            )
        if self.tlp_levels:
            self.notes.append(
                "TLP 2.0 markings written with OpenCTI's ids (TLP:CLEAR on TLP 1.0 WHITE's id, "
                "the other colours on their TLP 1.0 ids, AMBER+STRICT on OpenCTI's own)"
            )
        objects_out = markings + out + notes
        point_object_refs(objects_out, carried)
        point_object_refs(out, in_notes)
        rename_references(objects_out, self.renamed)
        bundle = {"type": "bundle", "id": bundle_id(DIRECTION, objects_out), "objects": objects_out}
        report = ConversionReport(
            source="profile",
            target="opencti",
            converted=dict(sorted(Counter(o["type"] for o in objects_out).items())),
            kept_aside=tuple(self.kept),
            notes=tuple(dict.fromkeys(self.notes)),
        )
        return Conversion(bundle, report)


def profile_to_opencti(bundle: object, options: ConversionOptions | None = None) -> Conversion:
    """Convert a bundle of the profile (parsed) into the STIX 2.1 form OpenCTI imports.

    Raises :class:`~infoshare.errors.ConversionError` naming the JSON path when the
    input is not a STIX bundle. See docs/bridges-opencti.md.
    """
    return _Outbound(options or ConversionOptions()).run(read_bundle(bundle, "profile"))
