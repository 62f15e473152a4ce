"""Pure parts of partner access: TLP levels, the visibility clause, tokens, migration 2.

The HTTP behaviour is in the other test_access_* modules; these check the
building blocks directly (hypothesis where inputs vary widely).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from infoshare_server.access import Partner, Rights, visibility_clause, visible_levels
from infoshare_server.cli_audit import _moment
from infoshare_server.errors import RequestError
from infoshare_server.paging import PageSigner, PageToken
from infoshare_server.storage import MIGRATIONS, ObjectQuery, Store, create_engine, migrate
from infoshare_server.storage import _tables as t
from infoshare_server.storage._objects import select_objects

from infoshare.errors import UsageError
from infoshare.profile import TLP_2_0_LEVELS, TLP_AMBER, TLP_GREEN, TLP_RED
from infoshare.stix.tlp import LEVELS, RANK

MARKINGS = {level: ref for ref, level in TLP_2_0_LEVELS.items()}
OTHER_MARKING = f"marking-definition--{uuid.uuid4()}"


@pytest.mark.parametrize("clearance", ["clear", "green", "amber", "amber+strict"])
@pytest.mark.parametrize("red", [False, True])
def test_visible_levels(clearance: str, red: bool) -> None:
    partner = Partner("p", "P", None, False, clearance)  # type: ignore[arg-type]
    levels = visible_levels(partner, Rights(read=True, red_recipient=red))
    assert set(levels) == {lv for lv in LEVELS[:-1] if RANK[lv] <= RANK[clearance]} | (
        {"red"} if red else set()
    )


def test_a_next_token_is_bound_to_its_partner() -> None:
    signer = PageSigner(b"0123456789abcdef0123456789abcdef")
    token = signer.issue(PageToken("objects", "fimi", "c", "digest", 42, "north-media"))
    common = {"endpoint": "objects", "api_root": "fimi", "collection_id": "c", "filters": "digest"}
    assert signer.check(token, partner="north-media", **common) == 42  # type: ignore[arg-type]
    for other in ("south-media", "", "north-media "):
        with pytest.raises(RequestError, match="another partner"):
            signer.check(token, partner=other, **common)  # type: ignore[arg-type]


# -- the clause on a real store ----------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("visibility") / "node.db"
    return Store.open(f"sqlite:///{path}")


def _insert(store: Store, collection_pk: int, rows: list[tuple[str | None, str | None]]) -> None:
    if not rows:
        return
    with store.writing() as connection:
        last = connection.execute(sa.select(sa.func.max(t.objects.c.seq))).scalar() or 0
        connection.execute(
            sa.insert(t.objects),
            [
                {
                    "seq": last + i + 1,
                    "collection_pk": collection_pk,
                    "object_id": f"identity--{uuid.uuid4()}",
                    "object_type": "identity",
                    "version": "2026-03-01T09:00:00.000Z",
                    "version_key": "2026-03-01T09:00:00.000000000Z",
                    "spec_version": "2.1",
                    "date_added": f"2026-03-01T09:00:00.{last + i + 1:06d}Z",
                    "body": "{}",
                    "tlp": level,
                    "submitter": submitter,
                }
                for i, (level, submitter) in enumerate(rows)
            ],
        )


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from([*LEVELS, None]), st.sampled_from([None, "me", "other"])),
        max_size=12,
    ),
    clearance=st.sampled_from(["green", "amber", "amber+strict"]),
    red=st.booleans(),
    unmarked=st.sampled_from(LEVELS),
)
def test_the_clause_selects_exactly_the_visible_rows(
    store: Store,
    rows: list[tuple[str | None, str | None]],
    clearance: str,
    red: bool,
    unmarked: str,
) -> None:
    with store.writing() as connection:
        root = connection.execute(
            sa.insert(t.api_roots).values(name=str(uuid.uuid4()), title="r", description="")
        ).inserted_primary_key
        assert root is not None
        collection = connection.execute(
            sa.insert(t.collections).values(
                api_root_pk=root[0], collection_id=str(uuid.uuid4()), title="c", mode="stix"
            )
        ).inserted_primary_key
        assert collection is not None
    _insert(store, collection[0], rows)
    partner = Partner("me", "Me", None, False, clearance)  # type: ignore[arg-type]
    rights = Rights(read=True, red_recipient=red)
    with store.reading() as connection:
        found = select_objects(
            connection,
            collection[0],
            ObjectQuery(versions=("all",)),
            with_body=False,
            visibility=visibility_clause(partner, rights, unmarked),
        )
    allowed = set(visible_levels(partner, rights))
    expected = [
        i
        for i, (level, submitter) in enumerate(rows)
        if submitter == "me" or (level if level is not None else unmarked) in allowed
    ]
    assert len(found) == len(expected)
    none_read = visibility_clause(partner, Rights(write=True), unmarked)
    with store.reading() as connection:
        assert not select_objects(
            connection, collection[0], ObjectQuery(versions=("all",)), visibility=none_read
        )


def _one_collection(connection: sa.Connection) -> None:
    """API root 1 with collection 1, written directly (the tables of an older schema)."""
    connection.execute(
        sa.text("INSERT INTO api_roots (pk, name, title, description) VALUES (1,'r','r','')")
    )
    connection.execute(
        sa.text(
            "INSERT INTO collections (pk, api_root_pk, collection_id, title, mode)"
            " VALUES (1, 1, 'c', 'c', 'stix')"
        )
    )


# -- migration 2 -------------------------------------------------------------------------


def test_migration_2_computes_the_level_of_older_rows_and_protects_the_trail(
    fresh_storage_url: str,
) -> None:
    engine = create_engine(fresh_storage_url)
    try:
        migrate(engine, MIGRATIONS[:1])
        bodies = {
            1: {"id": "identity--1", "object_marking_refs": [TLP_GREEN]},
            2: {"id": "identity--2", "object_marking_refs": [TLP_AMBER, TLP_RED]},
            3: {"id": "identity--3"},
        }
        with engine.begin() as connection:
            _one_collection(connection)
            for seq, body in bodies.items():
                connection.execute(
                    sa.text(
                        "INSERT INTO objects (seq, collection_pk, object_id, object_type, version,"
                        " version_key, spec_version, date_added, body) VALUES (:seq, 1, :id,"
                        " 'identity', 'v', :key, '2.1', 'd', :body)"
                    ),
                    {"seq": seq, "id": body["id"], "key": f"k{seq}", "body": json.dumps(body)},
                )
        migrate(engine)
        with engine.connect() as connection:
            levels = dict(connection.execute(sa.select(t.objects.c.seq, t.objects.c.tlp)).all())
        assert levels == {1: "green", 2: "red", 3: None}
        with engine.begin() as connection:
            connection.execute(
                sa.insert(t.audit_log).values(
                    at="2026-12-01T00:00:00.000000Z", action="read", partner_id="p",
                    authenticated=True, method="GET", path="/", status_code=200,
                    object_count=0, object_ids="[]",
                )
            )  # fmt: skip
        for statement in ("UPDATE audit_log SET action = 'write'", "DELETE FROM audit_log"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
                c.execute(sa.text(statement))
    finally:
        engine.dispose()


# -- migration 5 -------------------------------------------------------------------------

TLP_1_0_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
TLP_1_0_WHITE = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"


def test_migration_5_recomputes_every_stored_level(fresh_storage_url: str) -> None:
    """Rows stored by an older node with a level that is now read differently are corrected."""
    engine = create_engine(fresh_storage_url)
    try:
        migrate(engine, MIGRATIONS[:4])
        cases = {
            # body, level an older node stored, level after migration 5
            1: ({"object_marking_refs": [TLP_GREEN, TLP_1_0_RED]}, "green", "red"),
            2: (
                {"granular_markings": [{"marking_ref": TLP_RED, "selectors": ["name"]}]},
                None,
                "red",
            ),
            3: ({"object_marking_refs": [TLP_1_0_WHITE]}, None, "clear"),
            4: ({"object_marking_refs": [TLP_AMBER]}, "amber", "amber"),
            5: ({}, None, None),
        }
        with engine.begin() as connection:
            _one_collection(connection)
            for seq, (markings, old, _new) in cases.items():
                body = {"id": f"identity--{seq}", "type": "identity", **markings}
                connection.execute(
                    sa.insert(t.objects).values(
                        seq=seq, collection_pk=1, object_id=body["id"], object_type="identity",
                        version="v", version_key=f"k{seq}", spec_version="2.1", date_added="d",
                        body=json.dumps(body), tlp=old, is_last=True,
                    )
                )  # fmt: skip
        migrate(engine)
        with engine.connect() as connection:
            levels = dict(connection.execute(sa.select(t.objects.c.seq, t.objects.c.tlp)).all())
        assert levels == {seq: new for seq, (_m, _old, new) in cases.items()}
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("2026-12-01", "2026-12-01T00:00:00.000000Z"),
        ("2026-12-01 12:00:00", "2026-12-01T12:00:00.000000Z"),
        ("2026-12-01T12:00:00Z", "2026-12-01T12:00:00.000000Z"),
        ("2026-12-01T12:00:00.5Z", "2026-12-01T12:00:00.500000Z"),
        ("2026-12-01T14:00:00+02:00", "2026-12-01T12:00:00.000000Z"),
    ],
)
def test_audit_time_bounds_are_in_stored_form(text: str, bound: str) -> None:
    assert _moment(text, "since") == bound


@pytest.mark.parametrize("text", ["yesterday", "2026-12-01T12:00", "2026-13-01"])
def test_bad_audit_time_bounds_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="--since"):
        _moment(text, "since")
