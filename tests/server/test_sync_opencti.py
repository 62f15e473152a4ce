"""``infoshare sync`` pulls from an OpenCTI TAXII collection and converts on the way in.

Two real node processes: "ph" stands in for OpenCTI's TAXII 2.1 server, a plain
STIX collection holding the OpenCTI-shaped export of
tests/data/bridges/opencti/platform-export-election-case.json exactly as OpenCTI
writes it (stored as it is, since OpenCTI's own extension breaks STIX property-name
rules and the node's ingest would refuse it). "jp" is a profile-mode node whose
``[[remotes]]`` entry for ph says ``convert_from = "opencti"``. ``infoshare sync``
runs as the operator runs it, and the test reads what jp stored over its TAXII API
and in its sync tables: converted objects, each with its provenance and ph as its
origin, the object OpenCTI left without a TLP marking refused with IS-501 and
recorded, and a second run finding only duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from _databases import BACKENDS, postgres_database
from _node import free_port
from _sync import PartnerNode, Remote, all_versions, open_store, run_sync, running
from infoshare_server.config import ConfigError, load_config
from infoshare_server.ingest import _prepare
from infoshare_server.storage import NewObject, insert_objects
from infoshare_server.storage import _sync_tables as st
from infoshare_server.storage._tables import objects as objects_table

from infoshare.profile import (
    EXT_CHANNEL,
    EXT_FIMI_INCIDENT,
    EXT_NARRATIVE,
    TLP_2_0_LEVELS,
    TLP_AMBER,
)

pytestmark = pytest.mark.slow

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "bridges"
    / "opencti"
    / "platform-export-election-case.json"
)
OPENCTI_EXTENSION = "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba"


#: A channel the converter cannot read (its types are not a list).
BROKEN = {
    "type": "channel",
    "spec_version": "2.1",
    "id": "channel--5e0c3f1a-9b2d-4c7e-8a6f-1d3b5c7e9f02",
    "created": "2026-05-11T08:00:00.000Z",
    "modified": "2026-05-11T08:00:00.000Z",
    "name": "Broken channel (fictional)",
    "channel_types": 5,
    "object_marking_refs": ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"],
}


def opencti_objects() -> list[dict[str, Any]]:
    return list(json.loads(FIXTURE.read_text(encoding="utf-8"))["objects"])


def seed(node: PartnerNode, objects: list[dict[str, Any]]) -> None:
    """Store OpenCTI's objects in the stand-in's collection as they are (no validation)."""
    from datetime import UTC, datetime

    store, collection_pk = open_store(node)
    try:
        rows = [_prepare(obj) for obj in objects]
        assert all(isinstance(row, NewObject) for row in rows), rows
        with store.writing() as connection:
            insert_objects(connection, collection_pk, rows, datetime.now(UTC))  # type: ignore[arg-type]
    finally:
        store.close()


@pytest.fixture(params=BACKENDS)
def storage(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The local node's database: its SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    with ExitStack() as stack:
        yield stack.enter_context(postgres_database())


def nodes(folder: Path, storage: str | None = None) -> dict[str, PartnerNode]:
    # OpenCTI serves objects without a TLP marking; so does the stand-in.
    unmarked = '[access]\nunmarked_tlp = "clear"'
    opencti = PartnerNode("ph", free_port(), folder, mode="stix", extra=unmarked)
    local = PartnerNode("jp", free_port(), folder, storage=storage)
    local.remotes = [
        Remote("opencti", opencti.api_root, opencti.collection, extra='convert_from = "opencti"')
    ]
    return {"ph": opencti, "jp": local}


def test_pull_from_opencti_converts_on_the_way_in(tmp_path: Path, storage: str | None) -> None:
    with running(nodes(tmp_path, storage)) as started:
        opencti, local = started["ph"], started["jp"]
        seed(opencti, [*opencti_objects(), BROKEN])
        served = all_versions(opencti)
        assert any(OPENCTI_EXTENSION in (o.get("extensions") or {}) for o in served)

        first = run_sync(local, "--pull")
        assert first.returncode in (0, 1), first.stderr
        stored = {o["id"]: o for o in all_versions(local)}

        # Converted to the profile: OpenCTI's extension gone, the profile's in place.
        assert stored, first.stdout + first.stderr
        assert not any(OPENCTI_EXTENSION in (o.get("extensions") or {}) for o in stored.values())
        by_type: dict[str, list[dict[str, Any]]] = {}
        for obj in stored.values():
            by_type.setdefault(obj["type"], []).append(obj)
        assert EXT_NARRATIVE in by_type["narrative"][0]["extensions"]
        assert EXT_FIMI_INCIDENT in by_type["incident"][0]["extensions"]
        assert all(EXT_CHANNEL in c["extensions"] for c in by_type["channel"])
        event = by_type["event"][0]
        assert event["end_time"] == "2026-05-11T23:59:59.000Z" and "stop_time" not in event
        disarm = [
            ref for ap in by_type["attack-pattern"] for ref in ap.get("external_references", [])
        ]
        assert {ref["source_name"] for ref in disarm} == {"DISARM"}
        # TLP 2.0 ids only: OpenCTI's TLP 1.0 ids and its TLP:CLEAR-on-WHITE are gone.
        for obj in stored.values():
            for ref in obj.get("object_marking_refs", []):
                assert ref in TLP_2_0_LEVELS, (obj["id"], ref)
        assert by_type["incident"][0]["object_marking_refs"] == [TLP_AMBER]
        # The kept-aside notes came with them.
        assert any(n.get("abstract") == "Kept aside by infoshare convert" for n in by_type["note"])

        # The channel OpenCTI left unmarked was refused by the profile's TLP rule,
        # and the refusal is recorded with its check id; the run went on.
        unmarked = next(
            o["id"] for o in opencti_objects() if o.get("name") == "Ballot Watch Relay (fictional)"
        )
        assert unmarked not in stored, first.stdout
        assert unmarked in {o["id"] for o in served}, sorted(o["id"] for o in served)
        store, _ = open_store(local)
        try:
            with store.reading() as connection:
                rejections = connection.execute(
                    sa.select(st.sync_rejections.c.object_id, st.sync_rejections.c.message)
                ).all()
                rows = connection.execute(
                    sa.select(
                        objects_table.c.object_id, objects_table.c.origin, objects_table.c.tlp
                    )
                ).all()
                provenance = connection.execute(
                    sa.select(sa.func.count())
                    .select_from(st.provenance)
                    .where(st.provenance.c.remote == "opencti")
                ).scalar_one()
        finally:
            store.close()
        # The page went through all the same: the one object the converter could not
        # read came as it was, and the ingest refused it.
        assert BROKEN["id"] not in stored
        assert any(row.object_id == BROKEN["id"] for row in rejections), rejections
        assert any(row.object_id == unmarked and "IS-501" in row.message for row in rejections), (
            rejections,
            first.stdout,
            first.stderr,
        )
        assert provenance == len(stored)
        # The remote is the origin of all of it, and each row's TLP level is the one its
        # converted marking states (TLP by origin then applies as to any pulled object).
        assert {row.origin for row in rows} == {"remote:opencti"}
        levels = {row.object_id: row.tlp for row in rows}
        assert levels[by_type["incident"][0]["id"]] == "amber"
        assert levels[by_type["narrative"][0]["id"]] == "clear"

        # Pulling everything again (watermark forgotten) converts the same objects to
        # the same objects: all duplicates, nothing new.
        second = run_sync(local, "--remote", "opencti", "--pull", "--reset")
        assert second.returncode in (0, 1), second.stderr
        said = second.stdout + second.stderr
        assert " 0 new," in said and "already here" in said, said
        assert {o["id"] for o in all_versions(local)} == set(stored)


def test_convert_from_is_for_pulling_only(tmp_path: Path) -> None:
    node = PartnerNode("jp", free_port(), tmp_path)
    node.remotes = [
        Remote(
            "opencti",
            "http://127.0.0.1:9/fimi/",
            "2b2b2b2b-0000-4000-8000-00000000b002",
            direction="both",
            partner="ph",
            extra='convert_from = "opencti"',
        )
    ]
    tmp_path.mkdir(exist_ok=True)
    node.write_config()
    with pytest.raises(ConfigError, match='convert_from = "opencti" converts what is pulled'):
        load_config(node.config_path)


def test_convert_from_names_a_known_format(tmp_path: Path) -> None:
    node = PartnerNode("jp", free_port(), tmp_path)
    node.remotes = [
        Remote("misp", "http://127.0.0.1:9/fimi/", "2b2b2b2b-0000-4000-8000-00000000b002",
               extra='convert_from = "spreadsheet"')
    ]  # fmt: skip
    node.write_config()
    with pytest.raises(ConfigError, match="convert_from"):
        load_config(node.config_path)
