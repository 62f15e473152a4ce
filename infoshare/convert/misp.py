"""MISP ↔ profile, through misp-stix, the MISP project's own converter.

misp-stix converts MISP events to STIX 2.1 and back for everything STIX has a
type for (attributes, standard objects, organisations, TLP tags). What it has
no mapping for — the profile's incident extension, narratives, posts, DISARM
techniques as DISARM — this bridge maps itself, around misp-stix:

========================  ==============================================
profile                   MISP
========================  ==============================================
incident (FIMI)           the event: uuid, ``info``, date, analysis
narrative                 ``narrative`` object (misp-objects template)
media-content (a post)    ``microblog`` object, author from its user-account
attack-pattern (DISARM)   cluster of the galaxy ``disarm-techniques``,
                          found by its MISP UUID
TLP 2.0 marking           ``tlp:`` tag (event tags mark every object that
                          has no marking of its own)
anything else             what misp-stix makes of it
========================  ==============================================

What neither has a place for in MISP (channels, tasks, impacts, language
content, the relationships between the objects above, the incident
extension's properties...) is **kept aside** as an event attribute of type
``text`` whose comment starts with :data:`KEPT_ASIDE` and whose value is the
object's JSON; the way back restores those objects exactly. From MISP to the
profile, what has no profile form (other MISP objects and galaxies, attributes
of the templates that have no property) is kept aside in a note,
"Kept aside from the MISP event". docs/bridges.md lists every mapping.

Ids are kept across a round trip: the incident takes the event's UUID, a
narrative its object's UUID, a post the deterministic id of its URL, and a
DISARM technique a stable id derived from the galaxy cluster's UUID.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final

from infoshare._spec_files import load_spec_json
from infoshare.convert._model import Conversion, ConversionOptions
from infoshare.convert._support import (
    Report,
    aside_note,
    bundle,
    bundle_objects,
    pad_timestamps,
    stable_id,
    tlp_marking_id,
    tlp_markings_in_use,
)
from infoshare.errors import ConversionError, SpecDataError, UsageError
from infoshare.markings import TLP_2_0_IDS
from infoshare.profile import (
    EXT_FIMI_INCIDENT,
    EXT_MEDIA_CONTENT,
    EXT_NARRATIVE,
    STIX_SPEC_VERSION,
)
from infoshare.reference import disarm_framework
from infoshare.stix.identifiers import expected_sco_id
from infoshare.stix.tlp import MARKING_LEVELS, level_rank

#: Comment prefix of the event attributes that hold profile objects MISP has no place for.
KEPT_ASIDE: Final = "infoshare kept aside:"
#: Comment prefix of the event attributes that hold the exact profile form of an object
#: misp-stix also converted (MISP users see misp-stix's form; the way back uses this one).
EXACT_COPY: Final = "infoshare exact copy:"
#: Comment of the event attribute that lists the UUIDs of what misp-stix wrote into the
#: event for infoshare; on the way back the exact copies stand in for those.
WRITTEN: Final = "infoshare wrote these MISP uuids"

#: The galaxy misp-galaxy gives DISARM techniques, and the tag namespace of its clusters.
DISARM_GALAXY: Final = "disarm-techniques"
DISARM_GALAXY_UUID: Final = "fb0e6978-2647-5a95-8324-7ebfd2f88b67"

#: misp-objects templates this bridge writes (name, template uuid, version): the versions
#: pymisp ships. Reading also takes the attributes of earlier versions (narrative 2:
#: narrative-description, first-seen, last-seen).
NARRATIVE_TEMPLATE: Final = ("narrative", "83bea299-514a-4719-a84b-f6fd0997fac1", "4")
MICROBLOG_TEMPLATE: Final = ("microblog", "8ec8c911-ddbe-4f5b-895b-fbff70c42a60", "20")

#: MISP ``analysis`` (0 initial, 1 ongoing, 2 completed) <-> incident investigation status.
_ANALYSIS_TO_STATUS: Final = {"0": "new", "1": "open", "2": "closed"}
_STATUS_TO_ANALYSIS: Final = {status: analysis for analysis, status in _ANALYSIS_TO_STATUS.items()}

#: STIX types misp-stix converts (everything else is kept aside).
_MISP_STIX_TYPES: Final = frozenset(
    {"attack-pattern", "campaign", "course-of-action", "identity", "indicator",
     "intrusion-set", "location", "malware", "observed-data", "report", "grouping",
     "threat-actor", "tool", "vulnerability", "sighting", "note", "opinion",
     "domain-name", "url", "ipv4-addr", "ipv6-addr", "email-addr", "file", "user-account",
     "autonomous-system", "mac-addr", "x509-certificate", "software", "artifact",
     "network-traffic", "process", "directory", "mutex", "windows-registry-key",
     "email-message"}
)  # fmt: skip

_DISARM_URL: Final = (
    "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/"
)


@dataclass(frozen=True, slots=True)
class GalaxyCluster:
    """One cluster of the MISP galaxy of DISARM techniques."""

    technique_id: str
    uuid: str
    value: str
    tactic: str | None = None

    @property
    def tag(self) -> str:
        return f'misp-galaxy:{DISARM_GALAXY}="{self.value}"'


@cache
def _clusters() -> tuple[dict[str, GalaxyCluster], dict[str, GalaxyCluster]]:
    """The DISARM galaxy clusters by technique id and by cluster UUID."""
    data = load_spec_json("reference/misp-galaxy-disarm-techniques.json")
    try:
        rows = [
            GalaxyCluster(r["id"], r["uuid"], r["value"], r.get("tactic")) for r in data["clusters"]
        ]
    except (KeyError, TypeError) as exc:
        raise SpecDataError(f"misp-galaxy-disarm-techniques.json malformed: {exc!r}") from exc
    by_id: dict[str, GalaxyCluster] = {}
    for row in rows:
        by_id.setdefault(row.technique_id, row)
    return by_id, {row.uuid: row for row in rows}


def _tagged_only(event: Mapping[str, Any], handled: set[str]) -> list[GalaxyCluster]:
    """DISARM clusters the event names only by tag (no Galaxy entry), found by value;
    ``handled``: the ids of the clusters already read from the Galaxy entries."""
    by_value = {c.value: c for c in _clusters()[1].values()}
    found: list[GalaxyCluster] = []
    prefix = f'misp-galaxy:{DISARM_GALAXY}="'
    for tag in event.get("Tag", []) or []:
        name = str(tag.get("name", "")) if isinstance(tag, dict) else ""
        cluster = by_value.get(name[len(prefix) : -1]) if name.startswith(prefix) else None
        if (
            cluster is not None
            and f"x-misp-galaxy-cluster--{cluster.uuid}" not in handled
            and cluster not in found
        ):
            found.append(cluster)
    return found


def technique_id_of(cluster_uuid: str) -> str | None:
    """The DISARM technique a galaxy cluster stands for, by the cluster's UUID."""
    found = _clusters()[1].get(cluster_uuid)
    return found.technique_id if found is not None else None


def cluster_of(technique_id: str) -> GalaxyCluster | None:
    """The galaxy cluster of a DISARM technique, or None when the galaxy has none."""
    return _clusters()[0].get(technique_id)


def technique_stix_id(cluster_uuid: str) -> str:
    """The id a DISARM technique tagged with this cluster gets in the profile."""
    return stable_id("attack-pattern", "misp-galaxy", cluster_uuid)


def _misp_stix() -> Any:
    """The misp-stix package (imported only when a MISP conversion runs)."""
    try:
        import misp_stix_converter
    except ModuleNotFoundError as exc:
        raise UsageError(
            f"MISP conversions need the package {exc.name or 'misp-stix'!r}",
            hint="install the bridges with: pip install 'infoshare[bridges]'",
        ) from None
    return misp_stix_converter


def _uuid_of(stix_id: str) -> str:
    return stix_id.split("--", 1)[1]


def _disarm_id(obj: Mapping[str, Any]) -> str | None:
    for ref in obj.get("external_references", ()) or ():
        if isinstance(ref, dict) and disarm_framework().technique(str(ref.get("external_id"))):
            return str(ref["external_id"])
    return None


def _timestamp(value: Any) -> str | None:
    """A MISP date, datetime or epoch seconds as a STIX timestamp, or None."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        try:
            moment = datetime.fromtimestamp(int(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    else:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


# --------------------------------------------------------------------------- MISP -> profile


def _event_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The event of a MISP event document ({"Event": {...}} or the event itself)."""
    if not isinstance(data, Mapping):
        raise ConversionError("misp input at $: expected a MISP event (a JSON object)")
    event = data.get("Event", data)
    path = "$.Event" if "Event" in data else "$"
    if not isinstance(event, dict):
        raise ConversionError(f"misp input at {path}: expected a MISP event object")
    if not isinstance(event.get("info"), str):
        raise ConversionError(
            f"misp input at {path}.info: a MISP event needs its info (title) as a string",
            hint="export the event from MISP as JSON (Event → Download as → MISP JSON)",
        )
    for key in ("Attribute", "Object", "Tag", "Galaxy"):
        if key in event and not isinstance(event[key], list):
            raise ConversionError(f"misp input at {path}.{key}: expected a JSON array")
    for index, item in enumerate(event.get("Object", [])):
        if not isinstance(item, dict) or not isinstance(item.get("Attribute", []), list):
            raise ConversionError(
                f"misp input at {path}.Object[{index}]: expected an object with an Attribute array"
            )
    return event


def misp_to_profile(data: Mapping[str, Any], options: ConversionOptions) -> Conversion:
    """Convert a MISP event to a profile bundle (see the module docstring)."""
    event = _event_of(data)
    report = Report("misp", "profile")
    marking = tlp_marking_id(options)
    objects = _misp_stix_objects(data if "Event" in data else {"Event": event}, report)
    event_uuid = str(event.get("uuid") or "")
    incident_id = f"incident--{event_uuid}" if event_uuid else stable_id("incident", event["info"])
    aside: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    restored: list[dict[str, Any]] = []
    author_id = next((o["id"] for o in objects if o["type"] == "identity"), None)
    event_markings: list[str] = _tlp_tags(event)
    case_refs: list[str] = []
    renamed: dict[str, str] = {}
    written: set[str] = set()
    raw_objects = {str(o.get("uuid")): o for o in event.get("Object", []) if isinstance(o, dict)}
    for obj in objects:
        comment = str(obj.get("x_misp_comment", "")) if obj["type"] == "x-misp-attribute" else ""
        if comment.startswith((KEPT_ASIDE, EXACT_COPY)):
            restored.append(_restore(obj))
        elif comment == WRITTEN:
            written.update(_written(obj))
    back = {_uuid_of(o["id"]) for o in restored} | written

    for obj in objects:
        kind = obj["type"]
        if _uuid_of(obj["id"]) in back or str(obj.get("x_misp_comment", "")).startswith(
            (KEPT_ASIDE, EXACT_COPY, WRITTEN)
        ):
            continue  # written by infoshare: its exact copy stands in for it
        if kind == "marking-definition":
            level = MARKING_LEVELS.get(obj["id"])
            if level is not None:
                event_markings.append(TLP_2_0_IDS[level])
            continue
        if kind in ("grouping", "report") and _uuid_of(obj["id"]) == event_uuid:
            out.append(obj)
            continue
        if kind == "x-misp-object" and obj.get("x_misp_name") == NARRATIVE_TEMPLATE[0]:
            out.append(
                _narrative_from(obj, raw_objects.get(_uuid_of(obj["id"]), {}), aside, report)
            )
            case_refs.append(out[-1]["id"])
            renamed[obj["id"]] = out[-1]["id"]
            continue
        if kind == "x-misp-object" and obj.get("x_misp_name") == MICROBLOG_TEMPLATE[0]:
            made = _post_from(obj, aside, report)
            out.extend(made)
            if made:
                renamed[obj["id"]] = made[-1]["id"]
            continue
        if kind == "x-misp-galaxy-cluster" and obj.get("x_misp_type") == DISARM_GALAXY:
            technique = _technique_from(obj, aside, report)
            if technique is not None:
                out.append(technique)
                case_refs.append(technique["id"])
                renamed[obj["id"]] = technique["id"]
            continue
        if kind.startswith("x-misp-"):
            aside[obj["id"]] = {"object": obj}
            what = obj.get("x_misp_name") or obj.get("x_misp_type") or kind
            report.keep_aside(obj["id"], str(what), "note (kept aside)",
                              "the profile has no form for this MISP object or galaxy")  # fmt: skip
            continue
        out.append(obj)

    if restored:
        report.note(
            f"{len(restored)} objects written by infoshare into the event came back as they were"
        )
    incident = _incident_from(event, incident_id, author_id, report)
    for cluster in _tagged_only(event, {*renamed, *aside}):
        tagged = {
            "id": f"x-misp-galaxy-cluster--{cluster.uuid}",
            "created": incident["created"],
            "modified": incident["created"],
            "x_misp_value": cluster.value,
            "x_misp_meta": {"external_id": [cluster.technique_id]},
        }
        technique = _technique_from(tagged, aside, report)
        if technique is not None:
            out.append(technique)
            case_refs.append(technique["id"])
    _aside_event_fields(event, incident_id, objects, aside, report)
    present = {o["id"] for o in out} | {o["id"] for o in restored}
    if incident_id not in present:
        out.insert(0, incident)
    restored_ids = {o["id"] for o in restored}
    out = [o for o in out if o["id"] not in restored_ids] + restored
    out = list({_version(o): o for o in reversed(out)}.values())[::-1]  # one of each version
    present = {o["id"] for o in out}
    stated = {
        (o.get("source_ref"), o.get("relationship_type"), o.get("target_ref"))
        for o in out
        if o["type"] == "relationship"
    }
    for target in case_refs:
        if (incident_id, "uses", target) not in stated:
            out.append(_relationship(incident_id, "uses", target, author_id, incident["created"]))
    for obj in out:
        if obj["type"] in ("grouping", "report") and incident_id not in obj.get("object_refs", []):
            obj["object_refs"] = [*obj.get("object_refs", []), incident_id]
    out = _follow(out, renamed, aside, report)
    _mark(out, event_markings, marking, report)
    if aside:
        tlp = _strictest(event_markings) or marking
        out.append(aside_note("Kept aside from the MISP event", aside, out, author_id, tlp))
    for obj in out:
        pad_timestamps(obj)
    out = tlp_markings_in_use(out) + [o for o in out if o["type"] != "marking-definition"]
    return Conversion(
        output=bundle(out, f"misp {event_uuid or event['info']}"),
        report=report.finish(o["type"] for o in out),
    )


def _follow(
    objects: list[dict[str, Any]],
    renamed: Mapping[str, str],
    aside: dict[str, dict[str, Any]],
    report: Report,
) -> list[dict[str, Any]]:
    """References follow renamed objects; references to objects kept aside are dropped
    from lists, and a relationship that leads to one is kept aside with it."""
    present = {o["id"] for o in objects}
    out: list[dict[str, Any]] = []
    for obj in objects:
        for key in ("object_refs", "where_sighted_refs", "observed_data_refs"):
            refs = obj.get(key)
            if isinstance(refs, list):
                kept = [renamed.get(r, r) for r in refs]
                gone = [r for r in kept if r not in present]
                if gone:
                    aside.setdefault(obj["id"], {})[key] = gone
                kept = [r for r in kept if r in present]
                if kept:
                    obj[key] = kept
                else:
                    obj.pop(key)
        if obj["type"] in ("grouping", "report", "note", "opinion") and "object_refs" not in obj:
            aside.setdefault(obj["id"], {})["object"] = obj
            report.keep_aside(obj["id"], obj["type"], "note (kept aside)",
                              "every object it named was kept aside")  # fmt: skip
            continue
        for key in ("source_ref", "target_ref", "sighting_of_ref"):
            if isinstance(obj.get(key), str):
                obj[key] = renamed.get(obj[key], obj[key])
        ends = [obj.get(k) for k in ("source_ref", "target_ref", "sighting_of_ref") if obj.get(k)]
        if any(end not in present for end in ends):
            aside.setdefault(obj["id"], {})["object"] = obj
            report.keep_aside(obj["id"], obj["type"], "note (kept aside)",
                              "it links an object that was kept aside")  # fmt: skip
            continue
        out.append(obj)
    return out


class _Messages(logging.Handler):
    """Collects what misp-stix and pymisp log, for the report instead of the terminal."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _library_messages(report: Report | None) -> Iterator[None]:
    """While misp-stix runs, its and pymisp's log lines become notes of the report."""
    handler = _Messages()
    loggers = [logging.getLogger(name) for name in ("pymisp", "misp_stix_converter")]
    saved = [(lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
        lg.setLevel(logging.INFO)
    try:
        yield
    finally:
        for lg, (propagate, level) in zip(loggers, saved, strict=True):
            lg.removeHandler(handler)
            lg.propagate = propagate
            lg.setLevel(level)
        if report is not None:
            for message in handler.messages:
                report.note(f"misp-stix: {message}")


def _misp_stix_objects(
    document: Mapping[str, Any], report: Report | None = None
) -> list[dict[str, Any]]:
    """misp-stix's STIX 2.1 form of the event, as plain JSON objects."""
    misp_stix = _misp_stix()
    parser = misp_stix.MISPtoSTIX21Parser()
    try:
        with _library_messages(report):
            parser.parse_misp_event(copy.deepcopy(dict(document)))
            converted = json.loads(parser.bundle.serialize())
    except Exception as exc:  # misp-stix raises many kinds on input it cannot read
        raise ConversionError(
            f"misp input: misp-stix cannot read the event: {type(exc).__name__}: {exc}",
            hint="check that the file is a MISP event exported as MISP JSON",
        ) from None
    objects = converted.get("objects", [])
    return [o for o in objects if isinstance(o, dict)]


def _version(obj: Mapping[str, Any]) -> tuple[str, str]:
    """What tells two objects apart: the id, and for versioned objects ``modified``."""
    return obj["id"], str(obj.get("modified", ""))


def _written(obj: Mapping[str, Any]) -> set[str]:
    try:
        found = json.loads(str(obj.get("x_misp_value")))
    except ValueError:
        found = None
    if not isinstance(found, list):
        raise ConversionError(f"misp input: attribute {obj.get('id')} ({WRITTEN}) is not a list")
    return {str(u) for u in found}


def _restore(obj: Mapping[str, Any]) -> dict[str, Any]:
    text = obj.get("x_misp_value")
    try:
        restored = json.loads(str(text))
    except ValueError:
        raise ConversionError(
            f"misp input: the kept-aside attribute {obj.get('id')} does not hold JSON",
            hint=f"attributes whose comment starts with {KEPT_ASIDE!r} are written by infoshare;"
            " do not edit their value",
        ) from None
    if not isinstance(restored, dict) or not isinstance(restored.get("id"), str):
        raise ConversionError(f"misp input: kept-aside attribute {obj.get('id')} is no object")
    return restored


def _attributes(obj: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for attribute in obj.get("x_misp_attributes", ()) or ():
        if isinstance(attribute, dict) and isinstance(attribute.get("object_relation"), str):
            yield attribute["object_relation"], attribute.get("value")


def _narrative_from(
    obj: Mapping[str, Any],
    raw: Mapping[str, Any],
    aside: dict[str, dict[str, Any]],
    report: Report,
) -> dict[str, Any]:
    """A narrative from a MISP narrative object (``raw``: the object as in the event)."""
    values: dict[str, list[Any]] = {}
    for relation, value in _attributes(obj):
        values.setdefault(relation, []).append(value)
    nid = f"narrative--{_uuid_of(obj['id'])}"
    summary = (values.pop("narrative-summary", []) or [None])[0]
    description = (values.pop("narrative-description", []) or [None])[0]
    comment = raw.get("comment") or obj.get("x_misp_comment")
    if comment:
        name, description = str(comment), description or summary
    else:
        name = summary or (str(description).split("\n")[0][:200] if description else "Narrative")
    narrative: dict[str, Any] = {
        "type": "narrative",
        "spec_version": STIX_SPEC_VERSION,
        "id": nid,
        "created": obj["created"],
        "modified": obj["modified"],
        "name": str(name),
        "extensions": {EXT_NARRATIVE: {"extension_type": "new-sdo"}},
    }
    if "created_by_ref" in obj:
        narrative["created_by_ref"] = obj["created_by_ref"]
    if description and description != name:
        narrative["description"] = str(description)
    for relation, key in (("first-seen", "first_seen"), ("last-seen", "last_seen")):
        older = values.pop(relation, [])  # narrative template version 2
        stamp = _timestamp(raw.get(key) or (older or [None])[0])
        if stamp:
            narrative[key] = stamp
    refs = [
        {"source_name": relation, "url": str(url)}
        for relation in ("url", "link", "external-references", "archive", "crosspost",
                         "crosspost-unsafe")
        for url in values.pop(relation, [])
    ]  # fmt: skip
    if refs:
        narrative["external_references"] = refs
    _aside_rest(obj["id"], nid, values, aside, report)
    return narrative


def _post_from(
    obj: Mapping[str, Any], aside: dict[str, dict[str, Any]], report: Report
) -> list[dict[str, Any]]:
    values: dict[str, list[Any]] = {}
    for relation, value in _attributes(obj):
        values.setdefault(relation, []).append(value)
    url = (values.pop("url", []) or values.pop("link", []) or [None])[0]
    if not url:
        aside[obj["id"]] = {"object": dict(obj)}
        report.keep_aside(obj["id"], "microblog", "note (kept aside)",
                          "a post needs its URL in the profile; the object has none")  # fmt: skip
        return []
    post: dict[str, Any] = {
        "type": "media-content",
        "spec_version": STIX_SPEC_VERSION,
        "url": str(url),
        "media_category": "post",
        "extensions": {EXT_MEDIA_CONTENT: {"extension_type": "new-sco"}},
    }
    post["id"] = expected_sco_id(post) or stable_id("media-content", str(url))
    text = (values.pop("post", []) or [None])[0]
    if text:
        post["content"] = str(text)
    published = _timestamp((values.pop("creation-date", []) or [None])[0])
    if published:
        post["publication_date"] = published
    for relation, key in (("title", "title"), ("language", "language")):
        found = values.pop(relation, [])
        if found:
            post[key] = str(found[0])
            if len(found) > 1:
                values[relation] = found[1:]
    platform = (values.pop("type", []) or [None])[0]
    out: list[dict[str, Any]] = []
    username = (values.pop("username", []) or [None])[0]
    display_name = (values.pop("display-name", []) or [None])[0]
    if platform:
        post["platform"] = _platform(str(platform))
        if post["platform"] != str(platform):
            values["type"] = [platform]  # the name MISP gave, kept aside beside the mapped one
    if username:
        account: dict[str, Any] = {
            "type": "user-account",
            "spec_version": STIX_SPEC_VERSION,
            "account_login": str(username),
        }
        if platform:
            account["account_type"] = _platform(str(platform))
        if display_name:
            account["display_name"] = str(display_name)
        account["id"] = expected_sco_id(account) or stable_id("user-account", str(username))
        post["author_ref"] = account["id"]
        out.append(account)
    _aside_rest(obj["id"], post["id"], values, aside, report)
    out.append(post)
    return out


def _platform(name: str) -> str:
    lowered = name.strip().lower()
    return {"twitter": "x", "forum": "website", "google+": "other", "linkedin": "other"}.get(
        lowered, lowered
    )


def _aside_rest(
    source: str,
    target: str,
    values: Mapping[str, list[Any]],
    aside: dict[str, dict[str, Any]],
    report: Report,
) -> None:
    for relation, found in values.items():
        aside.setdefault(target, {})[relation] = found if len(found) > 1 else found[0]
        report.keep_aside(source, relation, "note (kept aside)",
                          "the profile object has no property for this attribute")  # fmt: skip


def _technique_from(
    obj: Mapping[str, Any], aside: dict[str, dict[str, Any]], report: Report
) -> dict[str, Any] | None:
    cluster_uuid = _uuid_of(obj["id"])
    code = technique_id_of(cluster_uuid)
    if code is None:
        meta = obj.get("x_misp_meta") or {}
        external = meta.get("external_id") if isinstance(meta, dict) else None
        code = (external[0] if isinstance(external, list) and external else external) or None
    technique = disarm_framework().technique(str(code)) if code else None
    if technique is None:
        aside[obj["id"]] = {"object": dict(obj)}
        report.keep_aside(obj["id"], DISARM_GALAXY, "note (kept aside)",
                          f"{code or 'this cluster'} is not a technique of DISARM"
                          f" {disarm_framework().version}")  # fmt: skip
        return None
    tactic = disarm_framework().tactic(technique.tactic_id)
    pattern: dict[str, Any] = {
        "type": "attack-pattern",
        "spec_version": STIX_SPEC_VERSION,
        "id": technique_stix_id(cluster_uuid),
        "created": obj["created"],
        "modified": obj["modified"],
        "name": technique.name,
        "external_references": [
            {
                "source_name": "DISARM",
                "external_id": technique.id,
                "url": f"{_DISARM_URL}{technique.id}.md",
            }
        ],
    }
    if tactic is not None:
        pattern["kill_chain_phases"] = [
            {"kill_chain_name": "disarm", "phase_name": tactic.shortname}
        ]
    report.note("DISARM galaxy clusters became DISARM techniques cited as the profile does")
    return pattern


def _incident_from(
    event: Mapping[str, Any], incident_id: str, author_id: str | None, report: Report
) -> dict[str, Any]:
    created = _timestamp(event.get("date")) or _timestamp(event.get("timestamp"))
    modified = _timestamp(event.get("timestamp")) or created
    created = created or "1970-01-01T00:00:00.000Z"
    if modified is None or modified < created:
        modified = created
    status = _ANALYSIS_TO_STATUS.get(str(event.get("analysis", "")), "open")
    incident: dict[str, Any] = {
        "type": "incident",
        "spec_version": STIX_SPEC_VERSION,
        "id": incident_id,
        "created": created,
        "modified": modified,
        "name": event["info"],
        "extensions": {
            EXT_FIMI_INCIDENT: {
                "extension_type": "property-extension",
                "determination": "suspected",
                "investigation_status": status,
                "fimi_types": ["disinformation"],
            }
        },
    }
    if author_id is not None:
        incident["created_by_ref"] = author_id
    report.note(
        "the event became a FIMI incident with determination 'suspected' and FIMI type"
        " 'disinformation', which MISP does not record; correct them if they differ"
    )
    return incident


def _aside_event_fields(
    event: Mapping[str, Any],
    incident_id: str,
    objects: list[dict[str, Any]],
    aside: dict[str, dict[str, Any]],
    report: Report,
) -> None:
    """Keep aside the event fields and attribute comments the profile has no place for."""
    for key in ("threat_level_id", "analysis"):
        if key in event:
            aside.setdefault(incident_id, {})[key] = event[key]
            report.keep_aside(str(event.get("uuid")), key, "note (kept aside)",
                              "the incident has no such property"
                              + (" (it is read as investigation_status)" if key == "analysis"
                                 else ""))  # fmt: skip
    converted = {_uuid_of(o["id"]): o["id"] for o in objects if not o["type"].startswith("x-")}
    for attribute in event.get("Attribute", []):
        if not isinstance(attribute, dict) or not attribute.get("comment"):
            continue
        comment = str(attribute["comment"])
        if comment.startswith(("infoshare ", WRITTEN)):
            continue
        uuid = str(attribute.get("uuid"))
        if uuid in converted:
            aside.setdefault(converted[uuid], {})["comment"] = comment
            report.keep_aside(converted[uuid], "comment", "note (kept aside)",
                              "misp-stix carries no attribute comment")  # fmt: skip


def _relationship(
    source: str, kind: str, target: str, author_id: str | None, created: str
) -> dict[str, Any]:
    rel: dict[str, Any] = {
        "type": "relationship",
        "spec_version": STIX_SPEC_VERSION,
        "id": stable_id("relationship", source, kind, target),
        "created": created,
        "modified": created,
        "relationship_type": kind,
        "source_ref": source,
        "target_ref": target,
    }
    if author_id is not None:
        rel["created_by_ref"] = author_id
    return rel


def _strictest(marking_ids: list[str]) -> str | None:
    """The TLP 2.0 marking of the most restrictive level among ``marking_ids``."""
    levels = [MARKING_LEVELS[m] for m in marking_ids if m in MARKING_LEVELS]
    return TLP_2_0_IDS[max(levels, key=level_rank)] if levels else None


def _mark(
    objects: list[dict[str, Any]], event_markings: list[str], marking: str | None, report: Report
) -> None:
    """TLP 1.0 -> 2.0; one TLP per object (the strictest it carries); the event's TLP
    (the strictest of its tags), else --tlp, on every object without one."""
    fallback = _strictest(event_markings) or marking
    for obj in objects:
        if obj["type"] in ("marking-definition", "extension-definition", "language-content"):
            continue
        found = obj.get("object_marking_refs", [])
        others = [r for r in found if r not in MARKING_LEVELS]
        tlp = _strictest(found)
        if len({MARKING_LEVELS[r] for r in found if r in MARKING_LEVELS}) > 1:
            report.note("an object tagged with several TLP levels keeps the most restrictive")
        if any(r in MARKING_LEVELS and r not in TLP_2_0_IDS.values() for r in found):
            report.note("TLP 1.0 markings were replaced by their TLP 2.0 successors")
        if tlp is None:
            if fallback is None:
                report.need("--tlp", obj["id"], "the event has no TLP tag; give the level")
                continue
            tlp = fallback
        obj["object_marking_refs"] = [tlp, *others]


# --------------------------------------------------------------------------- profile -> MISP


def profile_to_misp(data: Mapping[str, Any], options: ConversionOptions) -> Conversion:
    """Convert a profile bundle to a MISP event (see the module docstring)."""
    objects = [copy.deepcopy(o) for o in bundle_objects(data, "profile")]
    report = Report("profile", "misp")
    by_id = {o["id"]: o for o in objects}
    incidents = [o for o in objects if o["type"] == "incident"]
    incident = incidents[0] if incidents else None
    for extra in incidents[1:]:
        report.note(f"{extra['id']}: a MISP event holds one incident; it is kept aside")
    clusters: dict[str, GalaxyCluster] = {}
    new_ids: dict[str, str] = {}
    for obj in objects:
        if obj["type"] == "attack-pattern":
            code = _disarm_id(obj)
            cluster = cluster_of(code) if code else None
            if cluster is not None:
                clusters[obj["id"]] = cluster
                new_ids[obj["id"]] = technique_stix_id(cluster.uuid)

    kept: list[dict[str, Any]] = []
    for_misp_stix: list[dict[str, Any]] = []
    for obj in objects:
        kind = obj["type"]
        if obj is incident or kind in ("narrative", "media-content") or obj["id"] in clusters:
            continue
        if kind == "marking-definition":
            if obj["id"] in MARKING_LEVELS:
                one = _tlp_1_0_form(obj["id"])
                if one is not None:  # TLP 1.0 has no AMBER+STRICT: _tags writes its tag
                    for_misp_stix.append(one)
            continue
        if kind in _MISP_STIX_TYPES and kind != "relationship" and not _refers_to_mapped(obj):
            for_misp_stix.append(obj)
        else:
            kept.append(obj)

    event = _misp_stix_event(for_misp_stix, report)
    written = sorted(_uuids_in(event))
    if incident is not None:
        _event_from_incident(event, incident, kept, report)
    elif options.title:
        event["info"] = options.title
    attributes = event.setdefault("Attribute", [])
    misp_objects = event.setdefault("Object", [])
    for obj in objects:
        if obj["type"] == "narrative":
            misp_objects.append(_narrative_object(obj, report))
        elif obj["type"] == "media-content":
            misp_objects.append(_microblog_object(obj, by_id, report))
    _galaxy(event, clusters, objects, report)
    copies = [o for o in for_misp_stix if o["type"] != "marking-definition"]
    copies += [o for o in objects if o["type"] in ("narrative", "media-content")]
    for obj in copies:
        attributes.append(_kept_aside_attribute(_rewrite(obj, new_ids), EXACT_COPY))
    for obj in kept:
        attributes.append(_kept_aside_attribute(_rewrite(obj, new_ids), KEPT_ASIDE))
        report.keep_aside(obj["id"], obj["type"], f"event attribute ({KEPT_ASIDE} …)",
                          "MISP has no place for it; the way back restores it")  # fmt: skip
    if written:
        attributes.append(
            {
                "type": "text",
                "category": "Other",
                "value": json.dumps(written),
                "comment": WRITTEN,
                "to_ids": False,
                "disable_correlation": True,
                "uuid": _uuid_of(stable_id("note", WRITTEN, *written)),
            }
        )
    _tags(event, objects)
    converted = ["event"] + [o["name"] for o in misp_objects] + ["attribute"] * len(attributes)
    converted += ["galaxy-cluster"] * sum(len(g["GalaxyCluster"]) for g in event.get("Galaxy", []))
    return Conversion(output={"Event": event}, report=report.finish(converted))


def _uuids_in(event: Mapping[str, Any]) -> set[str]:
    """The UUIDs of the attributes, objects and galaxy clusters of a MISP event."""
    found: set[str] = set()
    for attribute in event.get("Attribute", []):
        found.add(str(attribute.get("uuid")))
    for obj in event.get("Object", []):
        found.add(str(obj.get("uuid")))
        found.update(str(a.get("uuid")) for a in obj.get("Attribute", []))
    for galaxy in event.get("Galaxy", []):
        found.update(str(c.get("uuid")) for c in galaxy.get("GalaxyCluster", []))
    found.discard("None")
    return found


#: MISP's tlp taxonomy values -> TLP 2.0 level.
_TLP_TAGS: Final = {"white": "clear", "clear": "clear", "green": "green", "amber": "amber",
                    "amber+strict": "amber+strict", "red": "red"}  # fmt: skip


def _tlp_tags(event: Mapping[str, Any]) -> list[str]:
    """The TLP 2.0 markings of the event's tlp: tags (tlp:amber+strict included)."""
    found: list[str] = []
    for tag in event.get("Tag", []) or []:
        name = str(tag.get("name", "")).strip().lower() if isinstance(tag, dict) else ""
        level = _TLP_TAGS.get(name.removeprefix("tlp:")) if name.startswith("tlp:") else None
        if level is not None and TLP_2_0_IDS[level] not in found:
            found.append(TLP_2_0_IDS[level])
    return found


def _tlp_1_0_form(marking_id: str) -> dict[str, Any] | None:
    """The TLP 1.0 marking of a level, which misp-stix turns into a tlp: tag (None for
    AMBER+STRICT, which TLP 1.0 does not have)."""
    from infoshare.stix.tlp import TLP_1_0_LEVELS

    level = MARKING_LEVELS[marking_id]
    one = next((mid for mid, lvl in TLP_1_0_LEVELS.items() if lvl == level), None)
    if one is None:
        return None
    name = "white" if level == "clear" else level
    return {
        "type": "marking-definition",
        "spec_version": STIX_SPEC_VERSION,
        "id": one,
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "name": f"TLP:{name.upper()}",
        "definition": {"tlp": name},
    }


def _refers_to_mapped(obj: Mapping[str, Any]) -> bool:
    """True when an object refers to an incident, narrative or post (misp-stix cannot)."""
    text = json.dumps({k: v for k, v in obj.items() if k != "id"})
    return any(f'"{kind}--' in text for kind in ("incident", "narrative", "media-content"))


def _misp_stix_event(objects: list[dict[str, Any]], report: Report) -> dict[str, Any]:
    """misp-stix's MISP event for the objects it can convert."""
    if not any(o["type"] != "marking-definition" for o in objects):
        return {"info": "infoshare case", "Attribute": [], "Object": [], "Tag": []}
    import stix2

    misp_stix = _misp_stix()
    document = {"type": "bundle", "id": stable_id("bundle", "to misp"), "objects": objects}
    try:
        parsed = stix2.parse(document, allow_custom=True)
        parser = misp_stix.ExternalSTIX2toMISPParser()
        with _library_messages(report):
            parser.load_stix_bundle(parsed)
            parser.parse_stix_bundle()
            event: dict[str, Any] = json.loads(parser.misp_event.to_json())
    except Exception as exc:  # stix2 and misp-stix raise many kinds
        raise ConversionError(
            f"profile input: misp-stix cannot convert it: {type(exc).__name__}: {exc}",
            hint="validate the bundle first: infoshare validate --mode stix FILE",
        ) from None
    for problems in (getattr(parser, "errors", None) or {}).values():
        for problem in problems:
            report.note(f"misp-stix: {problem}")
    return event


def _event_from_incident(
    event: dict[str, Any],
    incident: Mapping[str, Any],
    kept: list[dict[str, Any]],
    report: Report,
) -> None:
    event["uuid"] = _uuid_of(incident["id"])
    event["info"] = incident.get("name") or event.get("info") or "infoshare case"
    event["date"] = str(incident.get("created", ""))[:10]
    extension = (incident.get("extensions") or {}).get(EXT_FIMI_INCIDENT) or {}
    analysis = _STATUS_TO_ANALYSIS.get(str(extension.get("investigation_status")))
    if analysis is not None:
        event["analysis"] = analysis
    # The incident itself travels whole as a kept-aside attribute, so its extension,
    # description and every property come back on the way home.
    kept.insert(0, dict(incident))
    report.note("the incident became the event (uuid, info, date, analysis)")


def _narrative_object(obj: Mapping[str, Any], report: Report) -> dict[str, Any]:
    """A MISP narrative object: the name as its comment, the description as the summary."""
    summary = obj.get("description") or obj.get("name")
    attributes = [_object_attribute("narrative-summary", "text", summary)]
    for ref in obj.get("external_references", ()) or ():
        if isinstance(ref, dict) and ref.get("url"):
            attributes.append(_object_attribute("link", "link", ref["url"]))
    misp_object = _misp_object(NARRATIVE_TEMPLATE, _uuid_of(obj["id"]), attributes)
    misp_object["comment"] = str(obj.get("name", ""))
    for key in ("first_seen", "last_seen"):
        if obj.get(key):
            misp_object[key] = obj[key]
    for key in ("aliases", "narrative_types", "languages", "labels", "lang"):
        if obj.get(key):
            report.keep_aside(obj["id"], key, f"event attribute ({EXACT_COPY} …)",
                              "the narrative template has no attribute for it")  # fmt: skip
    return misp_object


def _microblog_object(
    obj: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]], report: Report
) -> dict[str, Any]:
    text = obj.get("content") or obj.get("title") or obj.get("description") or obj["url"]
    attributes = [
        _object_attribute("post", "text", text),
        _object_attribute("url", "url", obj["url"]),
    ]
    for key, relation, kind in (("publication_date", "creation-date", "datetime"),
                                ("platform", "type", "text"), ("title", "title", "text"),
                                ("language", "language", "text")):  # fmt: skip
        if obj.get(key):
            attributes.append(_object_attribute(relation, kind, obj[key]))
    author = by_id.get(str(obj.get("author_ref")))
    if author is not None and author.get("account_login"):
        attributes.append(_object_attribute("username", "text", author["account_login"]))
    if author is not None and author.get("display_name"):
        attributes.append(_object_attribute("display-name", "text", author["display_name"]))
    handled = {"type", "spec_version", "id", "url", "content", "publication_date", "platform",
               "author_ref", "extensions", "object_marking_refs", "media_category", "title",
               "language"}  # fmt: skip
    for key in obj:
        if key not in handled:
            report.keep_aside(obj["id"], key, f"event attribute ({EXACT_COPY} …)",
                              "the microblog template has no attribute for it")  # fmt: skip
    return _misp_object(MICROBLOG_TEMPLATE, _uuid_of(obj["id"]), attributes)


def _object_attribute(relation: str, misp_type: str, value: Any) -> dict[str, Any]:
    return {
        "object_relation": relation,
        "type": misp_type,
        "value": str(value),
        "category": "Other" if misp_type in ("text", "datetime") else "External analysis",
        "to_ids": False,
        "disable_correlation": misp_type in ("text", "datetime"),
    }


def _misp_object(
    template: tuple[str, str, str], uuid: str, attributes: list[dict[str, Any]]
) -> dict[str, Any]:
    name, template_uuid, version = template
    return {
        "name": name,
        "meta-category": "misc",
        "template_uuid": template_uuid,
        "template_version": version,
        "uuid": uuid,
        "Attribute": attributes,
    }


def _galaxy(
    event: dict[str, Any],
    clusters: Mapping[str, GalaxyCluster],
    objects: list[dict[str, Any]],
    report: Report,
) -> None:
    """DISARM techniques as clusters of the MISP DISARM galaxy (replacing misp-stix's)."""
    event["Galaxy"] = [
        g for g in event.get("Galaxy", []) if not _is_generic_disarm(g, set(clusters))
    ]
    wanted = list(dict.fromkeys(clusters.values()))
    if wanted:
        event["Galaxy"].append(
            {
                "uuid": DISARM_GALAXY_UUID,
                "name": "Techniques",
                "type": DISARM_GALAXY,
                "namespace": "disarm",
                "description": "DISARM is a framework designed for describing and understanding"
                " disinformation incidents.",
                "GalaxyCluster": [
                    {
                        "uuid": c.uuid,
                        "type": DISARM_GALAXY,
                        "value": c.value,
                        "description": f"DISARM technique {c.technique_id}",
                        "tag_name": c.tag,
                        "meta": {
                            "external_id": [c.technique_id],
                            "kill_chain": [f"tactics:{c.tactic}"] if c.tactic else [],
                            "refs": [f"{_DISARM_URL}{c.technique_id}.md"],
                        },
                    }
                    for c in wanted
                ],
            }
        )
    for obj in objects:
        if obj["type"] == "attack-pattern" and obj["id"] not in clusters and _disarm_id(obj):
            report.note(
                f"{_disarm_id(obj)} has no cluster in the MISP DISARM galaxy; misp-stix wrote"
                " it as a generic attack-pattern cluster"
            )


def _is_generic_disarm(galaxy: Mapping[str, Any], ids: set[str]) -> bool:
    """misp-stix's generic attack-pattern galaxy, when all its clusters are DISARM ones."""
    if galaxy.get("type") != "stix-2.1-attack-pattern":
        return False
    clusters = galaxy.get("GalaxyCluster", [])
    return all(f"attack-pattern--{c.get('uuid')}" in ids for c in clusters)


def _kept_aside_attribute(obj: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {
        "type": "text",
        "category": "Other",
        "value": json.dumps(obj, ensure_ascii=False, sort_keys=True),
        "comment": f"{prefix} {obj['id']}",
        "to_ids": False,
        "disable_correlation": True,
        "uuid": _uuid_of(stable_id("note", prefix, obj["id"], str(obj.get("modified", "")))),
    }


def _rewrite(obj: Mapping[str, Any], new_ids: Mapping[str, str]) -> dict[str, Any]:
    """The object with references to DISARM techniques renamed to their way-back ids."""
    text = json.dumps(obj)
    for old, new in new_ids.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    rewritten: dict[str, Any] = json.loads(text)
    return rewritten


def _tags(event: dict[str, Any], objects: list[dict[str, Any]]) -> None:
    """A tlp: tag for every TLP level used, and the DISARM galaxy's cluster tags."""
    tags = [t for t in event.get("Tag", []) if isinstance(t, dict)]
    names = {t.get("name") for t in tags}
    for marking in tlp_markings_in_use(objects):
        level = MARKING_LEVELS[marking["id"]]
        name = f"tlp:{level}"
        if name not in names and not (level == "clear" and "tlp:white" in names):
            tags.append({"name": name})
            names.add(name)
    for galaxy in event.get("Galaxy", []):
        if galaxy.get("type") == DISARM_GALAXY:
            for cluster in galaxy["GalaxyCluster"]:
                if cluster["tag_name"] not in names:
                    tags.append({"name": cluster["tag_name"]})
                    names.add(cluster["tag_name"])
    event["Tag"] = tags
