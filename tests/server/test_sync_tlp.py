"""Sync respects TLP 2.0 and partner rights, in both directions (onward sharing).

Issue 5 "Ingest and onward sharing", docs/adr/0007-sync.md: JP holds case 01
(GREEN and AMBER) and a TLP:RED note. At JP, PH is cleared for AMBER and is
a named RED recipient of the collection; TH is cleared for GREEN only. PH
pulls from JP and pushes to TH through PH's own partner record of TH; TH
also pulls from JP directly. A node only ever sends what it would show the
requesting partner: TH never receives AMBER or the RED note, not directly
from JP and not onwards from PH. When PH names TH a RED recipient, PH's own
RED note flows, and JP's still does not: TLP 2.0 binds PH, the receiving
organisation, not to pass JP's RED (or AMBER) to a third organisation
(docs/adr/0012-originator-control.md).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from _sync import (
    PartnerNode,
    Remote,
    add,
    add_partner,
    bundle_objects,
    db_rows,
    mesh,
    partner_cli,
    run_sync,
    running,
)

from infoshare.stix.tlp import tlp_level

pytestmark = pytest.mark.slow

RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
RED_DEFINITION = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": RED,
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:RED",
    "extensions": {
        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
            "extension_type": "property-extension",
            "tlp_2_0": "red",
        }
    },
}


def _red_note(case: list[dict[str, Any]]) -> dict[str, Any]:
    """A RED analyst note about GREEN channels of case 01 (so any recipient can store it)."""
    note = copy.deepcopy(next(o for o in case if o["type"] == "note"))
    note["id"] = "note--0f6e2d1c-3b4a-4c5d-8e9f-a0b1c2d3e4f5"
    note["abstract"] = "Source protection: the platform contact behind the disclosure"
    note["content"] = "Restricted to named recipients (fictional)."
    note["object_refs"] = [o["id"] for o in case if o["type"] == "channel"][:2]
    note["object_marking_refs"] = [RED]
    return note


def _levels(node: PartnerNode) -> dict[str, str | None]:
    """The TLP level of every object the node stores (read from its database: the node's
    own operator account sees RED only where it is a named recipient)."""
    objects = [json.loads(row[0]) for row in db_rows(node, "SELECT body FROM objects")]
    return {o["id"]: tlp_level(o) for o in objects}


def test_tlp_is_respected_on_pull_and_onward_push(tmp_path: Path) -> None:
    nodes = mesh(tmp_path)
    jp, ph, th = nodes["jp"], nodes["ph"], nodes["th"]
    ph.remotes = [
        Remote("jp", jp.api_root, jp.collection, user="ph", password_env="PW_PH_AT_JP"),
        Remote(
            "th",
            th.api_root,
            th.collection,
            direction="push",
            user="ph",
            password_env="PW_PH_AT_TH",
            partner="th",
        ),
    ]
    th.remotes = [Remote("jp", jp.api_root, jp.collection, user="th", password_env="PW_TH_AT_JP")]
    jp.remotes = []
    case = bundle_objects("01-treated-water-disinformation.json")
    red_note = _red_note(case)
    with running(nodes):
        secrets = {
            "PW_PH_AT_JP": add_partner(jp, "ph", "--clearance", "amber"),
            "PW_TH_AT_JP": add_partner(jp, "th", "--clearance", "green"),
            "PW_PH_AT_TH": add_partner(th, "ph", "--clearance", "green"),
        }
        partner_cli(ph, "add", "th", "--clearance", "green", "--no-password", "--no-token")
        partner_cli(jp, "grant", "ph", jp.collection, "--read", "--red")
        partner_cli(jp, "grant", "th", jp.collection, "--read")
        partner_cli(th, "grant", "ph", th.collection, "--write")
        partner_cli(ph, "grant", "th", ph.collection, "--read")
        add(jp, [*case, RED_DEFINITION, red_note])
        at_jp = _levels(jp)
        assert at_jp[red_note["id"]] == "red" and "amber" in at_jp.values()

        result = run_sync(ph, env=secrets)
        assert result.returncode == 0, result.stderr
        result = run_sync(th, env=secrets)
        assert result.returncode == 0, result.stderr
        assert ": refused " not in result.stderr  # no GREEN object needed a hidden one

        # PH (AMBER, named RED recipient at JP) has everything of JP.
        assert _levels(ph) == at_jp
        # TH has exactly JP's CLEAR and GREEN objects: nothing AMBER, not the RED note.
        at_th = _levels(th)
        assert at_th == {i: level for i, level in at_jp.items() if level in ("clear", "green")}
        # PH's push reached TH first (TH's own pull then found only duplicates), and it sent
        # only what PH shows TH: every object at TH was submitted by PH.
        submitters = db_rows(th, "SELECT DISTINCT submitter FROM objects")
        assert submitters == [("ph",)]
        assert db_rows(th, "SELECT count(*) FROM objects WHERE tlp NOT IN ('clear', 'green')") == [
            (0,)
        ]

        # PH now names TH a RED recipient, and writes a RED note of its own: the next push
        # (from the start) sends PH's note, not JP's, still no AMBER object, and nothing TH
        # already has is stored twice.
        own_note = dict(red_note, id="note--1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d")
        add(ph, [own_note])
        partner_cli(ph, "grant", "th", ph.collection, "--read", "--red")
        result = run_sync(ph, "--push", "--reset", env=secrets)
        assert result.returncode == 0, result.stderr
        at_th = _levels(th)
        assert at_th == {
            **{i: level for i, level in at_jp.items() if level in ("clear", "green")},
            own_note["id"]: "red",
        }
        rows = db_rows(th, "SELECT object_id FROM objects")
        assert len(rows) == len({row[0] for row in rows})
        stored = json.loads(
            db_rows(th, "SELECT body FROM objects WHERE object_id = ?", own_note["id"])[0][0]
        )
        assert stored == own_note
        # PH's own partners see the same: JP's AMBER and RED go to no one but PH's operators.
        origins = dict(db_rows(ph, "SELECT object_id, origin FROM objects"))
        assert origins[red_note["id"]] == "remote:jp" and origins[own_note["id"]] == "@local"
