"""The reference strings of the object being checked, collected once.

The IS-103 walk (``checks/core_forms.py``) already visits every member of an
object; it hands the reference strings it meets to :func:`remember_references`,
and IS-301 reads them back with :func:`object_references` instead of walking
the object a second time. Which strings count is the rule of
:mod:`infoshare.stix.references` (spec/profile/14-conformance.md §14.3, STIX
2.1 §3.1): every string held by a member named ``*_ref``, and every string in
the list held by a member named ``*_refs``, at any depth.

Only the most recent object is kept, and only for as long as it is the object
being checked: when IS-103 is not enabled, or the caller asks about another
object, the references are computed afresh.
"""

from __future__ import annotations

from typing import Any

from infoshare.stix.references import reference_ids

__all__ = ["object_references", "remember_references"]

_last: tuple[Any, list[str]] = (None, [])


def remember_references(obj: dict[str, Any], refs: list[str]) -> None:
    """Record ``refs`` as every reference string of ``obj`` (repeats kept)."""
    global _last
    _last = (obj, refs)


def object_references(obj: dict[str, Any]) -> list[str]:
    """Every reference string of ``obj``, repeats kept, in no particular order."""
    remembered, refs = _last
    if remembered is obj:
        return refs
    return reference_ids(obj)
