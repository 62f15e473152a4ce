"""Hold parsed objects to the rules the reader applies to JSON text.

Implements section 14.2 of spec/profile/14-conformance.md for objects that
arrive already parsed (``Validator.validate_objects``, the node's ingest
path): what the streaming reader refuses in text is refused here too, so the
checks see the same kind of values whichever way the input came in. A parsed
object is refused when it nests more than 64 levels deep or holds an integer
of more than 4,300 digits (IS-004), or holds something JSON cannot express:
NaN or an infinity, a name that is not a string, or a value that is not a
JSON type (IS-001).
"""

from __future__ import annotations

import math
from typing import Any

from infoshare.validation._json_text import MAX_INTEGER_DIGITS, integer_too_long
from infoshare.validation._reader import MAX_DEPTH
from infoshare.validation._registry import jpath

_LONGEST_INTEGER = 10**MAX_INTEGER_DIGITS
#: Integers with fewer bits than this have fewer digits than the limit.
_SHORT_INTEGER_BITS = int(MAX_INTEGER_DIGITS * math.log2(10))
_SCALARS = (str, bool, type(None))

#: A path kept as a chain of (parent, key) pairs, rendered only when needed.
_Chain = tuple[Any, str | int] | None


def _render(chain: _Chain) -> str:
    parts: list[str | int] = []
    while chain is not None:
        chain, key = chain
        parts.append(key)
    return jpath(*reversed(parts))


def value_problem(value: Any) -> tuple[str, str, str] | None:
    """The first reason ``value`` (an object, itself at depth 1) cannot be
    checked, as (check id, message, JSON path suffix); None when it can."""
    stack: list[tuple[Any, int, _Chain]] = [(value, 1, None)]
    while stack:
        node, depth, chain = stack.pop()
        if isinstance(node, dict):
            members: Any = node.items()
            for key in node:
                if not isinstance(key, str):
                    return "IS-001", f"member name {key!r} is not a string", _render(chain)
        elif isinstance(node, list):
            members = enumerate(node)
        else:
            problem = _scalar_problem(node)
            if problem is not None:
                return problem[0], problem[1], _render(chain)
            continue
        if depth > MAX_DEPTH:
            return "IS-004", f"JSON nested more than {MAX_DEPTH} levels deep", _render(chain)
        stack.extend(
            (member, depth + 1, (chain, key))
            for key, member in members
            if not isinstance(member, _SCALARS)
        )
    return None


def _scalar_problem(value: Any) -> tuple[str, str] | None:
    if isinstance(value, int):
        if value.bit_length() > _SHORT_INTEGER_BITS and abs(value) >= _LONGEST_INTEGER:
            return "IS-004", integer_too_long(f"more than {MAX_INTEGER_DIGITS:,}")
        return None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return "IS-001", f"{value} is not a JSON number"
    if isinstance(value, _SCALARS):
        return None
    return "IS-001", f"a value of Python type {type(value).__name__} is not a JSON value"
