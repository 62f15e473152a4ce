"""The request's Policy is where adding versions and withdrawing objects are decided.

docs/adr/0009-one-policy-object.md: ingest asks ``Policy.may_add_version``
inside its write transaction, and delete asks ``Policy.may_withdraw``; a
refusal is a failure in the status, or a 403. Today both allow whatever the
write and delete rights allow; these tests pin that, and that a refusal
from either hook is honoured by the backend and storage (run against
SQLite and PostgreSQL, on the backend directly).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from _backend_cases import key_of, organisation, read_all
from infoshare_server.access import Policy
from infoshare_server.backend import SqlBackend
from infoshare_server.errors import RequestError
from infoshare_server.storage import CollectionKey
from sqlalchemy.engine import Connection


class _OnlyNewObjects(Policy):
    """A policy that refuses new versions of objects already stored (as version
    ownership will refuse other organisations' versions) and every withdrawal."""

    def __init__(self, backend: SqlBackend) -> None:
        super().__init__(None, None)
        self.backend = backend
        self.asked: list[str] = []

    def may_add_version(
        self, connection: Connection, key: CollectionKey, obj: dict[str, object]
    ) -> str | None:
        self.asked.append(str(obj["id"]))
        stored = connection.exec_driver_sql(
            "SELECT count(*) FROM objects WHERE collection_pk = %s AND object_id = %s"
            if connection.dialect.name == "postgresql"
            else "SELECT count(*) FROM objects WHERE collection_pk = ? AND object_id = ?",
            (key.collection_pk, obj["id"]),
        ).scalar_one()
        return "only the creator may add versions of this object" if stored else None

    def may_withdraw(
        self, connection: Connection, key: CollectionKey, object_id: str
    ) -> str | None:
        del connection, key
        return f"{object_id} may be withdrawn only by the organisation that created it"


@pytest.fixture
def backend(make_backend: Any) -> SqlBackend:
    built: SqlBackend = make_backend()
    return built


def test_the_open_policy_lets_any_version_in_and_any_object_out(backend: SqlBackend) -> None:
    root, collection, _ = key_of(backend)
    first = organisation()
    newer = organisation(object_id=first["id"], modified=5)
    status = backend.add_objects(root, collection, {"objects": [first]}, datetime.now(UTC))
    assert status["success_count"] == 1
    status = backend.add_objects(root, collection, {"objects": [newer]}, datetime.now(UTC))
    assert status["success_count"] == 1
    backend.delete_object(root, collection, first["id"], {}, ["match[version]"])
    assert read_all(backend) == []


def test_a_refused_version_is_a_failure_and_is_not_stored(
    backend: SqlBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, collection, _ = key_of(backend)
    first = organisation()
    newer = organisation(object_id=first["id"], modified=5)
    other = organisation("Tidewater Ferry Guild (fictional)")
    backend.add_objects(root, collection, {"objects": [first]}, datetime.now(UTC))
    policy = _OnlyNewObjects(backend)
    monkeypatch.setattr(backend, "_open_policy", policy)
    status = backend.add_objects(root, collection, {"objects": [newer, other]}, datetime.now(UTC))
    assert policy.asked == [newer["id"], other["id"]]
    assert status["failures"] == [
        {
            "id": newer["id"],
            "version": newer["modified"],
            "message": "only the creator may add versions of this object",
        }
    ]
    assert [s["id"] for s in status["successes"]] == [other["id"]]
    stored = {(obj["id"], obj["modified"]) for obj in read_all(backend, {"match[version]": "all"})}
    assert stored == {(first["id"], first["modified"]), (other["id"], other["modified"])}


def test_a_refused_withdrawal_is_403_and_deletes_nothing(
    backend: SqlBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, collection, _ = key_of(backend)
    first = organisation()
    backend.add_objects(root, collection, {"objects": [first]}, datetime.now(UTC))
    monkeypatch.setattr(backend, "_open_policy", _OnlyNewObjects(backend))
    with pytest.raises(RequestError) as refused:
        backend.delete_object(root, collection, first["id"], {}, ["match[version]"])
    assert refused.value.status == 403
    assert refused.value.message == (
        f"{first['id']} may be withdrawn only by the organisation that created it"
    )
    assert [obj["id"] for obj in read_all(backend)] == [first["id"]]
