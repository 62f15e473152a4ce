"""Push: send a local collection's new objects to a remote collection, resumably.

Implements "push" and "onward sharing" of issue 5 (docs/adr/0007-sync.md):

* The objects are read through the node's ONE visibility decision for the
  remote's partner record (``_visibility.partner_visibility``, which asks the
  access package): nothing is pushed that the node would not show that
  partner if it asked itself, and TLP:RED goes only where the access rules
  name the partner as a recipient. Sync has no TLP logic of its own.
* Objects that arrived from that same remote are not sent back (no echo).
* Every version is sent (``match[version]=all``), in local ``seq`` order, in
  envelopes that fit the remote's ``max_content_length``. The watermark (the
  last local ``seq`` sent) advances only once the remote's status is final;
  a run killed midway sends the unacknowledged batch again, and the remote
  counts those objects as duplicates (successes).
* The next envelope is read and encoded in a thread while the remote ingests
  the current one (one envelope ahead, ``_ahead``); envelopes are still sent,
  and the watermark advanced, strictly in ``seq`` order, one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, FromClause

from infoshare_server.storage import CollectionKey, ObjectQuery, StoredObject, Visibility
from infoshare_server.storage import select_objects as select_rows
from infoshare_server.storage._objects import count_objects
from infoshare_server.sync._ahead import ahead
from infoshare_server.sync._errors import RemoteUnavailable
from infoshare_server.sync._local import LocalNode
from infoshare_server.sync._progress import Counts, Progress
from infoshare_server.sync._remote import PushOutcome, RemoteCollection, dumps_envelope
from infoshare_server.sync._retry import Backoff
from infoshare_server.sync._state import StateKey, not_from, read_pushed_until, write_state

_ALL_VERSIONS = ObjectQuery(versions=("all",))
#: Room left in an envelope for its wrapper and the remote's own accounting.
_ENVELOPE_SLACK = 64


def _without_echo(visibility: Visibility, remote: str) -> Visibility:
    """``visibility`` and "did not come from ``remote``"."""
    echo = not_from(remote)

    def clause(o: FromClause) -> ColumnElement[bool]:
        return sa.and_(visibility(o), echo(o))

    return clause


def push(
    local: LocalNode,
    key: CollectionKey,
    remote: RemoteCollection,
    visibility: Visibility,
    *,
    page_size: int,
    wait_seconds: float,
    backoff: Backoff,
    progress: Progress,
    label: str,
) -> Counts:
    """Send every visible local object after the push watermark; the counts."""
    state = StateKey(remote.name, "push", remote.url, key.collection_pk)
    chosen = _without_echo(visibility, remote.name)
    with local.store.reading() as connection:
        after = read_pushed_until(connection, state)
        pending = _count(connection, key, after, chosen)
    counts = progress.start(label, total=pending, direction="push")
    if not pending:
        progress.done(counts)
        return counts

    def on_retry(exc: object, attempt: int, delay: float) -> None:
        progress.retry(label, getattr(exc, "message", str(exc)), attempt, delay)

    limit_bytes = backoff.run(remote.max_content_length, on_retry)

    def envelopes() -> Iterator[_Envelope]:
        start = after
        while True:
            with local.store.reading() as connection:
                rows = select_rows(
                    connection,
                    key.collection_pk,
                    _ALL_VERSIONS,
                    after_seq=start,
                    limit=page_size,
                    visibility=chosen,
                )
            if not rows:
                return
            for batch, too_big in _batches(rows, limit_bytes):
                text = dumps_envelope([row.body or "" for row in batch]) if batch else None
                last = max(row.seq for row in (*batch, *too_big))
                yield _Envelope(text, len(batch), too_big, last)
            start = rows[-1].seq

    # The next envelope is read and encoded while the remote ingests this one (_ahead).
    with ahead(envelopes, f"push {label}") as ready:
        for envelope in ready:
            for row in envelope.too_big:
                counts.rejected += 1
                progress.refused(
                    counts,
                    row.object_id,
                    row.version,
                    f"larger than the remote's max_content_length ({limit_bytes} bytes); not sent",
                )
            if envelope.text is not None:

                def send(text: str = envelope.text) -> PushOutcome:
                    return remote.add(text, wait_seconds=wait_seconds)

                outcome = backoff.run(send, on_retry)
                if not outcome.final:
                    raise RemoteUnavailable(
                        f"{remote.where}: the remote has not finished adding the objects"
                        f" ({outcome.pending} pending); they are sent again on the next run"
                    )
                _count_outcome(outcome, envelope.sent, counts, progress)
            with local.store.writing() as connection:
                write_state(connection, state, pushed_until=envelope.last_seq)
            counts.pages += 1
            progress.page(counts)
    progress.done(counts)
    return counts


@dataclass(frozen=True, slots=True)
class _Envelope:
    """One Add Objects request ready to send (``text`` None: every row was too big)."""

    text: str | None
    sent: int
    too_big: list[StoredObject]
    #: The local ``seq`` the watermark reaches once the remote has taken it.
    last_seq: int


def _count(connection: sa.Connection, key: CollectionKey, after: int, chosen: Visibility) -> int:
    """How many rows a push will send (for the progress bar): the same conditions, counted."""
    return count_objects(connection, key.collection_pk, _ALL_VERSIONS, after_seq=after,
                         visibility=chosen)  # fmt: skip


def _batches(
    rows: list[StoredObject], limit_bytes: int | None
) -> list[tuple[list[StoredObject], list[StoredObject]]]:
    """Envelopes that fit ``limit_bytes``, each with the rows too big to send alone."""
    if limit_bytes is None:
        return [(rows, [])]
    budget = limit_bytes - _ENVELOPE_SLACK
    out: list[tuple[list[StoredObject], list[StoredObject]]] = []
    batch: list[StoredObject] = []
    too_big: list[StoredObject] = []
    size = 0
    for row in rows:
        length = len((row.body or "").encode("utf-8")) + 1
        if length > budget:
            too_big.append(row)
            continue
        if batch and size + length > budget:
            out.append((batch, too_big))
            batch, too_big, size = [], [], 0
        batch.append(row)
        size += length
    if batch or too_big:
        out.append((batch, too_big))
    return out


def _count_outcome(outcome: PushOutcome, sent: int, counts: Counts, progress: Progress) -> None:
    failed = len(outcome.failures)
    for object_id, version, message in outcome.failures:
        progress.refused(counts, object_id, version, f"the remote refused it: {message}")
    counts.rejected += failed
    counts.stored += max(0, sent - failed)
