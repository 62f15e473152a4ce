"""The request's Policy is where adding versions and withdrawing objects are decided.

docs/adr/0009-one-policy-object.md: ingest decides each version with the
writer ``Policy.writer`` names, inside its write transaction
(docs/adr/0012-originator-control.md), and delete asks
``Policy.may_withdraw``; a refusal is a failure in the status, or a 403.
Without access control the node's own organisation writes and withdraws
anything; these tests pin that, and that what either hook answers is
honoured by the backend and storage (run against SQLite and PostgreSQL, on
the backend directly).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from _backend_cases import key_of, organisation, read_all
from infoshare_server.access import Policy
from infoshare_server.access._origin import NOT_OWNER, Writer
from infoshare_server.backend import SqlBackend
from infoshare_server.errors import RequestError
from infoshare_server.storage import CollectionKey
from sqlalchemy.engine import Connection


class _AnotherOrganisation(Policy):
    """A policy whose requester writes as another organisation than the one that
    stored the objects (seeing all of them), and may withdraw nothing."""

    def __init__(self) -> None:
        super().__init__(None, None)
        self.asked: list[str] = []

    def writer(self, key: CollectionKey, connection: Connection | None = None) -> Writer | None:
        self.asked.append(str(key.collection_pk))
        return Writer("tidewater-ferry-guild", None)

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
    policy = _AnotherOrganisation()
    monkeypatch.setattr(backend, "_open_policy", policy)
    status = backend.add_objects(root, collection, {"objects": [newer, other]}, datetime.now(UTC))
    assert len(policy.asked) == 1
    assert status["failures"] == [
        {
            "id": newer["id"],
            "version": newer["modified"],
            "message": f"{NOT_OWNER}; this version was not stored",
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
    monkeypatch.setattr(backend, "_open_policy", _AnotherOrganisation())
    with pytest.raises(RequestError) as refused:
        backend.delete_object(root, collection, first["id"], {}, ["match[version]"])
    assert refused.value.status == 403
    assert refused.value.message == (
        f"{first['id']} may be withdrawn only by the organisation that created it"
    )
    assert [obj["id"] for obj in read_all(backend)] == [first["id"]]
