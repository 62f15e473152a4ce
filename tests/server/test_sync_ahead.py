"""The one-item-ahead producer of pull and push (docs/adr/0007-sync.md, "Performance")."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from infoshare_server.sync._ahead import ahead


def test_items_arrive_in_order_and_the_producer_stays_one_ahead() -> None:
    made: list[int] = []

    def produce() -> Iterator[int]:
        for number in range(6):
            made.append(number)
            yield number

    seen: list[int] = []
    with ahead(produce, "test") as items:
        for item in items:
            time.sleep(0.05)  # give the producer every chance to run ahead
            # Made so far: this one, one waiting in the queue, one held by the producer.
            assert len(made) <= item + 3
            seen.append(item)
    assert seen == list(range(6))


def test_a_producer_error_is_raised_where_it_happened() -> None:
    def produce() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("the remote answered garbage")

    seen: list[int] = []
    with pytest.raises(ValueError, match="garbage"), ahead(produce, "test") as items:
        for item in items:
            seen.append(item)
    assert seen == [1, 2]


def test_leaving_early_stops_the_producer() -> None:
    made: list[int] = []
    stopped = threading.Event()

    def produce() -> Iterator[int]:
        try:
            for number in range(1_000_000):
                made.append(number)
                yield number
        finally:
            stopped.set()

    with pytest.raises(RuntimeError), ahead(produce, "test") as items:
        for item in items:
            if item == 2:
                raise RuntimeError("storing failed")
    assert stopped.wait(5), "the producer was not stopped"
    assert len(made) <= 5
