"""Streaming reader for STIX bundles: bytes in, one parsed object at a time out.

Implements layers 1 and 2 of spec/profile/14-conformance.md (checks IS-001 to
IS-007). The reader never holds more than one chunk plus the largest single
object in memory, so a multi-gigabyte bundle is read in bounded memory. Each
object is parsed exactly once, with the C JSON scanner of the standard library,
and handed on as a plain dict with the line on which it starts.

The reading is strict (section 14.2): a member name that repeats (IS-007), an
integer of more than 4,300 digits or nesting deeper than 64 levels (IS-004) is
a finding wherever it is, in the bundle's own properties, in an object or in
a single object given instead of a bundle. The scanner's hooks notice repeated
names and long integers as it decodes; only then is the value's text walked
again (``_json_text``) to say where.

Problems are reported through a callback, never raised: a defect in the input
is a finding, not an exception.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from infoshare.stix.envelope import BUNDLE_EXAMPLE, bundle_problems
from infoshare.validation._json_text import (
    MAX_INTEGER_DIGITS,
    Located,
    TextProblem,
    integer_too_long,
    locate_problems,
)
from infoshare.validation._registry import jpath

#: IS-004: how deep JSON may nest, and how large one object may be.
MAX_DEPTH = 64
MAX_OBJECT_BYTES = 64 * 1024 * 1024

_CHUNK_BYTES = 1024 * 1024
_WHITESPACE = re.compile(r"[ \t\n\r]*")
#: A comma between two members of an array, when the next member is already read.
_NEXT_MEMBER = re.compile(r"[ \t\n\r]*,[ \t\n\r]*(?=[^ \t\n\r])")

#: (check_id, message, line, column, json_path)
ReadProblem = Callable[[str, str, int | None, int | None, str], None]


class _Stop(Exception):
    """Reading cannot go on (the problem was already reported)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


#: What the decoder's hooks noticed in the value being decoded.
_DUPLICATE_NAME = "duplicate name"
_LONG_INTEGER = "long integer"


def json_depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests containers more than ``limit`` levels deep."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return False


class BundleReader:
    """Iterate over the objects of one STIX bundle read from a binary stream.

    Iterating yields ``(index, line, value)`` for each member of the bundle's
    ``objects`` array. After iteration, :attr:`envelope` holds the bundle's
    other properties and :attr:`bytes_read` how much was consumed.
    """

    def __init__(
        self, stream: BinaryIO, report: ReadProblem, *, chunk_bytes: int = _CHUNK_BYTES
    ) -> None:
        self._stream = stream
        self._chunk_bytes = chunk_bytes
        self._report = report
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        #: Set by the decoder's hooks; cleared before each value is decoded.
        self._noticed: set[str] = set()
        noticed = self._noticed

        def object_from_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            obj = dict(pairs)
            if len(obj) != len(pairs):
                noticed.add(_DUPLICATE_NAME)
            return obj

        def integer(text: str) -> int:
            if len(text) - (text[0] == "-") > MAX_INTEGER_DIGITS:
                noticed.add(_LONG_INTEGER)  # located and reported by _vet
                return 0
            try:
                return int(text)
            except ValueError:  # the interpreter's own limit is lower than ours
                return int(Decimal(text))

        decoder = json.JSONDecoder(
            parse_constant=_reject_constant, object_pairs_hook=object_from_pairs
        )
        # The C scanner that raw_decode wraps (set by JSONDecoder, not in its stubs).
        self._scan_once: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]
        # The same with a hook for integers, which costs a Python call per
        # integer: used only on a value with an integer that int() refused, or
        # always when the interpreter's limit on int() does not stop integers
        # longer than ours (it was raised or turned off).
        self._scan_long_integers: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder(
            parse_constant=_reject_constant, object_pairs_hook=object_from_pairs, parse_int=integer
        ).scan_once  # type: ignore[attr-defined]
        if not 0 < sys.get_int_max_str_digits() <= MAX_INTEGER_DIGITS:
            self._scan_once = self._scan_long_integers
        self._buf = ""
        self._pos = 0
        self._value_start = 0  # where the last decoded value began in the buffer
        self._eof = False
        self._line = 1  # line number at self._line_pos
        self._line_pos = 0
        self._dropped_of_line = 0  # characters of the buffer's first line dropped from it
        self._first_chunk = True
        self.bytes_read = 0
        self.envelope: dict[str, Any] = {}
        self.objects_seen = 0
        #: Set when a member of the top-level object was refused (IS-004).
        self._envelope_refused = False
        #: (line, column) of an ``objects`` array that is empty (STIX prohibits empty lists).
        self.empty_objects_at: tuple[int, int] | None = None

    # --- buffer -----------------------------------------------------------------

    def _fill(self) -> bool:
        """Read one more chunk into the buffer; False at end of input."""
        if self._eof:
            return False
        data = self._stream.read(self._chunk_bytes)
        if self._first_chunk:
            self._first_chunk = False
            data = self._check_encoding_signature(data)
        self.bytes_read += len(data)
        if not data:
            self._eof = True
            try:
                self._buf += self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self._encoding_problem("the input ends in the middle of a UTF-8 character")
            return False
        try:
            text = self._decoder.decode(data)
        except UnicodeDecodeError as exc:
            good = data[: exc.start].decode("utf-8", errors="ignore")
            self._buf += good
            self._encoding_problem(
                f"byte 0x{data[exc.start]:02x} at offset {self.bytes_read - len(data) + exc.start}"
                " is not valid UTF-8"
            )
        if self._pos > 4 * self._chunk_bytes:
            self._advance_line_to(self._pos)
            last_newline = self._buf.rfind("\n", 0, self._pos)
            if last_newline < 0:  # the line goes on from text already dropped
                self._dropped_of_line += self._pos
            else:
                self._dropped_of_line = self._pos - last_newline - 1
            self._buf = self._buf[self._pos :]
            self._line_pos -= self._pos
            self._pos = 0
        self._buf += text
        return True

    def _check_encoding_signature(self, data: bytes) -> bytes:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :]
        for bom, name in (
            (codecs.BOM_UTF32_LE, "UTF-32"),
            (codecs.BOM_UTF32_BE, "UTF-32"),
            (codecs.BOM_UTF16_LE, "UTF-16"),
            (codecs.BOM_UTF16_BE, "UTF-16"),
        ):
            if data.startswith(bom):
                self._encoding_problem(
                    f"the input is {name} (it starts with a {name} byte order mark)"
                )
        if len(data) >= 2 and (data[0] == 0 or data[1] == 0):
            self._encoding_problem("the input looks like UTF-16 or UTF-32 (it has NUL bytes)")
        return data

    def _encoding_problem(self, what: str) -> None:
        line, col = self._line_col(len(self._buf))
        self._report(
            "IS-002",
            f"{what}; STIX JSON must be UTF-8: re-save the file as UTF-8",
            line,
            col,
            "$",
        )
        raise _Stop

    def _advance_line_to(self, pos: int) -> None:
        if pos > self._line_pos:
            self._line += self._buf.count("\n", self._line_pos, pos)
            self._line_pos = pos

    def _line_col(self, pos: int) -> tuple[int, int]:
        """Line and column (1-based) of a position in the buffer."""
        if pos >= self._line_pos:
            self._advance_line_to(pos)
            line = self._line
        else:
            line = self._line - self._buf.count("\n", pos, self._line_pos)
        start = self._buf.rfind("\n", 0, pos) + 1
        return line, pos - start + 1 + (self._dropped_of_line if start == 0 else 0)

    # --- tokens -----------------------------------------------------------------

    def _skip_ws(self) -> str:
        """Skip whitespace; return the next character, or '' at end of input."""
        while True:
            self._pos = _WHITESPACE.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _syntax(self, message: str, pos: int | None = None, path: str = "$") -> None:
        line, col = self._line_col(self._pos if pos is None else pos)
        self._report("IS-001", message, line, col, path)
        raise _Stop

    def _expect(self, chars: str, what: str, path: str) -> str:
        ch = self._skip_ws()
        if ch == "":
            self._syntax(
                f"the input ends early: expected {what}; the file may be truncated", path=path
            )
        if ch not in chars:
            self._syntax(f"expected {what} but found {ch!r}", path=path)
        self._pos += 1
        return ch

    def _may_nest_too_deep(self, limit: int) -> bool:
        """False when the value just decoded cannot nest more than ``limit``
        levels: each level needs an opening bracket of its own, so fewer
        brackets than that (counted in C, those in strings too) settle it
        without walking the decoded value."""
        buf, start, end = self._buf, self._value_start, self._pos
        return buf.count("{", start, end) + buf.count("[", start, end) > limit

    def _vet(self, value: Any, path: str, line: int, depth_limit: int = MAX_DEPTH) -> bool:
        """Report what the hooks noticed in the value just decoded, and check
        its depth. False when the value must not be used (IS-004)."""
        usable = True
        if self._noticed:
            for problem in locate_problems(self._buf, self._value_start):
                usable &= self._report_located(problem, path)
        if self._may_nest_too_deep(depth_limit) and json_depth_exceeds(value, depth_limit):
            self._report(
                "IS-004", f"JSON nested more than {MAX_DEPTH} levels deep", line, None, path
            )
            usable = False
        return usable

    def _report_located(self, problem: Located, base: str) -> bool:
        """Report one problem found in the text; False when it makes the value unusable."""
        line, col = self._line_col(problem.offset)
        path = base + problem.path
        if problem.problem is TextProblem.DUPLICATE_NAME:
            self._report(
                "IS-007",
                f"the name {problem.detail!r} appears more than once in the same JSON object;"
                " readers disagree on which value counts: keep one",
                line,
                col,
                path,
            )
            return True
        self._report("IS-004", integer_too_long(f"{int(problem.detail):,}"), line, col, path)
        return False

    def _scan(self, text: str, start: int) -> tuple[Any, int]:
        """``JSONDecoder.raw_decode`` without its Python frame (the same errors),
        except that an integer too long for int() is noticed, not raised."""
        try:
            return self._scan_once(text, start)
        except StopIteration as err:
            raise json.JSONDecodeError("Expecting value", text, err.value) from None
        except json.JSONDecodeError:
            raise
        except ValueError as err:
            if "integer string conversion" not in str(err):
                raise  # NaN or Infinity
        try:
            return self._scan_long_integers(text, start)
        except StopIteration as err:
            raise json.JSONDecodeError("Expecting value", text, err.value) from None

    def _value(self, path: str) -> Any:
        """Decode the JSON value at the current position."""
        self._skip_ws()
        return self._decode(path)

    def _decode(self, path: str) -> Any:
        """Decode the JSON value that starts right at the current position."""
        while True:
            start = self._pos  # a refill may move the buffer, so re-read it each time
            if self._noticed:
                self._noticed.clear()
            try:
                value, end = self._scan(self._buf, start)
            except json.JSONDecodeError as exc:
                if not self._eof and len(self._buf) - start <= MAX_OBJECT_BYTES:
                    self._fill()
                    continue
                if len(self._buf) - start > MAX_OBJECT_BYTES:
                    line, col = self._line_col(start)
                    self._report(
                        "IS-004",
                        f"a single value is larger than {MAX_OBJECT_BYTES // (1024 * 1024)} MiB;"
                        " split it into smaller objects",
                        line,
                        col,
                        path,
                    )
                    raise _Stop from None
                truncated = exc.pos >= len(self._buf.rstrip()) or exc.msg.startswith("Unterminated")
                hint = "; the file may be truncated" if truncated else ""
                self._syntax(f"invalid JSON: {exc.msg}{hint}", exc.pos, path)
            except RecursionError:
                line, col = self._line_col(start)
                self._report(
                    "IS-004", f"JSON nested more than {MAX_DEPTH} levels deep", line, col, path
                )
                raise _Stop from None
            except ValueError as exc:  # NaN / Infinity
                self._syntax(f"invalid JSON: {exc}", start, path)
            self._value_start, self._pos = start, end
            return value

    # --- grammar ----------------------------------------------------------------

    def __iter__(self) -> Iterator[tuple[int, int, Any]]:
        try:
            yield from self._document()
        except _Stop:
            return

    def _document(self) -> Iterator[tuple[int, int, Any]]:
        first = self._skip_ws()
        if first == "":
            self._report("IS-003", "the input is empty; expected a STIX bundle", None, None, "$")
            return
        if first == "[":
            line, col = self._line_col(self._pos)
            self._report(
                "IS-005",
                f"the top-level value is an array; wrap the objects in a bundle ({BUNDLE_EXAMPLE})",
                line,
                col,
                "$",
            )
            self._pos += 1
            yield from self._objects_array("$")
            self._after_document()
            return
        if first != "{":
            line, col = self._line_col(self._pos)
            self._value("$")  # reports invalid JSON if it is not even JSON
            self._report(
                "IS-005",
                "the top-level value is not a JSON object; expected a STIX bundle",
                line,
                col,
                "$",
            )
            self._after_document()
            return
        self._pos += 1
        saw_objects = False
        names: set[str] = set()
        ch = self._skip_ws()
        if ch == "}":
            self._pos += 1
        else:
            while True:
                if self._skip_ws() != '"':
                    self._syntax("expected a property name in double quotes")
                name_at = self._pos
                key = self._value("$")
                if key in names:
                    self._repeated_top_level_name(key, name_at)
                names.add(key)
                self._expect(":", "':' after a property name", "$")
                if key == "objects":
                    saw_objects = True
                    if self._skip_ws() == "[":
                        self._pos += 1
                        yield from self._objects_array("$.objects", self.objects_seen)
                    else:
                        self._value("$.objects")
                        line, col = self._line_col(self._pos)
                        self._report(
                            "IS-005",
                            "the bundle's objects property must be an array",
                            line,
                            col,
                            "$.objects",
                        )
                else:
                    self._envelope_member(key)
                if self._expect(",}", "',' or '}' in the bundle", "$") == "}":
                    break
        self._after_document()
        self._check_envelope(saw_objects)
        if not saw_objects and self._looks_like_single_object() and not self._envelope_refused:
            yield 0, 1, self.envelope
            self.objects_seen = 1

    def _envelope_member(self, key: str) -> None:
        """Read the value of one member of the top-level object (not ``objects``).

        The top-level object is itself one level deep, so its members may nest
        one level less than :data:`MAX_DEPTH`; that holds for a bundle and for
        a single object given instead of one alike.
        """
        path = "$" + jpath(key)
        self._skip_ws()
        self._advance_line_to(self._pos)
        line = self._line
        value = self._decode(path)
        if self._vet(value, path, line, MAX_DEPTH - 1):
            self.envelope[key] = value
        else:
            self._envelope_refused = True

    def _repeated_top_level_name(self, key: str, at: int) -> None:
        line, col = self._line_col(at)
        if key == "objects":
            message = (
                "the bundle has more than one 'objects' member; readers disagree on which"
                " one counts: put every object in one array (the objects of each array are"
                " checked here, numbered on from the first array)"
            )
        else:
            message = (
                f"the name {key!r} appears more than once in the top-level object;"
                " readers disagree on which value counts: keep one"
            )
        self._report("IS-007", message, line, col, "$" + jpath(key))

    def _objects_array(self, path: str, index: int = 0) -> Iterator[tuple[int, int, Any]]:
        """Yield the members of an array of objects, numbered from ``index``."""
        if self._skip_ws() == "]":
            self.empty_objects_at = self._line_col(self._pos)
            self._pos += 1
            return
        self._skip_ws()
        while True:  # at the first character of the next member
            self._advance_line_to(self._pos)
            line = self._line
            item_path = f"{path}[{index}]"
            value = self._decode(item_path)
            if self._vet(value, item_path, line):
                yield index, line, value
            index += 1
            self.objects_seen = index
            separator = _NEXT_MEMBER.match(self._buf, self._pos)
            if separator is not None:  # the usual case, settled in one step
                self._pos = separator.end()
                continue
            if self._expect(",]", "',' or ']' between objects", path) == "]":
                return
            self._skip_ws()

    def _after_document(self) -> None:
        if self._skip_ws() != "":
            self._syntax("unexpected data after the end of the bundle")

    def _looks_like_single_object(self) -> bool:
        kind = self.envelope.get("type")
        return isinstance(kind, str) and kind != "bundle"

    def _check_envelope(self, saw_objects: bool) -> None:
        # The objects array was read (and its members checked) while streaming.
        for problem in bundle_problems(self.envelope, objects_read_apart=saw_objects):
            self._report("IS-005", problem.message, 1, None, problem.path)
