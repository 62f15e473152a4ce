"""Find where, in JSON text, a member name repeats or an integer is too long.

Implements the slow half of the strict reading of spec/profile/14-conformance.md
section 14.2 (IS-004 and IS-007). The streaming reader decodes each value with
the C scanner of the standard library, whose hooks can tell *that* a decoded
object had a repeated member name or an over-long integer, but not *where*. When
that happens, and only then, this module walks the same text once more and
returns each problem with its JSON path and its offset in the text, so the
finding can name the path, line and column.

The text given is known to hold one well-formed JSON value (the C scanner has
just decoded it), so the walk does not re-check the grammar.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]

from infoshare.validation._registry import jpath

#: IS-004: integers longer than this are refused. It is the default limit of
#: Python's int() on decimal text, so the same input gives the same verdict
#: whatever the interpreter; STIX integers need at most 16 digits (54 bits).
MAX_INTEGER_DIGITS = 4300


def integer_too_long(digits: str) -> str:
    """The IS-004 message for an integer of ``digits`` (a count, or "more than N")."""
    return (
        f"an integer of {digits} digits is far too large for a STIX integer (STIX 2.1"
        f" section 2.8: integers fit in 54 bits); at most {MAX_INTEGER_DIGITS:,} digits are read"
    )


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERAL_LENGTH = {"t": 4, "f": 5, "n": 4}


class TextProblem(enum.Enum):
    DUPLICATE_NAME = "duplicate name"
    INTEGER_TOO_LONG = "integer too long"


@dataclass(frozen=True, slots=True)
class Located:
    """One problem: what it is, the JSON path suffix it is at, and its offset."""

    problem: TextProblem
    path: str
    offset: int
    #: The repeated member name, or the number of digits of the integer.
    detail: str


@dataclass(slots=True)
class _Container:
    path: str
    names: set[str] | None  # member names seen so far (objects); None for arrays
    index: int = 0


def locate_problems(text: str, start: int) -> list[Located]:
    """Every repeated member name and over-long integer of the JSON value at
    ``text[start:]``, in text order, with paths relative to that value.

    The walk is iterative, so a value nested as deep as the C scanner allows
    cannot exhaust Python's stack."""
    found: list[Located] = []
    stack: list[_Container] = []
    pos, path = start, ""
    while True:  # at the start of a value
        pos = _skip(text, pos)
        ch = text[pos]
        if ch in "{[":
            after = _skip(text, pos + 1)
            if text[after] not in "}]":
                if ch == "[":
                    stack.append(_Container(path, None))
                    pos, path = after, path + jpath(0)
                else:
                    stack.append(_Container(path, set()))
                    pos, path = _member_name(text, after, stack[-1], found)
                continue
            pos = after + 1
        else:
            pos = _scalar(text, pos, path, found)
        # After a value: close containers, or move on to the next member.
        while stack:
            pos = _skip(text, pos)
            top = stack[-1]
            if text[pos] in "}]":
                stack.pop()
                pos += 1
                continue
            pos = _skip(text, pos + 1)  # past the comma
            if top.names is None:
                top.index += 1
                path = top.path + jpath(top.index)
            else:
                pos, path = _member_name(text, pos, top, found)
            break
        else:
            return found


def _skip(text: str, pos: int) -> int:
    return _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]


def _scalar(text: str, pos: int, path: str, found: list[Located]) -> int:
    """Step over one string, number or literal; return the offset after it."""
    ch = text[pos]
    if ch == '"':
        return int(scanstring(text, pos + 1)[1])
    if ch in _LITERAL_LENGTH:
        return pos + _LITERAL_LENGTH[ch]
    number = _NUMBER.match(text, pos)
    assert number is not None, "the text was decoded before, so this is a number"
    digits = number.end() - pos - (ch == "-")
    if number[1] is None and number[2] is None and digits > MAX_INTEGER_DIGITS:
        found.append(Located(TextProblem.INTEGER_TOO_LONG, path, pos, str(digits)))
    return number.end()


def _member_name(
    text: str, pos: int, container: _Container, found: list[Located]
) -> tuple[int, str]:
    """Read ``"name" :`` at ``pos``; note it if it repeats. Returns the offset of
    the member's value and the member's path."""
    assert container.names is not None
    name, end = scanstring(text, pos + 1)
    path = container.path + jpath(name)
    if name in container.names:
        found.append(Located(TextProblem.DUPLICATE_NAME, path, pos, name))
    else:
        container.names.add(name)
    end = _skip(text, end)  # at the colon
    return _skip(text, end + 1), path
