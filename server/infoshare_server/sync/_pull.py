"""Pull: copy a remote collection into a local one, page by page, resumably.

Implements "pull", "incremental", "resumable", "idempotent", "ingest",
"provenance" and "versions" of issue 5 (docs/adr/0007-sync.md):

* The request asks for every version (``match[version]=all``) added after
  the watermark, ``limit`` objects a page, and follows ``next`` with the same
  filters. Versions of one id with different ``modified`` are separate rows
  locally too; a revocation is one more version and flows the same way.
* A remote with ``convert_from`` (an OpenCTI TAXII collection) has each page
  converted to the profile before ingest (:mod:`infoshare_server.sync._convert`);
  the converted objects then take exactly the path below.
* Each page goes through the node's ingest path (profile or STIX validation,
  duplicates are successes), submitted in the name of the remote's partner
  record when ``[[remotes]] partner`` names one (so the access rules know
  who brought it), with the remote's organisation as the origin of what it
  stores (docs/adr/0012-originator-control.md: its partner record, else
  ``remote:<name>``; a version of an object another organisation owns is
  refused and kept in ``sync_rejections``). In ONE transaction: the accepted objects, their
  provenance (remote, remote collection, arrival time), every refused object
  with its check ids, and the new watermark, the page's
  ``X-TAXII-Date-Added-Last`` (one microsecond less while more pages follow:
  objects may share a ``date_added``, see :func:`_watermark`). A run killed
  at any point resumes after the last committed page; a page committed twice
  is impossible, and objects re-fetched after a crash only find duplicates.
* The next page is fetched in a thread while the current one is stored
  (one page ahead, ``_ahead``); pages are still stored, and their watermarks
  committed, strictly in the remote's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from infoshare_server.access._audit import AuditEntry, write_entry
from infoshare_server.access._directory import now_text
from infoshare_server.access._origin import Writer
from infoshare_server.storage import (
    REMOTE_ORIGIN_PREFIX,
    CollectionKey,
    Inserted,
    NewObject,
    StatusRecord,
)
from infoshare_server.storage._time import just_before
from infoshare_server.sync._ahead import ahead
from infoshare_server.sync._convert import convert_page
from infoshare_server.sync._errors import RemoteGarbage
from infoshare_server.sync._local import LocalNode
from infoshare_server.sync._progress import Counts, Progress
from infoshare_server.sync._remote import Page, RemoteCollection
from infoshare_server.sync._retry import Backoff
from infoshare_server.sync._state import (
    StateKey,
    read_pulled_until,
    record_provenance,
    record_rejections,
    write_state,
)

#: Empty pages with ``more: true`` a pull accepts in a row before it gives up on the
#: remote: a node bounding each page's work (docs/adr/0020-bounded-work.md) sends one
#: per 10,000 rows the puller may not see, so this allows a run of a billion such rows.
MAX_EMPTY_PAGES = 100_000

#: Called after each committed page (tests use it to stop a run midway).
AfterPage = Callable[[Counts], None]


def pull(
    local: LocalNode,
    key: CollectionKey,
    remote: RemoteCollection,
    *,
    page_size: int,
    backoff: Backoff,
    progress: Progress,
    label: str,
    submitter: str | None = None,
    convert_from: str | None = None,
) -> Counts:
    """Pull every object the remote added after the watermark into ``key``; the counts."""
    state = StateKey(remote.name, "pull", remote.url, key.collection_pk)
    with local.store.reading() as connection:
        since = read_pulled_until(connection, state)
    counts = progress.start(label)

    def pages() -> Iterator[Page]:
        token: str | None = None
        empty_in_a_row = 0
        while True:

            def fetch(token: str | None = token) -> Page:
                return remote.get_page(added_after=since, next_token=token, limit=page_size)

            page = backoff.run(
                fetch, lambda exc, n, delay: progress.retry(label, exc.message, n, delay)
            )
            yield page
            if not page.more:
                return
            empty_in_a_row = 0 if page.objects else empty_in_a_row + 1
            if empty_in_a_row > MAX_EMPTY_PAGES:
                raise RemoteGarbage(
                    f"{label}: the remote answered {empty_in_a_row} empty pages in a row,"
                    " each saying more: true",
                    hint="a remote that never ends its paging; tell its operator",
                )
            token = page.next

    # The next page is fetched while this one is validated and stored (see _ahead).
    with ahead(pages, f"pull {label}") as fetched:
        for page in fetched:
            if page.objects:
                if convert_from is not None:
                    page = convert_page(page, convert_from, label)
                _store_page(local, key, state, page, counts, progress, submitter)
    progress.done(counts)
    return counts


def _watermark(page: Page) -> str:
    """What the next run may ask ``added_after``: nothing at or before it is left to take.

    Objects may share a ``date_added`` (a node gives every object of one add
    request the same one, TAXII 2.1 §3.4.2), so while ``more`` is true the page
    may have ended inside such a group: the watermark then stays one
    microsecond before the page's last ``date_added``, and a resumed run takes
    the rest of the group (finding the part it holds as duplicates) instead of
    skipping it. The last page ends every group it holds.
    """
    assert page.date_added_last is not None
    return just_before(page.date_added_last) if page.more else page.date_added_last


def _store_page(
    local: LocalNode,
    key: CollectionKey,
    state: StateKey,
    page: Page,
    counts: Counts,
    progress: Progress,
    submitter: str | None,
) -> None:
    assert page.date_added_last is not None

    def within(
        connection: Connection,
        record: StatusRecord,
        accepted: list[tuple[NewObject, Inserted]],
    ) -> None:
        stored = [result.date_added for _, result in accepted if result.date_added is not None]
        record_provenance(
            connection,
            key.collection_pk,
            stored,
            remote=state.remote,
            remote_collection=state.remote_collection,
        )
        refused = [
            (detail.object_id, detail.version, detail.message or "")
            for detail in record.details
            if detail.outcome == "failure"
        ]
        record_rejections(
            connection,
            key.collection_pk,
            refused,
            remote=state.remote,
            remote_collection=state.remote_collection,
        )
        write_state(connection, state, pulled_until=_watermark(page))

    # The remote's organisation is the origin; it never sees the outcome, so it cannot
    # probe, and a version of an object it does not own is refused and recorded.
    origin = submitter if submitter is not None else REMOTE_ORIGIN_PREFIX + state.remote

    def withdrawn(connection: Connection, withdrawals: list[tuple[str, list[str]]]) -> None:
        # The audit trail keeps every withdrawal the pull honoured, as for a POST.
        for withdrawal_id, refs in withdrawals:
            ids = (withdrawal_id, *refs)
            write_entry(
                connection,
                AuditEntry(
                    at=now_text(),
                    action="withdraw", partner_id=origin, authenticated=True, method="SYNC",
                    path=state.remote_collection, status_code=202, object_ids=ids,
                ),
            )  # fmt: skip

    record = local.ingest.add(
        key,
        {"objects": page.objects},
        datetime.now(UTC),
        within=within,
        submitter=submitter,
        writer=Writer(origin, None),
        on_withdrawn=withdrawn,
    )
    counts.pages += 1
    for detail in record.details:
        if detail.outcome == "failure":
            counts.rejected += 1
            progress.refused(counts, detail.object_id, detail.version, detail.message or "")
        elif detail.message:
            counts.duplicates += 1
        else:
            counts.stored += 1
    progress.page(counts)
