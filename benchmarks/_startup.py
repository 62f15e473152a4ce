"""Whole-process start-up of a validator command on a one-object bundle.

pre-commit and CI start the validator once per file, so for them the time
from exec to exit matters more than throughput. Each run is a fresh process
of the installed console script (``infoshare validate``, ``stix2_validator``)
on the same one-object bundle; the wall clock is taken around the process and
its CPU time (user + system) from the kernel's accounting of the finished
child. One unmeasured run first fills the bytecode caches (as on a user's
machine after the first run), then the median of ``runs`` runs is reported.

    python -m benchmarks._startup [RUNS]     # both tools, printed as a table
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent

#: A bundle with one TLP-marked identity: it passes every check of both tools.
ONE_OBJECT_BUNDLE = {
    "type": "bundle",
    "id": "bundle--5d0092c5-5f74-4e3b-8c4f-1a2b3c4d5e6f",
    "objects": [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": "identity--311b2d2d-f010-4473-83ec-1edf84858f4c",
            "created": "2026-01-05T09:00:00.000Z",
            "modified": "2026-01-05T09:00:00.000Z",
            "name": "Fictional Agency for Information Integrity",
            "identity_class": "organization",
            "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
        }
    ],
}

#: The command line of each tool; the bundle's path is appended.
COMMANDS = {
    "infoshare": [str(BIN / "infoshare"), "validate", "--no-progress"],
    "stix2-validator": [str(BIN / "stix2_validator")],
}


def write_one_object_bundle(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ONE_OBJECT_BUNDLE, indent=2), encoding="utf-8")
    return path


def _environment() -> dict[str, str]:
    """The caller's environment, with bytecode caching on, as a user has it."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _one_run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read() if process.stderr else b""
    if process.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def measure_startup(tool: str, bundle: Path, runs: int = 15) -> dict[str, object]:
    """Median wall-clock and CPU seconds of ``runs`` whole-process validations."""
    argv = [*COMMANDS[tool], str(bundle)]
    env = _environment()
    _one_run(argv, env)  # fills the bytecode caches; not counted
    walls, cpus = zip(*(_one_run(argv, env) for _ in range(runs)), strict=True)
    return {
        "runs": runs,
        "median_wall_s": statistics.median(walls),
        "median_cpu_s": statistics.median(cpus),
        "min_wall_s": min(walls),
        "max_wall_s": max(walls),
    }


def startup_rows(results: dict[str, dict[str, object]]) -> list[str]:
    lines = [
        "| command (one-object bundle) | median wall s | median CPU s | fastest wall s | runs |",
        "|---|---:|---:|---:|---:|",
    ]
    for tool, r in results.items():
        command = " ".join(Path(COMMANDS[tool][0]).name.split() + COMMANDS[tool][1:])
        lines.append(
            f"| `{command}` | {float(r['median_wall_s']):.3f} | {float(r['median_cpu_s']):.3f}"  # type: ignore[arg-type]
            f" | {float(r['min_wall_s']):.3f} | {r['runs']} |"  # type: ignore[arg-type]
        )
    return lines


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    bundle = write_one_object_bundle(Path(__file__).parent / ".data" / "one-object.json")
    results = {tool: measure_startup(tool, bundle, runs) for tool in COMMANDS}
    print("\n".join(startup_rows(results)))


if __name__ == "__main__":
    main()
