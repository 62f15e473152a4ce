"""Granular-marking selectors: check IS-116.

Implements spec/profile/14-conformance.md §14.3 with STIX 2.1 section 7.2.3:
"Selectors contained in the selectors list are strings that consist of multiple
components that MUST be separated by the . character. Each component MUST be
one of: a property name or dictionary key, or a zero-based list index, specified
as a non-negative integer in square brackets", and "Selectors MUST refer to
properties or list items that are actually present on the marked object."

Most objects have no granular markings: the check returns after one lookup.
"""

from __future__ import annotations

import re
from typing import Any, Final

from infoshare.validation._registry import Emit, StixDict, jpath, object_check

_INDEX: Final = re.compile(r"\[(0|[1-9][0-9]*)\]\Z")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def selector_problem(obj: StixDict, selector: str) -> str | None:
    """Why ``selector`` selects nothing on ``obj``, or None when it selects content."""
    if not selector:
        return "a selector must not be empty; name a property, e.g. 'description'"
    current: Any = obj
    walked: list[str] = []
    for component in selector.split("."):
        if not component:
            return (
                f"selector {_show(selector)} has an empty component;"
                " separate components with single dots"
            )
        index = _INDEX.match(component)
        if index is not None:
            position = int(index[1])
            if not isinstance(current, list):
                return (
                    f"selector {_show(selector)}: {_where(walked)} is not a list,"
                    f" so {component} selects nothing"
                )
            if position >= len(current):
                return (
                    f"selector {_show(selector)}: index {position} is out of range,"
                    f" {_where(walked)} has {len(current)} item(s)"
                )
            current = current[position]
        elif component.startswith("["):
            return (
                f"selector {_show(selector)}: {component!r} is not a list index; write a"
                " non-negative integer in square brackets, e.g. [0]"
            )
        else:
            if not isinstance(current, dict) or component not in current:
                return (
                    f"selector {_show(selector)}: {_where(walked)} has no property"
                    f" {component!r}; selectors must select content present on the object"
                )
            current = current[component]
        walked.append(component)
    return None


def _where(walked: list[str]) -> str:
    return "the object" if not walked else repr(".".join(walked))


@object_check("IS-116")
def check_granular_selectors(obj: StixDict, emit: Emit) -> None:
    """Every selector has the selector syntax and selects present content."""
    markings = obj.get("granular_markings")
    if not isinstance(markings, list):
        return
    for m_index, marking in enumerate(markings):
        if not isinstance(marking, dict):
            continue
        selectors = marking.get("selectors")
        if not isinstance(selectors, list):
            continue  # the core schema (IS-101/IS-102) reports it
        for s_index, selector in enumerate(selectors):
            if not isinstance(selector, str):
                continue
            problem = selector_problem(obj, selector)
            if problem is not None:
                emit(jpath("granular_markings", m_index, "selectors", s_index), problem)
