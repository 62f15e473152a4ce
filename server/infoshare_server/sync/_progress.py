"""What a sync run tells the operator: a live line with counts on a terminal, plain lines otherwise.

Implements the "progress bar with counts" of issue 5 (docs/adr/0007-sync.md).
A :class:`Progress` receives events from pull and push; :class:`TerminalProgress`
redraws one status line per collection on a TTY (with a bar when the total is
known, as for a push) and prints every refusal, retry and error on its own
line; :class:`PlainProgress` prints one line per page for logs and cron.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Counts:
    """Running totals for one (remote, direction, collection)."""

    label: str
    pages: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    total: int | None = None
    #: "pull": ``stored`` are new here; "push": ``stored`` were accepted by the remote.
    direction: str = "pull"

    def summary(self) -> str:
        if self.direction == "push":
            text = f"{self.stored} sent, {self.rejected} refused"
        else:
            text = f"{self.stored} new, {self.duplicates} already here, {self.rejected} refused"
        return f"{text} ({self.pages} page{'s' if self.pages != 1 else ''})"


@dataclass
class Progress:
    """Receives sync events; the base class keeps counts and prints nothing."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    finished: list[Counts] = field(default_factory=list)

    def start(self, label: str, total: int | None = None, direction: str = "pull") -> Counts:
        return Counts(label, total=total, direction=direction)

    def page(self, counts: Counts) -> None:
        """A page was committed; ``counts`` holds the totals so far."""

    def refused(self, counts: Counts, object_id: str, version: str, message: str) -> None:
        """One object was refused (by this node's ingest on pull, by the remote on push)."""
        self._line(f"{counts.label}: refused {object_id} ({version}): {message}")

    def retry(self, label: str, error: str, attempt: int, delay: float) -> None:
        self._line(f"{label}: {error}; retry {attempt} in {delay:g}s")

    def error(self, label: str, message: str, hint: str | None = None) -> None:
        self._line(f"{label}: error: {message}")
        if hint:
            self._line(f"{label}: hint: {hint}")

    def done(self, counts: Counts) -> None:
        self.finished.append(counts)
        self._line(f"{counts.label}: done: {counts.summary()}")

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


class PlainProgress(Progress):
    """One line per committed page (for logs, cron, CI)."""

    def page(self, counts: Counts) -> None:
        self._line(f"{counts.label}: page {counts.pages}: {counts.summary()}")


class TerminalProgress(Progress):
    """One redrawn line per collection, with a bar when the total is known."""

    _WIDTH = 24

    def page(self, counts: Counts) -> None:
        done = counts.stored + counts.duplicates + counts.rejected
        if counts.total:
            filled = min(self._WIDTH, self._WIDTH * done // counts.total)
            bar = "█" * filled + "░" * (self._WIDTH - filled)
            text = f"{counts.label} {bar} {done}/{counts.total}: {counts.summary()}"
        else:
            spinner = "|/-\\"[counts.pages % 4]
            text = f"{counts.label} {spinner} {counts.summary()}"
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write("\r\x1b[2K" + text + "\n")
        self.stream.flush()


def progress_for(stream: TextIO) -> Progress:
    """A live display on a terminal, plain lines otherwise."""
    return TerminalProgress(stream) if stream.isatty() else PlainProgress(stream)
