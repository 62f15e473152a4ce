"""Reading cases for the case viewer, through the node's one policy object.

Implements "Reading a case" of docs/adr/0015-case-viewer.md on top of
docs/adr/0009-one-policy-object.md: every row this module reads comes from a
storage query that carries the requester's :meth:`Policy.visibility
<infoshare_server.access.Policy.visibility>` clause, exactly as the TAXII
endpoints do (``backend.py``), so TLP clearance and TLP by origin, rights,
RED recipients and withdrawals apply here as they apply there. An object the
reader may not see is simply absent, and so is every edge to it.

* :func:`list_cases`: the incidents of every collection the reader may read,
  newest first, filtered, one page at a time with a sealed keyset token bound
  to the reader (``paging.py``, endpoint kind ``cases``).
* :func:`load_case`: one incident and what is reachable from it (profile §3,
  §9, §16, §17, §18), assembled into a :class:`~.model.Case`.
* :func:`filter_choices`: the values the list's filters offer.

Nothing here loads a whole collection into memory: incidents are read in
batches of :data:`BATCH`, objects by id in chunks of :data:`CHUNK`, and a case
stops growing at :data:`MAX_CASE_OBJECTS` objects or :data:`MAX_DEPTH` hops.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, FromClause

from infoshare.navigator import attack_pattern_techniques
from infoshare.profile import (
    EXT_FIMI_INCIDENT,
    EXT_JOINT_AUTHORSHIP,
    EXT_OASIS_INCIDENT_CORE,
    EXT_PLATFORM_ACTION,
)
from infoshare.reference import disarm_framework
from infoshare.stix.identifiers import identifier_type, is_identifier
from infoshare.stix.tlp import tlp_level
from infoshare.validation.checks.attribution_agreement import confidence_band
from infoshare_server.access import Policy
from infoshare_server.paging import PageSigner, PageToken
from infoshare_server.storage import CollectionKey, ObjectQuery, Store, Visibility, select_objects
from infoshare_server.storage import _tables as t
from infoshare_server.storage._objects import _conditions
from infoshare_server.storage._withdrawals import withdrawn as withdrawn_table
from infoshare_server.viewer.model import (
    ActionItem,
    Attribution,
    Case,
    CaseFilters,
    CasePage,
    CaseRef,
    CaseSummary,
    Choice,
    FilterChoices,
    GraphEdge,
    GraphNode,
    LocalisedText,
    OpinionView,
    PlatformAction,
    TechniqueUse,
    TimelineEntry,
)

#: The served collections by (API root name, collection id): ``SqlBackend.collection_keys``.
Collections = Mapping[tuple[str, str], CollectionKey]

#: Incidents read per query while paging or counting.
BATCH: Final = 200
#: Ids per ``IN (...)`` list or per group of ``LIKE`` probes.
CHUNK: Final = 200
#: Ids probed for referring objects in one query (each is one ``LIKE`` term).
PROBE_CHUNK: Final = 40
#: A case stops growing at this many objects (and says so: ``Case.truncated``).
MAX_CASE_OBJECTS: Final = 1500
#: Hops from the incident (a relationship object counts as one hop).
MAX_DEPTH: Final = 6
#: The longest page of the case list.
MAX_LIMIT: Final = 100
#: Incidents, visible or not, one request of the case list, the filter choices or a
#: collection layer may examine, shared by the collections it walks
#: (docs/adr/0020-bounded-work.md, "Case viewer").
MAX_INCIDENTS_EXAMINED: Final = 5000
#: Incidents one query of such a walk may examine.
WINDOW: Final = 1000

#: Objects many cases share: they are part of a case, but the case does not grow
#: through them (otherwise one identity or one technique would pull in every case).
HUB_TYPES: Final = frozenset(
    {
        "identity",
        "marking-definition",
        "location",
        "attack-pattern",
        "course-of-action",
        "intrusion-set",
        "threat-actor",
        "incident",
        "extension-definition",
    }
)
#: Objects that point at a case from outside: found by what they name, never expanded.
LEAF_TYPES: Final = frozenset(
    {"report", "note", "opinion", "language-content", "withdrawal", "grouping"}
)
#: The types whose objects can name a case object without the case naming them.
REFERRER_TYPES: Final = (
    "relationship",
    "sighting",
    "observed-data",
    "report",
    "note",
    "opinion",
    "grouping",
    "language-content",
    "engagement",
    "account-state",
    "synthetic-media-analysis",
    "withdrawal",
)
#: Reference properties that carry no case structure.
_NOT_STRUCTURE: Final = frozenset({"object_marking_refs", "marking_ref", "created_by_ref"})


class CaseReadError(ValueError):
    """A request to the case reader that cannot be served (bad limit, for example)."""


class NotVisible(LookupError):
    """What was asked for does not exist or the reader may not see it (one answer for
    both, so nothing leaks): the web layer answers 404."""


def node_collections() -> Collections:
    """The collections the node serves, from the current Flask app's backend.

    The case reader needs the configured collections (their ``can_read``); the
    database alone also keeps collections no longer configured, which the
    node never serves.
    """
    from flask import current_app, has_app_context

    if not has_app_context():
        raise CaseReadError("the case reader needs the node's collections: pass collections=")
    keys = getattr(getattr(current_app, "medallion_backend", None), "collection_keys", None)
    if not isinstance(keys, Mapping):
        raise CaseReadError("the node's backend does not list its collections")
    return keys


@dataclass(frozen=True, slots=True)
class Readable:
    """A collection the reader may read, with the clause of the rows it may see there."""

    api_root: str
    collection_id: str
    key: CollectionKey
    visibility: Visibility
    #: True for the node's operators: withdrawn records are shown to them, flagged.
    sees_withdrawn: bool


def readable_collections(
    connection: Connection, policy: Policy, collections: Collections
) -> list[Readable]:
    """Every collection of ``collections`` the policy lets its requester read, in a fixed order."""
    out: list[Readable] = []
    operator = policy.requester is not None and policy.requester.operator
    for (api_root, collection_id), key in sorted(collections.items()):
        if not policy.rights(key, connection).read:
            continue
        out.append(
            Readable(
                api_root, collection_id, key, policy.visibility(key, connection),
                operator or policy.requester is None,
            )
        )  # fmt: skip
    return out


# --- rows ---------------------------------------------------------------------------------


def _parse(body: str | None) -> dict[str, Any] | None:
    if body is None:
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def latest(
    connection: Connection,
    readable: Readable,
    ids: Iterable[str],
    *,
    every_version: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """The latest visible version (or every visible version, oldest first) of each of
    ``ids`` the collection holds, by id. One indexed query per :data:`CHUNK` ids."""
    wanted = sorted({i for i in ids if _is_id(i)})
    out: dict[str, list[dict[str, Any]]] = {}
    versions = ("all",) if every_version else ("last",)
    for start in range(0, len(wanted), CHUNK):
        rows = select_objects(
            connection,
            readable.key.collection_pk,
            ObjectQuery(ids=tuple(wanted[start : start + CHUNK]), versions=versions),
            visibility=readable.visibility,
        )
        for row in rows:
            obj = _parse(row.body)
            if obj is not None:
                out.setdefault(row.object_id, []).append(obj)
    for found in out.values():
        found.sort(key=lambda o: str(o.get("modified", o.get("created", ""))))
    return out


def latest_one(
    connection: Connection, readable: Readable, ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """:func:`latest`, one object per id."""
    return {i: versions[-1] for i, versions in latest(connection, readable, ids).items()}


def referrers(
    connection: Connection,
    readable: Readable,
    ids: Iterable[str],
    types: Sequence[str] | None = REFERRER_TYPES,
    *,
    limit: int | None = None,
    containing: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """The latest visible version of every object of ``types`` (None: any) whose text
    names one of ``ids``; the caller checks which property names it. See :func:`mentioning`
    for ``limit`` and ``containing``."""
    return mentioning(
        connection, readable, [i for i in ids if _is_id(i)], types,
        limit=limit, containing=containing,
    )  # fmt: skip


#: Longest string :func:`mentioning` looks for (longer ones are not probed).
MAX_NEEDLE: Final = 2048


def mentioning(
    connection: Connection,
    readable: Readable,
    needles: Iterable[str],
    types: Sequence[str] | None = None,
    *,
    limit: int | None = None,
    containing: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """The latest visible version of every object of ``types`` (None: any type) whose
    stored JSON holds one of ``needles`` as a whole JSON string.

    The candidates come from a substring probe inside the database (the needle
    as a quoted JSON string; :func:`_substring_test`), restricted by the
    reader's visibility, so nothing is read that the reader may not see; one
    query per :data:`PROBE_CHUNK` needles. ``containing``: text every candidate
    must also hold (narrows the probe). ``limit``: at most this many objects
    are returned (a caller that gets ``limit`` knows there may be more). A
    candidate's latest visible version may no longer hold the needle: callers
    check what they need.
    """
    probes: set[str] = set()
    for needle in needles:
        if not needle or len(needle) > MAX_NEEDLE or "\x00" in needle:
            continue
        probes.add(json.dumps(needle, ensure_ascii=False))
        probes.add(json.dumps(needle, ensure_ascii=True))
    wanted = sorted(probes)
    found: set[str] = set()
    o = t.objects.alias("referrer")
    holds = _substring_test(connection)
    for start in range(0, len(wanted), PROBE_CHUNK):
        chunk = wanted[start : start + PROBE_CHUNK]
        conditions = [o.c.collection_pk == readable.key.collection_pk]
        if types is not None:
            conditions.append(o.c.object_type.in_(types))
        # The narrow tests first: the database evaluates the list of needles only on the
        # rows that pass them.
        conditions += [holds(o.c.body, text) for text in containing]
        conditions.append(sa.or_(*(holds(o.c.body, probe) for probe in chunk)))
        conditions.append(readable.visibility(o))
        stmt = sa.select(o.c.object_id).where(*conditions).distinct().order_by(o.c.object_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        found.update(str(v) for v in connection.execute(stmt).scalars())
        if limit is not None and len(found) >= limit:
            found = set(sorted(found)[:limit])
            break
    return latest_one(connection, readable, found)


def _substring_test(
    connection: Connection,
) -> Callable[[ColumnElement[str], str], ColumnElement[bool]]:
    """``column holds text`` as a plain substring test: ``instr`` on SQLite, ``strpos`` on
    PostgreSQL (no pattern, so nothing in ``text`` needs escaping, and no ``LIKE`` cost)."""
    name = "instr" if connection.dialect.name == "sqlite" else "strpos"

    def test(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
        found: ColumnElement[int] = getattr(sa.func, name)(column, sa.literal(text, sa.Text()))
        return found > 0

    return test


def withdrawn_among(connection: Connection, readable: Readable, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` a withdrawal in effect names in the collection."""
    wanted = sorted(set(ids))
    out: set[str] = set()
    w = withdrawn_table
    for start in range(0, len(wanted), CHUNK):
        stmt = sa.select(w.c.object_id).where(
            w.c.collection_pk == readable.key.collection_pk,
            w.c.object_id.in_(wanted[start : start + CHUNK]),
            w.c.effective == sa.true(),
        )
        out.update(str(v) for v in connection.execute(stmt).scalars())
    return out


class Budget:
    """The incidents one walk of a collection may still examine, visible or not
    (docs/adr/0020-bounded-work.md, "Case viewer").

    ``cut`` is set when the walk stopped for want of budget: the position below
    which it examined nothing (the rows at and above it were all examined).
    """

    def __init__(self, rows: int = MAX_INCIDENTS_EXAMINED) -> None:
        self.left = max(1, rows)
        self.cut: int | None = None


def shared_budgets(count: int, total: int = MAX_INCIDENTS_EXAMINED) -> list[Budget]:
    """One budget per collection of a request that walks ``count`` collections: an equal
    share of ``total`` each (at least one batch), so every walk advances and the
    request stays bounded."""
    return [Budget(max(min(BATCH, total), total // max(1, count))) for _ in range(count)]


def _incident_batches(
    connection: Connection,
    readable: Readable,
    before_seq: int | None,
    first: int = BATCH,
    budget: Budget | None = None,
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """The collection's visible incidents (latest visible version), newest first, in batches:
    ``first`` rows, then four times as many each time, up to :data:`BATCH` (a page of the
    list usually needs only the first).

    With a ``budget``, each query reads only the next :data:`WINDOW` incidents of the
    collection below the cursor, visible or not (one covering index walk finds where
    they end), what was examined is charged to the budget, and the walk stops, setting
    ``budget.cut``, when the budget is spent before the collection is.
    """
    o = t.objects.alias("case_row")
    pk = readable.key.collection_pk
    cursor = before_seq
    size = max(1, min(first, BATCH))
    while True:
        conditions = _conditions(o, pk, ObjectQuery(types=("incident",)), readable.visibility)
        if cursor is not None:
            conditions.append(o.c.seq < cursor)
        floor: int | None = None
        span = 0
        if budget is not None:
            span = min(budget.left, WINDOW)
            floor = _incident_floor(connection, pk, cursor, span)
            if floor is not None:
                conditions.append(o.c.seq > floor)
        stmt = sa.select(o.c.seq, o.c.body).where(*conditions).order_by(o.c.seq.desc()).limit(size)
        rows = list(connection.execute(stmt))
        batch = [(int(seq), obj) for seq, body in rows if (obj := _parse(body)) is not None]
        if batch:
            yield batch
        if len(rows) == size:
            if budget is not None:
                budget.left -= _incidents_between(connection, pk, int(rows[-1][0]), cursor)
            cursor = int(rows[-1][0])
        elif floor is not None and budget is not None:
            budget.left -= span
            cursor = floor + 1
        else:
            return
        if budget is not None and budget.left <= 0:
            budget.cut = cursor
            return
        size = min(size * 4, BATCH)


def _incident_index(pk: int) -> tuple[FromClause, list[ColumnElement[bool]]]:
    o = t.objects
    return o, [o.c.collection_pk == pk, o.c.object_type == "incident"]


def _incident_floor(connection: Connection, pk: int, below: int | None, span: int) -> int | None:
    """The position of the incident ``span`` places below ``below`` (None: fewer are left):
    a covering walk of ``(collection, type, seq)``, ``span`` entries at most."""
    o, conditions = _incident_index(pk)
    if below is not None:
        conditions.append(o.c.seq < below)
    stmt = sa.select(o.c.seq).where(*conditions).order_by(o.c.seq.desc()).offset(span).limit(1)
    found = connection.execute(stmt).scalar()
    return None if found is None else int(found)


def _incidents_between(connection: Connection, pk: int, low: int, below: int | None) -> int:
    """How many incidents (visible or not) sit at ``low`` or above, below ``below``: the
    entries a query that stopped at ``low`` walked (at most a window: bounded)."""
    o, conditions = _incident_index(pk)
    conditions.append(o.c.seq >= low)
    if below is not None:
        conditions.append(o.c.seq < below)
    return int(connection.execute(sa.select(sa.func.count()).where(*conditions)).scalar_one())


# --- summaries ------------------------------------------------------------------------------


def _ext(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    extensions = obj.get("extensions")
    if isinstance(extensions, Mapping):
        found = extensions.get(key)
        if isinstance(found, Mapping):
            return found
    return {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str) and v)


def _is_id(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 300 and is_identifier(value)


def label_of(obj: Mapping[str, Any]) -> str:
    """The words that name an object on a page: its name, title, value or login."""
    for key in ("name", "title", "value", "display_name", "account_login", "abstract", "url"):
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
    if obj.get("type") == "relationship":
        return str(obj.get("relationship_type", "relationship"))
    return str(obj.get("id", "?"))


def _countries_of(
    connection: Connection, readable: Readable, incidents: Sequence[Mapping[str, Any]]
) -> dict[str, tuple[str, ...]]:
    """incident id -> the countries it targets: the FIMI extension's ``target_countries``
    and the ``country`` of every visible location it ``targets`` (profile §3.2, §10)."""
    out: dict[str, set[str]] = {}
    ids = [str(i["id"]) for i in incidents]
    for incident in incidents:
        codes = _strings(_ext(incident, EXT_FIMI_INCIDENT).get("target_countries"))
        out[str(incident["id"])] = {c.upper() for c in codes}
    targets: dict[str, set[str]] = {}
    probe = referrers(connection, readable, ids, ("relationship",), containing=('"location--',))
    for rel in probe.values():
        source, target = rel.get("source_ref"), rel.get("target_ref")
        if (
            rel.get("relationship_type") == "targets"
            and source in out
            and isinstance(target, str)
            and target.startswith("location--")
        ):
            targets.setdefault(target, set()).add(str(source))
    for location_id, location in latest_one(connection, readable, targets).items():
        country = location.get("country")
        if isinstance(country, str) and country:
            for incident_id in targets[location_id]:
                out[incident_id].add(country.upper())
    return {key: tuple(sorted(value)) for key, value in out.items()}


def _determination(incident: Mapping[str, Any]) -> str | None:
    for ext in (EXT_FIMI_INCIDENT, EXT_OASIS_INCIDENT_CORE):
        found = _text(_ext(incident, ext).get("determination"))
        if found:
            return found
    return None


def _status(incident: Mapping[str, Any]) -> str | None:
    for ext in (EXT_FIMI_INCIDENT, EXT_OASIS_INCIDENT_CORE):
        found = _text(_ext(incident, ext).get("investigation_status"))
        if found:
            return found
    return None


def summaries(
    connection: Connection, readable: Readable, incidents: Sequence[Mapping[str, Any]]
) -> list[CaseSummary]:
    """The list lines of ``incidents`` (visible versions of one collection)."""
    countries = _countries_of(connection, readable, incidents)
    creators = {str(i["created_by_ref"]) for i in incidents if _is_id(i.get("created_by_ref"))}
    names = {k: label_of(v) for k, v in latest_one(connection, readable, creators).items()}
    flagged = (
        withdrawn_among(connection, readable, [str(i["id"]) for i in incidents])
        if readable.sees_withdrawn
        else set()
    )
    out = []
    for incident in incidents:
        incident_id = str(incident["id"])
        creator = _text(incident.get("created_by_ref"))
        fimi = _ext(incident, EXT_FIMI_INCIDENT)
        out.append(
            CaseSummary(
                ref=CaseRef(readable.api_root, readable.collection_id, incident_id),
                name=label_of(incident),
                description=_text(incident.get("description")),
                created=str(incident.get("created", "")),
                modified=str(incident.get("modified", incident.get("created", ""))),
                tlp=tlp_level(incident),
                origin_id=creator,
                origin_name=names.get(creator) if creator else None,
                countries=countries.get(incident_id, ()),
                fimi_types=_strings(fimi.get("fimi_types")),
                determination=_determination(incident),
                status=_status(incident),
                withdrawn=incident_id in flagged,
            )
        )
    return out


def matches(summary: CaseSummary, filters: CaseFilters) -> bool:
    """True when the case list line passes every filter that is set."""
    if filters.country and filters.country.upper() not in summary.countries:
        return False
    if filters.fimi_type and filters.fimi_type not in summary.fimi_types:
        return False
    if filters.determination and filters.determination != summary.determination:
        return False
    if filters.status and filters.status != summary.status:
        return False
    if filters.tlp and filters.tlp != summary.tlp:
        return False
    if filters.origin and filters.origin != summary.origin_id:
        return False
    day = _day(summary.modified)
    if filters.since is not None and (day is None or day < filters.since):
        return False
    return not (filters.until is not None and (day is None or day > filters.until))


def _day(timestamp: str) -> date | None:
    try:
        return date.fromisoformat(timestamp[:10])
    except ValueError:
        return None


# --- the case list --------------------------------------------------------------------------


def filters_digest(filters: CaseFilters) -> str:
    """A digest of the filters a token was issued for (a token serves only them)."""
    canonical = {
        "country": filters.country.upper() if filters.country else None,
        "fimi_type": filters.fimi_type,
        "determination": filters.determination,
        "status": filters.status,
        "tlp": filters.tlp,
        "origin": filters.origin,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


#: The API root and collection a case-list token names (it spans every readable one).
_EVERY = "*"


def list_cases(
    store: Store,
    policy: Policy,
    filters: CaseFilters,
    *,
    limit: int,
    token: str | None,
    pager: PageSigner,
    collections: Collections | None = None,
    max_examined: int = MAX_INCIDENTS_EXAMINED,
) -> CasePage:
    """One page of the cases the requester may see, newest first (by the latest visible
    version's position in the node), with the token of the next page.

    ``token`` is the ``next_token`` of the previous page, for the same filters
    and the same requester; anything else is a
    :class:`~infoshare_server.errors.RequestError` (400) that says why.
    ``collections``: the node's served collections (default: the current Flask
    app's, :func:`node_collections`). ``max_examined``: the incidents, visible or
    not, the page may examine (:class:`Budget`); a page that reaches it ends early,
    with a token for the rest.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise CaseReadError("limit must be a positive whole number")
    size = min(limit, MAX_LIMIT)
    served = node_collections() if collections is None else collections
    digest = filters_digest(filters)
    owner = policy.token_owner
    before: int | None = None
    if token is not None:
        before = pager.check(
            token, endpoint="cases", api_root=_EVERY, collection_id=_EVERY,
            filters=digest, partner=owner,
        )  # fmt: skip
    picked: list[tuple[int, CaseSummary]] = []
    with store.reading() as connection:
        readable = readable_collections(connection, policy, served)
        budgets = shared_budgets(len(readable), max_examined)
        streams = [
            _Stream(_matching(connection, r, filters, before, first=size + 1, budget=b))
            for r, b in zip(readable, budgets, strict=True)
        ]
        # Merge the collections' newest-first streams (seq is node-wide). A stream that
        # spent its budget examined everything at or above its cut: nothing below the
        # highest cut is taken, so the next page, which starts there, skips nothing.
        while len(picked) <= size:
            heads = [(s.peek(), s) for s in streams]
            live = [(head, s) for head, s in heads if head is not None]
            if not live:
                break
            (seq, summary), stream = max(live, key=lambda pair: pair[0][0])
            cut = _highest_cut(budgets)
            if cut is not None and seq < cut:
                break
            stream.pop()
            picked.append((seq, summary))
    more = len(picked) > size
    page = picked[:size]
    resume = page[-1][0] if more else _highest_cut(budgets)
    next_token = None
    if resume is not None:
        next_token = pager.issue(PageToken("cases", _EVERY, _EVERY, digest, resume, owner))
    return CasePage(tuple(summary for _, summary in page), next_token)


def _highest_cut(budgets: Sequence[Budget]) -> int | None:
    return max((b.cut for b in budgets if b.cut is not None), default=None)


class _Stream:
    """An iterator with one item of look-ahead."""

    def __init__(self, items: Iterator[tuple[int, CaseSummary]]) -> None:
        self._items = items
        self._head: tuple[int, CaseSummary] | None = None
        self._done = False

    def peek(self) -> tuple[int, CaseSummary] | None:
        if self._head is None and not self._done:
            self._head = next(self._items, None)
            self._done = self._head is None
        return self._head

    def pop(self) -> None:
        self._head = None


def _matching(
    connection: Connection,
    readable: Readable,
    filters: CaseFilters,
    before: int | None,
    first: int,
    budget: Budget | None = None,
) -> Iterator[tuple[int, CaseSummary]]:
    """The collection's list lines that pass ``filters``, newest first. The filters read
    from the incident itself are applied before the lines are built, so only the
    candidates cost the lookups of countries, names and withdrawals."""
    targeting: set[str] | None = None
    if filters.country:
        targeting = set(_targeted_countries(connection, readable, filters.country))
    for batch in _incident_batches(connection, readable, before, first, budget):
        chosen = [(seq, obj) for seq, obj in batch if _may_match(obj, filters, targeting)]
        if not chosen:
            continue
        lines = summaries(connection, readable, [obj for _, obj in chosen])
        for (seq, _), line in zip(chosen, lines, strict=True):
            if matches(line, filters):
                yield seq, line


def _may_match(
    incident: Mapping[str, Any], filters: CaseFilters, targeting: set[str] | None = None
) -> bool:
    """False when ``incident`` fails a filter it can be judged on by itself, or the country
    filter: ``targeting`` holds the incidents that target a location of that country."""
    fimi = _ext(incident, EXT_FIMI_INCIDENT)
    if filters.country and targeting is not None:
        named = {c.upper() for c in _strings(fimi.get("target_countries"))}
        if filters.country.upper() not in named and incident.get("id") not in targeting:
            return False
    if filters.fimi_type and filters.fimi_type not in _strings(fimi.get("fimi_types")):
        return False
    if filters.determination and filters.determination != _determination(incident):
        return False
    if filters.status and filters.status != _status(incident):
        return False
    if filters.tlp and filters.tlp != tlp_level(incident):
        return False
    if filters.origin and filters.origin != incident.get("created_by_ref"):
        return False
    modified = str(incident.get("modified", incident.get("created", "")))
    day = _day(modified)
    if filters.since is not None and (day is None or day < filters.since):
        return False
    return not (filters.until is not None and (day is None or day > filters.until))


def _targeted_countries(
    connection: Connection, readable: Readable, country: str | None = None
) -> dict[str, set[str]]:
    """incident id -> the countries of the visible locations it ``targets`` through a visible
    relationship (profile §10), for every incident of the collection, or only those
    targeting ``country``. One narrow probe for such relationships, then their locations
    by id in chunks; the caller keeps only incidents it may see."""
    o = t.objects.alias("targeting")
    holds = _substring_test(connection)
    stmt = (
        sa.select(o.c.object_id)
        .where(
            o.c.collection_pk == readable.key.collection_pk,
            o.c.object_type == "relationship",
            holds(o.c.body, '"targets"'),
            holds(o.c.body, '"location--'),
            holds(o.c.body, '"incident--'),
            readable.visibility(o),
        )
        .distinct()
        .order_by(o.c.object_id)
    )
    ids = [str(v) for v in connection.execute(stmt).scalars()]
    out: dict[str, set[str]] = {}
    for start in range(0, len(ids), CHUNK):
        targets: dict[str, set[str]] = {}
        for rel in latest_one(connection, readable, ids[start : start + CHUNK]).values():
            source, target = rel.get("source_ref"), rel.get("target_ref")
            if (
                rel.get("relationship_type") == "targets"
                and isinstance(source, str)
                and source.startswith("incident--")
                and isinstance(target, str)
                and target.startswith("location--")
            ):
                targets.setdefault(target, set()).add(source)
        for location_id, location in latest_one(connection, readable, targets).items():
            code = location.get("country")
            if not isinstance(code, str) or not code:
                continue
            if country is not None and code.upper() != country.upper():
                continue
            for incident_id in targets[location_id]:
                out.setdefault(incident_id, set()).add(code.upper())
    return out


def filter_choices(
    store: Store,
    policy: Policy,
    *,
    collections: Collections | None = None,
    max_examined: int = MAX_INCIDENTS_EXAMINED,
) -> FilterChoices:
    """The values the case list's filters can take for this requester: only values of
    incidents it may see (so the choices leak nothing the list would not show), read
    from at most ``max_examined`` incidents, the newest of each collection
    (``complete`` False when some were left unread)."""
    served = node_collections() if collections is None else collections
    countries: set[str] = set()
    types: set[str] = set()
    determinations: set[str] = set()
    statuses: set[str] = set()
    tlps: set[str] = set()
    origins: dict[str, str] = {}
    with store.reading() as connection:
        readable_ones = readable_collections(connection, policy, served)
        budgets = shared_budgets(len(readable_ones), max_examined)
        for readable, budget in zip(readable_ones, budgets, strict=True):
            visible: set[str] = set()
            creators: set[str] = set()
            for batch in _incident_batches(connection, readable, None, BATCH, budget):
                for _, incident in batch:
                    visible.add(str(incident["id"]))
                    fimi = _ext(incident, EXT_FIMI_INCIDENT)
                    countries.update(c.upper() for c in _strings(fimi.get("target_countries")))
                    types.update(_strings(fimi.get("fimi_types")))
                    for value, into in (
                        (_determination(incident), determinations),
                        (_status(incident), statuses),
                        (tlp_level(incident), tlps),
                    ):
                        if value:
                            into.add(value)
                    if _is_id(incident.get("created_by_ref")):
                        creators.add(str(incident["created_by_ref"]))
            for incident_id, codes in _targeted_countries(connection, readable).items():
                if incident_id in visible:
                    countries.update(codes)
            names = latest_one(connection, readable, creators - origins.keys())
            for creator in creators:
                origins.setdefault(creator, label_of(names[creator]) if creator in names
                                   else creator)  # fmt: skip

    def plain(values: set[str]) -> tuple[Choice, ...]:
        return tuple(Choice(v, v) for v in sorted(values))

    from infoshare.stix.tlp import RANK, tlp_label

    return FilterChoices(
        countries=tuple(Choice(c, _country_name(c)) for c in sorted(countries)),
        fimi_types=plain(types),
        determinations=plain(determinations),
        statuses=plain(statuses),
        tlps=tuple(Choice(v, tlp_label(v)) for v in sorted(tlps, key=lambda v: RANK.get(v, 9))),
        origins=tuple(
            Choice(k, v) for k, v in sorted(origins.items(), key=lambda kv: (kv[1], kv[0]))
        ),
        complete=_highest_cut(budgets) is None,
    )


def _country_name(code: str) -> str:
    from infoshare.reference import country

    found = country(code) if len(code) == 2 else None
    return f"{found.name} ({code})" if found is not None else code


# --- one case -------------------------------------------------------------------------------


def _refs(value: object, prop: str = "") -> Iterator[tuple[str, str]]:
    """(property, id) of every ``*_ref``/``*_refs`` value in ``value``, nested ones too."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                continue
            if key.endswith("_ref") and isinstance(item, str):
                yield key, item
            elif key.endswith("_refs") and isinstance(item, list):
                yield from ((key, i) for i in item if isinstance(i, str))
            elif isinstance(item, Mapping | list):
                yield from _refs(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item, prop)


def structure_refs(obj: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The references of ``obj`` that make a case's structure (markings and creators left out)."""
    return [(p, i) for p, i in _refs(obj) if p not in _NOT_STRUCTURE and _is_id(i)]


@dataclass
class Gathered:
    """The objects of one case, before they become a :class:`Case`."""

    readable: Readable
    incident: dict[str, Any]
    objects: dict[str, dict[str, Any]]
    truncated: bool


def gather(connection: Connection, readable: Readable, incident: dict[str, Any]) -> Gathered:
    """The incident and what is reachable from it (see the module doc and the ADR)."""
    root = str(incident["id"])
    objects: dict[str, dict[str, Any]] = {root: incident}
    frontier = [root]
    truncated = False
    for _depth in range(MAX_DEPTH):
        growing = [
            i for i in frontier
            if i == root or identifier_type(i) not in HUB_TYPES | LEAF_TYPES
        ]  # fmt: skip
        if not growing:
            break
        wanted = {
            ref for i in growing for _, ref in structure_refs(objects[i])
            if not _other_incident(ref, root) or _names_any(objects[i], {root})
        } - objects.keys()  # fmt: skip
        found = latest_one(connection, readable, wanted)
        # Already gathered objects come back too: the room is on top of them.
        room = max(MAX_CASE_OBJECTS - len(objects) - len(found), 0) + 1 + len(objects)
        probed = referrers(connection, readable, growing, limit=room)
        if len(probed) >= room:
            truncated = True
        backwards = {
            k: v for k, v in probed.items()
            if k not in objects and k not in found
            and _names_any(v, set(growing))
            and not _joins_another_case(v, root)
        }  # fmt: skip
        new = {**found, **backwards}
        if len(objects) + len(new) > MAX_CASE_OBJECTS:
            truncated = True
            keep = MAX_CASE_OBJECTS - len(objects)
            new = dict(sorted(new.items())[: max(keep, 0)])
        objects.update(new)
        frontier = sorted(new)
        if truncated:
            break
    else:
        truncated = bool(frontier) and any(
            identifier_type(i) not in HUB_TYPES | LEAF_TYPES for i in frontier
        )
    # Creators, markings and the identities named by extensions: for names and the bundle.
    extra = {
        ref
        for obj in objects.values()
        for prop, ref in _refs(obj)
        if prop in _NOT_STRUCTURE and _is_id(ref)
    } - objects.keys()
    objects.update(latest_one(connection, readable, extra))
    return Gathered(readable, incident, objects, truncated)


def _names_any(obj: Mapping[str, Any], ids: set[str]) -> bool:
    return any(ref in ids for _, ref in structure_refs(obj))


def _other_incident(object_id: str, root: str) -> bool:
    return object_id != root and identifier_type(object_id) == "incident"


def _joins_another_case(obj: Mapping[str, Any], root: str) -> bool:
    """True for a relationship or sighting of another incident that does not name this
    one: it belongs to that case (which the reader finds among the related cases). One
    that joins the two incidents themselves stays, with the other incident as a node."""
    if obj.get("type") not in ("relationship", "sighting"):
        return False
    ends = [obj.get("source_ref"), obj.get("target_ref"), obj.get("sighting_of_ref")]
    if root in ends:
        return False
    return any(isinstance(end, str) and _other_incident(end, root) for end in ends)


def load_case(
    store: Store,
    policy: Policy,
    ref: CaseRef,
    *,
    language: str,
    collections: Collections | None = None,
    with_related: bool = True,
) -> Case | None:
    """The case of ``ref`` as the requester may see it, or None.

    None means "not found or not visible", one answer for both, so a reader
    learns nothing about cases it may not see: an unknown API root or
    collection, one it may not read, an id that is not an incident id, an
    incident hidden by TLP or withdrawn all give None.
    ``language``: the reader's language (BCP 47), for translations (§9).
    """
    served = node_collections() if collections is None else collections
    if not _is_id(ref.incident_id) or identifier_type(ref.incident_id) != "incident":
        return None
    key = served.get((ref.api_root, ref.collection_id))
    if key is None:
        return None
    with store.reading() as connection:
        if not policy.rights(key, connection).read:
            return None
        readable = next(
            (r for r in readable_collections(connection, policy, {(ref.api_root,
             ref.collection_id): key})),
            None,
        )  # fmt: skip
        if readable is None:
            return None
        incident = latest_one(connection, readable, [ref.incident_id]).get(ref.incident_id)
        if incident is None:
            return None
        gathered = gather(connection, readable, incident)
        summary = summaries(connection, readable, [incident])[0]
        history = latest(
            connection,
            readable,
            [i for i in gathered.objects if identifier_type(i) in ("engagement", "account-state")],
            every_version=True,
        )
        case = assemble(gathered, summary, history, language)
        if with_related:
            from infoshare_server.viewer.related import related_cases

            related = related_cases(
                connection, policy, readable_collections(connection, policy, served), gathered
            )
            case = _with_related(case, related)
    return case


def _with_related(case: Case, related: Any) -> Case:
    from dataclasses import replace

    return replace(case, related=tuple(related))


# --- assembling a case ----------------------------------------------------------------------


def confidence_words(value: object) -> str | None:
    """The words of profile §13.2.1 for a STIX confidence (0-100), or None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        return None
    return confidence_band(value)


def assemble(
    gathered: Gathered,
    summary: CaseSummary,
    history: Mapping[str, Sequence[Mapping[str, Any]]],
    language: str,
) -> Case:
    """The :class:`Case` of gathered objects (pure: no database)."""
    objects = gathered.objects
    incident = gathered.incident
    names = {i: label_of(o) for i, o in objects.items()}
    translations = _translations(objects.values(), language)
    edges = _edges(objects)
    nodes = _nodes(objects, edges)
    shown = {n.id for n in nodes}
    return Case(
        summary=summary,
        co_authors=_co_authors(objects, incident, names),
        attributions=_attributions(objects, incident, names),
        timeline=_timeline(objects, history, names, gathered.readable.sees_withdrawn),
        nodes=nodes,
        edges=tuple(e for e in edges if e.source in shown and e.target in shown),
        techniques=techniques_of(objects.values()),
        narratives=tuple(
            _localised(o, translations, language) for o in _sorted(objects.values(), "narrative")
        ),
        posts=tuple(
            _localised(o, translations, language)
            for o in _sorted(objects.values(), "media-content")
        ),
        platform_actions=tuple(
            _platform_action(o, objects, names)
            for o in _sorted(objects.values(), "task")
            if _ext(o, EXT_PLATFORM_ACTION)
        ),
        opinions=tuple(
            OpinionView(
                object_id=str(o["id"]),
                author=_name_or_id(names, o.get("created_by_ref")),
                opinion=str(o.get("opinion", "")),
                explanation=_text(o.get("explanation")),
                created=str(o.get("created", "")),
            )
            for o in _sorted(objects.values(), "opinion")
        ),
        related=(),
        objects=tuple(objects[i] for i in sorted(objects)),
        truncated=gathered.truncated,
    )


def _name_or_id(names: Mapping[str, str], ref: object) -> str | None:
    if not isinstance(ref, str) or not ref:
        return None
    return names.get(ref, ref)


def _sorted(objects: Iterable[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    chosen = [o for o in objects if o.get("type") == kind]
    return sorted(chosen, key=lambda o: (str(o.get("created", "")), str(o["id"])))


def _co_authors(
    objects: Mapping[str, Mapping[str, Any]], incident: Mapping[str, Any], names: Mapping[str, str]
) -> tuple[str, ...]:
    """The co-authors of profile §18: the joint-authorship extension of the incident
    and of the reports on it, by name where the reader may see the identity."""
    found: list[str] = []
    holders = [incident, *(o for o in objects.values() if o.get("type") == "report")]
    for holder in holders:
        for ref in _strings(_ext(holder, EXT_JOINT_AUTHORSHIP).get("coauthor_refs")):
            name = names.get(ref, ref)
            if name not in found:
                found.append(name)
    return tuple(found)


def _attributions(
    objects: Mapping[str, Mapping[str, Any]], incident: Mapping[str, Any], names: Mapping[str, str]
) -> tuple[Attribution, ...]:
    """Attribution (profile §3.3, §13.2): the FIMI extension's, then ``attributed-to``
    relationships from the incident to actors the extension does not name."""
    out: list[Attribution] = []
    fimi = _ext(incident, EXT_FIMI_INCIDENT).get("attribution")
    seen: set[str] = set()
    if isinstance(fimi, Mapping):
        basis = ", ".join(_strings(fimi.get("basis"))) or None
        confidence = fimi.get("confidence")
        for actor in _strings(fimi.get("actor_refs")):
            seen.add(actor)
            out.append(_attribution(actor, objects, names, confidence, basis))
    for rel in objects.values():
        if (
            rel.get("type") == "relationship"
            and rel.get("relationship_type") == "attributed-to"
            and rel.get("source_ref") == incident.get("id")
            and _is_id(rel.get("target_ref"))
            and rel["target_ref"] not in seen
        ):
            target = str(rel["target_ref"])
            seen.add(target)
            out.append(
                _attribution(
                    target, objects, names, rel.get("confidence"),
                    _text(rel.get("description")),
                )
            )  # fmt: skip
    return tuple(out)


def _attribution(
    actor: str,
    objects: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, str],
    confidence: object,
    basis: str | None,
) -> Attribution:
    number = None
    if isinstance(confidence, int) and not isinstance(confidence, bool):
        number = confidence
    return Attribution(
        actor_id=actor,
        actor_name=names.get(actor, actor),
        actor_type=str(objects.get(actor, {}).get("type", identifier_type(actor) or "")),
        confidence=number,
        confidence_words=confidence_words(number),
        basis=basis,
    )


def _timeline(
    objects: Mapping[str, Mapping[str, Any]],
    history: Mapping[str, Sequence[Mapping[str, Any]]],
    names: Mapping[str, str],
    operator: bool,
) -> tuple[TimelineEntry, ...]:
    entries: list[TimelineEntry] = []

    def add(at: object, kind: Any, title: str, detail: str | None, object_id: str) -> None:
        if isinstance(at, str) and at:
            entries.append(TimelineEntry(at, kind, title, detail, object_id))

    for oid, obj in objects.items():
        kind = obj.get("type")
        if kind == "media-content":
            url = _text(obj.get("url"))
            title = names[oid]
            add(obj.get("publication_date"), "post", title, url if url != title else None, oid)
        elif kind == "sighting":
            target = names.get(str(obj.get("sighting_of_ref", "")), "")
            count = obj.get("count")
            detail = f"{count} times: {target}" if isinstance(count, int) else target or None
            add(obj.get("first_seen"), "sighting", _text(obj.get("description")) or "sighting",
                detail, oid)  # fmt: skip
        elif kind == "observed-data":
            add(obj.get("first_observed"), "sighting", "observed data",
                f"{obj.get('number_observed', '?')} observed", oid)  # fmt: skip
        elif kind == "event":
            add(obj.get("start_time"), "event", names[oid], _text(obj.get("description")), oid)
        elif kind == "withdrawal" and operator:
            add(obj.get("created"), "withdrawal", f"withdrawal: {obj.get('reason', '')}",
                _text(obj.get("description")), oid)  # fmt: skip
        elif kind == "task" and _ext(obj, EXT_PLATFORM_ACTION):
            ext = _ext(obj, EXT_PLATFORM_ACTION)
            for step in ("submitted", "acknowledged", "decided"):
                add(ext.get(step), "platform-action", f"{names[oid]}: {step}", None, oid)
            for item in ext.get("item_outcomes") or []:
                if not isinstance(item, Mapping):
                    continue
                target = names.get(str(item.get("target_ref", "")), str(item.get("target_ref")))
                appeal = item.get("appeal")
                if isinstance(appeal, Mapping):
                    add(appeal.get("appealed"), "platform-action", f"appeal: {target}",
                        _text(appeal.get("reason")), oid)  # fmt: skip
                    add(appeal.get("decided"), "platform-action",
                        f"appeal {appeal.get('outcome', '')}: {target}", None, oid)  # fmt: skip
    for oid, versions in history.items():
        for version in versions:
            if version.get("type") == "engagement":
                counts = ", ".join(
                    f"{k.removesuffix('_count')} {v}"
                    for k, v in version.items()
                    if k.endswith("_count") and isinstance(v, int)
                )
                subject = names.get(str(version.get("subject_ref", "")), "")
                add(version.get("measured_at"), "engagement", f"engagement: {subject}",
                    counts or None, oid)  # fmt: skip
            elif version.get("type") == "account-state":
                account = names.get(str(version.get("account_ref", "")), "")
                add(version.get("state_since") or version.get("modified"), "account-state",
                    f"{account}: {version.get('state', '')}", _text(version.get("reason")),
                    oid)  # fmt: skip
    entries.sort(key=lambda e: (e.at, e.kind, e.title, e.object_id))
    return tuple(entries)


#: Types that are not drawn as graph nodes (they are edges, labels or text).
_NOT_NODES: Final = frozenset({"relationship", "marking-definition", "language-content"})


def _nodes(
    objects: Mapping[str, Mapping[str, Any]], edges: Sequence[GraphEdge]
) -> tuple[GraphNode, ...]:
    linked = {i for e in edges if e.label != "object_refs" for i in (e.source, e.target)}
    out = []
    for oid in sorted(objects):
        obj = objects[oid]
        kind = str(obj.get("type", ""))
        if kind in _NOT_NODES or (kind == "identity" and oid not in linked):
            continue
        out.append(GraphNode(oid, kind, label_of(obj), tlp_level(obj)))
    return tuple(out)


def _edges(objects: Mapping[str, Mapping[str, Any]]) -> tuple[GraphEdge, ...]:
    edges: set[GraphEdge] = set()
    for oid, obj in objects.items():
        kind = obj.get("type")
        if kind in ("marking-definition", "language-content"):
            continue
        if kind == "relationship":
            source, target = obj.get("source_ref"), obj.get("target_ref")
            if source in objects and target in objects:
                edges.add(GraphEdge(str(source), str(target), str(obj.get("relationship_type"))))
            continue
        for prop, ref in structure_refs(obj):
            if ref in objects and ref != oid and identifier_type(ref) != "relationship":
                edges.add(GraphEdge(oid, ref, prop))
    return tuple(sorted(edges, key=lambda e: (e.source, e.target, e.label)))


def technique_ids(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """The DISARM technique ids an attack-pattern cites (its external references)."""
    return attack_pattern_techniques(obj)


def techniques_of(objects: Iterable[Mapping[str, Any]], count: int = 1) -> tuple[TechniqueUse, ...]:
    """The DISARM techniques the attack-patterns among ``objects`` cite, with their tactics
    from the DISARM reference data (profile §9.3)."""
    framework = disarm_framework()
    found: dict[str, TechniqueUse] = {}
    for obj in objects:
        if obj.get("type") != "attack-pattern":
            continue
        for technique_id in technique_ids(obj):
            known = framework.technique(technique_id)
            tactics = tuple(t.id for t in framework.tactics_of(technique_id))
            if not tactics:
                phases = obj.get("kill_chain_phases")
                for phase in phases if isinstance(phases, list) else []:
                    if isinstance(phase, Mapping):
                        tactic = framework.tactic_by_shortname(str(phase.get("phase_name")))
                        if tactic is not None:
                            tactics += (tactic.id,)
            name = known.name if known is not None else label_of(obj)
            found[technique_id] = TechniqueUse(technique_id, name, tactics, count)
    return tuple(found[k] for k in sorted(found))


def _matches_language(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    return tag == wanted or tag.split("-")[0] == wanted.split("-")[0]


def _translations(
    objects: Iterable[Mapping[str, Any]], language: str
) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """object id -> (language tag, the fields) of the reader's language, from
    language-content objects (STIX 2.1 §7.1; profile §9)."""
    out: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for obj in objects:
        if obj.get("type") != "language-content":
            continue
        target, contents = obj.get("object_ref"), obj.get("contents")
        if not isinstance(target, str) or not isinstance(contents, Mapping):
            continue
        for tag, fields in contents.items():
            if (
                isinstance(tag, str)
                and isinstance(fields, Mapping)
                and _matches_language(tag, language)
                and (target not in out or tag == language)
            ):
                out[target] = (tag, fields)
    return out


def _localised(
    obj: Mapping[str, Any], translations: Mapping[str, tuple[str, Mapping[str, Any]]], language: str
) -> LocalisedText:
    oid = str(obj["id"])
    original_language = _text(obj.get("lang")) or _text(obj.get("language"))
    fields = ("description", "content", "name", "title")
    original = next((v for f in fields if (v := _text(obj.get(f)))), label_of(obj))
    tag, translation = None, None
    found = translations.get(oid)
    if found is not None and not (
        original_language and _matches_language(original_language, language)
    ):
        tag = found[0]
        translation = next((v for f in fields if (v := _text(found[1].get(f)))), None)
        if translation is None:
            tag = None
    return LocalisedText(
        object_id=oid,
        object_type=str(obj.get("type", "")),
        label=label_of(obj),
        original_language=original_language,
        original=original,
        translation_language=tag,
        translation=translation,
    )


def _legal_basis(ext: Mapping[str, Any]) -> str | None:
    parts = []
    for basis in ext.get("legal_basis") or []:
        if not isinstance(basis, Mapping):
            continue
        text = str(basis.get("instrument", ""))
        if basis.get("provision"):
            text += f", {basis['provision']}"
        if basis.get("jurisdiction"):
            text += f" ({basis['jurisdiction']})"
        if basis.get("kind"):
            text = f"{basis['kind']}: {text}"
        parts.append(text)
    return "; ".join(parts) or None


def _platform_action(
    task: Mapping[str, Any], objects: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]
) -> PlatformAction:
    """A task with the platform-action extension at its latest visible version (§17)."""
    ext = _ext(task, EXT_PLATFORM_ACTION)
    outcomes: dict[str, Mapping[str, Any]] = {}
    for item in ext.get("item_outcomes") or []:
        if isinstance(item, Mapping) and isinstance(item.get("target_ref"), str):
            outcomes[str(item["target_ref"])] = item
    requested = ", ".join(_strings(ext.get("requested_actions"))) or None
    items = []
    appeals = []
    pending = "pending" if ext.get("submitted") else None
    for target in _strings(ext.get("target_refs")):
        outcome = outcomes.get(target, {})
        appeal = outcome.get("appeal")
        if isinstance(appeal, Mapping):
            appeals.append(f"{names.get(target, target)}: {appeal.get('outcome', 'pending')}")
        items.append(
            ActionItem(
                target=names.get(target, target),
                requested_action=requested,
                outcome=_text(outcome.get("outcome")) or pending,
                decided=_text(outcome.get("decided")),
                note=_text(outcome.get("reason")),
            )
        )
    referral = ext.get("referral")
    platform = _text(ext.get("platform_ref"))
    if platform is None and isinstance(referral, Mapping):
        platform = _text(referral.get("database_ref"))
    kinds = _strings(task.get("task_types"))
    return PlatformAction(
        task_id=str(task["id"]),
        name=label_of(task),
        kind=kinds[0] if kinds else ("referral" if isinstance(referral, Mapping) else "request"),
        platform=names.get(platform, platform) if platform else None,
        legal_basis=_legal_basis(ext),
        state=_text(task.get("outcome")),
        submitted=_text(ext.get("submitted")),
        acknowledged=_text(ext.get("acknowledged")),
        decided=_text(ext.get("decided")),
        items=tuple(items),
        appeal="; ".join(appeals) or None,
    )
