"""Benchmark the TAXII 2.1 node over HTTP against medallion's memory backend.

    .venv/bin/python -m benchmarks.node                      # 2k, 10k (all), 100k, 1M (node)
    .venv/bin/python -m benchmarks.node --skip-large         # the quick run
    make bench-node

For each system (our node on SQLite, on PostgreSQL, medallion's MemoryBackend)
one server is started with empty storage, and the collection is grown size by
size: generated FIMI cases (benchmarks/generate.py) are posted to a
profile-strict collection in envelopes, so the ingest includes full profile
validation; then the whole collection is read page by page and 300 random ids
are fetched one by one. Peak memory is the server's own (benchmarks/_node_memory.py).
Results are merged into benchmarks/.data/results-node.json and printed as the
markdown table of docs/benchmarks.md ("TAXII node").
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import signal
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Any

from taxii2client.v21 import Collection

from benchmarks._node_client import (
    case_envelopes,
    get_by_id,
    ingest,
    ingest_concurrently,
    read_all,
)
from benchmarks._node_servers import (
    PASSWORD,
    SYSTEMS,
    USER,
    RunningServer,
    ServerSettings,
    running_server,
    sample_stored_ids,
)
from benchmarks._node_table import markdown_table
from benchmarks.generate import generate_cases, generate_objects

DATA = Path(__file__).resolve().parent / ".data"
OUT = DATA / "results-node.json"
MEDALLION = "medallion-memory"
#: The targets of the node issue, at 1M objects on SQLite.
TARGETS = {
    "read_objects_per_s": 50_000,
    "get_p50_ms": 5.0,
    "ingest_objects_per_s": 5_000,
}


def _sizes(text: str) -> list[int]:
    return sorted({int(part) for part in text.split(",") if part.strip()})


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.node", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated systems")
    parser.add_argument("--sizes", default="2000,10000", help="sizes run on every system")
    parser.add_argument(
        "--large-sizes", default="100000,1000000", help="sizes run on our node only"
    )
    parser.add_argument("--skip-large", action="store_true", help="leave out --large-sizes")
    parser.add_argument(
        "--postgres-max-size",
        type=int,
        default=0,
        help="largest size run on PostgreSQL (0: no limit), e.g. 100000 to skip 1M",
    )
    parser.add_argument("--envelope", type=int, default=1000, help="objects per POST")
    parser.add_argument("--page-size", type=int, default=1000, help="max_page_size of every server")
    parser.add_argument("--samples", type=int, default=300, help="get-by-id requests per size")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers of our node")
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="our node: post this many envelopes at once (whole cases each, from as many"
        " threads); 1: one after the other",
    )
    parser.add_argument("--max-content-length", type=int, default=10 * 1024 * 1024)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--keep-postgres",
        metavar="NAME",
        help="PostgreSQL: use the database NAME (created when missing) and keep it afterwards",
    )
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="with --keep-postgres: add nothing; measure the reads of the filled database again"
        " (one size: the size it was filled to); its ingest figures are kept from the results",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--fresh", action="store_true", help="replace the results file")
    args = parser.parse_args(argv)
    if args.measure_only and not args.keep_postgres:
        parser.error("--measure-only needs --keep-postgres NAME")
    return args


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgres_version(),
        "gunicorn": version("gunicorn"),
        "medallion": version("medallion"),
        "taxii2-client": version("taxii2-client"),
    }


def _postgres_version() -> str | None:
    try:
        import psycopg

        from benchmarks._node_servers import POSTGRES_ADMIN

        with psycopg.connect(POSTGRES_ADMIN) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else None
    except Exception:  # only informative
        return None


def _plan(args: argparse.Namespace) -> dict[str, list[int]]:
    small = _sizes(args.sizes)
    large = [] if args.skip_large else _sizes(args.large_sizes)
    plan: dict[str, list[int]] = {}
    for system in [part.strip() for part in args.systems.split(",") if part.strip()]:
        if system not in SYSTEMS:
            raise SystemExit(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
        sizes = small if system == MEDALLION else sorted({*small, *large})
        if system == "node-postgresql" and args.postgres_max_size:
            sizes = [size for size in sizes if size <= args.postgres_max_size]
        if sizes:
            plan[system] = sizes
    return plan


def run_system(
    system: str, sizes: list[int], args: argparse.Namespace, settings: ServerSettings
) -> Iterator[dict[str, Any]]:
    """Grow one server's collection size by size; yield one result row per size."""
    folder = DATA / "node-run" / f"{system}-{os.getpid()}"  # concurrent runs do not collide
    if args.measure_only:
        yield from _measure_again(system, sizes, args, settings, folder)
        return
    with running_server(system, folder, settings) as server:
        kept = args.keep_postgres and system == "node-postgresql"
        if kept and sample_stored_ids(server.storage_url, 1)[0]:
            raise RuntimeError(
                f"database {args.keep_postgres} already holds objects: fill a new one,"
                " or measure it again with --measure-only"
            )
        idle_mb = server.memory.current_rss_mb()
        collection = Collection(server.collection_url, user=USER, password=PASSWORD)
        source = generate_objects(max(sizes), args.seed)
        groups = generate_cases(args.seed)
        stored: list[str] = []
        fill_seconds = 0.0
        for size in sizes:
            print(f"  {system}: growing to {size:,} objects ...", flush=True)
            if args.clients > 1 and system != MEDALLION:
                added = ingest_concurrently(
                    lambda: Collection(server.collection_url, user=USER, password=PASSWORD),
                    case_envelopes(
                        groups, size - len(stored), args.envelope, args.max_content_length
                    ),
                    args.clients,
                    stored,
                    first_alone=not stored,
                )
            else:
                added = ingest(
                    collection,
                    itertools.islice(source, size - len(stored)),
                    args.envelope,
                    args.max_content_length,
                    stored,
                )
            fill_seconds += added.seconds
            print(f"    ingested in {added.seconds:,.1f} s; reading ...", flush=True)
            row = {
                "system": system,
                "size": size,
                "ingest_objects": added.objects,
                "ingest_seconds": round(added.seconds, 3),
                "workers": settings.workers,
                "clients": args.clients,
                "ingest_objects_per_s": round(added.objects_per_s, 1),
                "fill_seconds": round(fill_seconds, 1),
                "idle_rss_mb": round(idle_mb, 1),
                **_reads(server, collection, len(stored), stored, args),
            }
            print(
                f"  {system} {size:,}: ingest {row['ingest_objects_per_s']:,.0f}/s,"
                f" read {row['read_objects_per_s']:,.0f}/s, get p50 {row['get_p50_ms']} ms"
                f" p99 {row['get_p99_ms']} ms, page p50 {row['page_p50_ms']} ms,"
                f" peak RSS {row['peak_rss_mb']} MiB, disk {row['disk_bytes_per_object']} B/object",
                flush=True,
            )
            yield row


def _reads(
    server: RunningServer,
    collection: Collection,
    stored: int,
    ids: list[str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The read figures of one size (``stored`` objects; get-by-id picks from ``ids``):
    full read, one page, get-by-id, memory, disk."""
    read = read_all(collection, args.page_size, max_pages=stored // args.page_size + 10)
    if read.objects != stored:
        raise RuntimeError(f"read {read.objects} objects, stored {stored}")
    print(f"    read in {read.seconds:,.1f} s; get-by-id ...", flush=True)
    latency = get_by_id(collection, ids, args.samples, args.seed + stored)
    disk = server.storage_bytes()
    return {
        "read_objects": read.objects,
        "read_pages": read.pages,
        "read_seconds": round(read.seconds, 3),
        "read_objects_per_s": round(read.objects_per_s, 1),
        "page_p50_ms": round(read.page_percentile(50), 3),
        "page_p99_ms": round(read.page_percentile(99), 3),
        # the read rate of one page: a full page over its median time
        "page_objects_per_s": round(args.page_size / read.page_percentile(50) * 1000, 1),
        "get_samples": len(latency.latencies_ms),
        "get_p50_ms": round(latency.percentile(50), 3),
        "get_p99_ms": round(latency.percentile(99), 3),
        "disk_bytes": disk,
        "disk_bytes_per_object": round(disk / stored, 1) if disk else None,
        "rss_now_mb": round(server.memory.current_rss_mb(), 1),
        "peak_rss_mb": round(server.memory.peak_mb(), 1),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _measure_again(
    system: str, sizes: list[int], args: argparse.Namespace, settings: ServerSettings, folder: Path
) -> Iterator[dict[str, Any]]:
    """Measure the reads of a kept, filled PostgreSQL database again; nothing is added."""
    if system != "node-postgresql" or len(sizes) != 1:
        raise RuntimeError("--measure-only measures one size of node-postgresql")
    earlier = {
        (row["system"], row["size"]): row for row in _load(args.out, fresh=False)["rows"]
    }.get((system, sizes[0]))
    if earlier is None:
        raise RuntimeError(f"no earlier {system} row at {sizes[0]:,} in {args.out} to complete")
    with running_server(system, folder, settings) as server:
        stored, sample = sample_stored_ids(server.storage_url, args.samples)
        if stored < sizes[0]:
            raise RuntimeError(f"the kept database holds {stored:,} objects, not {sizes[0]:,}")
        collection = Collection(server.collection_url, user=USER, password=PASSWORD)
        print(f"  {system}: measuring {stored:,} stored objects again ...", flush=True)
        row = {**earlier, **_reads(server, collection, stored, sample, args)}
        row["remeasured"] = True
        yield row


def _load(path: Path, fresh: bool) -> dict[str, Any]:
    if not fresh and path.exists():
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded
    return {"rows": []}


def _save(path: Path, results: dict[str, Any], row: dict[str, Any] | None) -> None:
    if row is not None:
        results["rows"] = [
            old
            for old in results["rows"]
            if (old["system"], old["size"]) != (row["system"], row["size"])
        ] + [row]
        results["rows"].sort(key=lambda r: (r["size"], SYSTEMS.index(r["system"])))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the context managers: servers are stopped


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    signal.signal(signal.SIGTERM, _terminate)
    settings = ServerSettings(
        workers=args.workers,
        max_page_size=args.page_size,
        max_content_length=args.max_content_length,
        postgres_database=args.keep_postgres,
    )
    plan = _plan(args)
    results = _load(args.out, args.fresh)
    results.update(
        machine=machine(),
        settings={
            "workers": settings.workers,
            "clients": args.clients,
            "max_page_size": settings.max_page_size,
            "max_content_length": settings.max_content_length,
            "envelope_objects": args.envelope,
            "get_samples": args.samples,
            "seed": args.seed,
        },
        targets=TARGETS,
    )
    failures: list[str] = []
    for system, sizes in plan.items():
        print(f"{system}: sizes {', '.join(f'{s:,}' for s in sizes)}", flush=True)
        start = time.monotonic()
        try:
            for row in run_system(system, sizes, args, settings):
                _save(args.out, results, row)
        except Exception as exc:  # report it, go on with the next system
            failures.append(f"{system}: {exc}")
            print(f"  {system} FAILED: {exc}", file=sys.stderr, flush=True)
        print(f"  {system} done in {time.monotonic() - start:,.0f} s", flush=True)
    _save(args.out, results, None)
    print()
    print(markdown_table(results["rows"], TARGETS))
    print(f"\nresults: {args.out}")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
