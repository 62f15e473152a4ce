"""A single updating progress line on standard error, for large inputs."""

from __future__ import annotations

import time
from typing import TextIO

#: Inputs smaller than this are validated without a progress line.
PROGRESS_MIN_BYTES = 5 * 1024 * 1024
_REDRAW_SECONDS = 0.2
_MB = 1024 * 1024


class ProgressLine:
    """Shows "name: 12.3 / 50.0 MB, 120,000 objects, 45,000 objects/s" in place."""

    def __init__(self, stream: TextIO, name: str, total_bytes: int) -> None:
        self._stream = stream
        self._name = name
        self._total = total_bytes / _MB
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._width = 0

    def __call__(self, bytes_read: int, objects: int) -> None:
        now = time.monotonic()
        if now - self._last_draw < _REDRAW_SECONDS:
            return
        self._last_draw = now
        rate = objects / max(now - self._start, 1e-6)
        text = (
            f"{self._name}: {bytes_read / _MB:,.1f} / {self._total:,.1f} MB,"
            f" {objects:,} objects, {rate:,.0f} objects/s"
        )
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        """Erase the line (before anything else is written to the terminal)."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0
