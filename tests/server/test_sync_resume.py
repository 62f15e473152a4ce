"""A sync killed midway (SIGKILL between pages) resumes without loss or duplication.

Issue 5 "Resumable", docs/adr/0007-sync.md: each page's objects, their
provenance and the watermark commit in one transaction. TH pulls JP's cases
one object per page; the test kills the `infoshare sync` process as soon as
the first page is committed, checks that what TH holds is what the watermark
says it has taken, then runs the sync again and the two nodes end up with the
same versions, each stored once. The objects of one add request share their
``date_added``, so a page may end inside such a group: the watermark then
stays one microsecond before it, and the resumed run takes the rest of the
group again, finding the part TH holds as duplicates (fetched again, never
stored twice, never skipped).
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from _node import INFOSHARE
from _sync import (
    Remote,
    add,
    all_versions,
    bundle_objects,
    db_rows,
    mesh,
    run_sync,
    running,
    sync_env,
    version_keys,
)

pytestmark = pytest.mark.slow


def _watermark(db: Path) -> str | None:
    import sqlite3

    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        row = connection.execute("SELECT pulled_until FROM sync_state").fetchone()
    except sqlite3.OperationalError:  # the table is not there yet
        return None
    finally:
        connection.close()
    return str(row[0]) if row and row[0] else None


def test_killed_sync_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    nodes = mesh(tmp_path, ("jp", "th"))
    jp, th = nodes["jp"], nodes["th"]
    th.remotes = [Remote("jp", jp.api_root, jp.collection, page_size=1)]
    jp.remotes = []
    with running(nodes):
        add(jp, bundle_objects("01-treated-water-disinformation.json"))
        add(jp, bundle_objects("02-election-bot-amplification.json"))
        total = len(all_versions(jp))

        process = subprocess.Popen(
            [str(INFOSHARE), "sync", "--config", str(th.config_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=sync_env(),
        )
        deadline = time.monotonic() + 120
        while _watermark(th.db_path) is None:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "no page was committed"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()
        assert process.returncode == -signal.SIGKILL

        held = db_rows(th, "SELECT seq FROM objects")
        watermark = _watermark(th.db_path)
        assert watermark is not None
        assert 0 < len(held) < total, "the sync was not stopped midway"

        # Objects and watermark committed together: TH holds every JP object up to the
        # watermark, and at most the start of the group of objects added just after it.
        def taken(until: str) -> int:
            rows = db_rows(jp, "SELECT count(*) FROM objects WHERE date_added <= ?", until)
            return int(rows[0][0])

        whole = taken(watermark)
        group_end = db_rows(
            jp, "SELECT min(date_added) FROM objects WHERE date_added > ?", watermark
        )[0][0]
        assert whole <= len(held) <= taken(group_end)
        assert len(db_rows(th, "SELECT seq FROM provenance")) == len(held)

        result = run_sync(th)
        assert result.returncode == 0, result.stderr
        done = [line for line in result.stderr.splitlines() if "done:" in line]
        again = len(held) - whole
        assert done == [
            done[0].split(":")[0] + f": done: {total - len(held)} new, {again} already here,"
            f" 0 refused ({total - whole} pages)"
        ], result.stderr

        assert version_keys(all_versions(th)) == version_keys(all_versions(jp))
        ids = [row[0] for row in db_rows(th, "SELECT object_id FROM objects")]
        assert len(ids) == len(set(ids)) == total  # the cases hold one version per id
        bodies = {json.loads(row[0])["id"] for row in db_rows(th, "SELECT body FROM objects")}
        assert bodies == {o["id"] for o in all_versions(jp)}
