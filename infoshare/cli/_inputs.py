"""Turn the command line's PATH arguments into the inputs to validate.

A file is taken as given; a directory is searched recursively for ``*.json``
files (sorted, hidden files and directories skipped); ``-`` is standard input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from infoshare.errors import UsageError
from infoshare.reporting import UnreadableInput

STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass(slots=True)
class Inputs:
    """What to validate, in order, and what could not even be found."""

    sources: list[str] = field(default_factory=list)  # paths, or STDIN
    unreadable: list[UnreadableInput] = field(default_factory=list)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def json_files_below(folder: Path) -> tuple[list[Path], list[UnreadableInput]]:
    """Every ``*.json`` file below ``folder``, sorted; and the sub-folders that failed."""
    found: list[Path] = []
    problems: list[UnreadableInput] = []

    def failed(exc: OSError) -> None:
        name = exc.filename or str(folder)
        problems.append(UnreadableInput(str(name), f"cannot list {name}: {exc.strerror or exc}"))

    for root, dirs, files in os.walk(folder, onerror=failed):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        found.extend(
            Path(root, name)
            for name in files
            if not _hidden(name) and name.lower().endswith(".json")
        )
    found.sort(key=lambda p: p.parts)
    return found, problems


def collect(arguments: list[str]) -> Inputs:
    """Expand PATH arguments; the same file named twice is validated once."""
    inputs = Inputs()
    seen: set[str] = set()

    def add(source: str) -> None:
        key = source if source == STDIN else os.path.realpath(source)
        if key not in seen:
            seen.add(key)
            inputs.sources.append(source)

    if arguments.count(STDIN) > 1:
        raise UsageError("'-' (standard input) can be given only once")
    for argument in arguments:
        if argument == STDIN:
            add(STDIN)
            continue
        path = Path(argument)
        if path.is_dir():
            files, problems = json_files_below(path)
            inputs.unreadable.extend(problems)
            if not files and not problems:
                inputs.unreadable.append(
                    UnreadableInput(
                        argument,
                        f"{argument} is a directory with no .json files in it",
                        hint="hidden files and directories (names starting with '.') are skipped",
                    )
                )
            for file in files:
                add(str(file))
        else:
            add(argument)  # missing or unreadable files are reported when opened
    return inputs
