"""Facts about a private person's account stay protected: check IS-720.

Implements spec/profile/16-changing-facts.md §16.3 and §16.4 with the
safeguard of spec/profile/13-safeguards.md §13.1: an account classified
``private-person`` must not be TLP:CLEAR (IS-702), and neither may an
account-state or an engagement about it, which would tell the same story.

Memory stays bounded (docs/adr/0005-bounded-memory.md): the ids of private
persons' accounts and the TLP:CLEAR facts about accounts are kept until
``ValidationOptions.spill_threshold`` entries, then written to the spill
database, and the end is one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from infoshare.profile import EXT_FIMI_ACCOUNT, TYPE_ACCOUNT_STATE, TYPE_ENGAGEMENT
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
from infoshare.validation.checks.privacy import PRIVATE_PERSON, is_clear, property_extension

#: Object type -> the property that names the account the fact is about.
ACCOUNT_PROPERTY: Final = {TYPE_ACCOUNT_STATE: "account_ref", TYPE_ENGAGEMENT: "subject_ref"}

#: (account id, file, index, line, object id, property)
_Fact = tuple[str, str, int, int | None, str | None, str]


@cross_object_check
class PrivateFactsNotClear(CrossObjectCheck):
    """IS-720: no TLP:CLEAR account-state or engagement about a private person's account."""

    check_id = "IS-720"
    types = frozenset({"user-account", *ACCOUNT_PROPERTY})

    def __init__(self, options: ValidationOptions) -> None:
        super().__init__(options)
        self._private: set[str] = set()
        self._facts: list[_Fact] = []
        self._limit = options.spill_threshold
        #: Once spilled: the private accounts' ids, and the facts in input order.
        self._spilled: tuple[RowBuffer, RowBuffer] | None = None

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        if obj["type"] == "user-account":
            account = property_extension(obj, EXT_FIMI_ACCOUNT)
            object_id = obj.get("id")
            if account is None or account.get("account_class") != PRIVATE_PERSON:
                return
            if not isinstance(object_id, str):
                return
            if self._spilled is not None:
                self._spilled[0].append((object_id,))
                return
            self._private.add(object_id)
        else:
            name = ACCOUNT_PROPERTY[obj["type"]]
            ref = obj.get(name)
            if not (is_clear(obj) and isinstance(ref, str) and ref.startswith("user-account--")):
                return
            fact = (ref, where.file, where.index, where.line, where.object_id, name)
            if self._spilled is not None:
                self._spilled[1].append(fact)
                return
            self._facts.append(fact)
        if self._limit is not None and len(self._private) + len(self._facts) > self._limit:
            self._spill()

    def _spill(self) -> None:
        """From now on, write private accounts and facts to the spill database."""
        private = self.spill.buffer("private", ("id TEXT",))
        facts = self.spill.buffer(
            "facts",
            ("ref TEXT", "file TEXT", "idx INTEGER", "line INTEGER", "object_id TEXT",
             "name TEXT"),
        )  # fmt: skip
        private.extend((object_id,) for object_id in self._private)
        facts.extend(self._facts)
        self._private.clear()
        self._facts.clear()
        self._spilled = (private, facts)

    def _found(self) -> Iterable[_Fact]:
        if self._spilled is None:
            return [fact for fact in self._facts if fact[0] in self._private]
        private, facts = self._spilled
        private.flush()
        facts.flush()
        self.spill.execute("CREATE INDEX private_id ON private (id)")
        rows: Iterable[Any] = self.spill.query(
            "SELECT ref, file, idx, line, object_id, name FROM facts"
            " WHERE ref IN (SELECT id FROM private) ORDER BY rowid"
        )
        return rows

    def finish(self, emit_at: EmitAt) -> None:
        for ref, file, index, line, object_id, name in self._found():
            emit_at(
                ObjectRef(file, index, line, object_id),
                jpath("object_marking_refs"),
                f"{name} names {ref}, the account of a private person, which must not be "
                "TLP:CLEAR (§13.1), and neither may this record about it: mark it TLP:GREEN "
                "or more restricted",
            )
