"""Object versions in one bundle: checks IS-111 (no duplicates) and IS-112.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 3.6
(versioning): an object version is identified by id and modified, all
versions of an object keep their created, and SCOs (which are not versioned)
are identified by id alone. Memory stays bounded (docs/adr/0005-bounded-memory.md):
one key per object version and one created per id, plus the findings, until
``ValidationOptions.spill_threshold`` entries; from then on each check writes
one row per object to its spill database and finds the remaining breaches
with one query at the end, in input order.
"""

from __future__ import annotations

from typing import Any

from infoshare.validation._registry import (
    CrossObjectCheck,
    EmitAt,
    ObjectRef,
    StixDict,
    ValidationOptions,
    cross_object_check,
)
from infoshare.validation._spill import RowBuffer
from infoshare.validation.checks.core_types import KNOWN_TYPES, SCO_LIKE_TYPES, declared_kind


def _is_sco(obj: StixDict) -> bool:
    kind = obj["type"]
    if kind in KNOWN_TYPES:
        return kind in SCO_LIKE_TYPES
    return declared_kind(obj) == "new-sco"


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
        sco = _is_sco(obj)
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
