"""``make run``: the demo node starts, loads every example case with zero failures, and serves.

Runs ``infoshare node demo`` (what ``make run`` runs) as a real process on a
free port, reads what it prints, and uses the printed credentials.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from _cases import EXAMPLES
from _node import free_port

INFOSHARE = Path(sys.executable).parent / "infoshare"
TAXII = "application/taxii+json;version=2.1"


def _read_until_ready(process: subprocess.Popen[str], seconds: float = 120.0) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            return lines
    raise AssertionError("the demo did not become ready:\n" + "\n".join(lines))


def test_demo_node_loads_the_examples_and_prints_working_credentials(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "demo"
    process = subprocess.Popen(
        [str(INFOSHARE), "node", "demo", "--data-dir", str(data_dir), "--port", str(port),
         "--examples", str(EXAMPLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        lines = _read_until_ready(process)
        text = "\n".join(lines)
        loaded = re.findall(r"loaded (\S+): (\d+) accepted, (\d+) rejected", text)
        assert len(loaded) == len(list(EXAMPLES.glob("*.json"))), text
        assert all(int(accepted) > 0 and rejected == "0" for _, accepted, rejected in loaded), text
        assert "REJECTED" not in text
        discovery = re.search(r"Discovery URL\s+(\S+)", text)
        password = re.search(r"Password\s+(\S+)", text)
        assert discovery and password, text
        assert discovery.group(1) == f"http://127.0.0.1:{port}/taxii2/"
        # Only the hash of the password is stored.
        config = (data_dir / "node.toml").read_text(encoding="utf-8")
        assert password.group(1) not in config
        assert 'password_hash = "$argon2id$' in config
        response = requests.get(
            discovery.group(1),
            auth=("demo", password.group(1)),
            headers={"Accept": TAXII},
            timeout=30,
        )
        assert response.status_code == 200
        assert response.json()["api_roots"] == [f"http://127.0.0.1:{port}/fimi/"]
        collection = re.search(r"(http://\S+/objects/)", text)
        assert collection
        objects = requests.get(
            collection.group(1),
            auth=("demo", password.group(1)),
            headers={"Accept": TAXII},
            timeout=30,
        )
        assert objects.status_code == 200
        body = json.loads(objects.text)
        assert body["objects"] and body["more"] is True
        _withdrawn_records_are_not_served(collection.group(1), text, password.group(1))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        assert process.stdout is not None
        process.stdout.close()
    assert process.returncode == 0


def _withdrawn_records_are_not_served(objects_url: str, banner: str, password: str) -> None:
    """The example withdrawal was posted by its producer and honoured: the producer's
    partner still reads the withdrawal, but none of the records it withdrew; the node's
    operator still sees them (spec §20.4)."""
    producer = re.search(
        r"Partner (fictional-election-integrity-office) .*\n\s+password (\S+)", banner
    )
    assert producer, banner
    bundle = json.loads((EXAMPLES / "10-false-positive-withdrawal.json").read_text("utf-8"))
    withdrawal = next(o for o in bundle["objects"] if o["type"] == "withdrawal")

    def status(object_id: str, auth: tuple[str, str]) -> int:
        return requests.get(
            f"{objects_url}{object_id}/", auth=auth, headers={"Accept": TAXII}, timeout=30
        ).status_code

    as_producer = (producer.group(1), producer.group(2))
    assert status(withdrawal["id"], as_producer) == 200
    for object_id in withdrawal["withdrawn_refs"]:
        assert status(object_id, as_producer) == 404, object_id
        assert status(object_id, ("demo", password)) == 200, object_id
