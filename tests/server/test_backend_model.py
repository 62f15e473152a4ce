"""Filter combinations against a simple in-Python model of TAXII 2.1 §3.4 (hypothesis).

The model: a row matches when its id, type and added_after pass; among the
versions of its object it is chosen by match[version] ("first"/"last" are
taken over every stored version of that object with an allowed spec_version,
before added_after); without match[spec_version] only the latest spec_version
of each object counts. Results come in date_added order, paged by ``limit``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from _backend_cases import key_of, put, read_all, stamp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from infoshare_server.storage import ObjectQuery, Store, select_objects
from infoshare_server.storage._time import added_after_key, version_key

POOL = [
    "identity--2b1e6f0a-3c4d-4e5f-8a6b-7c8d9e0f1a21",
    "identity--5c6d7e8f-9a0b-4c1d-9e2f-3a4b5c6d7e82",
    "location--8e9f0a1b-2c3d-4e5f-a6b7-c8d9e0f1a2b3",
    "location--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
]


@dataclass(frozen=True)
class Row:
    object_id: str
    object_type: str
    version: str
    spec_version: str
    date_added: str


def _object(object_id: str, minute: int, spec: str) -> dict[str, object]:
    kind = object_id.split("--")[0]
    return {
        "type": kind,
        "spec_version": spec,
        "id": object_id,
        "created": stamp(0),
        "modified": stamp(minute),
        "name": f"Fictional {kind} {object_id[-4:]}",
    }


def _model(rows: list[Row], filters: dict[str, str]) -> list[tuple[str, str]]:
    def values(name: str) -> list[str] | None:
        return filters[name].split(",") if name in filters else None

    ids, types = values("match[id]"), values("match[type]")
    specs = values("match[spec_version]")
    versions = values("match[version]") or ["last"]
    after = filters.get("added_after")

    def spec_ok(row: Row) -> bool:
        if specs is not None:
            return row.spec_version in specs
        return row.spec_version == max(r.spec_version for r in rows if r.object_id == row.object_id)

    out = []
    for row in rows:
        if ids is not None and row.object_id not in ids:
            continue
        if types is not None and row.object_type not in types:
            continue
        if after is not None and not row.date_added > added_after_key(after):
            continue
        if not spec_ok(row):
            continue
        if "all" not in versions:
            peers = [
                version_key(r.version)
                for r in rows
                if r.object_id == row.object_id
                and (
                    r.spec_version in specs
                    if specs is not None
                    else r.spec_version == row.spec_version
                )
            ]
            key = version_key(row.version)
            chosen = (
                ("first" in versions and key == min(peers))
                or ("last" in versions and key == max(peers))
                or any(v not in ("first", "last") and version_key(v) == key for v in versions)
            )
            if not chosen:
                continue
        out.append((row.object_id, row.version))
    return out


stored_objects = st.lists(
    st.tuples(st.sampled_from(POOL), st.integers(0, 4), st.sampled_from(["2.0", "2.1"])),
    min_size=0,
    max_size=14,
)


def _subset(choices: list[str]) -> st.SearchStrategy[str | None]:
    return st.none() | st.lists(st.sampled_from(choices), min_size=1, max_size=3).map(",".join)


filter_sets = st.fixed_dictionaries(
    {
        "match[id]": _subset([*POOL, "identity--00000000-0000-4000-8000-000000000000"]),
        "match[type]": _subset(["identity", "location", "malware"]),
        "match[version]": _subset(["first", "last", "all", stamp(0), stamp(2), stamp(4)]),
        "match[spec_version]": _subset(["2.0", "2.1", "9.9"]),
    }
)


@pytest.fixture
def shared_store(storage_url: str):  # type: ignore[no-untyped-def]
    store = Store.open(storage_url)
    yield store
    store.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    objects=stored_objects,
    filters=filter_sets,
    watermark=st.none() | st.integers(0, 14),
    limit=st.integers(1, 5),
)
def test_filters_and_paging_agree_with_the_model(  # type: ignore[no-untyped-def]
    make_backend, shared_store, objects, filters, watermark, limit
) -> None:
    backend = make_backend(store=shared_store)
    put(backend, [_object(*item) for item in objects])
    _, _, key = key_of(backend)
    with backend.store.reading() as connection:
        stored = select_objects(
            connection,
            key.collection_pk,
            ObjectQuery(versions=("all",), spec_versions=("2.0", "2.1")),
        )
    rows = [
        Row(r.object_id, r.object_type, r.version, r.spec_version, r.date_added) for r in stored
    ]
    args = {name: value for name, value in filters.items() if value is not None}
    if watermark is not None:
        args["added_after"] = (
            rows[watermark].date_added if watermark < len(rows) else "2000-01-01T00:00:00Z"
        )
    expected = _model(rows, args)
    manifest = read_all(backend, args, limit=limit, endpoint="manifest")
    assert [(m["id"], m["version"]) for m in manifest] == expected
    full = read_all(backend, args, limit=limit)
    assert [(o["id"], o["modified"]) for o in full] == expected
