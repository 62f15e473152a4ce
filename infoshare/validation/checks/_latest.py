"""The latest version of each object, for cross-object checks that compare two objects.

Implements the "latest version wins" reading of STIX 2.1 §3.6 as
spec/profile/09-standard-objects.md §9.4 applies it (a tie in ``modified``
goes to the later object), with the bounded memory of
docs/adr/0005-bounded-memory.md: entries stay in a dictionary up to a limit,
then move to a table of the check's spill database, where
:meth:`LatestVersions.view` selects the latest row of each id in SQL.

Each entry holds a ``link`` (the id of another object it is compared with,
or None) and a ``payload`` (a short text the check decodes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from infoshare.stix.timestamps import is_timestamp, timestamp_key
from infoshare.validation._spill import RowBuffer, SpillDatabase

_COLUMNS: Final = ("id TEXT", "version TEXT", "fraction TEXT", "idx INTEGER", "link TEXT",
                   "payload TEXT")  # fmt: skip

#: (version key, input index) -> (link, payload)
_Entry = tuple[tuple[str, str, int], str | None, str]


def version_key(obj: dict[str, Any], index: int) -> tuple[str, str, int]:
    """How versions of one id are ordered: ``modified``, then input order."""
    modified = obj.get("modified")
    stamp = (
        timestamp_key(modified)
        if isinstance(modified, str) and is_timestamp(modified)
        else ("", "")
    )
    return (*stamp, index)


class LatestVersions:
    """Per object id, the entry of its latest version."""

    def __init__(self, spill: SpillDatabase, table: str) -> None:
        self._spill_db = spill
        self._table = table
        self._entries: dict[str, _Entry] = {}
        self._rows: RowBuffer | None = None

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def spilled(self) -> bool:
        return self._rows is not None

    def add(
        self, object_id: str, key: tuple[str, str, int], link: str | None, payload: str
    ) -> None:
        """Record one version; in memory a later version replaces an earlier one."""
        if self._rows is not None:
            self._rows.append((object_id, *key, link, payload))
            return
        known = self._entries.get(object_id)
        if known is None or key >= known[0]:
            self._entries[object_id] = (key, link, payload)

    def get(self, object_id: str) -> tuple[str | None, str] | None:
        """(link, payload) of the latest version of ``object_id`` (in memory only)."""
        entry = self._entries.get(object_id)
        return None if entry is None else (entry[1], entry[2])

    def in_input_order(self) -> Iterator[tuple[str | None, str]]:
        """(link, payload) of each id's latest version, by the input index of that version."""
        for _, link, payload in sorted(self._entries.values(), key=lambda entry: entry[0][2]):
            yield link, payload

    def to_disk(self) -> None:
        """Move every entry to the spill database; later ones go there directly."""
        if self._rows is not None:
            return
        rows = self._spill_db.buffer(self._table, _COLUMNS)
        rows.extend((object_id, *key, link, payload)
                    for object_id, (key, link, payload) in self._entries.items())  # fmt: skip
        self._entries.clear()
        self._rows = rows

    def view(self) -> str:
        """A SQL subquery of the latest row of each id (columns id, idx, link, payload)."""
        if self._rows is None:
            raise RuntimeError("view() needs the entries on disk: call to_disk() first")
        self._rows.flush()
        return (
            "(SELECT id, idx, link, payload FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id"
            " ORDER BY version DESC, fraction DESC, idx DESC) AS latest"
            f" FROM {self._table}) WHERE latest = 1)"
        )
