"""IS-609: the versions of one platform action tell one request's story.

Implements spec/profile/17-platform-actions.md §17.1: each step of a request
is a new version of the same task, so a later version keeps what the request
was (when it was submitted, to whom, under which agency reference), keeps
every item it targeted, and never takes a decision back to ``pending``.

Versions of each task are compared in ``modified`` order (two versions with
the same ``modified`` are a conflict that IS-111 and IS-112 report; they are
not compared here). Every version is kept until the end: past
``ValidationOptions.spill_threshold`` versions they go to the spill database
and are read back one task at a time (docs/adr/0005-bounded-memory.md).
Findings are reported in input order.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any, Final

from infoshare.profile import EXT_PLATFORM_ACTION, TYPE_TASK
from infoshare.validation._registry import (
    CrossObjectCheck,
    EmitAt,
    ObjectRef,
    StixDict,
    ValidationOptions,
    cross_object_check,
    jpath,
)
from infoshare.validation._spill import RowBuffer
from infoshare.validation.checks._latest import version_key
from infoshare.validation.checks.platform_actions import PENDING, platform_action

#: What a request is; a later version must not change it.
FIXED: Final = ("submitted", "platform_ref", "database_ref", "agency_reference")

#: (task id, version key, the facts compared, where the version is)
_Version = tuple[str, tuple[str, str, int], dict[str, Any], ObjectRef]


def _facts(ext: dict[str, Any]) -> dict[str, Any]:
    """The facts of one version that later versions are held to."""
    referral = ext.get("referral")
    facts: dict[str, Any] = {
        "submitted": ext.get("submitted"),
        "platform_ref": ext.get("platform_ref"),
        "database_ref": referral.get("database_ref") if isinstance(referral, dict) else None,
        "agency_reference": ext.get("agency_reference"),
    }
    targets = ext.get("target_refs")
    facts["targets"] = [t for t in _list(targets) if isinstance(t, str)]
    items = {
        item["target_ref"]: item.get("outcome")
        for item in _list(ext.get("item_outcomes"))
        if isinstance(item, dict) and isinstance(item.get("target_ref"), str)
    }
    facts["items"] = items
    facts["decided"] = sorted(
        ref for ref, outcome in items.items() if isinstance(outcome, str) and outcome != PENDING
    )
    return facts


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _breaks(earlier: dict[str, Any], later: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(path in the later version, message) for each way it departs from the earlier one."""
    at = ("extensions", EXT_PLATFORM_ACTION)
    for name in FIXED:
        if earlier[name] is not None and later[name] != earlier[name]:
            path = jpath(*at, "referral", name) if name == "database_ref" else jpath(*at, name)
            yield (
                path,
                f"{name} was {earlier[name]!r} in the earlier version and is {later[name]!r} "
                "here: a new version continues the same request, so keep it; a different "
                "request is a new task (§17.1)",
            )
    for ref in earlier["targets"]:
        if ref not in later["targets"]:
            yield (
                jpath(*at, "target_refs"),
                f"{ref} was targeted in the earlier version and is missing here: keep every "
                "targeted item; record that one was dropped with its outcome (§17.1)",
            )
    for ref in earlier["decided"]:
        if later["items"].get(ref, PENDING) == PENDING:
            yield (
                jpath(*at, "item_outcomes"),
                f"{ref} was decided in the earlier version but is pending or missing here: "
                "keep the decision, or record what followed it (an appeal, a reinstatement)",
            )


@cross_object_check
class PlatformActionVersions(CrossObjectCheck):
    """IS-609: later versions of a platform action keep what the request was."""

    check_id = "IS-609"
    types = frozenset({TYPE_TASK})

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._limit = options.spill_threshold
        self._versions: list[_Version] = []
        self._spilled: RowBuffer | None = None

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id, ext = obj.get("id"), platform_action(obj)
        if not isinstance(object_id, str) or ext is None:
            return
        version: _Version = (object_id, version_key(obj, where.index), _facts(ext), where)
        if self._spilled is not None:
            self._spilled.append(_row(version))
            return
        self._versions.append(version)
        if self._limit is not None and len(self._versions) > self._limit:
            columns = ("id TEXT", "version TEXT", "fraction TEXT", "idx INTEGER", "facts TEXT",
                       "file TEXT", "line INTEGER", "object_id TEXT")  # fmt: skip
            self._spilled = self.spill.buffer("versions", columns)
            self._spilled.extend(_row(v) for v in self._versions)
            self._versions.clear()

    def _in_version_order(self) -> Iterable[_Version]:
        if self._spilled is None:
            return sorted(self._versions, key=lambda v: (v[0], v[1]))
        self._spilled.flush()
        rows = self.spill.query(
            "SELECT id, version, fraction, idx, facts, file, line, object_id FROM versions"
            " ORDER BY id, version, fraction, idx"
        )
        return (
            (oid, (version, fraction, idx), json.loads(facts), ObjectRef(file, idx, line, ref))
            for oid, version, fraction, idx, facts, file, line, ref in rows
        )

    def finish(self, emit_at: EmitAt) -> None:
        found: list[tuple[int, ObjectRef, str, str]] = []
        for _, versions in itertools.groupby(self._in_version_order(), key=lambda v: v[0]):
            previous: _Version | None = None
            for version in versions:
                if previous is not None and previous[1][:2] != version[1][:2]:
                    for path, message in _breaks(previous[2], version[2]):
                        found.append((version[3].index, version[3], path, message))
                previous = version
        for _, where, path, message in sorted(found, key=lambda f: f[0]):
            emit_at(where, path, message)


def _row(version: _Version) -> tuple[Any, ...]:
    object_id, key, facts, where = version
    return (object_id, *key, json.dumps(facts), where.file, where.line, where.object_id)
