"""The retention table: what survives each conversion, per object type and property.

Runs every direction of :data:`infoshare.convert.DIRECTIONS` over the bridge
fixtures (tests/data/bridges/<format>/ for the other tools, examples/ for the
profile) and writes docs/bridges-retention.md. For every property of every
source object it records one of:

* **kept**: its value is in the output (as it was, or mapped to another field);
* **kept aside** (where): the report says where it went (a note, an event
  attribute...);
* **lost**: neither. For a DISARM Navigator layer this is by design: a layer
  holds scores per technique and nothing else.

For the profile ↔ MISP and profile ↔ OpenCTI bridges it also follows each
property back: profile → tool → profile, kept when the value comes back.
Regenerate the table with::

    python -m infoshare.convert._retention --write

A test (tests/test_convert_retention.py) fails when the committed table differs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from infoshare.convert._model import Conversion, ConversionOptions, ConversionReport
from infoshare.convert._registry import DIRECTIONS, check_format, direction
from infoshare.errors import UsageError
from infoshare.stix.tlp import MARKING_LEVELS

ROOT: Final = Path(__file__).resolve().parents[2]
FIXTURES: Final = ROOT / "tests" / "data" / "bridges"
EXAMPLES: Final = ROOT / "examples"
TABLE: Final = ROOT / "docs" / "bridges-retention.md"

#: What every conversion of the table is given (so that nothing is left "needed").
OPTIONS: Final = ConversionOptions(tlp="amber", author_name="Retention table (fictional)")

#: Properties that say what an object is rather than hold information.
_SKIPPED: Final = frozenset({"type", "id", "spec_version"})

#: Tools whose bridge goes both ways, followed back to the profile.
_ROUND_TRIPS: Final = ("misp", "opencti")


@dataclass
class Fate:
    """How often one property of one object type was kept, kept aside (where), lost."""

    kept: int = 0
    aside: Counter[str] = field(default_factory=Counter)
    lost: int = 0

    def cell(self) -> str:
        parts = []
        if self.kept:
            parts.append("kept")
        for where, _ in sorted(self.aside.items()):
            parts.append(f"kept aside: {where}")
        if self.lost:
            parts.append("lost")
        if len(parts) > 1:
            counts = [str(self.kept)] if self.kept else []
            counts += [str(n) for _, n in sorted(self.aside.items())]
            counts += [str(self.lost)] if self.lost else []
            return " · ".join(f"{p} ({n})" for p, n in zip(parts, counts, strict=True))
        return parts[0] if parts else ""


@dataclass(frozen=True, slots=True)
class Item:
    """One property of one source object, and its value."""

    source: str  # the source object's id (STIX id or MISP uuid)
    kind: str  # object type
    name: str  # property
    value: Any


def _uuid(identifier: str) -> str:
    return identifier.rsplit("--", 1)[-1]


def stix_items(bundle: Mapping[str, Any]) -> Iterator[Item]:
    for obj in bundle.get("objects", []):
        if not isinstance(obj, dict) or obj.get("type") == "marking-definition":
            continue
        for name, value in obj.items():
            if name not in _SKIPPED:
                yield Item(str(obj.get("id")), str(obj.get("type")), name, value)


def misp_items(document: Mapping[str, Any]) -> Iterator[Item]:
    event = document.get("Event", document)
    uuid = str(event.get("uuid"))
    for name in ("info", "date", "analysis", "threat_level_id"):
        if name in event:
            yield Item(uuid, "event", name, event[name])
    for tag in event.get("Tag", []):
        yield Item(uuid, "event", "Tag", _tag_value(str(tag.get("name"))))
    for attribute in event.get("Attribute", []):
        kind = f"attribute ({attribute.get('type')})"
        for name in ("value", "comment"):
            if attribute.get(name):
                yield Item(str(attribute.get("uuid")), kind, name, attribute[name])
    for obj in event.get("Object", []):
        for attribute in obj.get("Attribute", []):
            yield Item(
                str(obj.get("uuid")),
                f"object {obj.get('name')}",
                str(attribute.get("object_relation")),
                attribute.get("value"),
            )
    for galaxy in event.get("Galaxy", []):
        for cluster in galaxy.get("GalaxyCluster", []):
            yield Item(str(cluster.get("uuid")), f"galaxy {galaxy.get('type')}", "cluster",
                       cluster.get("value"))  # fmt: skip


def _tag_value(name: str) -> str:
    """What a tag becomes in STIX: a TLP tag the marking's name, a galaxy tag its value."""
    if name.lower().startswith("tlp:"):
        return "TLP:" + name[4:].upper()
    if name.startswith("misp-galaxy:") and '="' in name:
        return name.split('="', 1)[1].rstrip('"')
    return name


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for inner in value.values():
            yield from _leaves(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _leaves(inner)
    elif value is not None and value != "":
        yield value


def _forms(value: Any) -> list[str]:
    """How a scalar may be written in the output's JSON text: a short string or a number
    must be a whole JSON value; a longer string may sit inside a longer text."""
    if isinstance(value, bool) or value is None:
        return [json.dumps(value)]
    if isinstance(value, int | float):
        return [f": {json.dumps(value)}", f'"{value}"']
    text = str(value)
    level = MARKING_LEVELS.get(text)
    if level is not None:  # a TLP marking is kept when the same level is, by any of its ids
        return [f'"{mid}"' for mid, other in MARKING_LEVELS.items() if other == level]
    quoted = json.dumps(text, ensure_ascii=False)
    forms = [quoted, quoted.replace("\\", "\\\\").replace('"', '\\"')]
    if len(text) >= 12:
        forms.append(quoted[1:-1])
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return forms
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    forms.append(moment.strftime("%Y-%m-%dT%H:%M:%S"))
    return forms


def _found(leaf: Any, text: str) -> bool:
    if isinstance(leaf, int | float) and not isinstance(leaf, bool):
        number = re.escape(json.dumps(leaf))
        return re.search(rf'[:\[,]\s*{number}(?=\s*[,\]}}])|"{number}"', text) is not None
    return any(form in text for form in _forms(leaf))


def found_in(value: Any, text: str) -> bool:
    """True when every scalar of ``value`` appears in the output text."""
    leaves = list(_leaves(value))
    return bool(leaves) and all(_found(leaf, text) for leaf in leaves)


def native_text(output: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The output as JSON text without infoshare's own MISP attributes, and the ids of the
    objects those attributes hold an exact copy of (uuid -> where)."""
    event = output.get("Event")
    if not isinstance(event, Mapping):
        return json.dumps(output, ensure_ascii=False), {}
    copies: dict[str, str] = {}
    native = dict(event)
    kept = []
    for attribute in event.get("Attribute", []):
        comment = str(attribute.get("comment", ""))
        if comment.startswith("infoshare "):
            prefix, _, ident = comment.rpartition(" ")
            copies[_uuid(ident)] = f"event attribute ({prefix} …)"
        else:
            kept.append(attribute)
    native["Attribute"] = kept
    return json.dumps({"Event": native}, ensure_ascii=False), copies


def fates(items: list[Item], conversion: Conversion, table: dict[tuple[str, str], Fate]) -> None:
    """Record the fate of each item in ``table``."""
    report = conversion.report
    text, copies = native_text(conversion.output)
    by_source: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entry in report.kept_aside:
        by_source[_uuid(entry.source)].append((entry.what, entry.where))
    properties: dict[str, set[str]] = defaultdict(set)
    for item in items:
        properties[item.source].add(item.name)
    for item in items:
        fate = table.setdefault((item.kind, item.name), Fate())
        entries = by_source.get(_uuid(item.source), [])
        where = next((w for what, w in entries if what == item.name), None)
        if where is None:
            where = next((w for what, w in entries if what not in properties[item.source]), None)
        if where is not None:
            fate.aside[_short(where)] += 1
        elif found_in(item.value, text):
            fate.kept += 1
        elif _uuid(item.source) in copies:
            fate.aside[copies[_uuid(item.source)]] += 1
        else:
            fate.lost += 1


def _short(where: str) -> str:
    return where.split(" (")[0] if where.startswith("note") else where


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _inputs(fmt: str) -> list[Path]:
    if fmt == "profile":
        return sorted(EXAMPLES.glob("*.json"))
    return sorted((FIXTURES / fmt).rglob("*.json"))


def _items(fmt: str, data: Mapping[str, Any]) -> list[Item]:
    return list(misp_items(data) if fmt == "misp" else stix_items(data))


def render() -> str:
    """The whole of docs/bridges-retention.md."""
    lines = [
        "# What survives each bridge",
        "",
        "<!-- Generated by `python -m infoshare.convert._retention --write`; do not edit. -->",
        "",
        "For every direction of `infoshare convert`, each property of each source object",
        "of the fixtures (tests/data/bridges/ for the tools, examples/ for the profile) is",
        "**kept** (its value is in the output, as it was or in another field), **kept",
        "aside** (the report says where: a note, an event attribute...; nothing is",
        "dropped silently) or **lost**. Counts in brackets when a property fared",
        "differently in different objects. The conversions are run with `--tlp amber`",
        "and an author, so nothing is left needed. What each direction maps is in",
        "[bridges.md](bridges.md).",
        "",
    ]
    for source, target in sorted(DIRECTIONS):
        lines += _direction_section(source, target)
    return "\n".join(lines).rstrip() + "\n"


def _direction_section(source: str, target: str) -> list[str]:
    heading = [f"## {source} → {target}", ""]
    try:
        convert = direction(check_format(source, "source"), check_format(target, "target"))
    except UsageError as exc:
        return [*heading, f"Not part of this build: {exc.message}.", ""]
    inputs = _inputs(source)
    if not inputs:
        return [*heading, "No fixtures.", ""]
    table: dict[tuple[str, str], Fate] = {}
    back_table: dict[tuple[str, str], Fate] = {}
    round_trip = source == "profile" and target in _ROUND_TRIPS
    for path in inputs:
        data = _load(path)
        items = _items(source, data)
        result = convert(data, OPTIONS)
        fates(items, result, table)
        if round_trip:
            back = direction(check_format(target, "source"), "profile")(result.output, OPTIONS)
            fates(items, _by_value_only(back), back_table)
    names = ", ".join(f"`{p.relative_to(ROOT)}`" for p in inputs)
    lines = [*heading, f"Over {len(inputs)} input(s): {names}.", ""]
    if round_trip:
        lines += [f"| object type | property | in {target} | back in the profile |",
                  "|---|---|---|---|"]  # fmt: skip
        for key in sorted(table):
            back_fate = back_table.get(key, Fate())
            lines.append(f"| {key[0]} | `{key[1]}` | {table[key].cell()} | {back_fate.cell()} |")
    else:
        lines += [f"| object type | property | in {target} |", "|---|---|---|"]
        for key in sorted(table):
            lines.append(f"| {key[0]} | `{key[1]}` | {table[key].cell()} |")
    return [*lines, ""]


def _by_value_only(back: Conversion) -> Conversion:
    """The way back, judged by value only: what it keeps aside is not back in the profile."""
    report = ConversionReport(source=back.report.source, target=back.report.target,
                              converted=back.report.converted)  # fmt: skip
    return Conversion(output=back.output, report=report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/bridges-retention.md.")
    parser.add_argument("--write", action="store_true", help="write the table (else print)")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        TABLE.write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
