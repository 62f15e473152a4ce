"""Entry point of the ``infoshare`` command: parse, dispatch, turn errors into exit codes.

Each subcommand lives in its own module with a ``register(subcommands)``
function that adds its parser and sets ``run`` (a function from the parsed
arguments to an exit code). Errors a user can cause are
:class:`~infoshare.errors.InfoshareError`\\ s: their diagnostics are printed,
never a traceback (set INFOSHARE_DEBUG=1 to see one for internal errors).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Callable

from infoshare import __version__
from infoshare.cli import convert, spec_site, validate
from infoshare.cli._commands import register_installed
from infoshare.cli._exit import EPILOG, ExitCode
from infoshare.errors import InfoshareError, UsageError

#: The subcommand modules, in the order ``--help`` lists them.
SUBCOMMANDS = (validate, convert, spec_site)

Run = Callable[[argparse.Namespace], int]


def _wanted_command(argv: list[str]) -> str | None:
    """The subcommand named on the command line: the first argument that is not an option.

    The top-level options (--help, --version) take no value, so the first
    other argument is the subcommand, as argparse will read it.
    """
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``infoshare`` parser for this command line.

    A subcommand of the library itself needs nothing else, so the plug-in
    subcommands (the node's) are only looked up for other command lines, and
    only the one that is run is imported (infoshare/cli/_commands.py).
    """
    argv = sys.argv[1:] if argv is None else argv
    wanted = _wanted_command(argv)
    parser = argparse.ArgumentParser(
        prog="infoshare",
        description="Exchange FIMI cases as STIX 2.1: validate bundles against the profile.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"infoshare {__version__}")
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subcommands)
    if wanted not in subcommands.choices:
        register_installed(subcommands, wanted)
    return parser


def _debug() -> bool:
    return os.environ.get("INFOSHARE_DEBUG", "") not in ("", "0")


def _prepare_streams() -> None:
    """Never fail on a character the terminal cannot show (odd file names, LANG=C)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the ``infoshare`` command; returns the exit code (see docs/cli.md)."""
    _prepare_streams()
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version, or a usage error
        return int(exc.code) if isinstance(exc.code, int) else ExitCode.USAGE
    run: Run | None = getattr(args, "run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return int(run(args))
    except UsageError as exc:
        sys.stderr.write(exc.diagnostics() + "\n")
        return ExitCode.USAGE
    except InfoshareError as exc:
        sys.stderr.write(exc.diagnostics() + "\n")
        return ExitCode.INPUT
    except KeyboardInterrupt:
        sys.stderr.write("\ninfoshare: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.BROKEN_PIPE
    except Exception as exc:
        if _debug():
            traceback.print_exc()
        sys.stderr.write(
            f"infoshare: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in infoshare. Please report it with the command line and,"
            " if you can share it, the input. Set INFOSHARE_DEBUG=1 to see the traceback.\n"
        )
        return ExitCode.INTERNAL
