"""Subcommands contributed by other installed packages (the ``infoshare.commands`` group).

The library never imports the node (docs/adr/0003-server-package.md), yet
``infoshare serve`` and ``infoshare node`` should work when the node is
installed. Packages advertise modules under the entry-point group
``infoshare.commands``; each module has the same ``register(subcommands)``
function as the library's own subcommand modules. When the node is not
installed, its commands still appear and explain how to install it.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import entry_points

from infoshare.errors import UsageError

GROUP = "infoshare.commands"

#: Commands the node provides, with a one-line description for when it is missing.
NODE_COMMANDS = {
    "serve": "run a TAXII 2.1 node (needs the server extra)",
    "node": "node utilities: demo, hash-password (needs the server extra)",
    "partner": "manage a node's partners and their rights (needs the server extra)",
    "audit": "query and export a node's audit trail (needs the server extra)",
    "sync": "exchange objects with partner nodes (needs the server extra)",
}

_INSTALL_HINT = (
    "install the node with: pip install 'infoshare[server]' (make installs it into .venv)"
)


def _missing(name: str) -> int:
    raise UsageError(
        f"`infoshare {name}` is part of the TAXII node, which is not installed", hint=_INSTALL_HINT
    )


def register_installed(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every installed package's subcommands, and placeholders for missing node commands."""
    registered: set[str] = set()
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            module = entry.load()
            module.register(subcommands)
        except Exception as exc:  # a broken plug-in must not break `infoshare validate`
            sys.stderr.write(f"infoshare: cannot load the {entry.name!r} command: {exc}\n")
            continue
        registered.add(entry.name)
    for name, help_text in NODE_COMMANDS.items():
        if name not in registered:
            # No option prefix: whatever follows (--config ...) is taken as-is, then explained.
            parser = subcommands.add_parser(name, help=help_text, add_help=False, prefix_chars="\0")
            parser.add_argument("rest", nargs="*")
            parser.set_defaults(run=lambda _args, name=name: _missing(name))
