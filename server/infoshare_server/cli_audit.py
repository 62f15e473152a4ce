"""``infoshare audit``: query and export a node's audit trail as CSV or JSON.

Implements the audit CLI of docs/adr/0006-partner-access.md: filters by
partner, collection, action and time range (``--since`` inclusive,
``--until`` exclusive, RFC 3339 UTC timestamps or dates), output as a table,
CSV or JSON on standard output or into a file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from infoshare.errors import UsageError
from infoshare.stix.timestamps import TimestampError
from infoshare_server.access import ACTIONS, query_entries, to_csv, to_json
from infoshare_server.config import load_config
from infoshare_server.storage import Store
from infoshare_server.storage._time import added_after_key


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``audit`` subcommand."""
    parser = subcommands.add_parser(
        "audit",
        help="query and export a node's audit trail (CSV or JSON)",
        description="Print who read, wrote or deleted what, when and from where, and failed"
        " logins, from the node's append-only audit trail.",
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="the node's TOML file")
    parser.add_argument("--partner", help="only this partner (or attempted user name)")
    parser.add_argument("--collection", help="only this collection id")
    parser.add_argument("--action", choices=ACTIONS, help="only this action")
    parser.add_argument("--since", help="from this time on (e.g. 2026-12-01 or …T12:00:00Z)")
    parser.add_argument("--until", help="before this time")
    parser.add_argument("--limit", type=int, help="at most this many entries")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--output", type=Path, help="write to this file instead of stdout")
    parser.set_defaults(run=run)


def _moment(value: str | None, name: str) -> str | None:
    """A bound comparable with stored times (``2026-12-01T13:14:15.123456Z``)."""
    if value is None:
        return None
    text = value.strip().replace(" ", "T")
    if len(text) == 10:
        text += "T00:00:00"
    for candidate in (text, text + "Z"):  # without a zone: UTC
        try:
            return added_after_key(candidate)
        except TimestampError:
            pass
    raise UsageError(f"--{name} {value!r}: give a UTC time such as 2026-12-01T12:00:00Z")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = Store.open(config.storage_url())
    try:
        with store.reading() as connection:
            entries = query_entries(
                connection,
                partner_id=args.partner,
                collection_id=args.collection,
                action=args.action,
                since=_moment(args.since, "since"),
                until=_moment(args.until, "until"),
                limit=args.limit,
            )
    finally:
        store.close()
    if args.format == "csv":
        text = to_csv(entries)
    elif args.format == "json":
        text = to_json(entries)
    else:
        lines = [
            f"{e.at}  {e.action:<12} {e.partner_id or '-':<20} {e.status_code} "
            f"{e.method} {e.path}  objects={e.object_count}  from={e.source_address or '-'}"
            for e in entries
        ]
        text = "\n".join(lines) + ("\n" if lines else "")
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
