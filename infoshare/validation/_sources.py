"""What :func:`infoshare.validate` accepts, turned into the one form the reader takes.

The validator reads bytes (spec/profile/14-conformance.md §14.1, layer 1), so
every kind of input becomes a binary stream plus a name for the report:

=====================================  =========================================
source                                 read as
=====================================  =========================================
``str`` or :class:`os.PathLike`        the path of a file (as :func:`open` reads it)
``bytes``, ``bytearray``, memoryview   the JSON text, UTF-8 encoded
``dict`` (any mapping)                 a parsed bundle or single object
a stream whose ``read`` gives bytes    the JSON text, UTF-8 encoded, read in chunks
a stream whose ``read`` gives ``str``  the JSON text, read in chunks
=====================================  =========================================

A ``str`` is always a path, never JSON text, so that ``validate(name)`` can
never mistake a file name for a document or the other way round: JSON text
held in a ``str`` goes to :func:`infoshare.validate_text`. A path that does
not exist but looks like JSON text gets an error that says so.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeAlias, cast

from infoshare.errors import InputError

#: Everything :func:`infoshare.validate` accepts (see this module's table).
Source: TypeAlias = (
    str
    | os.PathLike[str]
    | bytes
    | bytearray
    | memoryview
    | Mapping[str, Any]
    | IO[bytes]
    | IO[str]
)

#: The characters a UTF-8 text stream is read in at a time (the reader's own chunk size).
_TEXT_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Opened:
    """A source ready for the reader: a binary stream and the name findings carry.

    ``positions`` is False when lines and columns would describe only a text
    infoshare wrote itself (a ``dict`` serialised for the reader), so the
    report leaves them out.
    """

    stream: BinaryIO
    name: str
    positions: bool = True


class _EncodedText:
    """A binary view of a stream: each ``read`` gives UTF-8 bytes.

    A stream whose ``read`` gives ``str`` is encoded as it is read; lone
    surrogates (text no UTF-8 file could hold) are passed through as invalid
    UTF-8, so the reader reports them like any other bad encoding. A stream
    whose ``read`` gives bytes is passed through unchanged.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._pending = b""

    def _next_chunk(self) -> bytes:
        chunk = self._stream.read(_TEXT_CHUNK)
        if isinstance(chunk, str):
            return chunk.encode("utf-8", errors="surrogatepass")
        if isinstance(chunk, bytes | bytearray | memoryview):
            return bytes(chunk)
        if chunk is None:  # a non-blocking stream with nothing ready
            return b""
        raise InputError(f"the stream's read() gave {type(chunk).__name__}, not bytes or str")

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = [self._pending]
            while chunk := self._next_chunk():
                parts.append(chunk)
            self._pending = b""
            return b"".join(parts)
        while len(self._pending) < size:
            chunk = self._next_chunk()
            if not chunk:
                break
            self._pending += chunk
        data, self._pending = self._pending[:size], self._pending[size:]
        return data


def _looks_like_json_text(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _mapping_as_json(source: Mapping[str, Any]) -> bytes:
    try:
        text = json.dumps(source, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InputError(
            f"the dict cannot be read as JSON: {exc}",
            hint="pass the dict as json.load returns it: str keys; str, number, bool,"
            " None, list and dict values only",
        ) from None
    return text.encode("utf-8", errors="surrogatepass")


def open_source(source: Source, name: str | None = None) -> Opened | Path:
    """Classify ``source``: a :class:`Path` to open, or an opened stream and its name.

    Raises :class:`TypeError` for anything that is none of the accepted forms.
    """
    if isinstance(source, str):
        if _looks_like_json_text(source) and not os.path.exists(source):
            raise InputError(
                f"{source[:40]!r}... is not the path of a file; it looks like JSON text",
                hint="a str is always a path: pass JSON text to infoshare.validate_text(),"
                " or encode it to bytes",
            )
        return Path(source)
    if isinstance(source, os.PathLike):
        return Path(source)
    if isinstance(source, bytes | bytearray | memoryview):
        return Opened(io.BytesIO(bytes(source)), name or "<bytes>")
    if isinstance(source, Mapping):
        return Opened(io.BytesIO(_mapping_as_json(source)), name or "<dict>", positions=False)
    if callable(getattr(source, "read", None)):
        label = name or _stream_name(source)
        if isinstance(source, io.RawIOBase | io.BufferedIOBase):
            return Opened(cast(BinaryIO, source), label)
        return Opened(cast(BinaryIO, _EncodedText(source)), label)
    raise TypeError(
        f"cannot validate a {type(source).__name__}: pass a path (str or os.PathLike),"
        " bytes, a dict, or a stream opened for reading (binary or text)"
    )


def _stream_name(stream: Any) -> str:
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) and name else "<stream>"
