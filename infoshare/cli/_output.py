"""Where a report goes: standard output or ``--output FILE``, with colour or not."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from infoshare.errors import UsageError


def wants_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def write_report(text: str, output: str | None) -> None:
    """Write the rendered report to ``output`` (a file name) or standard output."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(output, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(
            f"cannot write the report to {output}: {exc.strerror or exc}",
            hint="check that the folder exists and is writable",
        ) from None
