"""Subcommands contributed by other installed packages (the ``infoshare.commands`` group).

The library never imports the node (docs/adr/0003-server-package.md), yet
``infoshare serve`` and ``infoshare node`` should work when the node is
installed. Packages advertise modules under the entry-point group
``infoshare.commands``; each module has the same ``register(subcommands)``
function as the library's own subcommand modules.

A plug-in is imported only when its own subcommand is run. ``infoshare
validate`` (which pre-commit and CI start once per file) does not even look
the plug-ins up, so it starts fast and prints nothing about them; a node
whose dependencies are missing (the wheel without the ``server`` extra)
explains itself only when one of its commands is asked for. When the node is
not installed at all, its commands still appear in ``--help`` and explain
how to install it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeAlias

from infoshare.errors import UsageError

GROUP = "infoshare.commands"

#: Commands the node provides, with a one-line description for ``infoshare --help``.
NODE_COMMANDS = {
    "serve": "run a TAXII 2.1 node",
    "node": "node utilities: demo, hash-password",
    "partner": "manage a node's partners and their rights",
    "audit": "query and export a node's audit trail",
    "sync": "exchange objects with partner nodes",
}

_NEEDS_EXTRA = " (needs the server extra)"

_INSTALL_HINT = (
    "install the node with: pip install 'infoshare[server]' (make installs it into .venv)"
)

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class EntryPoint(Protocol):
    """What is used of :class:`importlib.metadata.EntryPoint`."""

    name: str

    def load(self) -> Any: ...


def entry_points(group: str) -> Iterable[EntryPoint]:
    """The installed entry points of ``group`` (importlib.metadata, imported only now)."""
    from importlib.metadata import entry_points as installed

    return installed(group=group)


def _refuse(name: str, message: str, hint: str | None) -> Callable[[argparse.Namespace], int]:
    def run(_args: argparse.Namespace) -> int:
        raise UsageError(message, hint=hint)

    return run


def _placeholder(subcommands: Subcommands, name: str, help_text: str | None,
                 run: Callable[[argparse.Namespace], int]) -> None:  # fmt: skip
    """A subcommand that takes any arguments as they are and then runs ``run``."""
    # No option prefix: whatever follows (--config ...) is taken as-is, then explained.
    parser = subcommands.add_parser(name, help=help_text, add_help=False, prefix_chars="\0")
    parser.add_argument("rest", nargs="*")
    parser.set_defaults(run=run)


def _provider(entry: EntryPoint) -> str:
    dist = getattr(entry, "dist", None)
    return f"provided by {dist.name}" if dist is not None else "provided by a plug-in"


def _load_failure(entry: EntryPoint, exc: Exception) -> Callable[[argparse.Namespace], int]:
    name = entry.name
    if isinstance(exc, ImportError) and name in NODE_COMMANDS:
        return _refuse(
            name,
            f"`infoshare {name}` is part of the TAXII node, whose dependencies are not"
            f" installed ({exc})",
            _INSTALL_HINT,
        )
    return _refuse(
        name,
        f"cannot load the `infoshare {name}` command ({type(exc).__name__}: {exc})",
        f"reinstall the package that provides it ({_provider(entry)})",
    )


def register_installed(subcommands: Subcommands, wanted: str | None) -> None:
    """Add the installed packages' subcommands, importing only the ``wanted`` one.

    ``wanted`` is the subcommand named on the command line (None for ``infoshare
    --help``). The others are listed by name without being imported; missing
    node commands get a placeholder that says how to install the node.
    """
    registered: set[str] = set()
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        if entry.name in registered:
            continue
        registered.add(entry.name)
        if entry.name == wanted:
            try:
                module = entry.load()
                module.register(subcommands)
            except Exception as exc:  # a broken plug-in explains itself, only when asked for
                _placeholder(subcommands, entry.name, None, _load_failure(entry, exc))
            continue
        help_text = NODE_COMMANDS.get(entry.name) or _provider(entry)
        not_loaded = _refuse(
            entry.name,
            f"`infoshare {entry.name}` was not loaded",
            "name the command before any option",
        )
        _placeholder(subcommands, entry.name, help_text, not_loaded)
    for name, help_text in NODE_COMMANDS.items():
        if name not in registered:
            message = f"`infoshare {name}` is part of the TAXII node, which is not installed"
            _placeholder(
                subcommands, name, help_text + _NEEDS_EXTRA, _refuse(name, message, _INSTALL_HINT)
            )
