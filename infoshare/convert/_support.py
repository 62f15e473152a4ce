"""What every direction into or out of the profile shares.

* reading the input: a STIX bundle's objects, with errors that name the JSON
  path (:class:`~infoshare.errors.ConversionError`);
* stable ids, so that converting the same input twice gives the same output
  (and sync sees the same objects again, not new ones);
* the TLP 2.0 marking and the author identity the user supplies
  (:class:`~infoshare.convert.ConversionOptions`), and what is *needed* when
  they are missing;
* the report under construction: counts, what was kept aside, what is needed.

Implements the conversion contract of docs/bridges.md; TLP follows
spec/profile/12-markings.md §12.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from infoshare.convert._model import (
    ConversionOptions,
    ConversionReport,
    Format,
    KeptAside,
    Needed,
)
from infoshare.errors import ConversionError, UsageError
from infoshare.markings import TLP_2_0_IDS, canonical_tlp_marking
from infoshare.profile import STIX_SPEC_VERSION
from infoshare.reference import countries
from infoshare.stix.identifiers import STIX_NAMESPACE, is_identifier

#: Namespace of the ids a conversion derives from the ids of its source.
_CONVERTED: Final = uuid.uuid5(STIX_NAMESPACE, "infoshare convert")

#: Everyday English names of countries whose ISO 3166-1 name differs; matched
#: case-insensitively after the ISO name, alpha-2 and alpha-3 codes.
COUNTRY_ALIASES: Final[dict[str, str]] = {
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "vietnam": "VN",
    "laos": "LA",
    "moldova": "MD",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "taiwan": "TW",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "czech republic": "CZ",
    "turkey": "TR",
    "ivory coast": "CI",
    "palestine": "PS",
    "the netherlands": "NL",
    "holland": "NL",
    "brunei": "BN",
    "east timor": "TL",
    "macedonia": "MK",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "micronesia": "FM",
    "vatican": "VA",
    "kosovo": "XK",
}


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a country name or code stands for, or None."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    for code, country in countries().items():
        if wanted in (country.name.casefold(), code.casefold(), country.alpha_3.casefold()):
            return code
    alias = COUNTRY_ALIASES.get(wanted)
    return alias if alias is not None and alias in countries() else None


_TIMESTAMP_KEYS: Final = ("created", "modified")


def pad_timestamps(obj: dict[str, Any]) -> None:
    """Give ``created`` and ``modified`` the millisecond precision STIX 2.1 §3.2 requires."""
    for key in _TIMESTAMP_KEYS:
        value = obj.get(key)
        if not isinstance(value, str) or not value.endswith("Z") or "T" not in value:
            continue
        body = value[:-1]
        whole, _, fraction = body.partition(".")
        if not fraction.isdigit() and fraction:
            continue
        if len(fraction) < 3:
            obj[key] = f"{whole}.{fraction.ljust(3, '0')}Z"


def stable_id(stix_type: str, *seeds: str) -> str:
    """A ``<type>--<UUID>`` that is the same whenever the same seeds are given."""
    digest = uuid.uuid5(_CONVERTED, "\x1f".join((stix_type, *seeds)))
    return f"{stix_type}--{uuid.UUID(bytes=digest.bytes, version=4)}"


def fail(source: str, path: str, message: str, *, hint: str | None = None) -> ConversionError:
    """A ConversionError that names the input and the JSON path."""
    return ConversionError(f"{source} input at {path}: {message}", hint=hint)


def bundle_objects(data: Mapping[str, Any], source: str) -> list[dict[str, Any]]:
    """The objects of a STIX bundle, each a JSON object with a valid type and id."""
    if not isinstance(data, Mapping):
        raise fail(source, "$", "expected a STIX bundle (a JSON object)")
    if data.get("type") != "bundle":
        raise fail(
            source,
            "$.type",
            f'expected a STIX bundle ("type": "bundle"), found {data.get("type")!r}',
        )
    objects = data.get("objects", [])
    if not isinstance(objects, list):
        raise fail(source, "$.objects", "objects must be a JSON array")
    out: list[dict[str, Any]] = []
    for index, obj in enumerate(objects):
        path = f"$.objects[{index}]"
        if not isinstance(obj, dict):
            raise fail(source, path, "every object must be a JSON object")
        kind, ident = obj.get("type"), obj.get("id")
        if not isinstance(kind, str) or not isinstance(ident, str) or not is_identifier(ident):
            raise fail(source, path, f"an object needs a type and a valid STIX id; id is {ident!r}")
        if not ident.startswith(kind + "--"):
            raise fail(source, path + ".id", f"id {ident!r} does not start with {kind}--")
        out.append(obj)
    return out


def tlp_marking_id(options: ConversionOptions) -> str | None:
    """The TLP 2.0 marking-definition id the user asked for, or None."""
    if options.tlp is None:
        return None
    level = options.tlp.strip().lower().removeprefix("tlp:")
    if level not in TLP_2_0_IDS:
        raise UsageError(
            f"unknown TLP level {options.tlp!r}",
            hint="use one of: " + ", ".join(TLP_2_0_IDS),
        )
    return TLP_2_0_IDS[level]


def author_identity(options: ConversionOptions, created: str) -> dict[str, Any] | None:
    """The identity of the organisation converting, from --author, or None."""
    if not options.author_name or not options.author_name.strip():
        return None
    identity: dict[str, Any] = {
        "type": "identity",
        "spec_version": STIX_SPEC_VERSION,
        "id": stable_id("identity", "author", options.author_name.strip()),
        "created": created,
        "modified": created,
        "name": options.author_name.strip(),
        "identity_class": "organization",
    }
    if options.author_country:
        code = options.author_country.strip().upper()
        if code not in countries():
            raise UsageError(
                f"--author-country {options.author_country!r} is not an ISO 3166-1 alpha-2 code",
                hint="for example JP, PH, VN",
            )
    return identity


def author_location(
    author: Mapping[str, Any], options: ConversionOptions, marking: str | None
) -> list[dict[str, Any]]:
    """The author's country (--author-country) as a location the identity is located at."""
    if not options.author_country:
        return []
    code = options.author_country.strip().upper()
    created = str(author["created"])
    location: dict[str, Any] = {
        "type": "location",
        "spec_version": STIX_SPEC_VERSION,
        "id": stable_id("location", "country", code),
        "created": created,
        "modified": created,
        "created_by_ref": author["id"],
        "name": countries()[code].name,
        "country": code,
    }
    relationship: dict[str, Any] = {
        "type": "relationship",
        "spec_version": STIX_SPEC_VERSION,
        "id": stable_id("relationship", author["id"], "located-at", location["id"]),
        "created": created,
        "modified": created,
        "created_by_ref": author["id"],
        "relationship_type": "located-at",
        "source_ref": author["id"],
        "target_ref": location["id"],
    }
    if marking is not None:
        location["object_marking_refs"] = [marking]
        relationship["object_marking_refs"] = [marking]
    return [location, relationship]


@dataclass
class Report:
    """A :class:`ConversionReport` under construction."""

    source: Format
    target: Format
    kept_aside: list[KeptAside] = field(default_factory=list)
    needed: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def keep_aside(self, source: str, what: str, where: str, reason: str) -> None:
        self.kept_aside.append(KeptAside(source=source, what=what, where=where, reason=reason))

    def need(self, option: str, affected: str, explanation: str) -> None:
        ids, _ = self.needed.setdefault(option, ([], explanation))
        if affected not in ids:
            ids.append(affected)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def finish(self, converted: Iterable[str]) -> ConversionReport:
        return ConversionReport(
            source=self.source,
            target=self.target,
            converted=dict(sorted(Counter(converted).items())),
            kept_aside=tuple(self.kept_aside),
            needed=tuple(
                Needed(option=option, affected=tuple(ids), explanation=why)
                for option, (ids, why) in self.needed.items()
            ),
            notes=tuple(self.notes),
        )


def tlp_markings_in_use(objects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The canonical TLP 2.0 marking-definitions the objects refer to, once each."""
    used: list[str] = []
    for obj in objects:
        for ref in obj.get("object_marking_refs", ()):
            if isinstance(ref, str) and ref in TLP_2_0_IDS.values() and ref not in used:
                used.append(ref)
    return [canonical_tlp_marking(ref) for ref in used]


def bundle(objects: list[dict[str, Any]], seed: str) -> dict[str, Any]:
    """A STIX bundle of ``objects`` with a stable id."""
    return {"type": "bundle", "id": stable_id("bundle", seed), "objects": objects}


def aside_note(
    title: str,
    aside: Mapping[str, Mapping[str, Any]],
    objects: list[dict[str, Any]],
    author_id: str | None,
    marking: str | None,
) -> dict[str, Any]:
    """One note holding, per source object, what the profile has no place for (JSON text).

    Its ``object_refs`` name the converted objects concerned that are in the
    output (a note must name at least one object).
    """
    present = {o["id"] for o in objects}
    refs = sorted(ref for ref in aside if ref in present) or sorted(present)[:1]
    created = max((str(o.get("modified", o.get("created", ""))) for o in objects), default="")
    created = created or "1970-01-01T00:00:00.000Z"
    note: dict[str, Any] = {
        "type": "note",
        "spec_version": STIX_SPEC_VERSION,
        "id": stable_id("note", "kept aside", *sorted(aside)),
        "created": created,
        "modified": created,
        "abstract": title,
        "content": json.dumps(aside, indent=2, sort_keys=True, ensure_ascii=False),
        "object_refs": refs,
    }
    if author_id is not None:
        note["created_by_ref"] = author_id
    if marking is not None:
        note["object_marking_refs"] = [marking]
    return note
