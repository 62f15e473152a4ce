"""IS-308: identities named in a role are of the class the role needs.

Implements spec/profile/17-platform-actions.md §17.2 and §17.6 and
spec/profile/18-joint-work.md §18.2: the platform of a platform action
(``platform_ref``) and a co-author (``coauthor_refs``) are organisations
(``identity_class`` ``organization``); the database of a referral
(``referral.database_ref``) is a system (``identity_class`` ``system``).

The class is read from the latest version of the identity in the input (a
tie in ``modified`` goes to the later object). A reference to an identity
the input does not hold is left to IS-301. Past
``ValidationOptions.spill_threshold`` entries, identities and references go
to the spill database and the comparison is one query
(docs/adr/0005-bounded-memory.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from infoshare.profile import EXT_JOINT_AUTHORSHIP, EXT_PLATFORM_ACTION
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
from infoshare.validation.checks._latest import LatestVersions, version_key
from infoshare.validation.checks.privacy import property_extension

ORGANIZATION: Final = "organization"
SYSTEM: Final = "system"

#: (path of the reference, the identity_class it needs, what the role is called)
_Role = tuple[str, str, str]


def _roles(obj: StixDict) -> Iterator[tuple[str, _Role]]:
    """(referenced id, role) for every identity reference of ``obj`` that has a role."""
    action = property_extension(obj, EXT_PLATFORM_ACTION)
    if action is not None:
        platform = action.get("platform_ref")
        if isinstance(platform, str):
            path = jpath("extensions", EXT_PLATFORM_ACTION, "platform_ref")
            yield platform, (path, ORGANIZATION, "the platform")
        referral = action.get("referral")
        database = referral.get("database_ref") if isinstance(referral, dict) else None
        if isinstance(database, str):
            path = jpath("extensions", EXT_PLATFORM_ACTION, "referral", "database_ref")
            yield database, (path, SYSTEM, "the database")
    joint = property_extension(obj, EXT_JOINT_AUTHORSHIP)
    coauthors = joint.get("coauthor_refs") if joint is not None else None
    if isinstance(coauthors, list):
        for index, ref in enumerate(coauthors):
            if isinstance(ref, str):
                path = jpath("extensions", EXT_JOINT_AUTHORSHIP, "coauthor_refs", index)
                yield ref, (path, ORGANIZATION, "a co-author")


def _class(obj: StixDict) -> str:
    value: Any = obj.get("identity_class")
    return value if isinstance(value, str) else ""


@cross_object_check
class IdentityRoles(CrossObjectCheck):
    """IS-308: platforms and co-authors are organisations, databases are systems."""

    check_id = "IS-308"
    types = frozenset({"identity", "task", "incident", "report", "note", "opinion"})

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._limit = options.spill_threshold
        self._identities = LatestVersions(self.spill, "identities")
        #: (referenced id, role, where), in input order
        self._pending: list[tuple[str, _Role, ObjectRef]] = []
        self._spilled: RowBuffer | None = None

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        object_id = obj.get("id")
        if obj["type"] == "identity" and isinstance(object_id, str):
            self._identities.add(object_id, version_key(obj, where.index), None, _class(obj))
        for ref, role in _roles(obj):
            if self._spilled is not None:
                self._spilled.append(_row(ref, role, where))
            else:
                self._pending.append((ref, role, where))
        if self._limit is not None and len(self._identities) + len(self._pending) > self._limit:
            self._to_disk()

    def _to_disk(self) -> None:
        self._identities.to_disk()
        if self._spilled is None:
            columns = ("ref TEXT", "path TEXT", "wanted TEXT", "role TEXT", "file TEXT",
                       "idx INTEGER", "line INTEGER", "object_id TEXT")  # fmt: skip
            self._spilled = self.spill.buffer("refs", columns)
            self._spilled.extend(_row(ref, role, where) for ref, role, where in self._pending)
            self._pending.clear()

    def _found(self) -> Iterator[tuple[_Role, str, ObjectRef]]:
        """(role, the identity's class, where the reference is) for references to known ids."""
        if self._spilled is None and not self._identities.spilled:
            for ref, role, where in self._pending:
                known = self._identities.get(ref)
                if known is not None:
                    yield role, known[1], where
            return
        self._to_disk()
        assert self._spilled is not None
        self._spilled.flush()
        rows = self.spill.query(
            "SELECT r.path, r.wanted, r.role, i.payload, r.file, r.idx, r.line, r.object_id"
            f" FROM refs AS r JOIN {self._identities.view()} AS i ON i.id = r.ref"
            " ORDER BY r.rowid"
        )
        for path, wanted, role, found, file, index, line, object_id in rows:
            yield (path, wanted, role), found, ObjectRef(file, index, line, object_id)

    def finish(self, emit_at: EmitAt) -> None:
        for (path, wanted, role), found, where in self._found():
            if found == wanted:
                continue
            stated = f"identity_class {found!r}" if found else "no identity_class"
            emit_at(
                where,
                path,
                f"{role} must be an identity of identity_class {wanted!r}, but the identity "
                f"referenced has {stated}: set its identity_class to {wanted!r}, or reference "
                "the right identity",
            )


def _row(ref: str, role: _Role, where: ObjectRef) -> tuple[Any, ...]:
    return (ref, *role, where.file, where.index, where.line, where.object_id)
