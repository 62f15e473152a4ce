"""``infoshare node …``: node utilities (``hash-password``, ``demo``).

``hash-password`` reads a password from the terminal (asked twice) or from
standard input and prints the ``$argon2id$…`` hash to put in a ``[[users]]``
entry, so no plain-text password is ever written into a configuration. It
is the node's one password scheme (docs/adr/0009-one-policy-object.md).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from infoshare.errors import UsageError


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``node`` subcommand and its own subcommands."""
    parser = subcommands.add_parser("node", help="node utilities: demo, hash-password")
    actions = parser.add_subparsers(title="node commands", metavar="ACTION")

    hashing = actions.add_parser(
        "hash-password",
        help="print the password hash for a [[users]] entry",
        description="Read a password (prompted twice, or one line on standard input)"
        " and print its argon2id hash for the password_hash key of a [[users]] entry.",
    )
    hashing.set_defaults(run=run_hash_password)

    demo = actions.add_parser(
        "demo",
        help="start a demo node on SQLite with the example cases loaded",
        description="Set up a demo node in DATA_DIR (default .demo/), load examples/*.json"
        " through the node's own ingest path, print the discovery URL and fresh demo"
        " credentials, and serve until Ctrl-C.",
    )
    demo.add_argument("--data-dir", default=".demo", help="where the demo keeps its files")
    demo.add_argument("--examples", default="examples", help="folder of bundles to load")
    demo.add_argument("--port", type=int, default=6100, help="port on 127.0.0.1 (default 6100)")
    demo.add_argument(
        "--spec-site",
        help="folder of the profile's built site to serve at /spec/ (make run builds it)",
    )
    demo.set_defaults(run=run_demo)
    parser.set_defaults(run=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise UsageError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_hash_password(_args: argparse.Namespace) -> int:
    from infoshare_server.access import MIN_PASSWORD_LENGTH, hash_password

    password = _read_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    sys.stdout.write(hash_password(password) + "\n")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from infoshare_server.demo import run_demo_node

    return run_demo_node(
        data_dir=args.data_dir, examples=args.examples, port=args.port, spec_site=args.spec_site
    )
