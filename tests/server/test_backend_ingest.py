"""SqlBackend adds (TAXII 2.1 §5.5): validation, duplicates, one transaction, statuses.

Run against SQLite and PostgreSQL, on the backend directly.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from _backend_cases import add, key_of, organisation, read_all
from infoshare_server import ingest as ingest_module
from infoshare_server.errors import RequestError
from infoshare_server.storage import Store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-treated-water-disinformation.json"


@pytest.fixture
def backend(make_backend):  # type: ignore[no-untyped-def]
    return make_backend()


def _example() -> list[dict[str, object]]:
    return list(json.loads(EXAMPLE.read_text(encoding="utf-8"))["objects"])


def test_a_whole_case_goes_into_a_profile_collection(backend) -> None:  # type: ignore[no-untyped-def]
    objects = _example()
    status = add(backend, objects, mode="profile")
    assert status["status"] == "complete"
    assert status["success_count"] == status["total_count"] == len(objects)
    assert status["failure_count"] == status["pending_count"] == 0
    assert read_all(backend, {"match[version]": "all"}, mode="profile") == objects


def test_invalid_objects_fail_one_by_one_with_their_check_ids(backend) -> None:  # type: ignore[no-untyped-def]
    good = _example()
    unmarked = organisation("Lighthouse Facts Desk (fictional)")  # no TLP marking: IS-501
    dangling = dict(good[-1])
    status = add(backend, [unmarked, *good], mode="profile")
    assert status["success_count"] == len(good) and status["failure_count"] == 1
    (failure,) = status["failures"]
    assert failure["id"] == unmarked["id"] and failure["version"] == unmarked["modified"]
    assert failure["message"].startswith("IS-501: ")
    assert unmarked["id"] not in [o["id"] for o in read_all(backend, mode="profile")]
    assert dangling["id"] in [o["id"] for o in read_all(backend, mode="profile")]
    # the same object is fine in a plain STIX 2.1 collection
    assert add(backend, [unmarked], mode="stix")["success_count"] == 1


def test_references_to_stored_objects_resolve(make_backend) -> None:  # type: ignore[no-untyped-def]
    objects = _example()
    half = len(objects) // 2
    backend = make_backend()
    assert add(backend, objects[:half], mode="profile")["failure_count"] == 0
    assert add(backend, objects[half:], mode="profile")["failure_count"] == 0
    # without the first half in the collection, some references dangle: IS-301
    alone = make_backend()
    status = add(alone, objects[half:], mode="profile")
    assert status["failure_count"] > 0
    assert all("IS-301" in f["message"] for f in status["failures"])


def test_duplicates_are_successes_and_stored_once(backend) -> None:  # type: ignore[no-untyped-def]
    a = organisation()
    newer = {**a, "modified": "2026-03-02T00:00:00.000Z"}
    first = add(backend, [a, a])
    assert first["success_count"] == 2 and first["failure_count"] == 0
    again = add(backend, [a, newer])
    assert again["success_count"] == 2 and again["failure_count"] == 0
    assert "already stored" in again["successes"][0]["message"]
    assert "message" not in again["successes"][1]
    stored = read_all(backend, {"match[version]": "all"}, endpoint="manifest")
    assert [(m["id"], m["version"]) for m in stored] == [
        (a["id"], a["modified"]), (a["id"], newer["modified"])]  # fmt: skip
    # another spelling of the same modified instant is the same version
    assert add(backend, [{**a, "modified": "2026-03-01T12:00:00.000000Z"}])["success_count"] == 1
    assert len(read_all(backend, {"match[version]": "all"})) == 2


def test_an_object_without_a_version_is_stored_once(backend) -> None:  # type: ignore[no-untyped-def]
    domain = {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": "domain-name--" + str(uuid.uuid4()),
        "value": "harbour-lantern-news.example",
    }
    first = add(backend, [domain])
    assert first["success_count"] == 1, first
    version = first["successes"][0]["version"]  # its date_added
    again = add(backend, [domain, domain])
    assert [s["version"] for s in again["successes"]] == [version, version]
    assert all("already stored" in s["message"] for s in again["successes"])
    (manifest,) = read_all(backend, {"match[version]": "all"}, endpoint="manifest")
    assert manifest["version"] == manifest["date_added"] == version


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "envelope"),
        ("objects", "envelope"),
        ({"type": "bundle"}, "no objects"),
        ({"objects": {"id": "x"}}, "must be a JSON array"),
        ({"objects": [{"type": "identity", "id": "identity--1"}, 5]}, r"objects\[2\]"),
        ({"objects": [None]}, r"objects\[1\]"),
        ({"objects": [{"type": "identity"}]}, "no string id"),
        ({"objects": [{"id": 7}]}, "no string id"),
    ],
)
def test_malformed_envelopes_are_422_and_store_nothing(backend, body, message) -> None:  # type: ignore[no-untyped-def]
    root, collection, _ = key_of(backend)
    body = copy.deepcopy(body)
    if isinstance(body, dict) and isinstance(body.get("objects"), list):
        body["objects"].insert(0, organisation())  # a good object first: not stored either
    with pytest.raises(RequestError, match=message) as caught:
        backend.add_objects(root, collection, body, datetime.now(UTC))
    assert caught.value.status == 422
    assert read_all(backend) == []


def test_an_empty_objects_list_is_a_complete_empty_status(backend) -> None:  # type: ignore[no-untyped-def]
    status = add(backend, [])
    assert status["status"] == "complete" and status["total_count"] == 0


def test_odd_objects_fail_without_stopping_the_rest(backend) -> None:  # type: ignore[no-untyped-def]
    good = organisation()
    odd = [
        {**organisation(), "id": "identity--\x00"},
        {**organisation(), "id": "identity--" + "9" * 5000},
        {**organisation(), "id": "not an id"},
        {**organisation(), "type": "location"},
        {**organisation(), "spec_version": "2.1\x00"},
        {**organisation(), "modified": "last tuesday"},
        {**organisation(), "x_score": float("nan")},
        {**organisation(), "id": "identity--\ud800"},
    ]
    status = add(backend, [*odd, good])
    assert status["success_count"] == 1 and status["failure_count"] == len(odd)
    assert all(f["message"] for f in status["failures"])
    assert read_all(backend) == [good]
    root, _, _ = key_of(backend)
    assert backend.get_status(root, status["id"]) == status


def test_a_failure_while_writing_leaves_nothing_behind(backend, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken_save(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest_module, "save_status", broken_save)
    with pytest.raises(RuntimeError, match="disk on fire"):
        add(backend, [organisation(), organisation()])
    assert read_all(backend) == []
    monkeypatch.undo()
    a = organisation()
    add(backend, [a])
    assert read_all(backend) == [a]


def test_statuses_persist_and_stay_in_their_api_root(storage_url, make_backend) -> None:  # type: ignore[no-untyped-def]
    writer = make_backend()
    roots = list(writer.api_roots.values())
    status = add(writer, [organisation(), {**organisation(), "id": "bad"}])
    reader = make_backend(roots)  # another worker, its own connection pool
    root, _, _ = key_of(reader)
    assert reader.get_status(root, status["id"]) == status
    other = make_backend()
    other_root, _, _ = key_of(other)
    assert other.get_status(other_root, status["id"]) is None


def test_statuses_are_kept_for_the_retention_period_then_purged(make_backend) -> None:  # type: ignore[no-untyped-def]
    backend = make_backend(status_retention=timedelta(hours=24))
    root, _, _ = key_of(backend)
    start = datetime.now(UTC)
    backend.ingest._now = lambda: start
    old = add(backend, [organisation()])
    backend.ingest._now = lambda: start + timedelta(hours=23)
    add(backend, [organisation()])
    assert backend.get_status(root, old["id"]) == old
    backend.ingest._now = lambda: start + timedelta(hours=24, seconds=1)
    recent = add(backend, [organisation()])
    assert backend.get_status(root, old["id"]) is None
    assert backend.get_status(root, recent["id"]) == recent
    with pytest.raises(ValueError, match="24 hours"):
        make_backend(status_retention=timedelta(hours=1))


_WRITER = textwrap.dedent(
    """
    import json, sys, time
    from datetime import UTC, datetime
    from infoshare_server.backend import SqlBackend
    from infoshare_server.storage import ApiRootSettings, CollectionSettings

    url, root, collection, objects = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    roots = [ApiRootSettings(root, "Durability", collections=(
        CollectionSettings(collection, "Cases", mode="stix"),))]
    backend = SqlBackend(url, api_roots=roots, secret=b"s" * 32, title="Durability")
    status = backend.add_objects(root, collection, {"objects": json.loads(objects)},
                                 datetime.now(UTC))
    print(json.dumps(status), flush=True)
    time.sleep(60)
    """
)


def test_acknowledged_objects_survive_kill_9(storage_url: str, tmp_path: Path) -> None:
    objects = [organisation() for _ in range(20)]
    root, collection = "durability-root", "4e7b8c9d-0a1b-4c2d-8e3f-a4b5c6d7e8f9"
    process = subprocess.Popen(
        [sys.executable, "-c", _WRITER, storage_url, root, collection, json.dumps(objects)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the acknowledgement
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    status = json.loads(line)
    assert status["status"] == "complete" and status["success_count"] == 20
    from infoshare_server.backend import SqlBackend
    from infoshare_server.storage import ApiRootSettings, CollectionSettings

    store = Store.open(storage_url)
    try:
        roots = [
            ApiRootSettings(
                root, "Durability", collections=(CollectionSettings(collection, "C", mode="stix"),)
            )
        ]
        backend = SqlBackend(store, api_roots=roots, secret=b"s" * 32, title="Durability")
        stored = read_all(backend)
        assert {o["id"] for o in stored} >= {o["id"] for o in objects}
        assert backend.get_status(root, status["id"]) == status
    finally:
        store.close()
