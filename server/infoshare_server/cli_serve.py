"""``infoshare serve --config node.toml``: run a TAXII 2.1 node.

Registered with the library's command line through the ``infoshare.commands``
entry-point group (pyproject.toml), so the library never imports the node.
"""

from __future__ import annotations

import argparse

from infoshare_server.config import load_config

DESCRIPTION = """\
Run a TAXII 2.1 node described by a TOML configuration file, under gunicorn
with the workers, threads and timeout of its [server] section. See
docs/operator-guide.md for every key. Use `infoshare node demo` (or `make run`)
for a ready-made demo node.
"""


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` subcommand."""
    parser = subcommands.add_parser("serve", help="run a TAXII 2.1 node", description=DESCRIPTION)
    parser.add_argument(
        "--config", required=True, metavar="FILE", help="the node's TOML configuration"
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="use Werkzeug's single-process development server instead of gunicorn",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from infoshare_server.serve import serve, serve_dev

    config = load_config(args.config)
    if args.dev:
        serve_dev(config)
    else:
        serve(config)
    return 0
