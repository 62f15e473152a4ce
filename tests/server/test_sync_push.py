"""Push and the schedule: JP exchanges with PH both ways, on its own, every second.

Issue 5 "pull and push", "Running it", docs/adr/0007-sync.md. JP's TOML
lists PH with ``direction = "both"`` and PH's partner record on JP (cleared
for AMBER, read rights). One run pulls PH's case into JP and pushes JP's
case to PH; nothing that came from PH is sent back to it (no echo); a second
run sends nothing. Then `infoshare sync --every 1s` runs as a service would:
objects added on either side while it runs arrive on the other, and it
stops cleanly on Ctrl-C (SIGINT), keeping every committed page.
"""

from __future__ import annotations

import copy
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from _node import INFOSHARE
from _sync import (
    Remote,
    add,
    all_versions,
    bundle_objects,
    db_rows,
    mesh,
    partner_cli,
    run_sync,
    running,
    sync_env,
    version_keys,
)

pytestmark = pytest.mark.slow

CASE_01 = bundle_objects("01-treated-water-disinformation.json")
CASE_03 = bundle_objects("03-deepfake-investment-scam.json")


def _done_lines(stderr: str) -> list[str]:
    return [line.split(": done: ")[1] for line in stderr.splitlines() if ": done: " in line]


def _new_narrative(case: list[dict[str, Any]], name: str) -> dict[str, Any]:
    narrative = copy.deepcopy(next(o for o in case if o["type"] == "narrative"))
    narrative["id"] = f"narrative--{uuid.uuid4()}"
    narrative["name"] = name
    return narrative


def test_pull_and_push_both_ways_without_echo_then_on_a_schedule(tmp_path: Path) -> None:
    nodes = mesh(tmp_path, ("jp", "ph"))
    jp, ph = nodes["jp"], nodes["ph"]
    jp.remotes = [Remote("ph", ph.api_root, ph.collection, direction="both", partner="ph")]
    ph.remotes = []
    with running(nodes):
        partner_cli(jp, "add", "ph", "--clearance", "amber", "--no-password", "--no-token")
        partner_cli(jp, "grant", "ph", jp.collection, "--read")
        add(jp, CASE_01)
        add(ph, CASE_03)
        shared = {o["id"] for o in CASE_01} & {o["id"] for o in CASE_03}

        result = run_sync(jp)
        assert result.returncode == 0, result.stderr
        pulled, pushed = _done_lines(result.stderr)
        assert pulled.startswith(f"{len(CASE_03) - len(shared)} new, {len(shared)} already here")
        # Everything JP holds except what came from PH: JP's own case, once.
        assert pushed.startswith(f"{len(CASE_01)} sent, 0 refused")
        assert version_keys(all_versions(jp)) == version_keys(all_versions(ph))

        # The next pull sees JP's own pushed objects once, as duplicates (a TAXII client
        # cannot ask a remote to leave out what it sent); nothing is stored or sent again.
        before = db_rows(jp, "SELECT seq FROM objects")
        again = run_sync(jp)
        assert again.returncode == 0, again.stderr
        assert [line.split(" (")[0] for line in _done_lines(again.stderr)] == [
            f"0 new, {len(CASE_01) - len(shared)} already here, 0 refused",
            "0 sent, 0 refused",
        ]
        assert db_rows(jp, "SELECT seq FROM objects") == before
        quiet = run_sync(jp)
        assert _done_lines(quiet.stderr) == [
            "0 new, 0 already here, 0 refused (0 pages)",
            "0 sent, 0 refused (0 pages)",
        ]

        process = subprocess.Popen(
            [str(INFOSHARE), "sync", "--config", str(jp.config_path), "--every", "1s"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=sync_env(),
        )
        try:
            from_jp = _new_narrative(CASE_01, "Seafood exports are secretly banned")
            from_ph = _new_narrative(CASE_03, "The presenter was paid by a central bank")
            add(jp, [from_jp])
            add(ph, [from_ph])
            deadline = time.monotonic() + 60
            while True:
                at_jp = {o["id"] for o in all_versions(jp)}
                at_ph = {o["id"] for o in all_versions(ph)}
                if {from_jp["id"], from_ph["id"]} <= at_jp & at_ph:
                    break
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the scheduled sync did not deliver"
                time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
        assert process.returncode == 130, stderr
        assert "stopped; every committed page is kept" in stderr
        assert version_keys(all_versions(jp)) == version_keys(all_versions(ph))
        rows = db_rows(ph, "SELECT object_id, version FROM objects")
        assert len(rows) == len(set(rows))
