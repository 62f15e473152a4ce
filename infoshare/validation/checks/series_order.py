"""Series in order: check IS-605.

Implements spec/profile/16-changing-facts.md §16.5: the versions of an
account-state or an engagement SHOULD be recorded in the order of what they
describe, so a reader who takes them in order of ``modified`` reads the
history in order. A version whose ``state_since`` or ``measured_at`` is
earlier than that of a version modified before it is reported (a warning: a
measurement found late is allowed, and its ``description`` should say so).

Memory stays bounded (docs/adr/0005-bounded-memory.md): one row per version
until ``ValidationOptions.spill_threshold`` rows, then the rows go to the
spill database and are read back sorted, one series at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from infoshare.profile import TYPE_ACCOUNT_STATE, TYPE_ENGAGEMENT
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
from infoshare.validation.checks.core_types import is_valid_timestamp

#: Object type -> the property that says when the recorded fact happened.
FACT_TIME: Final = {TYPE_ACCOUNT_STATE: "state_since", TYPE_ENGAGEMENT: "measured_at"}

#: (id, modified key, fact key, fact, modified, index, line)
_Row = tuple[str, str, str, str, str, int, int | None]
#: (index, line, id, property, fact, earlier fact, its modified, its index)
_Found = tuple[int, int | None, str, str, str, str, str, int]


def _key(timestamp: str) -> str:
    """One string that orders valid timestamps in time, whatever their precision."""
    return "".join(timestamp_key(timestamp))


def _out_of_order(rows: Iterable[_Row], name_of: dict[str, str]) -> list[_Found]:
    """The versions whose fact is earlier than the latest fact of an earlier-modified
    version of the same object; ``rows`` come sorted by id, modified key, index."""
    found: list[_Found] = []
    current = ""
    best: tuple[str, str, str, int] | None = None  # fact key, fact, modified, index
    pending: tuple[str, str, str, int] | None = None
    pending_modified = ""
    for object_id, modified_key, fact_key, fact, modified, index, line in rows:
        if object_id != current:
            current, best, pending, pending_modified = object_id, None, None, modified_key
        if modified_key != pending_modified:
            if pending is not None and (best is None or pending[0] > best[0]):
                best = pending
            pending, pending_modified = None, modified_key
        if best is not None and fact_key < best[0]:
            name = name_of[object_id.partition("--")[0]]
            found.append((index, line, object_id, name, fact, best[1], best[2], best[3]))
        if pending is None or fact_key > pending[0]:
            pending = (fact_key, fact, modified, index)
    return found


@cross_object_check
class SeriesInOrder(CrossObjectCheck):
    """IS-605: the versions of a series describe facts in the order they were recorded."""

    check_id = "IS-605"
    types = frozenset(FACT_TIME)

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._versions: list[_Row] = []
        self._limit = options.spill_threshold
        #: Once spilled, the rows go to the spill database instead.
        self._rows: RowBuffer | None = None
        self._file = ""

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id, modified = obj.get("id"), obj.get("modified")
        fact = obj.get(FACT_TIME[obj["type"]])
        if not (
            isinstance(object_id, str)
            and isinstance(modified, str)
            and isinstance(fact, str)
            and is_valid_timestamp(modified)
            and is_valid_timestamp(fact)
        ):
            return  # IS-104 and the schema checks report what is missing or malformed
        self._file = where.file  # one instance serves one input
        row = (object_id, _key(modified), _key(fact), fact, modified, where.index, where.line)
        if self._rows is not None:
            self._rows.append(row)
            return
        self._versions.append(row)
        if self._limit is not None and len(self._versions) > self._limit:
            self._rows = self.spill.buffer(
                "series",
                ("id TEXT", "mkey TEXT", "fkey TEXT", "fact TEXT", "modified TEXT",
                 "idx INTEGER", "line INTEGER"),
            )  # fmt: skip
            self._rows.extend(self._versions)
            self._versions.clear()

    def _sorted_rows(self) -> Iterable[_Row]:
        if self._rows is None:
            return sorted(self._versions, key=lambda row: (row[0], row[1], row[5]))
        self._rows.flush()
        rows: Iterable[Any] = self.spill.query(
            "SELECT id, mkey, fkey, fact, modified, idx, line FROM series ORDER BY id, mkey, idx"
        )
        return rows

    def finish(self, emit_at: EmitAt) -> None:
        found = _out_of_order(self._sorted_rows(), FACT_TIME)
        for index, line, object_id, name, fact, earlier, its_modified, its_index in sorted(found):
            where = ObjectRef(self._file, index, line, object_id)
            emit_at(
                where,
                f".{name}",
                f"{name} ({fact}) is earlier than the {name} ({earlier}) of the version "
                f"modified {its_modified} (objects[{its_index}]): readers who take the versions "
                "in order of modified will read the series out of order; correct the "
                "timestamps, or, for a fact found late, say so in description",
            )
