"""The case viewer's exports: a STIX bundle, a DISARM Navigator layer, a printable brief.

Implements "Exports" of docs/adr/0015-case-viewer.md ("Reading a case").
Every export renders a :class:`~infoshare_server.viewer.model.Case` that
:func:`~infoshare_server.viewer.cases.load_case` built through the node's
policy, or (for :func:`collection_layer`) reads through the same policy, so
an export never holds more than the case page shows its reader.

* :func:`case_bundle`: the STIX 2.1 bundle of the case's objects, each at its
  latest version the reader may see (STIX 2.1 §8).
* :func:`case_layer` and :func:`collection_layer`: DISARM Navigator layers
  (:mod:`infoshare.navigator`), scored by how many incidents use each
  technique.
* :func:`case_brief_pdf`: the printable brief (``brief.py``, WeasyPrint).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from infoshare.navigator import build_layer
from infoshare.stix.tlp import tlp_label
from infoshare_server.access import Policy
from infoshare_server.storage import Store
from infoshare_server.viewer import cases as c
from infoshare_server.viewer.model import Case


def case_bundle(case: Case) -> dict[str, Any]:
    """The case as a STIX 2.1 bundle: every object of the case the reader may see, at its
    latest visible version (nothing else: hidden objects are not in ``case.objects``)."""
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": [dict(obj) for obj in case.objects],
    }


def case_layer(case: Case) -> dict[str, Any]:
    """The case's DISARM techniques as a Navigator layer (each scored 1: one incident)."""
    summary = case.summary
    level = tlp_label(summary.tlp) if summary.tlp else "no TLP marking"
    return build_layer(
        f"{summary.name} ({level})",
        {use.technique_id: 1 for use in case.techniques},
        description=(
            f"DISARM techniques of the incident {summary.ref.incident_id}"
            f" ({level}; share only as that marking allows)."
        ),
        metadata=(
            ("incident", summary.ref.incident_id),
            ("API root", summary.ref.api_root),
            ("collection", summary.ref.collection_id),
            ("TLP", level),
        ),
        comment="used in this incident",
    )


def collection_layer(
    store: Store,
    policy: Policy,
    api_root: str,
    collection_id: str,
    *,
    collections: c.Collections | None = None,
    max_examined: int = c.MAX_INCIDENTS_EXAMINED,
) -> dict[str, Any]:
    """A Navigator layer of every visible incident of one collection: each technique scored
    with the number of incidents that use it (a relationship from the incident to an
    attack-pattern citing it, profile §10), counted over what the reader may see.

    Reads the incidents in batches and, per batch, their relationships and the
    attack-patterns they name: the memory used grows with the number of
    distinct techniques, not with the collection. At most
    :data:`~infoshare_server.viewer.cases.MAX_INCIDENTS_EXAMINED` incidents (visible
    or not), the newest, are examined; the layer says so when older ones were left. Raises
    :class:`~infoshare_server.viewer.cases.NotVisible` for a collection that
    does not exist or that the reader may not read.
    """
    served = c.node_collections() if collections is None else collections
    key = served.get((api_root, collection_id))
    if key is None:
        raise c.NotVisible("no such collection")
    counts: dict[str, int] = {}
    incidents = 0
    with store.reading() as connection:
        if not policy.rights(key, connection).read:
            raise c.NotVisible("no such collection")
        readable = c.readable_collections(connection, policy, {(api_root, collection_id): key})[0]
        budget = c.Budget(max_examined)
        for batch in c._incident_batches(connection, readable, None, c.BATCH, budget):
            ids = {str(obj["id"]) for _, obj in batch}
            incidents += len(ids)
            uses: dict[str, set[str]] = {}
            probe = c.referrers(
                connection, readable, ids, ("relationship",), containing=('"attack-pattern--',)
            )
            for rel in probe.values():
                source, target = rel.get("source_ref"), rel.get("target_ref")
                if (
                    source in ids
                    and isinstance(target, str)
                    and target.startswith("attack-pattern--")
                ):
                    uses.setdefault(str(source), set()).add(target)
            patterns = c.latest_one(connection, readable, {t for u in uses.values() for t in u})
            for targets in uses.values():
                used = {
                    technique
                    for target in targets
                    if target in patterns
                    for technique in c.technique_ids(patterns[target])
                }
                for technique in used:
                    counts[technique] = counts.get(technique, 0) + 1
    title = key.settings.title or collection_id
    newest = "" if budget.cut is None else "newest "
    partial = (
        ""
        if budget.cut is None
        else f" Only the newest {max_examined:,} incidents of the collection were"
        " read: older ones are not counted."
    )
    return build_layer(
        f"{title}: DISARM techniques across {incidents} {newest}incident(s)",
        counts,
        description=(
            f"How many of the {incidents} incident(s) you may see in the collection"
            f" {collection_id} of {api_root} use each technique.{partial} Each incident keeps"
            " its own TLP marking: share this layer only as the most restrictive of them"
            " allows."
        ),
        metadata=(("API root", api_root), ("collection", collection_id),
                  ("incidents", str(incidents))),
    )  # fmt: skip


def case_brief_pdf(
    case: Case, *, language: str, messages: Mapping[str, str], reader: str = ""
) -> bytes:
    """The printable brief of the case in the reader's language, as PDF bytes (WeasyPrint);
    see :mod:`infoshare_server.viewer.brief`. ``messages``: the viewer's catalogue for
    ``language`` (keys ``brief.*``, :data:`~infoshare_server.viewer.brief.MESSAGE_KEYS`;
    missing ones fall back to built-in English and Japanese). ``reader``: the name printed
    as the brief's recipient."""
    from infoshare_server.viewer.brief import brief_pdf

    return brief_pdf(case, language=language, messages=messages, reader=reader)
