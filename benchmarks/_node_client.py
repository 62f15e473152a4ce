"""The client side of the node benchmark: ingest, full read, get-by-id, over HTTP.

Everything goes through taxii2-client (``taxii2client.v21``), as a partner
would use the node (TAXII 2.1 §5.4 Get Objects, §5.5 Add Objects, §5.6 Get an
Object). Envelopes are serialised before the clock starts, so the ingest rate
is the server's (request, validation, storage, status) and not the client's.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from taxii2client.v21 import Collection, as_pages

#: Longest wait for a status to become complete, in seconds.
STATUS_TIMEOUT = 600
#: Bytes kept free below max_content_length for the envelope's own brackets.
_ENVELOPE_SLACK = 1024


class IngestFailed(RuntimeError):
    """The server refused objects the benchmark expected it to accept."""


@dataclass
class IngestResult:
    objects: int = 0
    envelopes: int = 0
    seconds: float = 0.0

    @property
    def objects_per_s(self) -> float:
        return self.objects / self.seconds if self.seconds else 0.0


@dataclass
class ReadResult:
    objects: int
    pages: int
    seconds: float
    #: Wall time of each full page (``page_size`` objects), request and parsing included.
    page_ms: list[float] = field(default_factory=list)

    @property
    def objects_per_s(self) -> float:
        return self.objects / self.seconds if self.seconds else 0.0

    def page_percentile(self, q: float) -> float:
        return percentile(self.page_ms, q)


@dataclass
class LatencyResult:
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile of ``values`` (NaN when there are none)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def envelopes(
    objects: Iterable[dict[str, Any]], max_objects: int, max_bytes: int
) -> Iterator[tuple[bytes, list[str]]]:
    """Serialised envelopes of at most ``max_objects`` objects and ``max_bytes`` bytes."""
    budget = max_bytes - _ENVELOPE_SLACK
    parts: list[bytes] = []
    ids: list[str] = []
    size = 0
    for obj in objects:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if parts and (len(parts) >= max_objects or size + len(text) + 1 > budget):
            yield b'{"objects":[' + b",".join(parts) + b"]}", ids
            parts, ids, size = [], [], 0
        parts.append(text)
        ids.append(obj["id"])
        size += len(text) + 1
    if parts:
        yield b'{"objects":[' + b",".join(parts) + b"]}", ids


def ingest(
    collection: Collection,
    objects: Iterable[dict[str, Any]],
    max_objects: int,
    max_bytes: int,
    stored_ids: list[str],
) -> IngestResult:
    """POST ``objects`` in envelopes and wait for each status to be complete."""
    result = IngestResult()
    for body, ids in envelopes(objects, max_objects, max_bytes):
        start = time.perf_counter()
        status = collection.add_objects(
            body, wait_for_completion=True, poll_interval=1, timeout=STATUS_TIMEOUT
        )
        result.seconds += time.perf_counter() - start
        if status.status != "complete" or status.failure_count or status.success_count != len(ids):
            failures = [f"{f.get('id')}: {f.get('message')}" for f in (status.failures or [])[:3]]
            raise IngestFailed(
                f"envelope {result.envelopes + 1}: status {status.status}, "
                f"{status.success_count} of {len(ids)} accepted; {failures}"
            )
        result.objects += len(ids)
        result.envelopes += 1
        stored_ids.extend(ids)
    return result


def case_envelopes(
    groups: Iterator[list[dict[str, Any]]], count: int, max_objects: int, max_bytes: int
) -> Iterator[tuple[bytes, list[str]]]:
    """Envelopes of whole groups (cases) from ``groups`` until at least ``count`` objects,
    each of at most ``max_objects`` objects (a larger group travels alone) and
    ``max_bytes`` bytes."""
    budget = max_bytes - _ENVELOPE_SLACK
    parts: list[bytes] = []
    ids: list[str] = []
    produced = 0
    for group in groups:
        if produced >= count:
            break
        texts = [json.dumps(o, ensure_ascii=False, separators=(",", ":")).encode() for o in group]
        size = sum(len(text) + 1 for text in texts)
        used = sum(len(part) + 1 for part in parts)
        if parts and (len(parts) + len(texts) > max_objects or used + size > budget):
            yield b'{"objects":[' + b",".join(parts) + b"]}", ids
            parts, ids = [], []
        parts.extend(texts)
        ids.extend(o["id"] for o in group)
        produced += len(group)
    if parts:
        yield b'{"objects":[' + b",".join(parts) + b"]}", ids


def ingest_concurrently(
    collection_for_thread: Callable[[], Collection],
    envelopes_to_post: Iterator[tuple[bytes, list[str]]],
    clients: int,
    stored_ids: list[str],
    *,
    first_alone: bool,
) -> IngestResult:
    """POST whole-case envelopes from ``clients`` threads at once, each waiting for its
    status to be complete; the result's time is the wall clock of the whole run.

    With ``first_alone`` the first envelope (the objects every case refers to) is
    posted, and completed, before the others start.
    """
    local = threading.local()
    lock = threading.Lock()
    result = IngestResult()

    def post(item: tuple[bytes, list[str]]) -> None:
        if not hasattr(local, "collection"):
            local.collection = collection_for_thread()
        body, ids = item
        status = local.collection.add_objects(
            body, wait_for_completion=True, poll_interval=1, timeout=STATUS_TIMEOUT
        )
        if status.status != "complete" or status.failure_count or status.success_count != len(ids):
            failures = [f"{f.get('id')}: {f.get('message')}" for f in (status.failures or [])[:3]]
            raise IngestFailed(
                f"status {status.status}, {status.success_count} of {len(ids)} accepted; {failures}"
            )
        with lock:
            result.objects += len(ids)
            result.envelopes += 1
            stored_ids.extend(ids)

    # Envelopes are serialised before the clock starts, as for one client, a batch at a
    # time so that memory stays bounded; only the posting is timed.
    first = first_alone
    with ThreadPoolExecutor(max_workers=clients) as pool:
        while batch := list(itertools.islice(envelopes_to_post, 100 * clients)):
            start = time.perf_counter()
            if first:
                post(batch.pop(0))
                first = False
            for _ in pool.map(post, batch):
                pass
            result.seconds += time.perf_counter() - start
    return result


def read_all(collection: Collection, page_size: int, max_pages: int) -> ReadResult:
    """Read the whole collection page by page (``next``), as taxii2-client's as_pages does.

    Each full page is timed on its own as well (from the moment the previous one was
    handed over), so the read rate of one page can be compared across sizes.
    """
    objects = pages = 0
    page_ms: list[float] = []
    start = previous = time.perf_counter()
    for envelope in as_pages(collection.get_objects, per_request=page_size):
        now = time.perf_counter()
        count = len(envelope.get("objects", []))
        if count == page_size:
            page_ms.append((now - previous) * 1000)
        objects += count
        pages += 1
        if pages >= max_pages:
            raise RuntimeError(f"more than {max_pages} pages: the server's paging does not end")
        previous = time.perf_counter()
    return ReadResult(objects, pages, time.perf_counter() - start, page_ms)


def get_by_id(collection: Collection, ids: list[str], samples: int, seed: int) -> LatencyResult:
    """Fetch ``samples`` random ids one after the other; each must come back."""
    rng = random.Random(seed)
    result = LatencyResult()
    for object_id in rng.sample(ids, min(samples, len(ids))):
        start = time.perf_counter()
        envelope = collection.get_object(object_id)
        result.latencies_ms.append((time.perf_counter() - start) * 1000)
        found = envelope.get("objects", [])
        if not found or found[0].get("id") != object_id:
            raise RuntimeError(f"get-by-id {object_id} did not return the object")
    return result
