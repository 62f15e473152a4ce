"""The long HTTP fuzz run: 10,000 generated requests against a real node, no 5xx, no HTML.

    .venv/bin/python -m benchmarks.http_fuzz                          # SQLite, 10,000 requests
    .venv/bin/python -m benchmarks.http_fuzz --database postgresql --requests 10000

Starts the node of the HTTP suite (``infoshare serve``, gunicorn, on
127.0.0.1 only) with its partners (tests/server/_access.py) on a fresh
SQLite file or PostgreSQL database (127.0.0.1:5432, dropped afterwards),
adds a few objects, and sends generated requests from docs/openapi.yaml
(tests/server/_fuzz.py: schemathesis, valid and invalid requests, as a
partner with a token, an administrator and an operator with a password)
until the count or the time bound is reached. Prints the figure for
docs/benchmarks.md ("HTTP fuzzing") and exits 1 if any response was a 5xx,
HTML, or not TAXII JSON, or if the node logged an unexpected error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

SUITE = Path(__file__).resolve().parents[1] / "tests" / "server"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(SUITE))  # the suite's node and fuzz helpers
    from _access import access_node
    from _fuzz import fuzz, prepare

    with (
        tempfile.TemporaryDirectory(prefix="infoshare-fuzz-") as folder,
        access_node(args.database, Path(folder)) as node,
    ):
        target = prepare(node)
        result = fuzz(
            target.base_url,
            target.identities,
            target.real_values,
            max_requests=args.requests,
            max_seconds=args.max_seconds,
            derandomize=False,
        )
        log = node.node.log()
    unexpected = log.count("internal error")
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(result.statuses.items()))
    print(
        f"{args.database}: {result.requests} requests in {result.seconds:.0f} s"
        f" ({result.requests / max(result.seconds, 1e-9):.0f}/s), {result.server_errors} 5xx,"
        f" {len(result.failures)} bad answers, {unexpected} unexpected errors logged,"
        f" {result.unsendable} not sendable by the client; statuses {statuses}"
    )
    for failure in result.failures[:50]:
        print("  " + failure)
    return 1 if result.failures or result.server_errors or unexpected else 0


if __name__ == "__main__":
    raise SystemExit(main())
