"""Turn the command line's PATH arguments into the inputs to validate.

A file is taken as given; a directory is searched recursively for ``*.json``
files (sorted, hidden files and directories skipped) that hold STIX content;
``-`` is standard input. ``--exclude GLOB`` leaves out files and whole
folders.

Which files in a folder hold STIX content is decided from their first
64 KiB, without parsing them: a STIX bundle or object names a STIX
identifier (``"id": "<type>--..."``), ``"spec_version"``, ``"type": "bundle"``
or an ``"objects"`` array near its start, and the JSON files other tools keep
beside bundles (``package.json``, ``tsconfig.json``, JSON Schemas...) name
none of them. An empty file, and a file that cannot be read, are kept, so
that their problem (an empty input is finding IS-003) is reported rather
than hidden.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from infoshare.errors import UsageError
from infoshare.reporting import UnreadableInput

STDIN = "-"
STDIN_NAME = "<stdin>"

#: How much of a file is looked at to tell STIX content from other JSON.
STIX_SNIFF_BYTES = 64 * 1024
_STIX_MARKER = re.compile(
    rb'"id"\s*:\s*"[a-z0-9-]+--'
    rb'|"spec_version"\s*:'
    rb'|"type"\s*:\s*"bundle"'
    rb'|"objects"\s*:\s*\['
)


@dataclass(slots=True)
class Inputs:
    """What to validate, in order; what could not even be found; what holds no STIX."""

    sources: list[str] = field(default_factory=list)  # paths, or STDIN
    unreadable: list[UnreadableInput] = field(default_factory=list)
    #: JSON files left out because they hold no STIX content (see :func:`holds_stix`).
    not_stix: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Exclusions:
    """``--exclude`` globs. A glob matches a path relative to the folder searched
    (``drafts/*``, ``*/old``), or the bare name of a file or folder
    (``package.json``, ``node_modules``); ``*`` also matches ``/``."""

    globs: tuple[str, ...] = ()

    @classmethod
    def of(cls, globs: Iterable[str] | None) -> Exclusions:
        cleaned = []
        for glob in globs or ():
            glob = glob.strip().replace("\\", "/").removeprefix("./").rstrip("/")
            if not glob:
                raise UsageError("--exclude needs a glob, such as 'drafts/*' or package.json")
            cleaned.append(glob)
        return cls(tuple(cleaned))

    def excludes(self, relative: str) -> bool:
        """True when the file or folder at ``relative`` (posix form) is excluded."""
        if not self.globs:
            return False
        path = PurePosixPath(relative)
        return any(fnmatchcase(relative, g) or fnmatchcase(path.name, g) for g in self.globs)


def holds_stix(path: Path) -> bool:
    """False when ``path`` holds other JSON than STIX, from its first 64 KiB (see above)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(STIX_SNIFF_BYTES)
    except OSError:
        return True  # kept, so that opening it reports the problem
    return not head.strip() or _STIX_MARKER.search(head) is not None


def _hidden(name: str) -> bool:
    return name.startswith(".")


def json_files_below(
    folder: Path, exclusions: Exclusions | None = None
) -> tuple[list[Path], list[UnreadableInput]]:
    """Every ``*.json`` file below ``folder`` that is not excluded, sorted; and the
    sub-folders that could not be listed."""
    exclusions = exclusions or Exclusions()
    found: list[Path] = []
    problems: list[UnreadableInput] = []

    def failed(exc: OSError) -> None:
        name = exc.filename or str(folder)
        problems.append(UnreadableInput(str(name), f"cannot list {name}: {exc.strerror or exc}"))

    def relative(root: str, name: str) -> str:
        return Path(root, name).relative_to(folder).as_posix()

    for root, dirs, files in os.walk(folder, onerror=failed):
        dirs[:] = sorted(
            d for d in dirs if not _hidden(d) and not exclusions.excludes(relative(root, d))
        )
        found.extend(
            Path(root, name)
            for name in files
            if not _hidden(name)
            and name.lower().endswith(".json")
            and not exclusions.excludes(relative(root, name))
        )
    found.sort(key=lambda p: p.parts)
    return found, problems


def collect(
    arguments: list[str], exclude: Iterable[str] | None = None, *, skip_non_stix: bool = False
) -> Inputs:
    """Expand PATH arguments; the same file named twice is validated once.

    Files found in folders are kept only when they hold STIX content; files
    named on the command line are always validated, unless ``skip_non_stix``
    (what a pre-commit hook, which names every changed JSON file, wants).
    """
    exclusions = Exclusions.of(exclude)
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
            _add_folder(argument, path, exclusions, inputs, add)
        elif exclusions.excludes(path.as_posix()):
            continue
        elif skip_non_stix and path.is_file() and not holds_stix(path):
            inputs.not_stix.append(argument)
        else:
            add(argument)  # missing or unreadable files are reported when opened
    return inputs


def _add_folder(argument: str, path: Path, exclusions: Exclusions, inputs: Inputs,
                add: Callable[[str], None]) -> None:  # fmt: skip
    files, problems = json_files_below(path, exclusions)
    inputs.unreadable.extend(problems)
    stix = [file for file in files if holds_stix(file)]
    inputs.not_stix.extend(str(file) for file in files if file not in stix)
    if not stix and not problems:
        what = "no .json files" if not files else "no .json file that holds STIX content"
        inputs.unreadable.append(
            UnreadableInput(
                argument,
                f"{argument} is a directory with {what} in it",
                hint="hidden files and directories (names starting with '.') and --exclude"
                " matches are skipped; name a file to validate it whatever it holds",
            )
        )
    for file in stix:
        add(str(file))
