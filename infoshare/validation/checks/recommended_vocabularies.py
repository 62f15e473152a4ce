"""IS-153 and IS-154: values from STIX 2.1's suggested vocabularies.

* IS-153: a property of open-vocabulary type SHOULD take its values from the
  suggested vocabulary (STIX 2.1 §2.14 and each property's text in §4 to §6);
  a value outside it SHOULD be lowercase with hyphens (§2.14).
* IS-154: the keys of a ``hashes`` dictionary SHOULD come from
  hash-algorithm-ov (§2.7). Hashes inside ``external_references`` are left to
  the MUST of §2.5, which fixes their keys to the vocabulary. IS-154 runs in
  the ``stix`` preset only; in the ``profile`` preset IS-221
  (:mod:`infoshare.validation.checks.media_hashes`) applies the same rule with
  the profile's media hash names added (spec/profile/19-synthetic-media.md §19.3).

The vocabularies are spec/vocabularies/stix/*.json, each naming the
properties it applies to (``applies_to``). They are read once, when this
module is imported, into sets per object type, so an object costs one
dictionary look-up per vocabulary property it may carry.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, Final

from infoshare._spec_files import load_spec_json, spec_dir
from infoshare.errors import SpecDataError
from infoshare.validation._registry import Emit, StixDict, jpath, object_check

VOCABULARY_FOLDER: Final = "vocabularies/stix"
HASH_VOCABULARY: Final = "hash-algorithm-ov"
_WELL_FORMED: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


@dataclass(frozen=True, slots=True)
class VocabularyUse:
    """One property that takes its values from one open vocabulary."""

    vocabulary: str
    section: str
    extension: str | None
    property: str
    values: frozenset[str]


def _section(source: str) -> str:
    match = re.search(r"section (\d+\.\d+)", source)
    return f"§{match[1]}" if match else "§10"


def _load() -> tuple[dict[str, tuple[VocabularyUse, ...]], frozenset[str]]:
    uses: dict[str, list[VocabularyUse]] = {}
    hashes: frozenset[str] = frozenset()
    folder = spec_dir() / VOCABULARY_FOLDER
    for path in sorted(folder.glob("*.json")):
        data = load_spec_json(f"{VOCABULARY_FOLDER}/{path.name}")
        try:
            values = frozenset(term["value"] for term in data["terms"])
            if data["name"] == HASH_VOCABULARY:
                hashes = values
            for row in data.get("applies_to", ()):
                uses.setdefault(row["type"], []).append(
                    VocabularyUse(
                        data["name"],
                        _section(data["source"]),
                        row.get("extension"),
                        row["property"],
                        values,
                    )
                )
        except (KeyError, TypeError) as exc:
            raise SpecDataError(
                f"spec/{VOCABULARY_FOLDER}/{path.name} does not have the expected shape: {exc!r}"
            ) from exc
    if not hashes:
        raise SpecDataError(f"spec/{VOCABULARY_FOLDER}/{HASH_VOCABULARY}.json is missing")
    return {kind: tuple(found) for kind, found in uses.items()}, hashes


USES, HASH_ALGORITHMS = _load()


def _suggestion(value: str, values: frozenset[str]) -> str:
    import difflib  # lazily: only when a value is off the list

    close = difflib.get_close_matches(value.lower(), sorted(values), n=1, cutoff=0.75)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(values) <= 12:
        return "the suggested values are " + ", ".join(f"'{v}'" for v in sorted(values))
    return "see the vocabulary for the suggested values"


def _located(obj: StixDict, use: VocabularyUse) -> tuple[Any, tuple[str, ...]]:
    if use.extension is None:
        return obj.get(use.property), (use.property,)
    extensions = obj.get("extensions")
    extension = extensions.get(use.extension) if isinstance(extensions, dict) else None
    value = extension.get(use.property) if isinstance(extension, dict) else None
    return value, ("extensions", use.extension, use.property)


@object_check("IS-153", types=USES)
def suggested_vocabulary(obj: StixDict, emit: Emit) -> None:
    for use in USES[obj["type"]]:
        value, where = _located(obj, use)
        if value is None:
            continue
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if not isinstance(item, str) or item in use.values:
                continue  # a wrong type is IS-102's
            path = jpath(*where) if index is None else jpath(*where, index)
            form = (
                ""
                if _WELL_FORMED.match(item)
                else "; a value of your own should at least be lowercase with hyphens (§2.14)"
            )
            emit(
                path,
                f"'{item}' is not in {use.vocabulary} (STIX 2.1 {use.section}):"
                f" {_suggestion(item, use.values)}{form}",
            )


# --- IS-154 ---------------------------------------------------------------------------


def _shape(name: str) -> str:
    """A hash name reduced to upper-case letters and digits (sha256 and SHA-256 alike)."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def hash_dictionaries(obj: StixDict) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every ``hashes`` dictionary an object of STIX's hashing SCO types carries."""
    if "hashes" in obj:
        yield ("hashes",), obj["hashes"]
    extensions = obj.get("extensions")
    if obj["type"] != "file" or not isinstance(extensions, dict):
        return
    ntfs = extensions.get("ntfs-ext")
    if isinstance(ntfs, dict) and isinstance(ntfs.get("alternate_data_streams"), list):
        for index, stream in enumerate(ntfs["alternate_data_streams"]):
            if isinstance(stream, dict):
                where = ("extensions", "ntfs-ext", "alternate_data_streams", index, "hashes")
                yield where, stream.get("hashes")
    pe = extensions.get("windows-pebinary-ext")
    if isinstance(pe, dict):
        base = ("extensions", "windows-pebinary-ext")
        yield (*base, "file_header_hashes"), pe.get("file_header_hashes")
        header = pe.get("optional_header")
        if isinstance(header, dict):
            yield (*base, "optional_header", "hashes"), header.get("hashes")
        if isinstance(pe.get("sections"), list):
            for index, section in enumerate(pe["sections"]):
                if isinstance(section, dict):
                    yield (*base, "sections", index, "hashes"), section.get("hashes")


def report_unlisted_hash_names(
    obj: StixDict, emit: Emit, names: Collection[str], listed_in: str
) -> None:
    """Report each hash key of ``obj`` that is not one of ``names`` (spelled exactly)."""
    for where, hashes in hash_dictionaries(obj):
        if not isinstance(hashes, dict):
            continue
        for key in hashes:
            if key in names:
                continue
            # Only now, for a finding: the listed name this one is a misspelling of.
            known = next((name for name in names if _shape(name) == _shape(key)), None)
            advice = (
                f"write it as '{known}'"
                if known
                else "prefer an algorithm of the vocabulary (SHA-256 where you can)"
            )
            emit(jpath(*where, key), f"hash name '{key}' is not in {listed_in}: {advice}")


@object_check("IS-154", types={"artifact", "file", "x509-certificate"})
def hash_algorithm_names(obj: StixDict, emit: Emit) -> None:
    report_unlisted_hash_names(
        obj, emit, HASH_ALGORITHMS, "hash-algorithm-ov (STIX 2.1 §2.7, §10.7)"
    )
