"""Three partner nodes (JP, PH, TH) exchange the example cases with `infoshare sync`.

Issue 5 ("Node-to-node exchange"), docs/adr/0007-sync.md: every node pulls
from the other two. They converge on the same versions, nothing is stored
twice, a second run adds nothing, every object that arrived by sync has its
provenance, the objects' JSON is unchanged, and new versions and
revocations flow like any other version. Real node processes on loopback,
each with its own SQLite file; the sync runs as its own process.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from _node import PASSWORD, USER
from _sync import (
    TAXII,
    PartnerNode,
    add,
    all_versions,
    bundle_objects,
    db_rows,
    mesh,
    run_sync,
    running,
    version_keys,
)

pytestmark = pytest.mark.slow

CASE_01 = "01-treated-water-disinformation.json"
CASE_02 = "02-election-bot-amplification.json"
CASE_03 = "03-deepfake-investment-scam.json"
CASE_04 = "04-multi-partner-update.json"


def _sync_all(nodes: dict[str, PartnerNode]) -> list[str]:
    outputs = []
    for name in ("th", "ph", "jp"):
        result = run_sync(nodes[name])
        assert result.returncode == 0, result.stderr[-3000:]
        outputs.append(result.stderr)
    return outputs


def _expected(*cases: str) -> list[tuple[str, str]]:
    keys = {
        (o["id"], o.get("modified", o.get("created", "")))
        for case in cases
        for o in bundle_objects(case)
    }
    return sorted(keys)


def _stored_rows(node: PartnerNode) -> list[tuple[str, str]]:
    """(id, modified or created) of every stored row; "" for SCOs, whose version is local."""
    rows = []
    for object_id, body in db_rows(node, "SELECT object_id, body FROM objects"):
        obj = json.loads(body)
        rows.append((str(object_id), str(obj.get("modified", obj.get("created", "")))))
    return sorted(rows)


def test_a_relayed_version_of_anothers_object_is_refused(tmp_path: Path) -> None:
    """PH may not add versions to JP's objects (docs/adr/0012-originator-control.md):
    PH's operators are refused, so no node ever holds the forged revocation."""
    nodes = mesh(tmp_path)
    with running(nodes):
        add(nodes["jp"], bundle_objects(CASE_01))
        _sync_all(nodes)
        note = next(o for o in bundle_objects(CASE_01) if o["type"] == "note")
        ph = nodes["ph"]
        assert ph.node is not None
        response = requests.post(
            ph.node.url(ph.objects_path()),
            data=json.dumps({"objects": [_revoked_version(note)]}),
            headers={"Accept": TAXII, "Content-Type": TAXII},
            auth=(USER, PASSWORD),
            timeout=30,
        )
        status = response.json()
        assert (status["success_count"], status["failure_count"]) == (0, 1)
        assert status["failures"][0]["message"].startswith("not the owner: ")
        _sync_all(nodes)
        for node in nodes.values():
            assert version_keys(all_versions(node)) == _expected(CASE_01), node.name


def test_three_nodes_converge_without_duplicates(tmp_path: Path) -> None:
    nodes = mesh(tmp_path)
    with running(nodes):
        add(nodes["jp"], bundle_objects(CASE_01))
        add(nodes["jp"], bundle_objects(CASE_02))
        add(nodes["ph"], bundle_objects(CASE_03))

        _sync_all(nodes)
        expected = _expected(CASE_01, CASE_02, CASE_03)
        for node in nodes.values():
            versions = version_keys(all_versions(node))
            assert versions == expected, node.name
            rows = _stored_rows(node)
            assert rows == sorted(set(rows)) == expected, f"{node.name} holds a duplicate"

        # Idempotent: another full round stores nothing new anywhere.
        before = {name: _stored_rows(node) for name, node in nodes.items()}
        for output in _sync_all(nodes):
            assert " 0 new," in output
            assert not [
                line for line in output.splitlines() if "done:" in line and " 0 new" not in line
            ]
        assert {name: _stored_rows(node) for name, node in nodes.items()} == before

        # Provenance: TH holds nothing of its own, so every row came from JP or PH.
        th = nodes["th"]
        provenance = db_rows(
            th,
            "SELECT o.object_id, p.remote, p.remote_collection, p.arrived_at, o.date_added"
            " FROM objects o JOIN provenance p ON p.seq = o.seq",
        )
        assert len(provenance) == len(expected)
        assert {row[1] for row in provenance} <= {"jp", "ph"}
        assert all(row[3] == row[4] for row in provenance)  # arrived when stored
        case_03_only = {o["id"] for o in bundle_objects(CASE_03)} - {
            o["id"] for o in bundle_objects(CASE_01) + bundle_objects(CASE_02)
        }
        jp = nodes["jp"]
        from_ph = db_rows(
            jp,
            "SELECT o.object_id, p.remote, p.remote_collection FROM objects o"
            " JOIN provenance p ON p.seq = o.seq",
        )
        assert {row[0] for row in from_ph} == case_03_only
        assert {(row[1], row[2]) for row in from_ph} == {
            ("ph", nodes["ph"].api_root + f"collections/{nodes['ph'].collection}/")
        }
        # Objects JP created itself have no provenance.
        assert len(db_rows(jp, "SELECT seq FROM objects")) == len(expected)

        # The JSON is unchanged: what TH serves is what JP and PH were given.
        originals = {
            (o["id"], o.get("modified", o.get("created"))): o
            for case in (CASE_01, CASE_02, CASE_03)
            for o in bundle_objects(case)
        }
        for obj in all_versions(th):
            assert obj == originals[(obj["id"], obj.get("modified", obj.get("created")))]


def _revoked_version(obj: dict[str, Any]) -> dict[str, Any]:
    revoked = copy.deepcopy(obj)
    revoked["modified"] = "2026-09-01T00:00:00.000Z"
    revoked["revoked"] = True
    return revoked


def test_new_versions_and_revocations_flow(tmp_path: Path) -> None:
    nodes = mesh(tmp_path)
    for remote in nodes["th"].remotes:  # TH finds the others through their discovery URL
        remote.by_discovery = True
    with running(nodes):
        add(nodes["jp"], bundle_objects(CASE_01))
        _sync_all(nodes)

        # JP adds the second agency's update (new versions of case 01 objects, which only
        # their owner may add, and a sighting in two versions) and revokes its analyst note.
        add(nodes["jp"], bundle_objects(CASE_04))
        note = next(o for o in bundle_objects(CASE_01) if o["type"] == "note")
        add(nodes["jp"], [_revoked_version(note)])
        _sync_all(nodes)

        expected = sorted({*_expected(CASE_01, CASE_04), (note["id"], "2026-09-01T00:00:00.000Z")})
        for node in nodes.values():
            assert version_keys(all_versions(node)) == expected, node.name
            assert _stored_rows(node) == expected

        th = nodes["th"]
        assert th.node is not None
        sighting = "sighting--67bbb130-99b3-49bd-995b-67ef70e6f666"
        versions = requests.get(
            th.node.url(f"{th.objects_path()}{sighting}/versions/"),
            headers={"Accept": TAXII},
            auth=(USER, PASSWORD),
            timeout=30,
        ).json()["versions"]
        assert versions == ["2026-07-28T02:00:00.000Z", "2026-08-05T06:00:00.000Z"]
        latest = requests.get(
            th.node.url(f"{th.objects_path()}{note['id']}/"),
            headers={"Accept": TAXII},
            auth=(USER, PASSWORD),
            timeout=30,
        ).json()["objects"]
        assert [o.get("revoked") for o in latest] == [True]
        assert json.dumps(latest[0], sort_keys=True) == json.dumps(
            _revoked_version(note), sort_keys=True
        )
