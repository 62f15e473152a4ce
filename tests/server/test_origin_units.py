"""The pure parts of originator control: the clause agrees with the per-object rule,
and the ownership decision table (docs/adr/0012-originator-control.md)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from infoshare_server.access import Directory, Partner
from infoshare_server.access._origin import (
    SharingSettings,
    Writer,
    decide,
    may_receive,
    origin_clause,
    owners,
)
from infoshare_server.storage import (
    ApiRootSettings,
    CollectionSettings,
    NewObject,
    ObjectQuery,
    SharedObject,
    Store,
    insert_objects,
    select_objects,
)

LEVELS = ("clear", "green", "amber", "amber+strict", "red", None)
ORIGINS = ("@local", "jp", "ph", "th", "ministry", "remote:x")
READERS = ("jp", "ph", "th", "ministry", "ngo")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder: Path = tmp_path_factory.mktemp("origin-units")
    return Store.open(f"sqlite:///{folder / 'units.db'}")


def _collection(store: Store) -> int:
    root = ApiRootSettings(
        name=f"r{uuid.uuid4().hex[:8]}",
        title="r",
        collections=(CollectionSettings(id=str(uuid.uuid4()), title="c", mode="stix"),),
    )
    return next(iter(store.sync_catalogue([root]).collections.values())).collection_pk


sharing_settings = st.builds(
    SharingSettings,
    community=st.none() | st.frozensets(st.sampled_from(READERS)),
    local_partners=st.frozensets(st.just("ministry")),
    agreements=st.dictionaries(
        st.sampled_from(("jp", "ph", "th")), st.frozensets(st.sampled_from(READERS), min_size=1)
    ),
)
rows = st.lists(
    st.tuples(
        st.sampled_from(ORIGINS), st.sampled_from(LEVELS), st.sampled_from(("", "ngo", "ph"))
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sharing=sharing_settings,
    rows=rows,
    reader=st.sampled_from(READERS),
    operator=st.booleans(),
    unmarked=st.sampled_from(("clear", "green", "red")),
)
def test_the_clause_agrees_with_the_per_object_rule(
    store: Store,
    sharing: SharingSettings,
    rows: list[tuple[str, str | None, str]],
    reader: str,
    operator: bool,
    unmarked: str,
) -> None:
    collection_pk = _collection(store)
    partner = Partner(reader, reader, None, False, "amber+strict", operator=operator)
    own = "@local" if operator else reader
    new = [
        NewObject(
            f"identity--{uuid.uuid4()}", "identity", None, None, "2.1", "{}", level, None,
            origin=origin, namespace=namespace,
        )
        for origin, level, namespace in rows
    ]  # fmt: skip
    with store.writing() as connection:
        insert_objects(connection, collection_pk, new, datetime.now(UTC))
    clause = origin_clause(partner, sharing, unmarked)
    with store.reading() as connection:
        found = select_objects(
            connection,
            collection_pk,
            ObjectQuery(versions=("all",)),
            with_body=False,
            visibility=clause,
        )
    expected = {
        obj.object_id
        for obj in new
        if (obj.namespace == "" and may_receive(partner, sharing, origin=obj.origin,
                                                level=obj.tlp, unmarked_tlp=unmarked))
        or obj.namespace == own
    }  # fmt: skip
    assert {row.object_id for row in found} == expected


def test_a_private_copy_hides_the_shared_object_from_its_holder_only(store: Store) -> None:
    collection_pk = _collection(store)
    object_id = f"identity--{uuid.uuid4()}"
    shared = NewObject(object_id, "identity", None, None, "2.1", '{"v":1}', "clear")
    private = NewObject(
        object_id, "identity", None, None, "2.1", '{"v":2}', "clear", origin="ph", namespace="ph"
    )
    with store.writing() as connection:
        insert_objects(connection, collection_pk, [shared, private], datetime.now(UTC))
    for reader, body in (("ph", '{"v":2}'), ("th", '{"v":1}')):
        partner = Partner(reader, reader, None, False, "green")
        with store.reading() as connection:
            found = select_objects(
                connection,
                collection_pk,
                ObjectQuery(),
                visibility=origin_clause(partner, SharingSettings(), "red"),
            )
        assert [row.body for row in found] == [body], reader


def _shared(*visible: str) -> SharedObject:
    return SharedObject("jp", "{}", frozenset(visible))


@pytest.mark.parametrize(
    ("writer", "key", "shared", "owner", "decision"),
    [
        (Writer("ph", None), "k1", None, None, "store"),  # a new id
        (Writer("jp", lambda t: t.c.seq > 0), "k2", _shared(), "jp", "store"),  # the owner
        (Writer("ph", lambda t: t.c.seq > 0), "k1", _shared("k1"), "jp", "duplicate"),
        (Writer("ph", lambda t: t.c.seq > 0), None, _shared("k1"), "jp", "duplicate"),  # SCO
        (Writer("ph", lambda t: t.c.seq > 0), "k2", _shared("k1"), "jp", "refuse"),
        (Writer("ph", lambda t: t.c.seq > 0), "k1", _shared(), "jp", "private"),  # hidden
        (Writer("ph", lambda t: t.c.seq > 0), None, _shared(), "jp", "private"),  # hidden SCO
        (Writer("remote:x", None), "k2", _shared("k1"), "jp", "refuse"),  # a pull: no probe
        (Writer("remote:x", None), "k1", _shared("k1"), "jp", "duplicate"),
    ],
)
def test_the_ownership_decision(
    writer: Writer, key: str | None, shared: SharedObject | None, owner: str | None, decision: str
) -> None:
    assert decide(writer, key, shared, owner) == decision


def test_the_owner_is_the_organisation_bound_to_created_by_ref(store: Store) -> None:
    jp_identity = f"identity--{uuid.uuid4()}"
    node_identity = f"identity--{uuid.uuid4()}"
    jp = Directory(store).add(f"jp-{uuid.uuid4().hex[:6]}", "JP", identity_id=jp_identity)

    def shared(created_by: str | None) -> SharedObject:
        body = json.dumps({"created_by_ref": created_by} if created_by else {})
        return SharedObject("ph", body, frozenset())

    objects = {
        "a": shared(jp_identity),  # bound to partner jp
        "b": shared(node_identity),  # the node's own organisation
        "c": shared(f"identity--{uuid.uuid4()}"),  # nobody's: the first to store it
        "d": shared(None),  # no created_by_ref: the first to store it
    }
    with store.reading() as connection:
        found = owners(connection, objects, node_identity)
    assert found == {"a": jp.partner_id, "b": "@local", "c": "ph", "d": "ph"}
