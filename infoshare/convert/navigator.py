"""Profile → DISARM Navigator layer (a target only).

A layer is a heat map of DISARM techniques: each technique an incident of the
bundle uses (a relationship from the incident to an ``attack-pattern`` citing
the technique, spec/profile/10-relationships.md) is scored with the number of
incidents that use it, so a case gives a layer of ones and a whole collection
(a bundle of many cases) shows which techniques recur. The layer itself is
written by :mod:`infoshare.navigator`, the one layer builder of the library.

A layer holds nothing but scores per technique: every other object of the
bundle is, by design, not carried (the report says how many incidents were
counted, and which techniques were left out and why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infoshare.convert._model import Conversion, ConversionOptions
from infoshare.convert._support import Report, bundle_objects
from infoshare.navigator import attack_pattern_techniques, build_layer, technique_counts


def profile_to_navigator(data: Mapping[str, Any], options: ConversionOptions) -> Conversion:
    """A DISARM Navigator layer scoring the techniques the bundle's incidents use."""
    objects = bundle_objects(data, "profile")
    report = Report("profile", "navigator")
    incidents = [o for o in objects if o["type"] == "incident"]
    counts = technique_counts(objects)
    name = options.title
    if not name:
        names = [str(o.get("name")) for o in incidents if o.get("name")]
        name = names[0] if len(names) == 1 else f"DISARM techniques of {len(incidents)} incidents"
    for obj in objects:
        if obj["type"] != "attack-pattern":
            continue
        cited = attack_pattern_techniques(obj)
        if not cited:
            report.note(f"{obj['id']} cites no DISARM technique, so it has no cell in the layer")
        elif not any(code in counts for code in cited):
            report.note(
                f"{obj['id']} ({', '.join(cited)}) is used by no incident of the bundle,"
                " so it is not scored"
            )
    report.note(
        f"scores count the incidents using each technique ({len(incidents)} incidents read)"
    )
    layer = build_layer(
        name,
        counts,
        description=f"Converted by infoshare from a bundle of {len(objects)} STIX objects.",
        metadata=[("incidents", str(len(incidents)))],
    )
    scored = [t for t in layer["techniques"] if "score" in t]
    return Conversion(output=layer, report=report.finish(["technique"] * len(scored)))
