"""Sync's storage on both databases: pages, provenance, rejections and watermarks commit together.

Issue 5, docs/adr/0007-sync.md; migration 3 (storage/_sync_tables.py). The
pull runs in-process against a fake TAXII server on loopback
(tests/server/_fake_taxii.py) into a local store on SQLite and on
PostgreSQL (the ``storage_url`` fixture; never skipped in CI), so the SQL of
``sync/_state.py`` is exercised on both.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from _fake_taxii import COLLECTION, fake_remote, page
from _node import free_port
from _sync import bundle_objects
from infoshare_server.access import hash_password
from infoshare_server.config import parse_config
from infoshare_server.storage import ObjectQuery, select_objects
from infoshare_server.storage import _sync_tables as st
from infoshare_server.storage import _tables as t
from infoshare_server.storage._objects import count_objects
from infoshare_server.sync import Backoff, LocalNode, Progress, RemoteCollection, pull
from infoshare_server.sync import _pull as pull_module
from infoshare_server.sync._errors import RemoteGarbage
from sqlalchemy.sql import FromClause

CASE = bundle_objects("03-deepfake-investment-scam.json")


def _local(storage_url: str) -> LocalNode:
    local_id = str(uuid.uuid4())
    config = parse_config(
        {
            "node": {"title": "Storage test node", "secret_env": "UNUSED"},
            "storage": {"url": storage_url},
            "api_roots": [
                {
                    "name": f"root-{uuid.uuid4().hex[:12]}",
                    "title": "Root",
                    "collections": [{"id": local_id, "title": "Cases"}],
                }
            ],
            "users": [{"name": "op", "password_hash": hash_password("a passphrase")}],
            "remotes": [
                {
                    "name": "fake",
                    "api_root": "http://127.0.0.1:1/fake/",
                    "collections": [{"remote": COLLECTION, "local": local_id}],
                }
            ],
        }
    )
    return LocalNode(config)


def _pull(local: LocalNode, api_root: str) -> Any:
    remote = RemoteCollection(
        name="fake",
        api_root_url=api_root,
        discovery_url=None,
        collection_id=COLLECTION,
        auth=None,
        verify=True,
        timeout=10,
    )
    key = local.key(local.config.remotes[0].collections[0])
    try:
        counts = pull(
            local,
            key,
            remote,
            page_size=50,
            backoff=Backoff(retries=0),
            progress=Progress(),
            label="fake",
        )
    finally:
        remote.close()
    return key, counts


def test_pull_commits_objects_provenance_rejections_and_watermark(storage_url: str) -> None:
    local = _local(storage_url)
    unmarked = copy.deepcopy(next(o for o in CASE if o["type"] == "narrative"))
    unmarked["id"] = f"narrative--{uuid.uuid4()}"
    del unmarked["object_marking_refs"]
    answers = [
        page(CASE[:40], more=True, next_token="t2", date_added_last="2026-10-01T00:00:01.000000Z"),
        page([*CASE[40:], unmarked], date_added_last="2026-10-01T00:00:02.000000Z"),
    ]
    try:
        port = free_port()  # the same remote URL both times: watermarks are keyed by it
        with fake_remote(answers, port) as fake:
            key, counts = _pull(local, fake.api_root)
            url = fake.api_root + f"collections/{COLLECTION}/"
        assert (counts.pages, counts.stored, counts.rejected) == (2, len(CASE), 1)
        with local.store.reading() as connection:
            rows = connection.execute(
                sa.select(t.objects.c.seq, t.objects.c.date_added).where(
                    t.objects.c.collection_pk == key.collection_pk
                )
            ).all()
            provenance = connection.execute(
                sa.select(st.provenance).where(st.provenance.c.seq.in_([r.seq for r in rows]))
            ).all()
            state = connection.execute(
                sa.select(st.sync_state).where(st.sync_state.c.collection_pk == key.collection_pk)
            ).one()
            refused = connection.execute(
                sa.select(st.sync_rejections).where(
                    st.sync_rejections.c.collection_pk == key.collection_pk
                )
            ).all()
        assert len(rows) == len(CASE)
        assert sorted((p.seq, p.arrived_at) for p in provenance) == sorted(
            (r.seq, r.date_added) for r in rows
        )
        assert {(p.remote, p.remote_collection) for p in provenance} == {("fake", url)}
        assert (state.remote, state.direction, state.remote_collection) == ("fake", "pull", url)
        assert state.pulled_until == "2026-10-01T00:00:02.000000Z"
        assert [(r.object_id, r.remote) for r in refused] == [(unmarked["id"], "fake")]
        assert "IS-501" in refused[0].message

        # Pulling again asks after the watermark; the same page again adds nothing.
        again_answers = [page(CASE, date_added_last="2026-10-01T00:00:03.000000Z")]
        with fake_remote(again_answers, port) as fake:
            _, again = _pull(local, fake.api_root)
            asked = [r for r in fake.requests if "/objects/" in r]
        assert "added_after=2026-10-01T00%3A00%3A02.000000Z" in asked[0]
        assert (again.stored, again.duplicates) == (0, len(CASE))
    finally:
        local.close()


def test_the_push_count_is_the_rows_a_push_reads(storage_url: str) -> None:
    """The progress total of a push is one COUNT with the same conditions as its reads."""
    local = _local(storage_url)
    try:
        key = local.key(local.config.remotes[0].collections[0])
        local.ingest.add(key, {"objects": CASE}, datetime.now(UTC))
        query = ObjectQuery(versions=("all",))

        def no_relationships(o: FromClause) -> sa.ColumnElement[bool]:
            return o.c.object_type != "relationship"

        with local.store.reading() as connection:
            every = select_objects(connection, key.collection_pk, query)
            assert any(row.object_type == "relationship" for row in every)  # the clause hides some
            middle = every[len(every) // 2].seq
            for after, visibility in [(0, None), (0, no_relationships), (middle, no_relationships)]:
                rows = select_objects(
                    connection, key.collection_pk, query, after_seq=after, visibility=visibility
                )
                counted = count_objects(
                    connection, key.collection_pk, query, after_seq=after, visibility=visibility
                )
                assert counted == len(rows)
        assert 0 < len(rows) < len(every)
    finally:
        local.close()


def test_empty_pages_that_say_more_are_followed(storage_url: str) -> None:
    """A node that bounds each page's work answers an empty page with ``more: true`` when
    none of the rows it examined is visible to the puller; the pull goes on past it."""
    local = _local(storage_url)
    answers = [
        page([], more=True, next_token="t2"),
        page([], more=True, next_token="t3"),
        page(CASE, date_added_last="2026-10-01T00:00:02.000000Z"),
    ]
    try:
        with fake_remote(answers) as fake:
            _, counts = _pull(local, fake.api_root)
            asked = [r for r in fake.requests if "/objects/" in r]
        assert (counts.stored, counts.rejected) == (len(CASE), 0)
        assert ["next=t2" in asked[1], "next=t3" in asked[2]] == [True, True]
    finally:
        local.close()


def test_a_remote_that_never_ends_its_paging_is_reported(
    storage_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty pages with ever new tokens, forever: the pull gives up after the bound and
    stores nothing."""
    monkeypatch.setattr(pull_module, "MAX_EMPTY_PAGES", 3)
    local = _local(storage_url)
    answers = [page([], more=True, next_token=f"t{n}") for n in range(2, 20)]
    try:
        with fake_remote(answers) as fake:
            with pytest.raises(RemoteGarbage, match="4 empty pages in a row"):
                _pull(local, fake.api_root)
            asked = [r for r in fake.requests if "/objects/" in r]
        assert len(asked) == 4
        key = local.key(local.config.remotes[0].collections[0])
        with local.store.reading() as connection:
            stored = select_objects(connection, key.collection_pk, ObjectQuery(versions=("all",)))
        assert stored == []
    finally:
        local.close()
