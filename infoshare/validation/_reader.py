"""Streaming reader for STIX bundles: bytes in, one parsed object at a time out.

Implements layers 1 and 2 of spec/profile/14-conformance.md (checks IS-001 to
IS-006). The reader never holds more than one chunk plus the largest single
object in memory, so a multi-gigabyte bundle is read in bounded memory. Each
object is parsed exactly once, with the C JSON scanner of the standard library,
and handed on as a plain dict with the line on which it starts.

Problems are reported through a callback, never raised: a defect in the input
is a finding, not an exception.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

#: IS-004: how deep JSON may nest, and how large one object may be.
MAX_DEPTH = 64
MAX_OBJECT_BYTES = 64 * 1024 * 1024

_CHUNK_BYTES = 1024 * 1024
_WHITESPACE = re.compile(r"[ \t\n\r]*")
#: A comma between two members of an array, when the next member is already read.
_NEXT_MEMBER = re.compile(r"[ \t\n\r]*,[ \t\n\r]*(?=[^ \t\n\r])")
_BUNDLE_ID = re.compile(
    r"^bundle--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)

#: (check_id, message, line, column, json_path)
ReadProblem = Callable[[str, str, int | None, int | None, str], None]


class _Stop(Exception):
    """Reading cannot go on (the problem was already reported)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


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
        decoder = json.JSONDecoder(parse_constant=_reject_constant)
        # The C scanner that raw_decode wraps (set by JSONDecoder, not in its stubs).
        self._scan_once: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]
        self._buf = ""
        self._pos = 0
        self._value_start = 0  # where the last decoded value began in the buffer
        self._eof = False
        self._line = 1  # line number at self._line_pos
        self._line_pos = 0
        self._first_chunk = True
        self.bytes_read = 0
        self.envelope: dict[str, Any] = {}
        self.objects_seen = 0
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
        return line, pos - start + 1

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

    def _may_nest_too_deep(self) -> bool:
        """False when the value just decoded cannot nest more than
        :data:`MAX_DEPTH` levels: each level needs an opening bracket of its own,
        so fewer brackets than that (counted in C, those in strings too) settle
        it without walking the decoded value."""
        buf, start, end = self._buf, self._value_start, self._pos
        return buf.count("{", start, end) + buf.count("[", start, end) > MAX_DEPTH

    def _scan(self, text: str, start: int) -> tuple[Any, int]:
        """``JSONDecoder.raw_decode`` without its Python frame (the same errors)."""
        try:
            return self._scan_once(text, start)
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
                "the top-level value is an array; wrap the objects in a bundle"
                ' ({"type": "bundle", "id": "bundle--<UUID>", "objects": [...]})',
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
        ch = self._skip_ws()
        if ch == "}":
            self._pos += 1
        else:
            while True:
                if self._skip_ws() != '"':
                    self._syntax("expected a property name in double quotes")
                key = self._value("$")
                self._expect(":", "':' after a property name", "$")
                if key == "objects":
                    saw_objects = True
                    if self._skip_ws() == "[":
                        self._pos += 1
                        yield from self._objects_array("$.objects")
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
                    self.envelope[key] = self._value(f"$.{key}")
                if self._expect(",}", "',' or '}' in the bundle", "$") == "}":
                    break
        self._after_document()
        self._check_envelope(saw_objects)
        if not saw_objects and self._looks_like_single_object():
            yield 0, 1, self.envelope
            self.objects_seen = 1

    def _objects_array(self, path: str) -> Iterator[tuple[int, int, Any]]:
        index = 0
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
            if self._may_nest_too_deep() and json_depth_exceeds(value):
                self._report(
                    "IS-004",
                    f"JSON nested more than {MAX_DEPTH} levels deep",
                    line,
                    None,
                    item_path,
                )
            else:
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
        kind = self.envelope.get("type")
        if kind != "bundle":
            if isinstance(kind, str) and not saw_objects:
                msg = (
                    f"the input is a single {kind!r} object, not a bundle; wrap it in a bundle"
                    ' ({"type": "bundle", "id": "bundle--<UUID>", "objects": [...]})'
                )
            else:
                msg = 'the bundle\'s type must be "bundle"'
            self._report("IS-005", msg, 1, None, "$.type")
            return
        bundle_id = self.envelope.get("id")
        if not isinstance(bundle_id, str) or not _BUNDLE_ID.match(bundle_id):
            self._report(
                "IS-005",
                "the bundle's id must be 'bundle--' followed by a lowercase RFC 4122 UUID,"
                f" got {bundle_id!r}",
                1,
                None,
                "$.id",
            )
