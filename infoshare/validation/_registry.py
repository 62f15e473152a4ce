"""The registry of check implementations.

Adding a check means: an entry in spec/checks.json, one function (or one
cross-object class) registered here under that id, and a failing and a passing
fixture in spec/conformance/ (spec/profile/14-conformance.md).

Three shapes exist:

* an **object check** looks at one object at a time. It is a function
  ``fn(obj, emit)`` that calls ``emit(path, message)`` once per breach;
  ``path`` is relative to the object (build it with :func:`jpath`).
* a **cross-object check** needs the whole bundle (references, duplicates).
  It is a :class:`CrossObjectCheck` subclass that ``observe``\\ s each object
  and reports in ``finish``.
* an **envelope check** looks at the bundle's own properties (``type``,
  ``id``), once per input, after its objects. It is a function
  ``fn(envelope, emit)``; paths are relative to the bundle (``$``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from infoshare.errors import UsageError
from infoshare.validation._catalogue import MODES, CheckInfo, Mode, check_info
from infoshare.validation._spill import SpillDatabase

StixDict = dict[str, Any]


class Emit(Protocol):
    """Report one breach at ``path`` (relative to the current object)."""

    def __call__(self, path: str, message: str, check_id: str | None = None) -> None: ...


@dataclass(slots=True)
class ObjectRef:
    """Where an object was read: enough to place a finding after the fact.

    Treat it as immutable. It is not a frozen dataclass only because one is
    built per object for the cross-object checks, and a frozen one costs
    several times as much to build.
    """

    file: str
    index: int
    line: int | None
    object_id: str | None


class EmitAt(Protocol):
    """Report one breach found after the pass, at a remembered object."""

    def __call__(
        self, where: ObjectRef, path: str, message: str, check_id: str | None = None
    ) -> None: ...


#: Which of the given ids exist outside the input (see ``ValidationOptions.resolve_ids``).
IdResolver = Callable[[frozenset[str]], frozenset[str]]

#: About 70 MB of cross-object state on typical bundles (docs/adr/0005-bounded-memory.md).
DEFAULT_SPILL_THRESHOLD = 200_000


@dataclass(frozen=True, slots=True)
class ValidationOptions:
    """What a validation run checks and with which outside knowledge."""

    mode: Mode = "profile"
    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    #: Ids known to exist outside the input (the collection the bundle goes to).
    context_ids: frozenset[str] = field(default_factory=frozenset)
    #: Asked once, at the end of the pass, with every reference that names no
    #: object of the input, of ``context_ids`` or of the well-known set; returns
    #: those that exist outside the input (IS-301). A TAXII node answers from
    #: what the submitter may see, so the answer never reveals hidden objects.
    resolve_ids: IdResolver | None = None
    #: Findings kept in the report; further ones are only counted.
    max_findings: int | None = 10_000
    #: Entries each cross-object check keeps in memory before it moves them to a
    #: temporary on-disk database, so memory stays bounded on very large inputs
    #: (docs/adr/0005-bounded-memory.md). None keeps everything in memory.
    spill_threshold: int | None = DEFAULT_SPILL_THRESHOLD

    def __post_init__(self) -> None:
        if self.mode not in MODES:  # an unknown mode would enable no check and pass anything
            raise UsageError(
                f"unknown validation mode {self.mode!r}",
                hint="use mode='profile' (the FIMI profile) or mode='stix' (plain STIX 2.1)",
            )
        if self.spill_threshold is not None and self.spill_threshold < 1:
            raise UsageError(
                f"spill_threshold must be at least 1 (got {self.spill_threshold})",
                hint="use None to keep every cross-object entry in memory",
            )


ObjectCheckFn = Callable[[StixDict, Emit], None]


@dataclass(frozen=True, slots=True)
class ObjectCheck:
    info: CheckInfo
    types: frozenset[str] | None
    fn: ObjectCheckFn
    #: Further check ids this function may emit (one schema pass, several ids).
    also_emits: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.info.id, *self.also_emits)


class CrossObjectCheck(ABC):
    """A check that needs more than one object. One instance per validation run
    (so per input file).

    A check whose state grows with the input keeps at most
    ``options.spill_threshold`` entries in memory and moves the rest to
    ``self.spill``, a temporary database opened only if it is used and closed
    by the validator after :meth:`finish` (docs/adr/0005-bounded-memory.md).
    """

    check_id: ClassVar[str]
    #: Further check ids this class may emit.
    also_emits: ClassVar[tuple[str, ...]] = ()
    #: Types it wants to observe; None means every object.
    types: ClassVar[frozenset[str] | None] = None

    def __init__(self, options: ValidationOptions) -> None:
        self.options = options
        self.spill = SpillDatabase()

    @abstractmethod
    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        """Take note of one object (called in input order)."""

    @abstractmethod
    def finish(self, emit_at: EmitAt) -> None:
        """Report every breach, after the last object of the input."""

    def close(self) -> None:
        """Release what the check holds outside memory (its spill database)."""
        self.spill.close()


EnvelopeCheckFn = Callable[[dict[str, Any], Emit], None]


@dataclass(frozen=True, slots=True)
class EnvelopeCheck:
    info: CheckInfo
    fn: EnvelopeCheckFn


OBJECT_CHECKS: list[ObjectCheck] = []
CROSS_OBJECT_CHECKS: list[type[CrossObjectCheck]] = []
ENVELOPE_CHECKS: list[EnvelopeCheck] = []


def object_check(
    check_id: str, *, types: Iterable[str] | None = None, also_emits: Iterable[str] = ()
) -> Callable[[ObjectCheckFn], ObjectCheckFn]:
    """Register ``fn`` as the implementation of ``check_id`` for ``types``."""
    info = check_info(check_id)
    extra = tuple(also_emits)
    for other in extra:
        check_info(other)

    def register(fn: ObjectCheckFn) -> ObjectCheckFn:
        OBJECT_CHECKS.append(
            ObjectCheck(info, frozenset(types) if types is not None else None, fn, extra)
        )
        return fn

    return register


def envelope_check(check_id: str) -> Callable[[EnvelopeCheckFn], EnvelopeCheckFn]:
    """Register ``fn`` as a check of ``check_id`` on the bundle's own properties."""
    info = check_info(check_id)

    def register(fn: EnvelopeCheckFn) -> EnvelopeCheckFn:
        ENVELOPE_CHECKS.append(EnvelopeCheck(info, fn))
        return fn

    return register


def cross_object_check(cls: type[CrossObjectCheck]) -> type[CrossObjectCheck]:
    """Register a cross-object check class (decorator)."""
    check_info(cls.check_id)
    for other in cls.also_emits:
        check_info(other)
    CROSS_OBJECT_CHECKS.append(cls)
    return cls


_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def jpath(*parts: str | int) -> str:
    """A JSONPath suffix: ``jpath("extensions", ext_id, "platforms", 0)`` gives
    ``.extensions['extension-definition--…'].platforms[0]``."""
    out = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _SIMPLE_KEY.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)
