"""Adding objects to a collection: validate each, store the valid ones at once.

Implements TAXII 2.1 §5.5 (Add Objects) and the ingest flow of
docs/architecture.md and docs/adr/0004-sql-storage.md:

1. The envelope must be a JSON object whose ``objects`` is a list of JSON
   objects (:func:`infoshare.stix.envelope.taxii_envelope_problems`), each
   with a string ``id``. Otherwise nothing can be reported per
   object, and the whole request is refused with 422 (the spec's answer when
   the server cannot process the content) and a message naming the problem.
2. Every object is validated with the library's validator: the FIMI profile
   for a "profile" collection, plain STIX 2.1 for a "stix" one. The posted
   objects are validated together, so references among them resolve; the
   validator asks the node once, at the end, about the references left
   (``ValidationOptions.resolve_ids``), and the node answers from the objects
   of the collection the submitter may see, so a reference to a hidden object
   fails exactly like one to an unknown id (no existence oracle). An object with an error
   finding is a failure whose message lists the check ids
   ("IS-501: … | IS-301: …"); warnings do not reject. IS-111 (duplicate in one
   bundle) is not applied: a duplicate is not an error for the node.
3. The valid objects, the status and its details are written in ONE
   transaction. An object whose id and version the collection already holds
   is a success, not a failure, and is not stored twice. The status reads
   "complete" and exists only once that transaction has committed, and
   SQLite (synchronous=FULL) or PostgreSQL has made it durable. Each new
   version is stored with its TLP 2.0 level and the submitting partner
   (docs/adr/0006-partner-access.md), which the visibility clause reads.
4. Originator control (docs/adr/0012-originator-control.md), decided inside
   the same transaction: each new version records the organisation it came
   from (``objects.origin``); only the organisation that owns an object may
   add versions to it (a version by anyone else is a failure saying so); and
   a writer that posts an id it cannot see gets its own private copy, so the
   reply and its later reads are those of a new id.
5. The life of a case (``case_life.py``, docs/adr/0013-withdrawal.md), in the
   same transaction: an SCO already stored with other content is a failure
   (SCOs have no versions); a revoked object takes no later version; a
   posted ``withdrawal`` from the originator of the objects it names stops
   them being served, and one from anyone else is a failure naming the ids;
   a pulled one stops those its remote delivered in its author's name. The
   node checks a withdrawal's shape itself in every collection mode, and a
   withdrawal's ``withdrawn_refs`` need not resolve (the validator's IS-301
   leaves them alone): it may name ids this node never held, or holds but the
   writer cannot see.

The validators are built once per :class:`Ingest`, not per request.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from infoshare.stix.envelope import taxii_envelope_problems
from infoshare.stix.identifiers import identifier_type, is_identifier
from infoshare.stix.timestamps import TimestampError
from infoshare.stix.tlp import tlp_level
from infoshare.validation import Finding, Severity, ValidationOptions, Validator
from infoshare.validation._registry import IdResolver
from infoshare_server.access._origin import NOT_OWNER, Writer, decide, owners
from infoshare_server.access._withdrawal import is_withdrawal, shape_problem
from infoshare_server.case_life import CaseLife
from infoshare_server.errors import RequestError
from infoshare_server.storage import (
    LOCAL_ORIGIN,
    CollectionKey,
    Inserted,
    NewObject,
    StatusDetail,
    StatusRecord,
    Store,
    Visibility,
    existing_ids,
    insert_objects,
    lock_clock,
    purge_statuses,
    save_status,
    shared_objects,
)
from infoshare_server.storage._time import format_date_added, version_key

#: Called inside an add's write transaction with the stored status and each accepted
#: object with what became of it (``Inserted.date_added`` is None for a duplicate).
WithinTransaction = Callable[[Connection, StatusRecord, list[tuple[NewObject, Inserted]]], None]
#: Called inside the same transaction with each withdrawal the add stored and its ids.
OnWithdrawn = Callable[[Connection, list[tuple[str, list[str]]]], None]

#: Checks the node does not apply on ingest (see the module docstring).
INGEST_IGNORED_CHECKS = frozenset({"IS-111"})
#: Longest id the node stores (a STIX id is at most 250 + 2 + 36 characters).
MAX_ID_LENGTH = 300
#: Findings quoted in one failure message, and its length.
_MAX_FINDINGS_QUOTED = 8
_MAX_MESSAGE = 2000
_SPEC_VERSION = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}\Z")


class Ingest:
    """Validates and stores posted envelopes. One per node (or per test)."""

    def __init__(
        self,
        store: Store,
        *,
        status_retention: timedelta = timedelta(days=7),
        clock: Callable[[], datetime] | None = None,
        organisation: str | None = None,
    ) -> None:
        """``organisation``: the STIX identity id of the node's own organisation
        (``[sharing] organisation``): objects it created belong to the operators."""
        if status_retention < timedelta(hours=24):
            raise ValueError("status_retention must be at least 24 hours (TAXII clients poll it)")
        self.store = store
        self.status_retention = status_retention
        self.organisation = organisation
        self._now = clock or (lambda: datetime.now(UTC))
        self._validators = {
            mode: Validator(ValidationOptions(mode=mode, ignore=INGEST_IGNORED_CHECKS))
            for mode in ("profile", "stix")
        }

    def add(
        self,
        key: CollectionKey,
        envelope: object,
        request_time: datetime,
        *,
        within: WithinTransaction | None = None,
        submitter: str | None = None,
        writer: Writer | None = None,
        visibility: Visibility | None = None,
        on_withdrawn: OnWithdrawn | None = None,
    ) -> StatusRecord:
        """Add the objects of ``envelope`` to the collection ``key``; the stored status.

        ``within``, when given, runs inside the same write transaction once the
        objects and the status are written (node-to-node sync records its
        watermark and provenance there, so they commit with the objects).
        ``submitter`` is the id of the partner adding the objects: it is stored
        with each new version and the status (docs/adr/0006-partner-access.md).
        ``writer`` is the organisation adding them and what it may read
        (default: the node's own organisation, seeing everything).
        ``visibility`` is what the submitter may see of the collection: references
        resolve only against those objects (None: every stored object).
        ``on_withdrawn`` is told, in the transaction, of every withdrawal stored (the
        audit trail records who withdrew which ids, and when).
        """
        writer = writer or Writer(LOCAL_ORIGIN, None)
        items = _objects_of(envelope)
        findings = self._validate(key.settings.mode, items, self._resolver(key, visibility))
        request_timestamp = format_date_added(request_time)
        details: list[StatusDetail | None] = []
        accepted: list[tuple[int, NewObject]] = []
        for index, obj in enumerate(items):
            problems: list[Finding | str] = list(findings.get(index, ()))
            if is_withdrawal(obj):
                shape = shape_problem(obj)
                if shape is not None:
                    problems.insert(0, shape)  # the node's own reason first
            prepared = None if problems else _prepare(obj, submitter, writer.organisation)
            if isinstance(prepared, str):
                problems.append(prepared)
            if problems:
                details.append(
                    StatusDetail(
                        "failure",
                        _safe_text(obj["id"], MAX_ID_LENGTH * 4),
                        _safe_text(_version_of(obj, request_timestamp), 64),
                        _safe_text(_failure_message(problems), _MAX_MESSAGE),
                    )
                )
            else:
                assert isinstance(prepared, NewObject)
                accepted.append((index, prepared))
                details.append(None)
        status_id = str(uuid.uuid4())
        with self.store.writing() as connection:
            now = self._now()
            lock_clock(connection)  # ownership is decided on rows no other writer changes
            accepted, life = self._owned(connection, key, writer, accepted, details, items)
            added = insert_objects(connection, key.collection_pk, [new for _, new in accepted], now)
            withdrawals = life.after_insert(
                [(new, result) for (_, new), result in zip(accepted, added, strict=True)],
                submitter,
            )
            for (index, new), result in zip(accepted, added, strict=True):
                details[index] = StatusDetail(
                    "success",
                    new.object_id,
                    result.version,
                    None if result.date_added is not None else "already stored; not added again",
                )
            record = StatusRecord(
                status_id=status_id,
                status="complete",
                request_timestamp=request_timestamp,
                created_at=format_date_added(now),
                details=tuple(d for d in details if d is not None),
                partner_id=submitter,
            )
            save_status(connection, key.api_root_pk, key.collection_pk, record)
            purge_statuses(connection, format_date_added(now - self.status_retention))
            if withdrawals and on_withdrawn is not None:
                on_withdrawn(connection, withdrawals)
            if within is not None:
                within(
                    connection,
                    record,
                    [(new, result) for (_, new), result in zip(accepted, added, strict=True)],
                )
        self.store.statistics.added(sum(1 for result in added if result.date_added is not None))
        return record

    def _owned(
        self,
        connection: Connection,
        key: CollectionKey,
        writer: Writer,
        accepted: list[tuple[int, NewObject]],
        details: list[StatusDetail | None],
        items: Sequence[dict[str, Any]],
    ) -> tuple[list[tuple[int, NewObject]], CaseLife]:
        """The accepted objects ``writer`` may store, placed in their namespace; a failure
        detail for each version it may not add (``access._origin.decide``, then the
        rules of ``case_life``), and those rules' state for after the insert."""
        ids = [new.object_id for _, new in accepted]
        shared = shared_objects(connection, key.collection_pk, ids, writer.visibility)
        owner = owners(connection, shared, self.organisation)
        kept: list[tuple[int, NewObject]] = []
        for index, new in accepted:
            decision = decide(
                writer, new.version_key, shared.get(new.object_id), owner.get(new.object_id)
            )
            if decision == "refuse":
                message = f"{NOT_OWNER}; this version was not stored"
                details[index] = StatusDetail("failure", new.object_id, new.version or "", message)
                continue
            # Prepared with the writer's organisation as origin, in the shared namespace.
            if decision == "private":
                new = dataclasses.replace(new, namespace=writer.organisation)
            kept.append((index, new))
        life = CaseLife(connection, key, writer, self.organisation, shared)
        kept, failures = life.screen(kept, items)
        posted = dict(accepted)
        for index, message in failures.items():
            new = posted[index]
            details[index] = StatusDetail("failure", new.object_id, new.version or "", message)
        return kept, life

    def _validate(
        self, mode: str, items: Sequence[dict[str, Any]], resolve: IdResolver
    ) -> dict[int, list[Finding]]:
        validator = copy.copy(self._validators[mode])
        validator.options = dataclasses.replace(validator.options, resolve_ids=resolve)
        report = validator.validate_objects(items, name="request")
        by_index: dict[int, list[Finding]] = {}
        for finding in report.findings:
            if finding.severity is Severity.ERROR and finding.object_index is not None:
                by_index.setdefault(finding.object_index, []).append(finding)
        return by_index

    def _resolver(self, key: CollectionKey, visibility: Visibility | None) -> IdResolver:
        """IS-301's resolver: which references name a stored object the submitter may see.

        A reference to an object hidden from the submitter fails exactly like
        one to an id the collection never held, so the answer is no oracle.
        """

        def resolve(refs: frozenset[str]) -> frozenset[str]:
            wanted = [ref for ref in refs if len(ref) <= MAX_ID_LENGTH and is_identifier(ref)]
            if not wanted:
                return frozenset()
            with self.store.reading() as connection:
                return frozenset(
                    existing_ids(connection, key.collection_pk, wanted, visibility=visibility)
                )

        return resolve


def _objects_of(envelope: object) -> list[dict[str, Any]]:
    problems = taxii_envelope_problems(envelope)
    if problems:
        raise RequestError(problems[0].message, 422)
    assert isinstance(envelope, dict)
    items: list[dict[str, Any]] = envelope["objects"]
    for index, item in enumerate(items):
        object_id = item.get("id")
        if not isinstance(object_id, str) or not object_id:
            raise RequestError(
                f"objects[{index}] has no string id; every object needs one, so that its"
                " outcome can be reported",
                422,
            )
    return items


def _prepare(
    obj: dict[str, Any], submitter: str | None = None, origin: str = LOCAL_ORIGIN
) -> NewObject | str:
    """The row to store for a valid object (shared, from ``origin``), or why it cannot be
    stored."""
    object_id = obj["id"]
    object_type = obj.get("type")
    prefix = identifier_type(object_id) if len(object_id) <= MAX_ID_LENGTH else None
    if prefix is None:
        return "id: not a STIX identifier (type--UUID); give the object a well-formed id"
    if prefix != object_type:
        return "type: missing, or not the type named in the id; make them agree"
    spec_version = obj.get("spec_version", "2.1")
    if not isinstance(spec_version, str) or not _SPEC_VERSION.match(spec_version):
        return "spec_version: not a STIX spec version such as 2.1"
    stamp = obj.get("modified", obj.get("created"))
    version: str | None = None
    key: str | None = None
    if stamp is not None:
        try:
            key = version_key(stamp)
        except TimestampError as exc:
            return f"modified/created: {exc}"
        version = stamp
    try:
        body = _json_text(obj)
    except ValueError:
        return "the object holds NaN or Infinity, which JSON does not allow; use null or a string"
    except RecursionError:
        return "the object is nested too deeply to be stored"
    return NewObject(
        object_id, object_type, version, key, spec_version, body, tlp_level(obj), submitter, origin
    )


def _json_text(obj: dict[str, Any]) -> str:
    """The object's JSON text, compact, members in the order received."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escape: keep it escaped
        text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text


def _safe_text(value: str, max_length: int) -> str:
    """``value`` as text any database stores: NUL and lone surrogates escaped, shortened."""
    text = value.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def _version_of(obj: dict[str, Any], fallback: str) -> str:
    for name in ("modified", "created"):
        value = obj.get(name)
        if isinstance(value, str) and len(value) <= 40:
            return value
    return fallback


def _failure_message(problems: Sequence[Finding | str]) -> str:
    parts: list[str] = []
    for problem in problems[:_MAX_FINDINGS_QUOTED]:
        if isinstance(problem, Finding):
            parts.append(f"{problem.check_id}: {problem.message}")
        else:
            parts.append(problem)
    if len(problems) > _MAX_FINDINGS_QUOTED:
        parts.append(f"and {len(problems) - _MAX_FINDINGS_QUOTED} more")
    message = " | ".join(parts)
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"
