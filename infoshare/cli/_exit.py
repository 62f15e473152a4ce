"""The exit codes of the ``infoshare`` command (documented in docs/cli.md)."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What the process exit status means. Scripts and CI rely on these values."""

    #: Every input was read and passed (no error; with --strict, no warning either).
    OK = 0
    #: At least one finding of failing severity.
    FINDINGS = 1
    #: The command line is wrong (unknown option or check id, missing argument).
    USAGE = 2
    #: At least one input could not be read; the others were still validated.
    INPUT = 3
    #: A bug in infoshare.
    INTERNAL = 4
    #: Standard output was closed early (e.g. piped into ``head``).
    BROKEN_PIPE = 141
    #: Interrupted with Ctrl-C.
    INTERRUPTED = 130


EPILOG = """\
exit codes:
  0    every input passed (no error; with --strict, no warning either)
  1    at least one finding of failing severity
  2    usage error (bad option, unknown check id)
  3    an input could not be read (the other inputs are still validated)
  4    internal error (a bug in infoshare: please report it)
  130  interrupted (Ctrl-C)
  141  standard output closed early (e.g. piped into head)
"""
