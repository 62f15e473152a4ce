"""The audit trail: every read, write, delete, refusal and failed login, exported by the CLI.

Actions are made over real HTTP; the trail is read back with
``infoshare audit`` (JSON and CSV), on SQLite and PostgreSQL. The table is
append-only in the database too: UPDATE and DELETE are refused.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from _access import OPERATOR, AccessNode, access_node, collection_path, marked_identity
from _databases import BACKENDS
from _http import TAXII, TIMEOUT
from _node import STIX_COLLECTION
from infoshare_server.access import AccessControl, AccessSettings

INFOSHARE = Path(sys.executable).parent / "infoshare"


@pytest.fixture(scope="module", params=BACKENDS)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccessNode]:
    folder: Path = tmp_path_factory.mktemp(f"access-audit-{request.param}")
    with access_node(request.param, folder) as running:
        yield running


def _audit(node: AccessNode, *args: str) -> str:
    result = subprocess.run(
        [str(INFOSHARE), "audit", "--config", str(node.node.config_path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _entries(node: AccessNode, *args: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(_audit(node, "--format", "json", *args))
    return entries


def test_reads_writes_deletes_refusals_and_failed_logins_are_recorded(node: AccessNode) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    obj = marked_identity("green", name="Fictional lighthouse trust")
    node.add("amber-reader", STIX_COLLECTION, [obj])
    read = node.get("green-reader", collection_path(STIX_COLLECTION, "objects/"), {"limit": "1000"})
    assert read.status_code == 200
    seen = [o["id"] for o in read.json()["objects"]]
    # Only an object's owner withdraws it (docs/adr/0012-originator-control.md).
    own = marked_identity("green", name="Fictional buoy registry")
    node.add("admin-deleter", STIX_COLLECTION, [own])
    deleted = node.delete(
        "admin-deleter", collection_path(STIX_COLLECTION, f"objects/{own['id']}/")
    )
    assert deleted.status_code == 200
    denied = node.get("writer-only", collection_path(STIX_COLLECTION, "objects/"))
    assert denied.status_code == 403
    failed = requests.get(
        node.node.url("taxii2/"),
        headers={"Accept": TAXII},
        auth=("intruder-name", "guess"),
        timeout=TIMEOUT,
    )
    assert failed.status_code == 401

    since = start.strftime("%Y-%m-%dT%H:%M:%S")
    everything = _entries(node, "--since", since)
    by_action: dict[str, list[dict[str, Any]]] = {}
    for entry in everything:
        by_action.setdefault(entry["action"], []).append(entry)
        assert entry["source_address"] == "127.0.0.1"
        assert entry["at"] >= since
    write = next(e for e in by_action["write"] if e["partner_id"] == "amber-reader")
    assert write["object_ids"] == [obj["id"]] and write["collection_id"] == STIX_COLLECTION
    assert write["status_code"] == 202 and write["authenticated"] is True
    reads = [e for e in by_action["read"] if e["partner_id"] == "green-reader"]
    assert any(e["object_ids"] == seen and e["object_count"] == len(seen) for e in reads)
    delete = next(e for e in by_action["delete"] if e["partner_id"] == "admin-deleter")
    assert delete["object_ids"] == [own["id"]] and delete["object_count"] == 1
    refusal = next(e for e in by_action["denied"] if e["partner_id"] == "writer-only")
    assert refusal["status_code"] == 403 and refusal["collection_id"] == STIX_COLLECTION
    failure = next(e for e in by_action["auth_failure"] if e["partner_id"] == "intruder-name")
    assert failure["authenticated"] is False and failure["status_code"] == 401

    # filters: partner, action, collection, time range
    only = _entries(node, "--partner", "admin-deleter", "--action", "delete", "--since", since)
    assert only and all(e["partner_id"] == "admin-deleter" for e in only)
    assert all(e["action"] == "delete" for e in only)
    assert _entries(node, "--until", "2000-01-01") == []
    in_collection = _entries(node, "--collection", STIX_COLLECTION, "--since", since)
    assert in_collection and all(e["collection_id"] == STIX_COLLECTION for e in in_collection)


def test_csv_export(node: AccessNode, tmp_path: Path) -> None:
    node.get(OPERATOR, collection_path(STIX_COLLECTION, "manifest/"))
    target = tmp_path / "audit.csv"
    _audit(node, "--format", "csv", "--partner", OPERATOR, "--output", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows and rows[0].keys() >= {"at", "action", "partner_id", "source_address"}
    assert all(row["partner_id"] == OPERATOR for row in rows)
    assert "read" in {row["action"] for row in rows}
    table = _audit(node, "--partner", OPERATOR, "--limit", "1")
    assert len(table.splitlines()) == 1 and OPERATOR in table


def test_the_trail_is_append_only(node: AccessNode) -> None:
    node.get("green-reader", "taxii2/")
    with node.store.reading() as connection:
        count = connection.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar()
    assert count
    for statement in ("UPDATE audit_log SET partner_id = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), node.store.writing() as c:
            c.execute(sa.text(statement))
    with node.store.reading() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar() == count


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    from flask import Flask

    app = Flask(__name__)
    trusting = AccessControl(None, settings=AccessSettings(trusted_proxies=("10.0.0.0/8",)))
    plain = AccessControl(None)
    forwarded = {"X-Forwarded-For": "198.51.100.7, 10.1.2.3"}
    with app.test_request_context(headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.1"}):
        assert trusting.source_address() == "198.51.100.7"
        assert plain.source_address() == "10.0.0.1"
    with app.test_request_context(headers=forwarded, environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        assert trusting.source_address() == "203.0.113.9"


def test_a_read_by_id_is_recorded_with_the_id_and_a_hidden_one_is_not(node: AccessNode) -> None:
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    shown, hidden = marked_identity("green"), marked_identity("red")
    node.add(OPERATOR, STIX_COLLECTION, [shown, hidden])
    for obj, status in ((shown, 200), (hidden, 404)):
        path = collection_path(STIX_COLLECTION, f"objects/{obj['id']}/")
        assert node.get("green-reader", path).status_code == status
    reads = _entries(node, "--partner", "green-reader", "--action", "read", "--since", since)
    assert [(e["object_ids"], e["object_count"], e["status_code"]) for e in reads] == [
        ([shown["id"]], 1, 200)
    ]
