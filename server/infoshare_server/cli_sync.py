"""``infoshare sync``: pull from and push to the partner nodes of ``[[remotes]]``.

Implements the command line of issue 5 (docs/adr/0007-sync.md,
docs/operator-guide.md "Node-to-node sync"). Registered with the library's
command line through the ``infoshare.commands`` entry-point group.
"""

from __future__ import annotations

import argparse
import re
import sys

from infoshare.errors import UsageError

DESCRIPTION = """\
Exchange objects with the partner nodes listed under [[remotes]] in the node's
TOML: pull new objects from their collections into local ones (validated by
this node's profile, with provenance recorded) and push new local objects to
them (only what this node would show that partner). Runs once, or every
interval with --every. Exit status 0 when every remote succeeded, 1 otherwise.
"""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ``90``, ``30s``, ``5m``, ``1h``, ``1d``."""
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(f"--every {text!r} is not a duration", hint="write e.g. 30s, 5m, 1h or 1d")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 1:
        raise UsageError("--every must be at least 1 second")
    return seconds


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sync`` subcommand."""
    parser = subcommands.add_parser(
        "sync", help="exchange objects with partner nodes", description=DESCRIPTION
    )
    parser.add_argument(
        "--config", required=True, metavar="FILE", help="the node's TOML configuration"
    )
    parser.add_argument(
        "--remote",
        action="append",
        default=[],
        metavar="NAME",
        help="only this remote (repeatable; default: every [[remotes]] entry)",
    )
    direction = parser.add_mutually_exclusive_group()
    direction.add_argument("--pull", action="store_true", help="only pull")
    direction.add_argument("--push", action="store_true", help="only push")
    parser.add_argument(
        "--every", metavar="DURATION", help="run again every DURATION (30s, 5m, 1h) until stopped"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="forget the watermarks of the selected remotes first (start from the beginning;"
        " objects already here count as duplicates)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from infoshare_server.config import load_config
    from infoshare_server.sync import (
        LocalNode,
        RunResult,
        progress_for,
        reset_state,
        run_every,
        run_once,
        select_remotes,
    )

    interval = parse_duration(args.every) if args.every else None
    config = load_config(args.config)
    remotes = select_remotes(config, args.remote)
    local = LocalNode(config)
    progress = progress_for(sys.stderr)
    try:
        if args.reset:
            with local.store.writing() as connection:
                for remote in remotes:
                    reset_state(connection, remote.name)

        def once() -> RunResult:
            return run_once(
                config,
                local,
                remotes,
                pull_wanted=not args.push,
                push_wanted=not args.pull,
                progress=progress,
            )

        result = once() if interval is None else run_every(interval, once)
    except KeyboardInterrupt:
        sys.stderr.write("infoshare sync: stopped; every committed page is kept\n")
        return 130
    finally:
        local.close()
    if not result.ok:
        sys.stderr.write(
            f"infoshare sync: {len(result.failures)} failed; the next run resumes each from"
            " its last committed page\n"
        )
        return 1
    return 0
