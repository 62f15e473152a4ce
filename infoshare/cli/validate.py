"""``infoshare validate``: check bundles against the FIMI profile or plain STIX 2.1.

Implements the validation flow of spec/profile/14-conformance.md section 14.1
on the command line: inputs in, one report out (text, JSON or SARIF 2.1.0),
and an exit code a CI job can act on (see docs/cli.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from infoshare.cli._context import read_context_ids
from infoshare.cli._exit import ExitCode
from infoshare.cli._inputs import STDIN, STDIN_NAME, collect
from infoshare.cli._output import wants_color, write_report
from infoshare.cli._progress import PROGRESS_MIN_BYTES, ProgressLine
from infoshare.errors import InputError, UsageError
from infoshare.reporting import (
    UnreadableInput,
    render_codequality,
    render_json,
    render_sarif,
    render_text,
    run_passed,
)
from infoshare.validation import (
    ValidationOptions,
    ValidationReport,
    Validator,
    catalogue,
    resolve_selection,
)

FORMATS = ("text", "json", "sarif", "codequality")

DESCRIPTION = """\
Validate STIX 2.1 bundles against the FIMI exchange profile (or, with
--mode stix, against plain STIX 2.1). PATH may be a file, a directory
(searched recursively for *.json files that hold STIX content; hidden
files and folders are skipped) or - for standard input.
"""


def _max_findings(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` subcommand to the ``infoshare`` parser."""
    from infoshare.cli._exit import EPILOG

    parser = subcommands.add_parser(
        "validate",
        help="validate bundles and report findings",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="file, directory, or -")
    parser.add_argument(
        "--mode",
        choices=("profile", "stix"),
        default="profile",
        help="profile: the FIMI profile (default); stix: plain STIX 2.1 core checks only",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="report format: text, json, sarif (SARIF 2.1.0) or codequality (GitLab Code Quality)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument(
        "--select",
        action="append",
        metavar="IDS",
        help="run only these checks: ids or prefixes, comma separated (IS-1,IS-301)",
    )
    parser.add_argument(
        "--ignore", action="append", metavar="IDS", help="skip these checks (ids or prefixes)"
    )
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="FILE",
        help="a bundle whose object ids count as known (the collection the input joins)",
    )
    parser.add_argument(
        "--max-findings",
        type=_max_findings,
        default=10_000,
        metavar="N",
        help="keep at most N findings in the report (the rest are counted); default 10000",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out files and folders matching GLOB: a path relative to the folder"
        " searched (drafts/*) or a name (package.json); repeatable",
    )
    parser.add_argument(
        "--skip-non-stix",
        action="store_true",
        help="also skip named files that hold no STIX content, as folders always do"
        " (for pre-commit, which names every changed .json file)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    parser.add_argument("-q", "--quiet", action="store_true", help="text: print only the summary")
    parser.add_argument(
        "--list-checks", action="store_true", help="print the check catalogue and exit"
    )
    parser.set_defaults(run=run)


def _list_checks(args: argparse.Namespace) -> str:
    checks = list(catalogue().values())
    if args.format != "text":
        rows = [
            {
                "id": c.id,
                "severity": c.severity.value,
                "level": c.level,
                "modes": sorted(c.modes),
                "section": c.section,
                "title": c.title,
                "requirement": c.requirement,
            }
            for c in checks
        ]
        return json.dumps({"checks": rows}, indent=2, ensure_ascii=False) + "\n"
    lines = [f"{'ID':<8}{'SEVERITY':<10}{'MODES':<15}{'SECTION':<9}TITLE"]
    for c in checks:
        modes = ",".join(m for m in ("stix", "profile") if m in c.modes)
        lines.append(f"{c.id:<8}{c.severity.value:<10}{modes:<15}§{c.section:<8}{c.title}")
    return "\n".join(lines) + "\n"


def _progress_for(source: str, args: argparse.Namespace, stderr: TextIO) -> ProgressLine | None:
    if args.no_progress or source == STDIN or not stderr.isatty():
        return None
    try:
        size = os.stat(source).st_size
    except OSError:
        return None
    return ProgressLine(stderr, source, size) if size > PROGRESS_MIN_BYTES else None


def _validate_one(
    validator: Validator, source: str, report: ValidationReport, args: argparse.Namespace
) -> UnreadableInput | None:
    """Validate one input into ``report``; an input that cannot be read is returned."""
    if source == STDIN:
        try:
            validator.validate_stream(sys.stdin.buffer, STDIN_NAME, report)
        except InputError as exc:
            return UnreadableInput(STDIN_NAME, exc.message, exc.hint)
        return None
    progress = _progress_for(source, args, sys.stderr)
    try:
        validator.validate_path(source, report, progress)
    except InputError as exc:
        return UnreadableInput(source, exc.message, exc.hint)
    finally:
        if progress is not None:
            progress.clear()
    return None


def run(args: argparse.Namespace) -> int:
    """Carry out ``infoshare validate``; returns the exit code."""
    if args.list_checks:
        write_report(_list_checks(args), args.output)
        return ExitCode.OK
    if not args.paths:
        raise UsageError(
            "no input given", hint="name one or more files or directories, or - for standard input"
        )
    options = ValidationOptions(
        mode=args.mode,
        select=frozenset(resolve_selection(args.select)),
        ignore=frozenset(resolve_selection(args.ignore)),
        context_ids=read_context_ids(args.context),
        max_findings=args.max_findings,
    )
    inputs = collect(args.paths, args.exclude, skip_non_stix=args.skip_non_stix)
    if inputs.not_stix and not args.quiet:
        _tell_not_stix(inputs.not_stix)
    validator = Validator(options)
    report = ValidationReport(mode=args.mode)
    unreadable = list(inputs.unreadable)
    for problem in unreadable:
        _tell(problem)
    for source in inputs.sources:
        failure = _validate_one(validator, source, report, args)
        if failure is not None:
            _tell(failure)
            unreadable.append(failure)
    write_report(_render(report, unreadable, args), args.output)
    if report.internal_errors:
        sys.stderr.write(
            f"infoshare: internal error: {report.internal_errors} check run(s) failed with an"
            " exception (the findings that say 'internal error' show where). This is a bug in"
            " infoshare, and the verdict is incomplete. Please report it with the input.\n"
        )
        return ExitCode.INTERNAL
    if unreadable:
        return ExitCode.INPUT
    return ExitCode.OK if run_passed(report, unreadable, strict=args.strict) else ExitCode.FINDINGS


def _tell_not_stix(names: list[str]) -> None:
    """Say on stderr which JSON files were left out for holding no STIX content."""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    sys.stderr.write(
        f"infoshare: skipped {len(names)} JSON file{'s' if len(names) != 1 else ''}"
        f" with no STIX content: {shown}\n"
    )


def _tell(problem: UnreadableInput) -> None:
    """Say at once, on stderr, that an input is skipped."""
    message = InputError(problem.message, hint=problem.hint).diagnostics()
    sys.stderr.write(message + "\n")


def _render(
    report: ValidationReport, unreadable: list[UnreadableInput], args: argparse.Namespace
) -> str:
    if args.format == "json":
        return render_json(report, unreadable=unreadable, strict=args.strict)
    if args.format == "sarif":
        return render_sarif(report, unreadable=unreadable, strict=args.strict)
    if args.format == "codequality":
        return render_codequality(report, unreadable=unreadable, strict=args.strict)
    to_terminal = args.output in (None, "-")
    return render_text(
        report,
        unreadable=unreadable,
        strict=args.strict,
        color=to_terminal and wants_color(sys.stdout),
        quiet=args.quiet,
    )
