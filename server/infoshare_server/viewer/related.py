"""Related cases: other cases the reader may see that share something with this one.

Implements "Related cases" of docs/adr/0015-case-viewer.md ("Reading a
case"). What counts as shared, as the correlation MISP users rely on, limited
exactly by TLP and rights:

* an account (the same ``user-account``; SCO ids are derived from the
  account's properties, so every producer gives one account the same id),
* a URL (the same ``url`` object, or a post at the same address),
* a domain (the same ``domain-name`` object),
* a content hash (a value of any ``hashes`` property),
* a narrative (the same ``narrative`` object),
* the same set of DISARM techniques (at least one; compared by technique id,
  whatever the ``attack-pattern`` ids of each producer).

A shared thing counts only when the reader sees it in both cases: it was
found in the gathered case (only visible objects), and it is found in the
other collection through the reader's visibility clause, then walked back to
an incident through visible objects only, along the same paths that
:func:`~infoshare_server.viewer.cases.gather` follows forwards (so the other
case, opened, would show it). Every collection the reader may read is
searched, in every API root.

Bounds: the walk back takes at most ``MAX_DEPTH`` hops and
:data:`MAX_WALKED` objects per collection; at most :data:`MAX_RELATED` cases
are returned and at most :data:`MAX_TECHNIQUE_CANDIDATES` cases are opened to
compare technique sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy.engine import Connection

from infoshare.stix.identifiers import identifier_type
from infoshare_server.access import Policy
from infoshare_server.viewer import cases as c
from infoshare_server.viewer.model import RelatedCase

#: The most related cases listed for one case.
MAX_RELATED: Final = 25
#: The most objects one walk back to incidents visits in one collection.
MAX_WALKED: Final = 2000
#: Cases opened (gathered) to compare their set of techniques with this one's.
MAX_TECHNIQUE_CANDIDATES: Final = 25


@dataclass
class _Thing:
    """A thing of this case that another case may share, and how to find it elsewhere."""

    words: str
    #: Strings whose presence in an object's JSON makes it a candidate holder.
    needles: tuple[str, ...]


@dataclass
class _Hit:
    shared: list[str] = field(default_factory=list)


def shared_things(objects: Mapping[str, Mapping[str, Any]]) -> dict[str, _Thing]:
    """key -> thing, for every account, URL, domain, content hash and narrative of a case."""
    things: dict[str, _Thing] = {}
    for oid, obj in sorted(objects.items()):
        kind = obj.get("type")
        if kind == "user-account":
            login = obj.get("account_login") or obj.get("display_name") or obj.get("user_id")
            things[oid] = _Thing(f"account @{login}" if login else f"account {oid}", (oid,))
        elif kind == "url" and isinstance(obj.get("value"), str):
            value = str(obj["value"])
            things[f"url:{value}"] = _Thing(f"URL {value}", (oid, value))
        elif kind == "domain-name" and isinstance(obj.get("value"), str):
            things[oid] = _Thing(f"domain {obj['value']}", (oid,))
        elif kind == "narrative":
            things[oid] = _Thing(f"narrative {c.label_of(obj)}", (oid,))
        if kind == "media-content" and isinstance(obj.get("url"), str):
            value = str(obj["url"])
            key = f"url:{value}"
            if key not in things:
                things[key] = _Thing(f"URL {value}", (value,))
        hashes = obj.get("hashes")
        if isinstance(hashes, Mapping):
            for algorithm, digest in sorted(hashes.items()):
                if isinstance(digest, str) and digest:
                    things[f"hash:{digest.lower()}"] = _Thing(
                        f"content hash {algorithm} {digest}", (digest,)
                    )
    return things


def _holds(obj: Mapping[str, Any], key: str, thing: _Thing) -> bool:
    """True when ``obj`` (a visible object of another collection) holds the thing."""
    if key.startswith("url:"):
        value = key[4:]
        return (obj.get("type") == "url" and obj.get("value") == value) or (
            obj.get("type") == "media-content" and obj.get("url") == value
        )
    if key.startswith("hash:"):
        hashes = obj.get("hashes")
        return isinstance(hashes, Mapping) and any(
            isinstance(v, str) and v.lower() == key[5:] for v in hashes.values()
        )
    return obj.get("id") == key


def related_cases(
    connection: Connection,
    policy: Policy,
    readable: Sequence[c.Readable],
    gathered: c.Gathered,
) -> list[RelatedCase]:
    """The other cases the reader may see that share something with ``gathered``.

    ``readable``: every collection the policy lets the reader read
    (:func:`~infoshare_server.viewer.cases.readable_collections`).
    """
    del policy  # every read below goes through the visibility clauses in ``readable``
    home = gathered.readable
    own = (home.api_root, home.collection_id, str(gathered.incident["id"]))
    things = shared_things(gathered.objects)
    techniques = frozenset(t.technique_id for t in c.techniques_of(gathered.objects.values()))
    found: dict[tuple[str, str, str], _Hit] = {}
    incidents: dict[tuple[str, str, str], tuple[c.Readable, dict[str, Any]]] = {}
    for collection in readable:
        holders: dict[str, dict[str, Any]] = {}
        what: dict[str, set[str]] = {}
        if things:
            needles = {n for thing in things.values() for n in thing.needles}
            holding = c.mentioning(connection, collection, needles, limit=MAX_WALKED)
            for oid, obj in holding.items():
                for key, thing in things.items():
                    if _holds(obj, key, thing):
                        holders[oid] = obj
                        what.setdefault(oid, set()).add(key)
        reached = incidents_reaching(connection, collection, holders) if holders else {}
        for incident_id, (incident, starts) in reached.items():
            where = (collection.api_root, collection.collection_id, incident_id)
            if where == own:
                continue
            hit = found.setdefault(where, _Hit())
            incidents[where] = (collection, incident)
            for start in sorted(starts):
                for key in sorted(what.get(start, ())):
                    if things[key].words not in hit.shared:
                        hit.shared.append(things[key].words)
        if techniques:
            for where, incident in _same_techniques(connection, collection, techniques, own):
                hit = found.setdefault(where, _Hit())
                incidents[where] = (collection, incident)
                hit.shared.append("techniques " + ", ".join(sorted(techniques)))
    out: list[RelatedCase] = []
    for where in sorted(found, key=lambda w: (-len(found[w].shared), w)):
        collection, incident = incidents[where]
        (summary,) = c.summaries(connection, collection, [incident])
        out.append(RelatedCase(summary, tuple(found[where].shared)))
        if len(out) >= MAX_RELATED:
            break
    return out


def incidents_reaching(
    connection: Connection, readable: c.Readable, start: Mapping[str, dict[str, Any]]
) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """incident id -> (incident, the ``start`` ids it reaches): the visible incidents whose
    case (as :func:`~infoshare_server.viewer.cases.gather` builds it) holds one of ``start``.

    Walks :func:`gather`'s steps backwards: an object ``a`` that references a
    reached object ``b`` reaches it too when ``a`` grows a case (neither hub nor
    leaf) or is an incident; and a reached object of a referring type (a
    relationship, a sighting, …) was found from what it references, so that is
    reached too when it grows a case or is an incident.
    """
    reached: dict[str, set[str]] = {oid: {oid} for oid in start}
    objects: dict[str, dict[str, Any]] = dict(start)
    frontier = sorted(start)
    hits: dict[str, tuple[dict[str, Any], set[str]]] = {}
    for _depth in range(c.MAX_DEPTH + 1):
        for oid in frontier:
            if identifier_type(oid) == "incident":
                hits[oid] = (objects[oid], reached[oid])
        growing = [i for i in frontier if identifier_type(i) != "incident"]
        if not growing or len(objects) >= MAX_WALKED:
            break
        step: dict[str, set[str]] = {}
        # Objects that reference a reached object (gather's forward step, backwards).
        room = max(MAX_WALKED - len(objects), 1)
        for oid, obj in c.referrers(connection, readable, growing, None, limit=room).items():
            if not _grows_or_roots(oid):
                continue
            for _, ref in c.structure_refs(obj):
                if ref in reached and ref in growing:
                    step.setdefault(oid, set()).update(reached[ref])
                    objects.setdefault(oid, obj)
        # What a reached referring object references (gather's backward step, backwards).
        targets: dict[str, set[str]] = {}
        for oid in growing:
            if identifier_type(oid) not in c.REFERRER_TYPES:
                continue
            for _, ref in c.structure_refs(objects[oid]):
                if _grows_or_roots(ref):
                    targets.setdefault(ref, set()).update(reached[oid])
        for oid, obj in c.latest_one(connection, readable, targets).items():
            step.setdefault(oid, set()).update(targets[oid])
            objects.setdefault(oid, obj)
        frontier = []
        for oid, origins in sorted(step.items()):
            before = reached.get(oid)
            if before is None or not origins <= before:
                reached[oid] = (before or set()) | origins
                frontier.append(oid)
    return hits


def _grows_or_roots(oid: str) -> bool:
    kind = identifier_type(oid)
    return kind == "incident" or (kind not in c.HUB_TYPES and kind not in c.LEAF_TYPES)


def _same_techniques(
    connection: Connection,
    readable: c.Readable,
    techniques: frozenset[str],
    own: tuple[str, str, str],
) -> Iterable[tuple[tuple[str, str, str], dict[str, Any]]]:
    """The visible incidents of a collection whose case uses exactly ``techniques``."""
    patterns = {
        oid: obj
        for oid, obj in c.mentioning(
            connection, readable, techniques, ("attack-pattern",), limit=MAX_WALKED
        ).items()
        if set(c.technique_ids(obj)) & techniques
    }
    if not patterns:
        return []
    candidates = _incidents_using(connection, readable, patterns)
    out = []
    for incident_id, incident in sorted(candidates.items())[:MAX_TECHNIQUE_CANDIDATES]:
        where = (readable.api_root, readable.collection_id, incident_id)
        if where == own:
            continue
        case = c.gather(connection, readable, incident)
        theirs = frozenset(t.technique_id for t in c.techniques_of(case.objects.values()))
        if theirs == techniques:
            out.append((where, incident))
    return out


def _incidents_using(
    connection: Connection, readable: c.Readable, patterns: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Visible incidents whose case reaches one of the attack-patterns (hubs: reached from
    the objects that reference them)."""
    reached = incidents_reaching_hub(connection, readable, patterns)
    return {oid: incident for oid, (incident, _) in reached.items()}


def incidents_reaching_hub(
    connection: Connection, readable: c.Readable, hubs: Mapping[str, dict[str, Any]]
) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """:func:`incidents_reaching` for hub objects, which a case reaches but never grows from:
    start from the objects that reference them."""
    start: dict[str, dict[str, Any]] = {}
    for oid, obj in c.referrers(connection, readable, hubs, None, limit=MAX_WALKED).items():
        if _grows_or_roots(oid) and any(ref in hubs for _, ref in c.structure_refs(obj)):
            start[oid] = obj
    return incidents_reaching(connection, readable, start) if start else {}
