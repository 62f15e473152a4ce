#!/usr/bin/env python3
"""Derive the profile's DISARM 1.6 reference tables from the DISARM Foundation's files.

Reads the official DISARM Framework STIX 2.1 bundle (DISARM-1.6.json) and the
tables taken from the DISARM pages (DISARM-1.6-tables.json) and writes the
compact tables the validator and producers use (spec/profile/09-reference-data.md
section 9.3). Standard library only; the output is byte-for-byte the same for
the same input, so the tables can be checked against their source at any time:

    python spec/reference/derive.py                       # write next to this script
    python spec/reference/derive.py --source DIR --output DIR

The source folder defaults to ../shared/data/disarm/ beside the repository.
The written tables are adaptations of DISARM material and stay under
CC BY-SA 4.0 (see ATTRIBUTION.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent.parent / "shared" / "data" / "disarm"

VERSION = "1.6"
BUNDLE_FILE = "DISARM-1.6.json"
TABLES_FILE = "DISARM-1.6-tables.json"

TECHNIQUE_ID = re.compile(r"^T\d{4}(\.\d{3})?$")
TACTIC_ID = re.compile(r"^TA\d{2}$")
COUNTER_ID = re.compile(r"^C\d{5}$")
META_ID = re.compile(r"M\d{3}")
RESPONSE_ID = re.compile(r"^D\d{2}$")
TACTIC_LABEL = re.compile(r"^(TA\d{2})\b")

EXPECTED = {"techniques": 391, "tactics": 16, "counters": 140}


class DerivationError(Exception):
    """The source files do not have the shape this script expects."""


def header(title: str, source: str, note: str) -> dict[str, str]:
    return {
        "title": title,
        "framework": "DISARM Framework",
        "version": VERSION,
        "source": source,
        "source_url": "https://github.com/DISARMFoundation/DISARMframeworks",
        "attribution": "DISARM Foundation",
        "licence": "CC BY-SA 4.0",
        "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
        "derived": (
            "Adapted from the DISARM Foundation's material by spec/reference/derive.py: "
            f"{note} This table is licensed under CC BY-SA 4.0 (ShareAlike); "
            "see spec/reference/ATTRIBUTION.md."
        ),
    }


def external_id(obj: dict[str, Any], pattern: re.Pattern[str]) -> str:
    for ref in obj.get("external_references", []):
        value = ref.get("external_id")
        if isinstance(value, str) and pattern.match(value):
            return value
    raise DerivationError(f"{obj.get('id')}: no external id matching {pattern.pattern}")


def derive_tactics(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for obj in bundle["objects"]:
        if obj["type"] != "x-mitre-tactic":
            continue
        rows.append(
            {
                "id": external_id(obj, TACTIC_ID),
                "name": obj["name"],
                "shortname": obj["x_mitre_shortname"],
                "description": obj.get("description", ""),
                "stix_id": obj["id"],
            }
        )
    return sorted(rows, key=lambda row: row["id"])


def derive_techniques(
    bundle: dict[str, Any], tactics: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    tactic_by_shortname = {t["shortname"]: t["id"] for t in tactics}
    by_stix_id: dict[str, dict[str, Any]] = {}
    for obj in bundle["objects"]:
        if obj["type"] != "attack-pattern" or obj.get("revoked") or obj.get("x_mitre_deprecated"):
            continue
        phases = [p["phase_name"] for p in obj.get("kill_chain_phases", [])]
        if len(phases) != 1 or phases[0] not in tactic_by_shortname:
            raise DerivationError(f"{obj['id']}: expected one known DISARM phase, got {phases}")
        by_stix_id[obj["id"]] = {
            "id": external_id(obj, TECHNIQUE_ID),
            "name": obj["name"],
            "tactic": tactic_by_shortname[phases[0]],
            "tactic_shortname": phases[0],
            "parent": None,
            "stix_id": obj["id"],
        }
    for obj in bundle["objects"]:
        if obj["type"] == "relationship" and obj.get("relationship_type") == "subtechnique-of":
            child, parent = by_stix_id[obj["source_ref"]], by_stix_id[obj["target_ref"]]
            child["parent"] = parent["id"]
    for row in by_stix_id.values():
        expected_parent = row["id"].split(".")[0] if "." in row["id"] else None
        if row["parent"] != expected_parent:
            raise DerivationError(f"{row['id']}: parent {row['parent']} != {expected_parent}")
    return sorted(by_stix_id.values(), key=lambda row: row["id"])


def derive_counters(tables: dict[str, Any], tactic_ids: set[str]) -> list[dict[str, Any]]:
    meta_ids = {m["disarm_id"] for m in tables["metatechniques"]}
    response_ids = {r["disarm_id"] for r in tables["responsetype"]}
    rows = []
    for counter in tables["counters"]:
        label = TACTIC_LABEL.match(counter["tactic"])
        metas = META_ID.findall(counter["metatechnique"])
        response = counter["responsetype"]
        if (
            not COUNTER_ID.match(counter["disarm_id"])
            or label is None
            or label[1] not in tactic_ids
            or not metas
            or not set(metas) <= meta_ids
            or response not in response_ids
        ):
            raise DerivationError(f"counter {counter['disarm_id']}: unexpected shape {counter}")
        rows.append(
            {
                "id": counter["disarm_id"],
                "name": counter["name"].strip(),
                "summary": counter["summary"].strip(),
                "tactic": label[1],
                "metatechniques": metas,
                "response_type": response,
            }
        )
    return sorted(rows, key=lambda row: row["id"])


def derive_plain(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        (
            {"id": r["disarm_id"], "name": r["name"].strip(), "summary": r["summary"].strip()}
            for r in rows
        ),
        key=lambda row: row["id"],
    )


def derive_actor_types(tables: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for actor in tables["actortypes"]:
        sectors = [s.strip() for s in actor["sector_ids"].split(",") if s.strip()]
        rows.append(
            {
                "id": actor["disarm_id"],
                "name": actor["name"].strip(),
                "summary": actor["summary"].strip(),
                "sectors": sectors,
            }
        )
    return sorted(rows, key=lambda row: row["id"])


def _blank_to_none(value: str) -> str | None:
    value = value.strip()
    return value or None


def derive_incidents(tables: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for incident in tables["incidents"]:
        year = _blank_to_none(incident["year_started"])
        rows.append(
            {
                "id": incident["disarm_id"],
                "name": incident["name"].strip(),
                "object_type": _blank_to_none(incident["objecttype"]),
                "year_started": int(float(year)) if year else None,
                "found_in_country": _blank_to_none(incident["found_in_country"]),
                "found_via": _blank_to_none(incident["found_via"]),
            }
        )
    return sorted(rows, key=lambda row: row["id"])


def render(head: dict[str, str], key: str, rows: list[dict[str, Any]]) -> str:
    """JSON with the header pretty-printed and one table row per line (diff-friendly)."""
    head_text = json.dumps(head, indent=2, ensure_ascii=False)
    lines = [json.dumps(row, ensure_ascii=False, separators=(", ", ": ")) for row in rows]
    head_text = head_text.replace("\n", "\n  ")
    body = ",\n    ".join(lines)
    return f'{{\n  "header": {head_text},\n  "{key}": [\n    {body}\n  ]\n}}\n'


def derive(source: Path) -> dict[str, str]:
    """Return file name -> file text for every table."""
    bundle = json.loads((source / BUNDLE_FILE).read_text("utf-8"))
    tables = json.loads((source / TABLES_FILE).read_text("utf-8"))
    bundle_src = f"{BUNDLE_FILE} (official DISARM Framework STIX 2.1 bundle, {bundle['id']})"
    tables_src = f"{TABLES_FILE} (tables of the DISARM pages: {tables['source']})"

    tactics = derive_tactics(bundle)
    techniques = derive_techniques(bundle, tactics)
    counters = derive_counters(tables, {t["id"] for t in tactics})
    counts = {"techniques": len(techniques), "tactics": len(tactics), "counters": len(counters)}
    if counts != EXPECTED:
        raise DerivationError(f"unexpected table sizes {counts}, expected {EXPECTED}")

    files = {
        "disarm-1.6-tactics.json": render(
            header("DISARM 1.6 tactics (red framework)", bundle_src,
                   "id, name, kill-chain phase name (x_mitre_shortname), description and "
                   "STIX id of each x-mitre-tactic."),
            "tactics", tactics,
        ),
        "disarm-1.6-techniques.json": render(
            header("DISARM 1.6 techniques and sub-techniques (red framework)", bundle_src,
                   "id, name, tactic (from the kill-chain phase), parent technique (from the "
                   "subtechnique-of relationships) and STIX id of each attack-pattern; "
                   "descriptions left out."),
            "techniques", techniques,
        ),
        "disarm-1.6-counters.json": render(
            header("DISARM 1.6 counters (blue framework)", tables_src,
                   "the source labels tactics with older names (e.g. 'TA01 Strategic "
                   "Planning'); only the tactic id is kept. Metatechnique labels are reduced "
                   "to their ids (a counter may have two)."),
            "counters", counters,
        ),
        "disarm-1.6-metatechniques.json": render(
            header("DISARM 1.6 metatechniques (blue framework)", tables_src,
                   "id, name and summary."),
            "metatechniques", derive_plain(tables["metatechniques"]),
        ),
        "disarm-1.6-response-types.json": render(
            header("DISARM 1.6 response types (blue framework)", tables_src,
                   "id, name and summary."),
            "response_types", derive_plain(tables["responsetype"]),
        ),
        "disarm-1.6-actor-types.json": render(
            header("DISARM 1.6 actor types (blue framework)", tables_src,
                   "id, name, summary and sector ids (split into a list)."),
            "actor_types", derive_actor_types(tables),
        ),
        "disarm-1.6-incidents.json": render(
            header("DISARM 1.6 incident list", tables_src,
                   "id, name, object type, year started (as an integer), country and "
                   "'found via' as given; blank cells become null."),
            "incidents", derive_incidents(tables),
        ),
    }  # fmt: skip
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help=f"folder holding {BUNDLE_FILE} and {TABLES_FILE}")  # fmt: skip
    parser.add_argument("--output", type=Path, default=HERE, help="folder to write the tables to")
    args = parser.parse_args(argv)
    try:
        files = derive(args.source)
    except (OSError, ValueError, KeyError, DerivationError) as exc:
        print(f"derive.py: cannot derive the DISARM tables: {exc}", file=sys.stderr)
        return 1
    args.output.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.output / name).write_bytes(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
