"""DISARM Navigator layers: a heat map of DISARM techniques, as the Navigator reads it.

The DISARM Foundation's Navigator is the ATT&CK Navigator (version 4.8.2)
loaded with the DISARM red framework as its only domain, identified as
``DISARM`` (data version ``1``). It opens *layer* files: JSON in the
Navigator's layer format 4.4, where each technique entry names a
``techniqueID`` (``T0049`` or a sub-technique ``T0049.003``), the ``tactic``
it is shown under (the tactic's short name, such as ``maximise-exposure``)
and a ``score``; the ``gradient`` maps scores to colours.

:func:`build_layer` writes such a layer from technique counts (how many
incidents use each technique), with tactics from the profile's DISARM
reference data (spec/profile/09-standard-objects.md §9.3), so a partner can
open a case, or a whole collection, in the Navigator as a heat map.
:func:`technique_counts` counts the techniques the incidents of a STIX
bundle use; :func:`layer_problems` checks a layer against the format.

Example::

    >>> layer = build_layer("Example", {"T0049.003": 2, "T0002": 1})
    >>> [(t["techniqueID"], t.get("score")) for t in layer["techniques"]]
    [('T0002', 1), ('T0049', None), ('T0049.003', 2)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from infoshare.errors import UsageError
from infoshare.reference import DISARM_VERSION, TECHNIQUE_ID, disarm_framework

#: The Navigator release the layer is written for (the DISARM Navigator's base).
NAVIGATOR_VERSION: Final = "4.8.2"
#: The layer file format version that Navigator release reads and writes.
LAYER_FORMAT_VERSION: Final = "4.4"
#: The domain identifier of the DISARM red framework in the DISARM Navigator.
DOMAIN: Final = "DISARM"
#: The data version of that domain (the Navigator's ``versions.attack``).
DOMAIN_VERSION: Final = "1"
#: Colours from the lowest to the highest score: light to dark red (readable either way).
GRADIENT_COLOURS: Final = ("#fff5f0", "#fc9272", "#a50f15")
#: Longest layer name written (the Navigator shows it in a tab).
MAX_NAME: Final = 200


def build_layer(
    name: str,
    counts: Mapping[str, int],
    *,
    description: str = "",
    metadata: Sequence[tuple[str, str]] = (),
    comment: str = "used by {count} incident(s)",
) -> dict[str, Any]:
    """A Navigator layer scoring each technique of ``counts`` with its count.

    ``counts``: technique id -> how many incidents use it (at least 1).
    ``comment``: the text shown on each scored technique; ``{count}`` is
    replaced by its count. A sub-technique's parent is added, unscored, with
    ``showSubtechniques`` so the Navigator opens it. A technique DISARM
    does not know is kept (the Navigator then ignores it) and named in the
    layer's metadata.

    Raises :class:`~infoshare.errors.UsageError` for an id that is not a
    technique id or a count that is not a positive whole number.
    """
    framework = disarm_framework()
    for technique_id, count in counts.items():
        if not isinstance(technique_id, str) or not TECHNIQUE_ID.fullmatch(technique_id):
            raise UsageError(
                f"DISARM Navigator layer: {str(technique_id)[:40]!r} is not a DISARM technique id",
                hint="technique ids look like T0049 or T0049.003",
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise UsageError(
                f"DISARM Navigator layer: the count of {technique_id} must be a positive whole"
                f" number, not {count!r}"
            )
    entries: dict[str, dict[str, Any]] = {}
    unknown: list[str] = []
    for technique_id, count in counts.items():
        entry: dict[str, Any] = {"techniqueID": technique_id}
        tactics = framework.tactics_of(technique_id)
        if tactics:
            entry["tactic"] = tactics[0].shortname
        else:
            unknown.append(technique_id)
        entry["score"] = count
        entry["comment"] = comment.format(count=count)
        entry["enabled"] = True
        entries[technique_id] = entry
    for technique_id in list(entries):
        technique = framework.technique(technique_id)
        parent = technique.parent_id if technique is not None else None
        if parent is None:
            continue
        holder = entries.get(parent)
        if holder is None:
            holder = {"techniqueID": parent, "enabled": True}
            parent_tactics = framework.tactics_of(parent)
            if parent_tactics:
                holder["tactic"] = parent_tactics[0].shortname
            entries[parent] = holder
        holder["showSubtechniques"] = True
    top = max(counts.values(), default=1)
    layer_metadata = [{"name": "DISARM framework", "value": DISARM_VERSION}]
    layer_metadata += [{"name": key, "value": value} for key, value in metadata]
    if unknown:
        layer_metadata.append(
            {"name": "not in DISARM " + DISARM_VERSION, "value": ", ".join(sorted(unknown))}
        )
    return {
        "name": _one_line(name)[:MAX_NAME] or "DISARM techniques",
        "versions": {
            "attack": DOMAIN_VERSION,
            "navigator": NAVIGATOR_VERSION,
            "layer": LAYER_FORMAT_VERSION,
        },
        "domain": DOMAIN,
        "description": description,
        "sorting": 3,  # by score, highest first
        "layout": {
            "layout": "side",
            "showID": True,
            "showName": True,
            "showAggregateScores": False,
            "countUnscored": False,
            "aggregateFunction": "max",
        },
        "hideDisabled": False,
        "techniques": [entries[key] for key in sorted(entries, key=_technique_order)],
        "gradient": {
            "colors": list(GRADIENT_COLOURS),
            "minValue": 0,
            "maxValue": max(top, 1),
        },
        "legendItems": [],
        "showTacticRowBackground": False,
        "tacticRowBackground": "#dddddd",
        "selectTechniquesAcrossTactics": True,
        "selectSubtechniquesWithParent": False,
        "metadata": layer_metadata,
    }


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _technique_order(technique_id: str) -> tuple[int, int]:
    main, _, sub = technique_id[1:].partition(".")
    return int(main), int(sub or 0)


def attack_pattern_techniques(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """The DISARM technique ids an ``attack-pattern`` cites in its external references."""
    found: list[str] = []
    refs = obj.get("external_references")
    for ref in refs if isinstance(refs, list) else []:
        if not isinstance(ref, Mapping) or str(ref.get("source_name", "")).upper() != "DISARM":
            continue
        external = ref.get("external_id")
        if isinstance(external, str) and TECHNIQUE_ID.fullmatch(external):
            found.append(external)
    return tuple(found)


def technique_counts(objects: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """technique id -> how many incidents of ``objects`` use it (a relationship from the
    incident to an ``attack-pattern`` citing the technique, profile §10)."""
    patterns: dict[str, tuple[str, ...]] = {}
    uses: dict[str, set[str]] = {}
    for obj in objects:
        if obj.get("type") == "attack-pattern" and isinstance(obj.get("id"), str):
            patterns[str(obj["id"])] = attack_pattern_techniques(obj)
        elif obj.get("type") == "relationship":
            source, target = obj.get("source_ref"), obj.get("target_ref")
            if (
                isinstance(source, str)
                and source.startswith("incident--")
                and isinstance(target, str)
            ):
                uses.setdefault(source, set()).add(target)
    counts: dict[str, int] = {}
    for targets in uses.values():
        used = {t for target in targets for t in patterns.get(target, ())}
        for technique_id in used:
            counts[technique_id] = counts.get(technique_id, 0) + 1
    return counts


def layer_problems(layer: object) -> list[str]:
    """What keeps ``layer`` from being a DISARM Navigator layer (format 4.4); empty if none."""
    problems: list[str] = []
    if not isinstance(layer, Mapping):
        return ["a layer is a JSON object"]
    if not isinstance(layer.get("name"), str) or not layer["name"]:
        problems.append("name: required, a non-empty string")
    if layer.get("domain") != DOMAIN:
        problems.append(f"domain: must be {DOMAIN!r}")
    versions = layer.get("versions")
    if not isinstance(versions, Mapping) or not all(
        isinstance(versions.get(k), str) for k in ("navigator", "layer")
    ):
        problems.append("versions: navigator and layer versions are required strings")
    techniques = layer.get("techniques", [])
    if not isinstance(techniques, list):
        problems.append("techniques: must be a list")
        techniques = []
    tactics = {t.shortname for t in disarm_framework().tactics.values()}
    for index, entry in enumerate(techniques):
        where = f"techniques[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: must be an object")
            continue
        technique_id = entry.get("techniqueID")
        if not isinstance(technique_id, str) or not TECHNIQUE_ID.fullmatch(technique_id):
            problems.append(f"{where}.techniqueID: not a DISARM technique id")
        if "tactic" in entry and entry["tactic"] not in tactics:
            problems.append(f"{where}.tactic: {entry['tactic']!r} is not a DISARM tactic")
        score = entry.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
            problems.append(f"{where}.score: must be a number")
    gradient = layer.get("gradient")
    if gradient is not None:
        if not isinstance(gradient, Mapping):
            problems.append("gradient: must be an object")
        else:
            colours = gradient.get("colors")
            if not isinstance(colours, list) or len(colours) < 2:
                problems.append("gradient.colors: at least two colours")
            low, high = gradient.get("minValue"), gradient.get("maxValue")
            if not isinstance(low, int | float) or not isinstance(high, int | float) or high <= low:
                problems.append("gradient: maxValue must be a number above minValue")
    return problems
