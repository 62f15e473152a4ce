"""The node benchmark's markdown table and its verdict on the targets (docs/benchmarks.md)."""

from __future__ import annotations

from typing import Any

MEDALLION = "medallion-memory"
TARGET_SYSTEM = "node-sqlite"


def _ratio(ours: float, theirs: float | None) -> str:
    if not theirs or not ours:
        return "-"
    return f"{ours / theirs:,.1f}x"


def _number(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def markdown_table(rows: list[dict[str, Any]], targets: dict[str, float]) -> str:
    """One line per system and size; ratios against medallion at the same size."""
    medallion = {row["size"]: row for row in rows if row["system"] == MEDALLION}
    lines = [
        "| objects | system | ingest obj/s | read obj/s | get p50 ms | get p99 ms"
        " | page p50 ms | peak RSS MiB | disk B/object | ingest vs medallion | read vs medallion"
        " | p50 vs medallion |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(rows, key=lambda r: (r["size"], r["system"] != TARGET_SYSTEM, r["system"])):
        base = medallion.get(row["size"]) if row["system"] != MEDALLION else None
        theirs = base or {}
        lines.append(
            f"| {row['size']:,} | {row['system']} | {row['ingest_objects_per_s']:,.0f}"
            f" | {row['read_objects_per_s']:,.0f} | {row['get_p50_ms']:.2f}"
            f" | {row['get_p99_ms']:.2f} | {_number(row.get('page_p50_ms'), '.1f')}"
            f" | {row['peak_rss_mb']:,.0f} | {_number(row.get('disk_bytes_per_object'), ',.0f')}"
            f" | {_ratio(row['ingest_objects_per_s'], theirs.get('ingest_objects_per_s'))}"
            f" | {_ratio(row['read_objects_per_s'], theirs.get('read_objects_per_s'))}"
            # latency: how many times faster than medallion (medallion's p50 / ours)
            f" | {_ratio(base['get_p50_ms'], row['get_p50_ms']) if base else '-'} |"
        )
    lines.append("")
    lines.extend(verdict(rows, targets))
    return "\n".join(lines)


def verdict(rows: list[dict[str, Any]], targets: dict[str, float]) -> list[str]:
    """The targets, checked on the largest size measured on our node on SQLite."""
    ours = [row for row in rows if row["system"] == TARGET_SYSTEM]
    if not ours:
        return ["Targets: no node-sqlite figures yet.", *postgres_verdict(rows, targets)]
    top = max(ours, key=lambda r: r["size"])
    checks = [
        ("read", top["read_objects_per_s"], ">=", targets["read_objects_per_s"], "obj/s"),
        ("get-by-id p50", top["get_p50_ms"], "<=", targets["get_p50_ms"], "ms"),
        ("ingest", top["ingest_objects_per_s"], ">=", targets["ingest_objects_per_s"], "obj/s"),
    ]
    lines = [f"Targets, checked on node-sqlite at {top['size']:,} objects:"]
    for name, value, op, target, unit in checks:
        met = value >= target if op == ">=" else value <= target
        lines.append(
            f"- {name}: {value:,.2f} {unit} (target {op} {target:,} {unit}):"
            f" {'met' if met else 'NOT met'}"
        )
    peaks = ", ".join(f"{row['size']:,}: {row['peak_rss_mb']:,.0f} MiB" for row in ours)
    lines.append(f"- server peak RSS as the collection grows: {peaks}")
    lines.extend(postgres_verdict(rows, targets))
    return lines


#: The PostgreSQL targets: the node targets at this size, and how far the figures may
#: drift at ten times the size.
POSTGRES_TARGET_SIZE = 1_000_000
POSTGRES_SCALE_SIZE = 10_000_000
POSTGRES_SCALE_LIMIT = 1.5


def postgres_verdict(rows: list[dict[str, Any]], targets: dict[str, float]) -> list[str]:
    """The PostgreSQL targets: the node targets at 1M, and 10M within 1.5x of 1M."""
    by_size = {row["size"]: row for row in rows if row["system"] == "node-postgresql"}
    base = by_size.get(POSTGRES_TARGET_SIZE)
    if base is None:
        return ["", "PostgreSQL targets: no node-postgresql figures at 1,000,000 objects yet."]
    lines = ["", "Targets, checked on node-postgresql at 1,000,000 objects:"]
    checks = [
        ("read", base["read_objects_per_s"], ">=", targets["read_objects_per_s"], "obj/s"),
        ("get-by-id p50", base["get_p50_ms"], "<=", targets["get_p50_ms"], "ms"),
        ("ingest", base["ingest_objects_per_s"], ">=", targets["ingest_objects_per_s"], "obj/s"),
    ]
    for name, value, op, target, unit in checks:
        met = value >= target if op == ">=" else value <= target
        lines.append(
            f"- {name}: {value:,.2f} {unit} (target {op} {target:,} {unit}):"
            f" {'met' if met else 'NOT met'}"
        )
    large = by_size.get(POSTGRES_SCALE_SIZE)
    if large is None:
        lines.append("- 10,000,000 objects: not measured yet")
        return lines
    get_ratio = large["get_p50_ms"] / base["get_p50_ms"]
    page_ratio = base["page_objects_per_s"] / large["page_objects_per_s"]
    for name, ratio in (("get-by-id p50", get_ratio), ("one page's read rate", page_ratio)):
        met = ratio <= POSTGRES_SCALE_LIMIT
        lines.append(
            f"- {name} at 10,000,000 vs 1,000,000: {ratio:.2f}x"
            f" (target <= {POSTGRES_SCALE_LIMIT}x): {'met' if met else 'NOT met'}"
        )
    lines.append(
        f"- filling to 10,000,000 took {large.get('fill_seconds', 0):,.0f} s of ingest;"
        f" disk {large.get('disk_bytes_per_object') or 0:,.0f} bytes per object"
    )
    return lines
