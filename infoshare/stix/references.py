"""The reference walk: every identifier a STIX object points to, and where.

Implements STIX 2.1 Errata 01 §3.1 ("If the value of the property contains an
ID reference for embedded relationships it MUST end in ``_ref``"; a list of
them ends in ``_refs``) and §2.9 (identifiers)
(https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html).

A reference is the string value of a property named ``*_ref``, or a string
member of the list value of a property named ``*_refs``, at any depth of the
object: top level, inside ``extensions`` (for example the FIMI incident
extension's ``attribution.actor_refs``), ``granular_markings``, or any other
nested object or list. Values of the wrong JSON type are skipped (the
validator's IS-103 reports them); the walk never raises and never recurses,
so a hostile nesting depth cannot overflow the stack.

Two forms, one rule:

* :func:`iter_references` gives each reference with its path, for messages;
* :func:`reference_ids` gives the ids only, faster, for the common case where
  every reference resolves and no path is ever shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

__all__ = ["PathParts", "iter_references", "reference_ids"]

#: Where a value sits in an object: member names and list indexes, outermost first.
#: ``("extensions", "x-ext", "actor_refs", 0)`` is ``$.extensions['x-ext'].actor_refs[0]``.
PathParts = tuple[str | int, ...]

# How the walk treats a member, by its name (cached: names repeat a lot).
_PLAIN, _REF, _REFS, _SKIP = range(4)
_KINDS: dict[Any, int] = {}
_KINDS_LIMIT: Final = 20_000


def _kind_of(key: Any) -> int:
    if not isinstance(key, str):
        kind = _SKIP
    elif key.endswith("_ref"):
        kind = _REF
    elif key.endswith("_refs"):
        kind = _REFS
    else:
        kind = _PLAIN
    if len(_KINDS) < _KINDS_LIMIT:
        _KINDS[key] = kind
    return kind


def iter_references(obj: dict[str, Any]) -> list[tuple[str, PathParts]]:
    """Every reference in ``obj`` with the path where it sits, in document order."""
    found: list[tuple[str, PathParts]] = []
    kinds = _KINDS
    # One frame per container being walked: its members still to visit, the
    # path to it as a linked chain (so descending costs O(1) whatever the
    # depth; a tuple is built only for a reference found), and whether
    # member names matter (a JSON object) or not (a list).
    frames: list[tuple[Iterator[tuple[Any, Any]], _Chain, bool]] = [(iter(obj.items()), None, True)]
    while frames:
        members, chain, named = frames[-1]
        for key, item in members:
            if named:
                kind = kinds.get(key)
                if kind is None:
                    kind = _kind_of(key)
                if kind == _REF:
                    if isinstance(item, str):
                        found.append((item, _parts((chain, key))))
                    continue
                if kind == _REFS:
                    if isinstance(item, list):
                        parts = _parts((chain, key))
                        found.extend(
                            (ref, (*parts, index))
                            for index, ref in enumerate(item)
                            if isinstance(ref, str)
                        )
                    continue
                if kind == _SKIP:
                    continue
            if isinstance(item, dict):
                frames.append((iter(item.items()), (chain, key), True))
                break
            if isinstance(item, list):
                frames.append((iter(enumerate(item)), (chain, key), False))
                break
        else:
            frames.pop()
    return found


#: A path as a chain of (parent chain, member name or index) pairs; None is the object itself.
_Chain = tuple[Any, str | int] | None


def _parts(chain: _Chain) -> PathParts:
    steps: list[str | int] = []
    while chain is not None:
        chain, step = chain
        steps.append(step)
    steps.reverse()
    return tuple(steps)


def reference_ids(obj: dict[str, Any] | list[Any]) -> list[str]:
    """The reference strings in ``obj``, repeats kept, in no particular order, without paths."""
    out: list[str] = []
    pending: list[Any] = [obj]
    kinds = _KINDS
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(item for item in node if isinstance(item, dict | list))
            continue
        for key, item in node.items():
            kind = kinds.get(key)
            if kind is None:
                kind = _kind_of(key)
            if kind == _PLAIN:
                if isinstance(item, str):  # the most frequent case first
                    continue
                if isinstance(item, dict | list):
                    pending.append(item)
            elif kind == _REF:
                if isinstance(item, str):
                    out.append(item)
            elif kind == _REFS and isinstance(item, list):
                out.extend(ref for ref in item if isinstance(ref, str))
    return out
