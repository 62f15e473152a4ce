"""Validator start-up, throughput and peak memory, against stix2-validator in the same run.

Start-up: the whole ``infoshare validate`` process on a one-object bundle,
against ``stix2_validator`` on the same file (benchmarks/_startup.py; median
of several runs). Throughput inputs: a generated 100k-object profile bundle
(benchmarks/generate.py), the DISARM 1.6 bundle (../shared/data/disarm/,
plain STIX mode), and a generated bundle of about 1 GB to show that memory
stays bounded while streaming.

    make bench                                   # everything (several minutes)
    python -m benchmarks.validator --skip-large  # without the 1 GB run
    python -m benchmarks.validator --startup-only

Each measurement runs in its own process (benchmarks/_measure.py); peak memory
is that process's ru_maxrss. Throughput is reported by CPU time and by wall
clock; the ratio uses CPU time, which stays stable when other work shares the
machine (both validators are single-threaded, so on a quiet machine the two
agree). Results go to stdout and benchmarks/.data/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from benchmarks._startup import measure_startup, startup_rows, write_one_object_bundle
from benchmarks.generate import write_bundle

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"
DISARM = ROOT.parent / "shared" / "data" / "disarm" / "DISARM-1.6.json"


def measure(tool: str, path: Path, mode: str, runs: int = 1) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks._measure", tool, str(path), mode, str(runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{tool} failed on {path}:\n{out.stderr[-2000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    objects = float(result["objects"])  # type: ignore[arg-type]
    result["objects_per_s"] = objects / float(result["seconds"])  # type: ignore[arg-type]
    result["objects_per_cpu_s"] = objects / float(result["cpu_seconds"])  # type: ignore[arg-type]
    return result


def ensure_input(path: Path, objects: int) -> Path:
    if not path.exists():
        print(f"generating {path.name} ({objects:,} objects)...", flush=True)
        write_bundle(path, objects)
    return path


def _rate(result: dict[str, object], key: str) -> float:
    return float(result[key])  # type: ignore[arg-type]


def row(name: str, ours: dict[str, object], peer: dict[str, object] | None) -> str:
    """One table row: throughput by CPU time (the ratio's basis) and by wall clock."""
    cells = [
        name,
        f"{int(_rate(ours, 'objects')):,}",
        f"{_rate(ours, 'objects_per_cpu_s'):,.0f}",
        f"{_rate(ours, 'objects_per_s'):,.0f}",
        f"{_rate(ours, 'peak_rss_mb'):,.0f}",
    ]
    if peer:
        cells += [
            f"{_rate(peer, 'objects_per_cpu_s'):,.0f}",
            f"{_rate(peer, 'objects_per_s'):,.0f}",
            f"{_rate(peer, 'peak_rss_mb'):,.0f}",
            f"{_rate(ours, 'objects_per_cpu_s') / _rate(peer, 'objects_per_cpu_s'):.1f}x",
        ]
    else:
        cells += ["-", "-", "-", "-"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-large", action="store_true", help="skip the ~1 GB streaming run")
    parser.add_argument(
        "--skip-peer", action="store_true", help="skip stix2-validator (not recommended)"
    )
    parser.add_argument(
        "--large-objects", type=int, default=2_000_000, help="objects in the large bundle (~1 GB)"
    )
    parser.add_argument(
        "--startup-runs", type=int, default=15, help="whole-process runs per tool (median)"
    )
    parser.add_argument("--startup-only", action="store_true", help="measure start-up only")
    parser.add_argument(
        "--disarm", type=Path, default=DISARM, help=f"the DISARM 1.6 bundle (default {DISARM})"
    )
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
    }
    startup = _startup(args.startup_runs, args.skip_peer)
    results["startup"] = startup
    startup_table = startup_rows(startup)
    if args.startup_only:
        (DATA / "results-validator-startup.json").write_text(json.dumps(results, indent=2))
        print("\n" + "\n".join(startup_table))
        return
    profile_100k = ensure_input(DATA / "profile-100k.json", 100_000)
    lines = [
        "| input | objects | infoshare obj/CPU-s | infoshare obj/s (wall) | infoshare peak RSS MB"
        " | stix2-validator obj/CPU-s | stix2-validator obj/s (wall)"
        " | stix2-validator peak RSS MB | ratio (CPU) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    # The small DISARM bundle is validated three times per process and the
    # fastest warm run counts (set-up would otherwise dominate); the cold run
    # is kept in the JSON results.
    for name, path, mode, runs in (
        ("DISARM 1.6 bundle (stix mode, warm)", args.disarm, "stix", 3),
        ("generated profile bundle, 100k (profile mode, all checks)", profile_100k, "profile", 1),
    ):
        print(f"measuring {name}...", flush=True)
        ours = measure("infoshare", path, mode, runs)
        peer = None if args.skip_peer else measure("stix2-validator", path, mode, runs)
        results[name] = {"infoshare": ours, "stix2-validator": peer}
        lines.append(row(name, ours, peer))
        print(lines[-1], flush=True)
        if peer:
            ratio = _rate(ours, "objects_per_cpu_s") / _rate(peer, "objects_per_cpu_s")
            print(f"throughput ratio (CPU time), {name}: {ratio:.1f}x", flush=True)

    if not args.skip_large:
        large = ensure_input(DATA / "profile-large.json", args.large_objects)
        size_gb = large.stat().st_size / 1e9
        name = f"generated profile bundle, {size_gb:.2f} GB (streamed, profile mode)"
        print(f"measuring {name}...", flush=True)
        ours = measure("infoshare", large, "profile")
        results[name] = {"infoshare": ours, "stix2-validator": None}
        lines.append(row(name, ours, None))
        print(lines[-1], flush=True)

    (DATA / "results-validator.json").write_text(json.dumps(results, indent=2))
    print("\n" + "\n".join(startup_table))
    print("\n" + "\n".join(lines))


def _startup(runs: int, skip_peer: bool) -> dict[str, dict[str, object]]:
    """Whole-process start-up of each tool on a one-object bundle, with the ratio printed."""
    bundle = write_one_object_bundle(DATA / "one-object.json")
    tools = ("infoshare",) if skip_peer else ("infoshare", "stix2-validator")
    measured: dict[str, dict[str, object]] = {}
    for tool in tools:
        print(f"measuring start-up of {tool} ({runs} runs)...", flush=True)
        measured[tool] = measure_startup(tool, bundle, runs)
    ours = float(measured["infoshare"]["median_wall_s"])  # type: ignore[arg-type]
    line = f"infoshare validate start-up: {ours:.3f} s wall (median)"
    if "stix2-validator" in measured:
        peer = float(measured["stix2-validator"]["median_wall_s"])  # type: ignore[arg-type]
        peer_cpu = float(measured["stix2-validator"]["median_cpu_s"])  # type: ignore[arg-type]
        ours_cpu = float(measured["infoshare"]["median_cpu_s"])  # type: ignore[arg-type]
        line += (
            f", stix2-validator {peer:.3f} s: {peer / ours:.1f}x faster to start"
            f" ({peer_cpu / ours_cpu:.1f}x by CPU time)"
        )
    print(line, flush=True)
    return measured


if __name__ == "__main__":
    main()
