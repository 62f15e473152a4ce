"""OpenCTI → profile: read an OpenCTI STIX 2.1 export as a case of the profile.

What is mapped, kept aside and needed is listed in docs/bridges-opencti.md ("OpenCTI →
profile"); the profile sections it writes to are spec/profile/03 (incident),
04 (narrative), 05 (channel), 06 (media-content), 08 (event), 09.3 (DISARM) and
12 (TLP 2.0 markings).
"""

from __future__ import annotations

import copy
import uuid
from collections import Counter
from typing import Any, Final

from infoshare._spec_files import load_spec_json
from infoshare.convert._model import (
    Conversion,
    ConversionOptions,
    ConversionReport,
    KeptAside,
    Needed,
)
from infoshare.convert.opencti._common import (
    CONVERTER_NAMESPACE,
    NoteAnchors,
    bundle_id,
    expect,
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
    OPENCTI_ONLY_TYPES,
    RENAMED_IN,
    TLP_LEVEL_OF_ID,
    TLP_LEVEL_OF_LABEL,
)
from infoshare.errors import ConversionError
from infoshare.markings import TLP_2_0_IDS, canonical_tlp_marking
from infoshare.profile import (
    EXT_CHANNEL,
    EXT_FIMI_INCIDENT,
    EXT_MEDIA_CONTENT,
    EXT_NARRATIVE,
    EXT_OASIS_EVENT,
    EXT_OASIS_TASK,
)
from infoshare.reference import countries, disarm_framework
from infoshare.validation.checks.relationships import TABLE as PROFILE_RELATIONSHIPS

DIRECTION: Final = "opencti-to-profile"

#: Fields of OpenCTI's own extension that only OpenCTI's database needs: its internal
#: ids, dates and inference flags. OpenCTI makes them again on import, so they are
#: not kept (docs/bridges-opencti.md lists them as lost).
OCTI_BOOKKEEPING: Final = frozenset(
    {
        "extension_type",
        "id",
        "type",
        "created_at",
        "updated_at",
        "is_inferred",
        "creator_ids",
        "stix_ids",
        "labels_ids",
        "source_ref",
        "source_type",
        "source_value",
        "target_ref",
        "target_type",
        "target_value",
        "sighting_of_ref",
        "sighting_of_type",
        "sighting_of_value",
        "where_sighted_refs",
        "where_sighted_types",
        "where_sighted_values",
        "source_ref_object_marking_refs",
        "target_ref_object_marking_refs",
        "source_ref_granted_refs",
        "target_ref_granted_refs",
        "source_ref_pir_refs",
        "target_ref_pir_refs",
        "sighting_of_ref_object_marking_refs",
        "where_sighted_refs_object_marking_refs",
        "files",
    }
)

#: Kept-aside entries whose source property has another name, and the converter's own
#: markers in a kept-aside note (what a Case-Incident was, what the converter added).
_SOURCE_PROPERTY: Final = {"opencti_extension": "extensions", "mitre_extension": "extensions"}
_MARKERS: Final = frozenset({"opencti_type", "infoshare_added"})

#: Top-level forms of the bookkeeping fields above (pycti's export form).
X_OPENCTI_BOOKKEEPING: Final = frozenset({"x_opencti_id", "x_opencti_stix_ids"})

#: Top-level ``x_opencti_*`` properties (pycti's export form) that have a STIX home.
X_OPENCTI_HOMES: Final = {"x_opencti_aliases": "aliases", "x_opencti_description": "description"}

#: Properties STIX 2.1 does not give cyber-observables, which OpenCTI writes on them.
OPENCTI_SCO_EXTRAS: Final = (
    "labels",
    "score",
    "created_by_ref",
    "external_references",
    "created",
    "modified",
)

#: Channel types OpenCTI's vocabulary (channel_types_ov) names by platform.
_PLATFORM_WORDS: Final = {
    "facebook": "facebook",
    "twitter": "x",
    "x": "x",
    "telegram": "telegram",
    "youtube": "youtube",
    "instagram": "instagram",
    "tiktok": "tiktok",
    "whatsapp": "whatsapp",
    "line": "line",
    "vkontakte": "vk",
    "vk": "vk",
    "website": "website",
}
_CHANNEL_TYPE_OF_PLATFORM: Final = {
    "telegram": "messaging-channel",
    "youtube": "video-channel",
    "website": "website",
}

#: The profile's FIMI types (spec/vocabularies/fimi-type-ov.json).
_FIMI_TYPES: Final = frozenset(
    term["value"] if isinstance(term, dict) else term
    for term in load_spec_json("vocabularies/fimi-type-ov.json")["terms"]
)

#: Country names (lower case) -> ISO 3166-1 alpha-2, for OpenCTI's location names.
_COUNTRY_CODES: Final = {c.name.lower(): code for code, c in countries().items()}


class _Inbound:
    def __init__(self, options: ConversionOptions) -> None:
        self.options = options
        self.kept: list[KeptAside] = []
        self.notes: list[str] = []
        self.levels: dict[str, str] = {}
        self.opencti_tlp_seen = False
        self.defaults: Counter[str] = Counter()
        #: OpenCTI ids the profile writes otherwise (a Case-Incident becomes a report).
        self.renamed: dict[str, str] = {}

    # --- markings ---------------------------------------------------------------

    def _tlp_level(self, obj: dict[str, Any]) -> str | None:
        """The TLP level a marking-definition stands for, or None for other markings."""
        if obj["id"] in TLP_LEVEL_OF_ID:
            return TLP_LEVEL_OF_ID[obj["id"]]
        kind = obj.get("definition_type")
        if isinstance(kind, str) and kind.lower() == "tlp":
            name = obj.get("name")
            if isinstance(name, str) and name.upper() in TLP_LEVEL_OF_LABEL:
                return TLP_LEVEL_OF_LABEL[name.upper()]
            definition = obj.get("definition")
            if isinstance(definition, dict) and isinstance(definition.get("tlp"), str):
                return TLP_LEVEL_OF_LABEL.get("TLP:" + definition["tlp"].upper())
        return None

    def _remap_markings(self, obj: dict[str, Any], where: str) -> None:
        refs = string_list(obj, "object_marking_refs", where)
        if not refs:
            obj.pop("object_marking_refs", None)
            return
        out: list[str] = []
        for ref in refs:
            level = self.levels.get(ref) or TLP_LEVEL_OF_ID.get(ref)
            new = TLP_2_0_IDS[level] if level else ref
            if new != ref:
                self.opencti_tlp_seen = True
            if new not in out:
                out.append(new)
        obj["object_marking_refs"] = out
        granular = expect(obj, "granular_markings", list, where)
        for index, item in enumerate(granular or []):
            if isinstance(item, dict) and isinstance(item.get("marking_ref"), str):
                level = self.levels.get(item["marking_ref"])
                if level:
                    item["marking_ref"] = TLP_2_0_IDS[level]
            elif not isinstance(item, dict):
                raise ConversionError(f"{where}.granular_markings[{index}]: expected an object")

    # --- OpenCTI's own properties ------------------------------------------------

    def _take_opencti_properties(self, obj: dict[str, Any], where: str) -> dict[str, Any]:
        """Remove OpenCTI's extensions and x_opencti_* properties; return what to keep aside."""
        aside: dict[str, Any] = {}
        extensions = expect(obj, "extensions", dict, where)
        if extensions is not None:
            for ext_id in (EXT_OCTI, EXT_OCTI_SCO, EXT_MITRE):
                block = extensions.pop(ext_id, None)
                if block is None:
                    continue
                if not isinstance(block, dict):
                    raise ConversionError(f"{where}.extensions[{ext_id!r}]: expected an object")
                if ext_id == EXT_OCTI:
                    kept = {k: v for k, v in block.items() if k not in OCTI_BOOKKEEPING}
                    if kept:
                        aside["opencti_extension"] = kept
                elif ext_id == EXT_MITRE:
                    kept = {k: v for k, v in block.items() if k not in ("extension_type", "id")}
                    if kept:
                        aside["mitre_extension"] = kept
            if not extensions:
                del obj["extensions"]
        mitre_id = obj.pop("x_mitre_id", None)
        if mitre_id is not None and not any(
            isinstance(ref, dict) and ref.get("external_id") == mitre_id
            for ref in list_of(obj, "external_references", where)
        ):
            aside["x_mitre_id"] = mitre_id
        for name in [k for k in obj if k.startswith("x_opencti_")]:
            value = obj.pop(name)
            if name in X_OPENCTI_BOOKKEEPING:
                continue
            home = X_OPENCTI_HOMES.get(name)
            # Domain objects have both homes; of the observables only a post has a
            # description (§6), and relationships and sightings have neither.
            sdo = "created" in obj and obj["type"] not in ("relationship", "sighting")
            post = obj["type"] == "media-content" and home == "description"
            if home and home not in obj and (sdo or post):
                obj[home] = value
            else:
                aside[name] = value
        return aside

    @staticmethod
    def _restore(obj: dict[str, Any], body: dict[str, Any] | None) -> None:
        """Put back the properties an earlier conversion to OpenCTI kept aside."""
        if body is None:
            return
        for name, value in body.get("properties", {}).items():
            if name == "extensions" and isinstance(value, dict):
                current = obj.get("extensions")
                obj["extensions"] = {**(current if isinstance(current, dict) else {}), **value}
            else:
                obj[name] = value

    # --- per type ------------------------------------------------------------------

    def _incident(self, obj: dict[str, Any], where: str, aside: dict[str, Any]) -> None:
        incident_type = expect(obj, "incident_type", str, where)
        for name in ("objective", "severity", "source", "incident_type"):
            if name in obj:
                aside[name] = obj.pop(name)
        if EXT_FIMI_INCIDENT in extensions_of(obj, where):
            for name in ("first_seen", "last_seen"):
                obj.pop(name, None)  # copies of the extension's, written for OpenCTI
            return
        labels = string_list(obj, "labels", where)
        # The FIMI types OpenCTI can state: its labels and its incident type, where they
        # are words of the profile's vocabulary (§11, fimi-type-ov).
        words = [*labels, *([incident_type] if incident_type else [])]
        fimi_types = list(dict.fromkeys(w for w in words if w in _FIMI_TYPES))
        extension: dict[str, Any] = {
            "extension_type": "property-extension",
            "determination": "suspected",
            "investigation_status": "open",
            "fimi_types": fimi_types or ["disinformation"],
        }
        self.defaults["determination 'suspected'"] += 1
        self.defaults["investigation_status 'open'"] += 1
        if not fimi_types:
            self.defaults["fimi_types ['disinformation']"] += 1
        for name in ("first_seen", "last_seen"):
            value = expect(obj, name, str, where)
            if value is not None:
                extension[name] = obj.pop(name)
        extensions_of(obj, where, create=True)[EXT_FIMI_INCIDENT] = extension

    def _channel(self, obj: dict[str, Any], where: str, aside: dict[str, Any]) -> None:
        kinds = string_list(obj, "channel_types", where)
        platform = None
        out: list[str] = []
        for kind in kinds:
            word = _PLATFORM_WORDS.get(kind.lower())
            if word is not None:
                platform = platform or word
                mapped = _CHANNEL_TYPE_OF_PLATFORM.get(word, "social-media-page")
                if mapped not in out:
                    out.append(mapped)
            elif kind not in out:
                out.append(kind)
        if kinds:
            obj["channel_types"] = out
            if out != kinds:
                aside["channel_types"] = kinds  # OpenCTI's own words, for the way back
        if platform and "platform" not in obj:
            obj["platform"] = platform
        extensions_of(obj, where, create=True)[EXT_CHANNEL] = {"extension_type": "new-sdo"}

    def _event(self, obj: dict[str, Any], where: str) -> None:
        stop = expect(obj, "stop_time", str, where)
        if stop is not None:
            obj["end_time"] = obj.pop("stop_time")
        if "status" not in obj:
            obj["status"] = "occurred" if stop is not None else "undetermined"
            self.defaults[f"event status '{obj['status']}'"] += 1
        extensions_of(obj, where, create=True)[EXT_OASIS_EVENT] = {"extension_type": "new-sdo"}

    def _media_content(self, obj: dict[str, Any], where: str, aside: dict[str, Any]) -> None:
        for name in OPENCTI_SCO_EXTRAS:
            if name in obj:
                aside[name] = obj.pop(name)
        extensions_of(obj, where, create=True)[EXT_MEDIA_CONTENT] = {"extension_type": "new-sco"}

    def _location(self, obj: dict[str, Any], where: str, aside: dict[str, Any]) -> None:
        country = expect(obj, "country", str, where)
        if country is not None and len(country) != 2:
            code = _COUNTRY_CODES.get(country.lower())
            if code is not None:
                aside["country"] = country  # OpenCTI's own word, for the way back
                obj["country"] = code
                self.defaults["country names read as ISO 3166-1 codes"] += 1

    def _disarm(self, obj: dict[str, Any], where: str) -> None:
        """DISARM as OpenCTI's connector writes it -> the profile's citation (§9.3)."""
        phases = expect(obj, "kill_chain_phases", list, where) or []
        disarm_chain = any(
            isinstance(p, dict) and p.get("kill_chain_name") == "disarm" for p in phases
        )
        framework = disarm_framework()
        refs = expect(obj, "external_references", list, where) or []
        for index, ref in enumerate(refs):
            if not isinstance(ref, dict):
                raise ConversionError(f"{where}.external_references[{index}]: expected an object")
            source, ext_id = ref.get("source_name"), ref.get("external_id")
            if not (isinstance(source, str) and source.startswith("mitre-")):
                continue
            if not isinstance(ext_id, str):
                continue
            known = (
                framework.technique(ext_id)
                if obj["type"] == "attack-pattern"
                else framework.counter(ext_id)
            )
            if known is not None and (disarm_chain or obj["type"] == "course-of-action"):
                ref["source_name"] = "DISARM"
                self.defaults["DISARM citations from OpenCTI's connector normalised"] += 1

    def _case(self, obj: dict[str, Any], where: str, aside: dict[str, Any]) -> None:
        """OpenCTI's Case-Incident -> a report of the profile grouping the case's objects."""
        refs = string_list(obj, "object_refs", where)
        old_id = obj["id"]
        obj["id"] = "report--" + old_id.split("--", 1)[1]
        self.renamed[old_id] = obj["id"]
        aside["opencti_type"] = obj["type"]
        obj["type"] = "report"
        for name in ("severity", "priority", "response_types", "content"):
            if name in obj:
                aside[name] = obj.pop(name)
        added = [name for name in ("report_types", "published") if name not in obj]
        obj.setdefault("report_types", ["threat-report"])
        published = obj.get("created") or obj.get("modified")
        if "published" not in obj and isinstance(published, str):
            obj["published"] = published
        if added:
            aside["infoshare_added"] = added
        if not refs:
            obj["object_refs"] = [obj["id"]]
            aside.setdefault("infoshare_added", []).append("object_refs")

    # --- relationships ---------------------------------------------------------------

    def _relationship(self, obj: dict[str, Any], where: str) -> bool:
        """Rename OpenCTI's words; False when the profile has no such relationship."""
        kind = expect(obj, "relationship_type", str, where)
        source = expect(obj, "source_ref", str, where)
        target = expect(obj, "target_ref", str, where)
        if kind is None or source is None or target is None:
            raise ConversionError(
                f"{where}: a relationship needs relationship_type, source_ref, target_ref"
            )
        source_type, target_type = source.split("--")[0], target.split("--")[0]
        renamed = RENAMED_IN.get((source_type, kind, target_type))
        if renamed:
            obj["relationship_type"] = kind = renamed
        return not PROFILE_RELATIONSHIPS.defines(kind) or PROFILE_RELATIONSHIPS.allows(
            kind, source_type, target_type
        )

    # --- the whole bundle ---------------------------------------------------------------

    def run(self, objects: list[dict[str, Any]]) -> Conversion:
        created = latest_timestamp(objects)
        restored: dict[tuple[str, str], dict[str, Any]] = {}
        #: note id -> the object it carries whole, from a conversion to OpenCTI.
        carried: dict[str, str] = {}
        out: list[dict[str, Any]] = []
        asides: list[tuple[dict[str, Any], dict[str, Any], list[str], dict[str, Any]]] = []
        for obj in objects:
            if obj["type"] == "marking-definition":
                level = self._tlp_level(obj)
                if level is not None:
                    self.levels[obj["id"]] = level
            body = read_kept_aside(obj)
            if body is not None:
                restored[(body["object"], str(body.get("version", "")))] = body
                if "whole_object" in body:
                    carried[obj["id"]] = body["object"]
        for index, obj in enumerate(objects):
            where = f"$.objects[{index}]"
            if read_kept_aside(obj) is not None:
                continue
            if obj["id"] in self.levels:
                continue
            self._restore(obj, restored.get((obj["id"], str(obj.get("modified", "")))))
            kind = obj["type"]
            opencti_only = kind in OPENCTI_ONLY_TYPES or (
                kind == "task" and EXT_OASIS_TASK not in extensions_of(obj, where)
            )
            original = copy.deepcopy(obj) if kind == "relationship" or opencti_only else obj
            self._remap_markings(obj, where)
            if opencti_only:
                asides.append((original, {}, string_list(obj, "object_refs", where), obj))
                self.kept.append(
                    KeptAside(
                        obj["id"],
                        f"{kind} object",
                        "whole object in a kept-aside note",
                        "an OpenCTI type the profile does not define",
                    )
                )
                continue
            aside = self._take_opencti_properties(obj, where)
            if kind in OPENCTI_CASE_TYPES:
                self._case(obj, where, aside)
            elif kind == "incident":
                self._incident(obj, where, aside)
            elif kind == "narrative":
                extensions_of(obj, where, create=True)[EXT_NARRATIVE] = {
                    "extension_type": "new-sdo"
                }
            elif kind == "channel":
                self._channel(obj, where, aside)
            elif kind == "event":
                self._event(obj, where)
            elif kind == "media-content":
                self._media_content(obj, where, aside)
            elif kind == "location":
                self._location(obj, where, aside)
            elif kind in ("attack-pattern", "course-of-action"):
                self._disarm(obj, where)
            if kind == "relationship" and not self._relationship(obj, where):
                # The whole relationship as OpenCTI wrote it, so the way back restores it.
                asides.append((original, {}, [obj["source_ref"]], obj))
                self.kept.append(
                    KeptAside(
                        obj["id"],
                        f"relationship '{obj['relationship_type']}' "
                        f"{obj['source_ref'].split('--')[0]} -> {obj['target_ref'].split('--')[0]}",
                        "whole object in a kept-aside note on its source",
                        "the profile's relationship table has no such relationship",
                    )
                )
                continue
            out.append(obj)
            if aside:
                asides.append((obj, aside, [], obj))
                # Named by the source property they came from (OpenCTI's extensions are
                # one property, "extensions"); the converter's own markers are not listed.
                reported = {_SOURCE_PROPERTY.get(name, name) for name in aside} - _MARKERS
                for name in sorted(reported):
                    self.kept.append(
                        KeptAside(
                            obj["id"],
                            name,
                            "kept-aside note on the object",
                            "an OpenCTI property the profile has no field for",
                        )
                    )
        present = {(o["id"], str(o.get("modified", ""))) for o in out}
        for key, body in restored.items():
            whole = body.get("whole_object")
            if whole is not None and key not in present:
                out.append(whole)
                present.add(key)
        if restored:
            self.notes.append(
                f"{len(restored)} kept-aside note(s) written by an earlier conversion to "
                "OpenCTI were read back onto their objects"
            )
        point_object_refs(out, carried)
        rename_references(out, self.renamed)
        # A relationship to an object carried whole in a note goes with it.
        whole_ids = {self.renamed.get(o["id"], o["id"]) for o, aside, _, _ in asides if not aside}
        linked = [
            o
            for o in out
            if o["type"] == "relationship"
            and (o.get("source_ref") in whole_ids or o.get("target_ref") in whole_ids)
        ]
        if linked:
            gone = {id(rel) for rel in linked}
            out[:] = [o for o in out if id(o) not in gone]
        for rel in linked:
            asides.append((rel, {}, [rel["source_ref"]], rel))
            self.kept.append(
                KeptAside(
                    rel["id"],
                    f"relationship '{rel.get('relationship_type')}'",
                    "whole object in a kept-aside note on its source",
                    "it links an object kept aside whole",
                )
            )
        anchors = NoteAnchors([o["id"] for o in out])
        in_notes: dict[str, str] = {}
        for owner, aside, refs, marked_like in asides:
            whole = None if aside else owner
            if whole is not None:
                in_notes[owner["id"]] = kept_aside_note_id(DIRECTION, owner)
            out.append(
                kept_aside_note(
                    owner,
                    anchors.refs([self.renamed.get(r, r) for r in refs or [owner["id"]]]),
                    direction=DIRECTION,
                    properties=aside or None,
                    whole_object=whole,
                    created=created,
                    marked_like=marked_like,
                )
            )
        point_object_refs(out, in_notes)
        needed = self._supply(out, created, {TLP_2_0_IDS[level] for level in self.levels.values()})
        if self.opencti_tlp_seen:
            self.notes.append(
                "TLP markings given with OpenCTI's ids (TLP 1.0 ids, and TLP:CLEAR on TLP 1.0 "
                "WHITE's id) were replaced by the profile's TLP 2.0 marking-definitions"
            )
        for what, count in sorted(self.defaults.items()):
            self.notes.append(f"{what}: {count} object(s); review before sharing")
        return self._conversion(out, needed)

    def _supply(
        self, out: list[dict[str, Any]], created: str, levels_used: set[str]
    ) -> tuple[Needed, ...]:
        """Apply --tlp and --author where the source lacks them; list what is still needed.

        The profile requires a TLP marking on every object (§12), so an object without
        one is *needed*. An author is not required; ``--author`` only fills the
        ``created_by_ref`` OpenCTI left empty.
        """
        needed: list[Needed] = []
        author_id = None
        if self.options.author_name:
            author_id = (
                f"identity--{uuid.uuid5(CONVERTER_NAMESPACE, 'author:' + self.options.author_name)}"
            )
        unmarked: list[str] = []
        tlp_ids = set(TLP_2_0_IDS.values())
        for obj in out:
            refs = obj.get("object_marking_refs") or []
            if not any(ref in tlp_ids for ref in refs):
                if self.options.tlp:
                    obj["object_marking_refs"] = [*refs, TLP_2_0_IDS[self.options.tlp]]
                else:
                    unmarked.append(obj["id"])
            for ref in obj.get("object_marking_refs") or []:
                if ref in tlp_ids:
                    levels_used.add(ref)
            sco = obj["type"] in ("media-content", "user-account", "url", "domain-name")
            authored = sco or obj["type"] == "marking-definition" or "created_by_ref" in obj
            if author_id and not authored:
                obj["created_by_ref"] = author_id
        if author_id and not any(o["id"] == author_id for o in out):
            author: dict[str, Any] = {
                "type": "identity",
                "spec_version": "2.1",
                "id": author_id,
                "created": created,
                "modified": created,
                "name": self.options.author_name,
                "identity_class": "organization",
            }
            if self.options.tlp:
                author["object_marking_refs"] = [TLP_2_0_IDS[self.options.tlp]]
                levels_used.add(TLP_2_0_IDS[self.options.tlp])
            else:
                unmarked.append(author_id)
            out.append(author)
        for marking_id in sorted(levels_used):
            out.insert(0, canonical_tlp_marking(marking_id))
        if unmarked:
            needed.append(
                Needed(
                    "--tlp",
                    tuple(unmarked),
                    f"{len(unmarked)} object(s) carry no TLP marking, which the profile "
                    "requires (§12): give the TLP level to mark them with",
                )
            )
        return tuple(needed)

    def _conversion(self, out: list[dict[str, Any]], needed: tuple[Needed, ...]) -> Conversion:
        bundle = {
            "type": "bundle",
            "id": bundle_id(DIRECTION, out),
            "objects": out,
        }
        report = ConversionReport(
            source="opencti",
            target="profile",
            converted=dict(sorted(Counter(o["type"] for o in out).items())),
            kept_aside=tuple(self.kept),
            needed=needed,
            notes=tuple(self.notes),
        )
        return Conversion(bundle, report)


def opencti_to_profile(data: object, options: ConversionOptions | None = None) -> Conversion:
    """Convert an OpenCTI STIX 2.1 export (a parsed bundle) into a bundle of the profile.

    Raises :class:`~infoshare.errors.ConversionError` naming the JSON path when the
    input is not a bundle OpenCTI could have written. See docs/bridges-opencti.md.
    """
    options = options or ConversionOptions()
    if options.tlp is not None and options.tlp not in TLP_2_0_IDS:
        raise ConversionError(
            f"--tlp {options.tlp!r} is not a TLP 2.0 level",
            hint="use one of " + ", ".join(TLP_2_0_IDS),
        )
    return _Inbound(options).run(read_bundle(data, "OpenCTI"))
