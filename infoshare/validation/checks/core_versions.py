"""Object versions in one bundle: checks IS-111 (no duplicates), IS-112 and IS-123.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 3.6
(versioning): an object version is identified by id and modified, all
versions of an object keep their created, SCOs (which are not versioned)
are identified by id alone, and "Revoking an object is permanent; future
versions of the object with this id MUST NOT be created" (section 3.2,
``revoked``). IS-111 is a profile rule: STIX 2.1 lets a bundle carry the same
representation of an object version more than once.

Memory stays bounded (docs/adr/0005-bounded-memory.md): one key per object
version and one created per id (IS-123: one row per version), plus the findings,
until ``ValidationOptions.spill_threshold`` entries; from then on each check
writes one row per object to its spill database and finds the remaining breaches
with one query at the end, in input order.
"""

from __future__ import annotations

from typing import Any

from infoshare.stix.timestamps import timestamp_key
from infoshare.validation._registry import (
    CrossObjectCheck,
    EmitAt,
    ObjectRef,
    StixDict,
    ValidationOptions,
    cross_object_check,
)
from infoshare.validation._spill import RowBuffer
from infoshare.validation.checks.core_types import is_valid_timestamp, object_kind


def _duplicate_message(first: int, sco: bool) -> str:
    if sco:
        return (
            f"duplicate: objects[{first}] is an SCO with the same id;"
            " keep one copy (SCOs are not versioned)"
        )
    return (
        f"duplicate: objects[{first}] has the same id and modified; remove the"
        " copy, or give a new version a later modified"
    )


def _created_message(created: str, first: str, object_id: str, first_index: int) -> str:
    return (
        f"created {created} differs from {first}, the created"
        f" of another version of {object_id} (objects[{first_index}]);"
        " every version must keep the original created"
    )


@cross_object_check
class NoDuplicateObjects(CrossObjectCheck):
    """IS-111: no two objects share id and modified; no two SCOs share an id."""

    check_id = "IS-111"

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        #: (id, modified) of an SDO or SRO, or the id of an SCO -> first index.
        self._first: dict[Any, int] = {}
        self._found: list[tuple[ObjectRef, str]] = []
        self._limit = options.spill_threshold
        #: Once spilled: one row per object version (id, modified, sco, index, line).
        self._rows: RowBuffer | None = None
        self._file = ""

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id = obj.get("id")
        if not isinstance(object_id, str):
            return
        modified = obj.get("modified")
        sco = object_kind(obj) == "sco"
        if sco:
            key: Any = object_id
        elif modified is None or isinstance(modified, str):
            key = (object_id, modified)
        else:
            return
        if self._rows is not None:
            self._rows.append((object_id, None if sco else modified, sco, where.index, where.line))
            return
        first = self._first.setdefault(key, where.index)
        if first != where.index:
            self._found.append((where, _duplicate_message(first, sco)))
        if self._limit is not None and len(self._first) + len(self._found) > self._limit:
            self._spill(where.file)

    def _spill(self, file: str) -> None:
        """From now on, write every object version to the spill database."""
        self._file = file  # one instance serves one input
        self._rows = self.spill.buffer(
            "versions", ("id TEXT", "modified TEXT", "sco INTEGER", "idx INTEGER", "line INTEGER")
        )
        for key, index in self._first.items():
            if isinstance(key, tuple):
                self._rows.append((key[0], key[1], False, index, None))
            else:
                self._rows.append((key, None, True, index, None))
        self._first.clear()

    def finish(self, emit_at: EmitAt) -> None:
        for where, message in self._found:
            emit_at(where, "", message)
        if self._rows is None:
            return
        self._rows.flush()
        self.spill.execute("CREATE INDEX version ON versions (id, modified, sco, idx)")
        rows = self.spill.query(
            "SELECT v.id, v.sco, v.idx, v.line, f.first FROM versions AS v JOIN"
            " (SELECT id, modified, sco, MIN(idx) AS first FROM versions"
            "  GROUP BY id, modified, sco HAVING COUNT(*) > 1) AS f"
            " ON v.id = f.id AND v.modified IS f.modified AND v.sco = f.sco AND v.idx > f.first"
            " ORDER BY v.idx"
        )
        for object_id, sco, index, line, first in rows:
            where = ObjectRef(self._file, index, line, object_id)
            emit_at(where, "", _duplicate_message(first, bool(sco)))


@cross_object_check
class StableCreated(CrossObjectCheck):
    """IS-112: every version of an object has the same created."""

    check_id = "IS-112"

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        #: id -> (created, index) of its first version.
        self._created: dict[str, tuple[str, int]] = {}
        self._found: list[tuple[ObjectRef, str]] = []
        self._limit = options.spill_threshold
        #: Once spilled: one row per object (id, created, index, line).
        self._rows: RowBuffer | None = None
        self._file = ""

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id, created = obj.get("id"), obj.get("created")
        if not (isinstance(object_id, str) and isinstance(created, str)):
            return
        if self._rows is not None:
            self._rows.append((object_id, created, where.index, where.line))
            return
        first = self._created.setdefault(object_id, (created, where.index))
        if first[0] != created:
            message = _created_message(created, first[0], object_id, first[1])
            self._found.append((where, message))
        if self._limit is not None and len(self._created) + len(self._found) > self._limit:
            self._spill(where.file)

    def _spill(self, file: str) -> None:
        """From now on, write every object's created to the spill database."""
        self._file = file  # one instance serves one input
        self._rows = self.spill.buffer(
            "created", ("id TEXT", "created TEXT", "idx INTEGER", "line INTEGER")
        )
        self._rows.extend(
            (object_id, created, index, None)
            for object_id, (created, index) in self._created.items()
        )
        self._created.clear()

    def finish(self, emit_at: EmitAt) -> None:
        for where, message in self._found:
            emit_at(where, ".created", message)
        if self._rows is None:
            return
        self._rows.flush()
        self.spill.execute("CREATE INDEX created_id ON created (id, idx)")
        rows = self.spill.query(
            "SELECT c.id, c.created, c.idx, c.line, o.created, o.idx FROM"
            " (SELECT id, MIN(idx) AS idx FROM created GROUP BY id HAVING COUNT(*) > 1) AS f"
            " JOIN created AS o ON o.id = f.id AND o.idx = f.idx"
            " JOIN created AS c ON c.id = f.id AND c.idx > f.idx AND c.created != o.created"
            " ORDER BY c.idx"
        )
        for object_id, created, index, line, first, first_index in rows:
            where = ObjectRef(self._file, index, line, object_id)
            message = _created_message(created, first, object_id, first_index)
            emit_at(where, ".created", message)


def _sort_key(modified: str) -> str:
    """One string that orders valid timestamps in time, whatever their precision."""
    return "".join(timestamp_key(modified))


def _keyed(row: tuple[str, str, bool, int, int | None]) -> tuple[Any, ...]:
    object_id, modified, revoked, index, line = row
    return (object_id, _sort_key(modified), modified, revoked, index, line)


def _revoked_message(modified: str, revoked_modified: str, revoked_index: int) -> str:
    return (
        f"this version (modified {modified}) is later than the revoked version modified"
        f" {revoked_modified} (objects[{revoked_index}]); a revoked object must not get new"
        " versions: publish a new object with a new id instead"
    )


@cross_object_check
class NothingAfterRevocation(CrossObjectCheck):
    """IS-123: no version of an object is later than a revoked version of it."""

    check_id = "IS-123"

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        #: One row per object version: (id, modified, revoked, index, line). The sort key
        #: of modified is computed only when a revocation makes it matter.
        self._versions: list[tuple[str, str, bool, int, int | None]] = []
        self._any_revoked = False
        self._limit = options.spill_threshold
        #: Once spilled, the rows go to the spill database instead, with their key.
        self._rows: RowBuffer | None = None
        self._file = ""

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id, modified = obj.get("id"), obj.get("modified")
        if not (
            isinstance(object_id, str)
            and isinstance(modified, str)
            and is_valid_timestamp(modified)
        ):
            return
        self._file = where.file  # one instance serves one input
        revoked = obj.get("revoked") is True
        self._any_revoked = self._any_revoked or revoked
        row = (object_id, modified, revoked, where.index, where.line)
        if self._rows is not None:
            self._rows.append(_keyed(row))
            return
        self._versions.append(row)
        if self._limit is not None and len(self._versions) > self._limit:
            self._rows = self.spill.buffer(
                "versions",
                ("id TEXT", "key TEXT", "modified TEXT", "revoked INTEGER", "idx INTEGER",
                 "line INTEGER"),
            )  # fmt: skip
            self._rows.extend(_keyed(row) for row in self._versions)
            self._versions.clear()

    def _found_in_memory(self) -> list[tuple[str, int, int | None, str, str, int]]:
        first: dict[str, tuple[str, str, int]] = {}
        for object_id, modified, revoked, index, _ in self._versions:
            if revoked:
                key = _sort_key(modified)
                if object_id not in first or key < first[object_id][0]:
                    first[object_id] = (key, modified, index)
        return [
            (object_id, index, line, modified, *first[object_id][1:])
            for object_id, modified, _, index, line in self._versions
            if object_id in first and _sort_key(modified) > first[object_id][0]
        ]

    def _found_on_disk(self) -> list[tuple[str, int, int | None, str, str, int]]:
        assert self._rows is not None
        self._rows.flush()
        self.spill.execute("CREATE INDEX version_key ON versions (id, key)")
        rows = self.spill.query(
            "SELECT v.id, v.idx, v.line, v.modified, r.modified, r.idx FROM versions AS v JOIN"
            " (SELECT id, MIN(key) AS key FROM versions WHERE revoked GROUP BY id) AS f"
            " ON v.id = f.id AND v.key > f.key"
            " JOIN versions AS r ON r.id = f.id AND r.key = f.key AND r.revoked"
            " AND r.idx = (SELECT MIN(idx) FROM versions WHERE id = f.id AND key = f.key"
            " AND revoked)"
            " ORDER BY v.idx"
        )
        return [(str(i), int(x), line, str(m), str(rm), int(ri)) for i, x, line, m, rm, ri in rows]

    def finish(self, emit_at: EmitAt) -> None:
        if not self._any_revoked:
            return
        found = self._found_in_memory() if self._rows is None else self._found_on_disk()
        for object_id, index, line, modified, revoked_modified, revoked_index in found:
            where = ObjectRef(self._file, index, line, object_id)
            emit_at(where, ".modified", _revoked_message(modified, revoked_modified,
                                                         revoked_index))  # fmt: skip
