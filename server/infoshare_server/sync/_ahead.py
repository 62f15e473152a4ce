"""One item ahead: a producer runs in a thread while the caller works on the last item.

Implements "Performance" of docs/adr/0007-sync.md. A pull fetches the next
page from the remote while the current one is validated and stored; a push
reads and encodes the next envelope from the local database while the remote
ingests the current one. The producer is never more than one item ahead (a
queue of one), so memory stays bounded by two pages whatever the collection's
size. The caller still commits in order: a watermark only ever covers items it
has finished itself, so a run stopped at any point resumes exactly as
without the thread (the item fetched ahead is simply fetched again).

An exception in the producer is raised in the caller, at the item where it
happened; leaving the ``with`` block early (an error while storing, a
stopped run) tells the producer to stop, and what it makes after that is dropped.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

_T = TypeVar("_T")

#: How often a producer blocked on a full queue checks whether it should stop.
_POLL_SECONDS = 0.2
#: How long leaving the block waits for the producer to finish the item it is making.
#: A producer stuck longer (a remote that does not answer) is left behind: it is a
#: daemon thread, and whatever it still makes is dropped.
_JOIN_SECONDS = 5.0


class _End:
    """The producer has no more items."""


class _Failed:
    """The producer raised ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Ahead(Generic[_T]):
    def __init__(self, produce: Callable[[], Iterator[_T]], name: str) -> None:
        self._produce = produce
        self._queue: queue.Queue[_T | _End | _Failed] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _put(self, item: _T | _End | _Failed) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def _run(self) -> None:
        produced: Iterator[_T] | None = None
        try:
            produced = self._produce()
            for item in produced:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the caller, raised there
            self._put(_Failed(exc))
            return
        finally:
            if isinstance(produced, Generator):
                produced.close()
        self._put(_End())

    def items(self) -> Iterator[_T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(_JOIN_SECONDS)


@contextmanager
def ahead(produce: Callable[[], Iterator[_T]], name: str) -> Iterator[Iterator[_T]]:
    """The items of ``produce()``, made in a thread called ``name`` one item ahead."""
    runner = _Ahead(produce, name)
    runner.start()
    try:
        yield runner.items()
    finally:
        runner.stop()
