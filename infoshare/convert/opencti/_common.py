"""What both OpenCTI directions share: reading the input bundle and the kept-aside note.

**The kept-aside note.** Whatever one side has no property for travels in a STIX
``note`` that names the object it belongs to (``object_refs``), with the abstract
:data:`KEPT_ASIDE_ABSTRACT` and, as content, a JSON document::

    {"infoshare_kept_aside": 1, "object": "<id>", "version": "<modified>", "properties": {...}}
    {"infoshare_kept_aside": 1, "object": "<id>", "version": "<modified>", "whole_object": {...}}

(``version`` is absent for objects without versions, such as cyber-observables.)

OpenCTI imports notes as they are, so a profile case sent to OpenCTI and exported
again comes back whole: the inbound direction reads these notes, puts the properties
back on their object (or the whole object back in the bundle) and drops the note.
docs/bridges-opencti.md lists what goes into these notes in each direction.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping
from typing import Any, Final

from infoshare.errors import ConversionError
from infoshare.stix.identifiers import is_identifier

KEPT_ASIDE_ABSTRACT: Final = "Kept aside by infoshare convert"
KEPT_ASIDE_KEY: Final = "infoshare_kept_aside"
#: Namespace of the converter's deterministic ids (kept-aside notes, the author identity).
CONVERTER_NAMESPACE: Final = uuid.UUID("5b0f7e0c-43a5-4b8e-9c39-0e6f1c0d9a17")
#: A bundle larger than this is refused: convert it in parts.
MAX_OBJECTS: Final = 200_000
#: Deeper nesting than this inside one object is refused (OpenCTI writes fewer than ten).
MAX_DEPTH: Final = 64


def _too_deep(value: object) -> bool:
    """True when ``value`` nests objects and arrays more than MAX_DEPTH deep (no recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, Mapping):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def read_bundle(data: object, source_name: str) -> list[dict[str, Any]]:
    """Deep copies of the bundle's objects, or a ConversionError naming the JSON path."""
    if not isinstance(data, Mapping):
        raise ConversionError(
            f"{source_name} input is not a JSON object (found {type(data).__name__})",
            hint='give a STIX 2.1 bundle: {"type": "bundle", "objects": [...]}',
        )
    if data.get("type") != "bundle":
        raise ConversionError(
            f"$.type: {source_name} input is not a STIX bundle (type is {data.get('type')!r})",
            hint="export the case from OpenCTI as a STIX 2.1 bundle (JSON)",
        )
    objects = data.get("objects", [])
    if not isinstance(objects, list):
        raise ConversionError(f"$.objects: expected a list, found {type(objects).__name__}")
    if len(objects) > MAX_OBJECTS:
        raise ConversionError(
            f"$.objects: {len(objects)} objects, more than the {MAX_OBJECTS} one conversion takes",
            hint="split the bundle and convert it in parts",
        )
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for index, obj in enumerate(objects):
        where = f"$.objects[{index}]"
        if not isinstance(obj, Mapping):
            raise ConversionError(f"{where}: expected a JSON object, found {type(obj).__name__}")
        obj_type, obj_id = obj.get("type"), obj.get("id")
        if not isinstance(obj_type, str) or not obj_type:
            raise ConversionError(f"{where}.type: missing or not a string")
        if (
            not isinstance(obj_id, str)
            or not is_identifier(obj_id)
            or not obj_id.startswith(obj_type + "--")
        ):
            raise ConversionError(
                f"{where}.id: {str(obj_id)[:80]!r} is not a STIX identifier of type {obj_type!r}"
            )
        version = obj.get("modified")
        key = (obj_id, version if isinstance(version, str) else "")
        if key in seen:
            raise ConversionError(f"{where}: {obj_id} appears twice with the same version")
        seen.add(key)
        if _too_deep(obj):
            raise ConversionError(f"{where}: {obj_id} nests more than {MAX_DEPTH} levels deep")
        out.append(copy.deepcopy(dict(obj)))
    return out


def expect(obj: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[name]`` if present and of ``kind``, None if absent; else a ConversionError."""
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        wanted = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConversionError(f"{where}.{name}: expected {wanted}, found {type(value).__name__}")
    return value


def extensions_of(obj: dict[str, Any], where: str, *, create: bool = False) -> dict[str, Any]:
    """The object's ``extensions`` (made when ``create``; empty if absent), or a ConversionError."""
    value = obj.get("extensions")
    if value is None:
        if not create:
            return {}
        value = obj["extensions"] = {}
    if not isinstance(value, dict):
        raise ConversionError(
            f"{where}.extensions: expected an object, found {type(value).__name__}"
        )
    return value


def list_of(obj: Mapping[str, Any], name: str, where: str) -> list[Any]:
    """``obj[name]`` as a list (empty if absent), or a ConversionError."""
    value = expect(obj, name, list, where)
    return [] if value is None else value


def string_list(obj: Mapping[str, Any], name: str, where: str) -> list[str]:
    """``obj[name]`` as a list of strings (empty if absent), or a ConversionError."""
    value = expect(obj, name, list, where)
    if value is None:
        return []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ConversionError(f"{where}.{name}[{index}]: expected a string")
    return list(value)


def kept_aside_note(
    owner: Mapping[str, Any],
    refs: list[str],
    *,
    direction: str,
    properties: Mapping[str, Any] | None = None,
    whole_object: Mapping[str, Any] | None = None,
    created: str,
    marked_like: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The note that carries what the target has no property for (see the module doc).

    The note takes its author and markings from ``marked_like`` (default: ``owner``),
    already written in the target's marking ids.
    """
    body: dict[str, Any] = {KEPT_ASIDE_KEY: 1, "object": owner["id"]}
    if isinstance(owner.get("modified"), str):
        body["version"] = owner["modified"]
    if whole_object is not None:
        body["whole_object"] = dict(whole_object)
    if properties:
        body["properties"] = dict(properties)
    # The note's version is its object's, so converting the same object again (a later
    # sync page, a second run) gives the very same note, never a conflicting version.
    stamp = next(
        (
            owner[name]
            for name in ("modified", "created", "publication_date")
            if isinstance(owner.get(name), str)
        ),
        created,
    )
    note: dict[str, Any] = {
        "type": "note",
        "spec_version": "2.1",
        "id": kept_aside_note_id(direction, owner),
        "created": stamp,
        "modified": stamp,
        "abstract": KEPT_ASIDE_ABSTRACT,
        "content": json.dumps(body, ensure_ascii=False, sort_keys=True),
        "object_refs": refs,
    }
    source = owner if marked_like is None else marked_like
    for name in ("created_by_ref", "object_marking_refs"):
        if name in source:
            note[name] = copy.deepcopy(source[name])
    return note


def kept_aside_note_id(direction: str, owner: Mapping[str, Any]) -> str:
    """The id of the kept-aside note of ``owner`` in this direction."""
    return f"note--{uuid.uuid5(CONVERTER_NAMESPACE, _note_name(direction, owner))}"


def _note_name(direction: str, owner: Mapping[str, Any]) -> str:
    """What a kept-aside note's id is made from: one note per object version."""
    version = owner.get("modified")
    return f"{direction}:{owner['id']}@{version if isinstance(version, str) else ''}"


def read_kept_aside(note: Mapping[str, Any]) -> dict[str, Any] | None:
    """The body of a kept-aside note, or None if the note is any other note."""
    if note.get("type") != "note" or note.get("abstract") != KEPT_ASIDE_ABSTRACT:
        return None
    content = note.get("content")
    if not isinstance(content, str):
        return None
    try:
        body = json.loads(content)
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get(KEPT_ASIDE_KEY) != 1:
        return None
    if not isinstance(body.get("object"), str):
        return None
    if not isinstance(body.get("properties", {}), dict):
        return None
    if "whole_object" in body and not isinstance(body["whole_object"], dict):
        return None
    return body


def latest_timestamp(objects: list[dict[str, Any]]) -> str:
    """The latest ``modified`` (or ``created``) of the objects: the notes' own timestamp.

    Deterministic, so converting the same input twice gives the same output.
    """
    stamps = [
        o.get("modified") or o.get("created")
        for o in objects
        if isinstance(o.get("modified") or o.get("created"), str)
    ]
    return max((s for s in stamps if isinstance(s, str)), default="2000-01-01T00:00:00.000Z")


def bundle_id(direction: str, objects: list[dict[str, Any]]) -> str:
    """A bundle id that depends only on the direction and the objects' ids and versions."""
    keys = sorted(f"{o['id']}@{o.get('modified', '')}" for o in objects)
    return f"bundle--{uuid.uuid5(CONVERTER_NAMESPACE, direction + ':' + ','.join(keys))}"


def rename_references(value: Any, renamed: Mapping[str, str]) -> None:
    """Rewrite, in place, every ``*_ref``/``*_refs`` value found in ``renamed`` (any depth)."""
    if not renamed:
        return
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key.endswith("_ref") and isinstance(child, str) and child in renamed:
                    item[key] = renamed[child]
                elif key.endswith("_refs") and isinstance(child, list):
                    item[key] = [renamed.get(r, r) if isinstance(r, str) else r for r in child]
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


class NoteAnchors:
    """Which objects a kept-aside note names (never none), for one output.

    The candidates that are in the output; else the first incident or report there;
    else the first object there; else the candidates themselves (a page pulled by sync:
    they may be in the collection already). Built once per conversion, so naming the
    objects of many notes costs no more than the notes.
    """

    def __init__(self, present: list[str]) -> None:
        self.present = set(present)
        definitions = ("marking-definition--", "extension-definition--")
        anchors = [i for i in present if i.startswith(("incident--", "report--"))]
        others = [i for i in present if not i.startswith(definitions)]
        self.fallback = (anchors or others)[:1]

    def refs(self, candidates: list[str]) -> list[str]:
        found = [ref for ref in candidates if ref in self.present]
        return found[:50] or self.fallback or candidates[:50]


def point_object_refs(objects: list[dict[str, Any]], replaced: Mapping[str, str]) -> None:
    """Rewrite the ``object_refs`` of containers (report, note, opinion, grouping...) that
    name an object carried whole by a kept-aside note: they name the note instead (and,
    on the way back, the object again). Other references are left alone."""
    if not replaced:
        return
    for obj in objects:
        refs = obj.get("object_refs")
        if isinstance(refs, list) and any(r in replaced for r in refs if isinstance(r, str)):
            out: list[Any] = []
            for ref in refs:
                new = replaced.get(ref, ref) if isinstance(ref, str) else ref
                if new not in out:
                    out.append(new)
            obj["object_refs"] = out
