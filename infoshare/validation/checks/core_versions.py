"""Object versions in one bundle: checks IS-111 (no duplicates) and IS-112.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 3.6
(versioning): an object version is identified by id and modified, all
versions of an object keep their created, and SCOs (which are not versioned)
are identified by id alone. Memory stays small: one key per object version,
one created per id, and only the findings themselves.
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
from infoshare.validation.checks.core_types import KNOWN_TYPES, SCO_LIKE_TYPES, declared_kind


def _is_sco(obj: StixDict) -> bool:
    kind = obj["type"]
    if kind in KNOWN_TYPES:
        return kind in SCO_LIKE_TYPES
    return declared_kind(obj) == "new-sco"


@cross_object_check
class NoDuplicateObjects(CrossObjectCheck):
    """IS-111: no two objects share id and modified; no two SCOs share an id."""

    check_id = "IS-111"

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._first: dict[Any, int] = {}
        self._found: list[tuple[ObjectRef, str]] = []

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
        first = self._first.setdefault(key, where.index)
        if first != where.index:
            if sco:
                message = (
                    f"duplicate: objects[{first}] is an SCO with the same id;"
                    " keep one copy (SCOs are not versioned)"
                )
            else:
                message = (
                    f"duplicate: objects[{first}] has the same id and modified; remove the"
                    " copy, or give a new version a later modified"
                )
            self._found.append((where, message))

    def finish(self, emit_at: EmitAt) -> None:
        for where, message in self._found:
            emit_at(where, "", message)


@cross_object_check
class StableCreated(CrossObjectCheck):
    """IS-112: every version of an object has the same created."""

    check_id = "IS-112"

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._created: dict[str, tuple[str, int]] = {}
        self._found: list[tuple[ObjectRef, str]] = []

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id, created = obj.get("id"), obj.get("created")
        if not (isinstance(object_id, str) and isinstance(created, str)):
            return
        first = self._created.setdefault(object_id, (created, where.index))
        if first[0] != created:
            self._found.append(
                (
                    where,
                    f"created {created} differs from {first[0]}, the created"
                    f" of another version of {object_id} (objects[{first[1]}]);"
                    " every version must keep the original created",
                )
            )

    def finish(self, emit_at: EmitAt) -> None:
        for where, message in self._found:
            emit_at(where, ".created", message)
