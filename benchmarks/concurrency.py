"""Benchmark many partners at once: several node instances on one PostgreSQL database.

    .venv/bin/python -m benchmarks.concurrency                       # 100k objects, 50 partners
    .venv/bin/python -m benchmarks.concurrency --objects 20000 --partners 20

Two ``infoshare serve`` instances by default (separate process trees, their own
ports, the same configuration and paging secret) serve ONE fresh PostgreSQL
database (docs/adr/0019-several-instances.md). Generated FIMI cases
(benchmarks/generate.py) are spread over three profile-strict collections and
posted by the node's operator account (so the node's own organisation is the
origin of everything); the partners, each with different rights (readable
collections, TLP clearance, RED recipient or not, in the GREEN community or
not), are made with the code behind ``infoshare partner``
(benchmarks/_concurrency_node.py). Then one client thread per partner pages
through each collection it may read with ``next``, every request going to the
next instance in turn (so every ``next`` token is opened by another instance
than the one that issued it).

Checked for every partner, against the visible set computed from the
generator's markings and the grants independently of the node: every object
of every page is one the partner may see, and the union of its pages is
exactly that set (nothing missing, nothing extra, nothing twice).
Reported: aggregate objects/s, page latency p50/p99, the split per instance,
the client's own CPU share (to tell whether the client was the bottleneck).
Results go to benchmarks/.data/results-concurrency.json; a markdown table is
printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from taxii2client.v21 import Collection

from benchmarks._concurrency_node import (
    API_ROOT,
    COLLECTIONS,
    Dataset,
    PartnerPlan,
    add_partners,
    dataset,
    expected_ids,
    partner_plans,
    running_node,
)
from benchmarks._node_client import LatencyResult, ingest
from benchmarks._node_servers import PASSWORD, USER

DATA = Path(__file__).resolve().parent / ".data"
OUT = DATA / "results-concurrency.json"
TAXII = "application/taxii+json;version=2.1"
PAGE_SIZE = 1000
#: A partner's paging stops with an error after this many pages of one collection.
MAX_PAGES = 10_000


@dataclass
class PartnerRun:
    """What one client thread saw."""

    partner_id: str
    objects: int = 0
    pages: int = 0
    empty_pages: int = 0
    #: (instance index, seconds) per request.
    requests: list[tuple[int, float]] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    missing: int = 0
    extra: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def _page_through(
    session: requests.Session,
    bases: list[str],
    first_instance: int,
    collection: str,
    run: PartnerRun,
    allowed: set[str],
) -> list[str]:
    """Every id served in ``collection``, requests alternating over ``bases``."""
    url_path = f"/{API_ROOT}/collections/{collection}/objects/"
    params: dict[str, str] = {"limit": str(PAGE_SIZE)}
    served: list[str] = []
    for turn in range(MAX_PAGES):
        instance = (first_instance + turn) % len(bases)
        start = time.perf_counter()
        answer = session.get(bases[instance] + url_path, params=params, timeout=600)
        body = answer.content
        run.requests.append((instance, time.perf_counter() - start))
        if answer.status_code != 200:
            raise RuntimeError(f"{collection}: HTTP {answer.status_code}: {body[:300]!r}")
        envelope = json.loads(body) if body.strip() else {}
        ids = [obj["id"] for obj in envelope.get("objects", [])]
        run.pages += 1
        run.empty_pages += not ids
        run.objects += len(ids)
        run.wrong.extend(i for i in ids if i not in allowed)
        served.extend(ids)
        if not envelope.get("more"):
            return served
        params = {"limit": str(PAGE_SIZE), "next": str(envelope["next"])}
    raise RuntimeError(f"{collection}: more than {MAX_PAGES} pages")


def _client(
    plan: PartnerPlan,
    index: int,
    token: str,
    bases: list[str],
    data: Dataset,
    run: PartnerRun,
    barrier: threading.Barrier,
) -> None:
    session = requests.Session()
    session.headers.update({"Accept": TAXII, "Authorization": f"Bearer {token}"})
    barrier.wait()
    try:
        for collection in COLLECTIONS:
            expected = expected_ids(plan, data, collection)
            if collection not in plan.collections:
                continue
            served = _page_through(session, bases, index, collection, run, expected)
            got = set(served)
            run.duplicates += len(served) - len(got)
            run.missing += len(expected - got)
            run.extra += len(got - expected)
    except Exception as exc:  # reported with the results
        run.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        session.close()


def _percentile(values: list[float], q: float) -> float:
    result = LatencyResult([v * 1000 for v in values])
    return round(result.percentile(q), 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    plans = partner_plans(args.partners)
    data = dataset(args.objects)
    folder = DATA / "concurrency"
    with running_node(
        folder, args.instances, args.workers, args.threads, plans, args.rate_per_partner
    ) as node:
        bases = [server.base_url for server in node.instances]
        ingest_started = time.perf_counter()
        for n, collection in enumerate(COLLECTIONS):
            # Each collection is posted through another instance.
            base = bases[n % len(bases)]
            target = Collection(
                f"{base}/{API_ROOT}/collections/{collection}/", user=USER, password=PASSWORD
            )
            ingest(target, data.objects[collection], 1000, 10 * 1024 * 1024, [])
        ingest_seconds = time.perf_counter() - ingest_started
        tokens = add_partners(node, plans)
        runs = [PartnerRun(plan.partner_id) for plan in plans]
        barrier = threading.Barrier(len(plans) + 1)
        threads = [
            threading.Thread(
                target=_client,
                args=(plan, i, tokens[plan.partner_id], bases, data, runs[i], barrier),
                daemon=True,
            )
            for i, plan in enumerate(plans)
        ]
        for thread in threads:
            thread.start()
        cpu_before = time.process_time()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        client_cpu = time.process_time() - cpu_before
        logs = [
            server.log_path.read_text(encoding="utf-8", errors="replace")
            for server in node.instances
        ]
    latencies = [s for r in runs for _, s in r.requests]
    per_instance = []
    for n in range(args.instances):
        mine = [s for r in runs for i, s in r.requests if i == n]
        per_instance.append(
            {
                "instance": n,
                "requests": len(mine),
                "p50_ms": _percentile(mine, 50),
                "p99_ms": _percentile(mine, 99),
            }
        )
    objects = sum(r.objects for r in runs)
    expected_total = sum(
        len(expected_ids(plan, data, c)) for plan in plans for c in plan.collections
    )
    checks = {
        "partners_with_errors": [r.partner_id for r in runs if r.errors],
        "errors": [e for r in runs for e in r.errors][:10],
        "objects_not_visible_to_their_partner": sum(len(r.wrong) for r in runs),
        "missing": sum(r.missing for r in runs),
        "extra": sum(r.extra for r in runs),
        "duplicates": sum(r.duplicates for r in runs),
        "expected_objects": expected_total,
        "internal_errors_in_logs": sum(log.count("internal error") for log in logs),
    }
    checks["passed"] = not (
        checks["partners_with_errors"]
        or checks["objects_not_visible_to_their_partner"]
        or checks["missing"]
        or checks["extra"]
        or checks["duplicates"]
        or checks["internal_errors_in_logs"]
        or objects != expected_total
    )
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "settings": {
            "objects": data.total,
            "partners": args.partners,
            "instances": args.instances,
            "workers_per_instance": args.workers,
            "threads_per_worker": args.threads,
            "rate_per_partner": args.rate_per_partner,
            "page_size": PAGE_SIZE,
            "collections": len(COLLECTIONS),
            "database": "postgresql",
        },
        "ingest": {
            "objects": data.total,
            "seconds": round(ingest_seconds, 1),
            "objects_per_s": round(data.total / ingest_seconds),
        },
        "read": {
            "seconds": round(seconds, 2),
            "objects": objects,
            "pages": sum(r.pages for r in runs),
            "empty_pages_with_next": sum(r.empty_pages for r in runs),
            "objects_per_s": round(objects / seconds) if seconds else 0,
            "pages_per_s": round(len(latencies) / seconds, 1) if seconds else 0,
            "p50_ms": _percentile(latencies, 50),
            "p99_ms": _percentile(latencies, 99),
            "per_instance": per_instance,
            "client_cpu_seconds": round(client_cpu, 1),
            "client_cpu_share_of_two_cores": round(client_cpu / (2 * seconds), 2) if seconds else 0,
        },
        "partners": [
            {
                "partner": plan.partner_id,
                "clearance": plan.clearance,
                "red": plan.red,
                "community": plan.community,
                "collections": len(plan.collections),
                "objects": r.objects,
                "pages": r.pages,
                "empty_pages": r.empty_pages,
            }
            for plan, r in zip(plans, runs, strict=True)
        ],
        "checks": checks,
    }


def table(result: dict[str, Any]) -> str:
    read, settings, checks = result["read"], result["settings"], result["checks"]
    lines = [
        "| objects | partners | instances x workers | objects/s | pages/s | p50 ms | p99 ms |"
        " per instance (requests, p50/p99 ms) | checks |",
        "|---:|---:|---|---:|---:|---:|---:|---|---|",
        f"| {settings['objects']:,} | {settings['partners']} | {settings['instances']} x"
        f" {settings['workers_per_instance']} | {read['objects_per_s']:,} | {read['pages_per_s']}"
        f" | {read['p50_ms']} | {read['p99_ms']} | "
        + "; ".join(
            f"#{i['instance']}: {i['requests']}, {i['p50_ms']}/{i['p99_ms']}"
            for i in read["per_instance"]
        )
        + f" | {'passed' if checks['passed'] else 'FAILED'} |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--rate-per-partner",
        type=int,
        default=1000,
        help="node-wide rate limit per partner (requests/s, burst twice that), shared by the"
        " instances in the database: high enough never to refuse, so every request pays"
        " for its bucket as in production; 0 turns the limits off",
    )
    args = parser.parse_args(argv)
    for name in ("objects", "partners", "instances", "workers", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    result = run(args)
    DATA.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))
    print(json.dumps({k: result[k] for k in ("ingest", "checks")}, indent=1))
    return 0 if result["checks"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
