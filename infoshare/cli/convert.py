"""``infoshare convert``: turn OpenCTI, MISP or DISINFOX data into the profile, and back.

Reads one JSON document, converts it with :func:`infoshare.convert.convert`,
and writes the result to ``-o FILE`` (through a temporary file in the same
folder that is renamed into place, so a failed conversion never leaves a
half-written file) or to standard output. The report (what was kept aside and
where, what is still needed) is printed in plain words on standard error, and
as JSON with ``--report FILE`` (``-``: standard output, when ``-o`` is given).

Exit codes are those of ``infoshare validate``: 0 converted and complete,
1 converted but something is still needed (the report says what, and which
option supplies it) or, for ``--to profile``, the output does not pass
profile mode yet, 2 usage error, 3 the input cannot be read or is not a
document of the ``--from`` format. See docs/bridges.md and docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

from infoshare.cli._exit import ExitCode
from infoshare.convert import FORMATS, Conversion, ConversionOptions, ConversionReport, convert
from infoshare.errors import ConversionError, InputError, UsageError

#: The largest input read (bytes): a conversion holds the whole document in memory.
MAX_INPUT_BYTES: Final = 256 * 1024 * 1024

#: How many ids of one kind the plain-words report lists before it counts the rest.
_SHOWN: Final = 3

DESCRIPTION = """\
Convert a case between the profile and the tools partner agencies run.
--from and --to are among: opencti, misp, disinfox (read only), profile and
navigator (written only; a DISARM Navigator layer). INPUT is a JSON file,
or - for standard input.
"""


EPILOG = """\
exit codes:
  0    converted; nothing more is needed
  1    converted, but something is still needed (--tlp, --author...) or,
       converting to the profile, the output does not pass profile mode yet
  2    usage error (unknown format, --from equal to --to, bridge not installed)
  3    the input cannot be read, or is not a document of the --from format
       (nothing is written)
  4    internal error (a bug in infoshare: please report it)
what each direction maps, keeps aside and needs: docs/bridges.md
"""


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "convert",
        help="convert a case between the profile and OpenCTI, MISP, DISINFOX, Navigator",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", dest="source", required=True, choices=FORMATS, metavar="F",
                        help="format of INPUT: " + ", ".join(FORMATS))  # fmt: skip
    parser.add_argument("--to", dest="target", required=True, choices=FORMATS, metavar="T",
                        help="format to write: " + ", ".join(FORMATS))  # fmt: skip
    parser.add_argument("input", metavar="INPUT", help="JSON file to convert, or - for stdin")
    parser.add_argument("-o", "--output", metavar="OUT", help="file to write (default: stdout)")
    parser.add_argument("--tlp", metavar="LEVEL",
                        help="TLP 2.0 level for objects the source marks with none"
                        " (clear, green, amber, amber+strict, red)")  # fmt: skip
    parser.add_argument("--author", metavar="NAME",
                        help="your organisation, as author of objects that name none")  # fmt: skip
    parser.add_argument("--author-country", metavar="CC",
                        help="ISO 3166-1 alpha-2 country of your organisation")  # fmt: skip
    parser.add_argument("--title", metavar="T", help="name of the case or collection (layers)")
    parser.add_argument("--report", metavar="FILE",
                        help="also write the report as JSON to FILE"
                        " (- for stdout, with -o)")  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.report == "-" and args.output in (None, "-"):
        raise UsageError(
            "--report - and the converted document cannot both go to standard output",
            hint="write the document with -o FILE, or the report with --report FILE",
        )
    options = ConversionOptions(
        tlp=args.tlp,
        author_name=args.author,
        author_country=args.author_country,
        title=args.title,
    )
    data = read_document(args.input)
    try:
        result = convert(data, source=args.source, target=args.target, options=options)
    except ConversionError as exc:
        name = "standard input" if args.input == "-" else args.input
        raise ConversionError(f"{name}: {exc.message}", hint=exc.hint) from None
    write_document(result, args.output)
    if args.report is not None:
        write_json_report(result.report, args.report)
    sys.stderr.write(describe(result.report, args.output))
    errors = profile_errors(result) if args.target == "profile" else 0
    return ExitCode.OK if result.report.complete and not errors else ExitCode.FINDINGS


def profile_errors(result: Conversion) -> int:
    """Validate a profile output and say, in one line, whether it can be shared as it is."""
    from infoshare.validation import validate

    report = validate(dict(result.output), mode="profile")
    if report.errors:
        sys.stderr.write(
            f"profile check: {report.errors} error(s) remain; see them with:"
            " infoshare validate OUT\n"
        )
    else:
        sys.stderr.write("profile check: the output passes profile mode\n")
    return report.errors


def read_document(name: str) -> dict[str, Any]:
    """The JSON object in file ``name`` (``-``: standard input), or a clear error."""
    shown = "standard input" if name == "-" else name
    try:
        if name == "-":
            raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(name, "rb") as handle:
                raw = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(
            f"{shown} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB",
            hint="convert one case or event at a time",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConversionError(
            f"{shown} is not UTF-8 text (byte {exc.start})",
            hint="save the file as UTF-8 JSON",
        ) from None
    if not text.strip():
        raise ConversionError(f"{shown} is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConversionError(
            f"{shown} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            hint="a truncated file ends before its closing brackets",
        ) from None
    except RecursionError:
        raise ConversionError(f"{shown} nests JSON arrays or objects too deeply") from None
    if not isinstance(data, dict):
        raise ConversionError(
            f"{shown}: expected a JSON object at $, found {type(data).__name__}",
        )
    return data


def write_document(result: Conversion, output: str | None) -> None:
    """Write the output document, whole or not at all."""
    text = json.dumps(result.output, indent=2, ensure_ascii=False) + "\n"
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    _write_atomically(Path(output), text)


def write_json_report(report: ConversionReport, where: str) -> None:
    text = json.dumps(report_as_json(report), indent=2, ensure_ascii=False) + "\n"
    if where == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_atomically(Path(where), text)


def report_as_json(report: ConversionReport) -> dict[str, Any]:
    """The report as plain JSON values, with ``complete``."""
    data = asdict(report)
    data["converted"] = dict(report.converted)
    data["complete"] = report.complete
    return data


def _write_atomically(path: Path, text: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, part = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise UsageError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint="check that the folder exists and is writable",
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(part, 0o666 & ~_umask())  # as open() would have made it
        os.replace(part, path)
    except OSError as exc:
        Path(part).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def describe(report: ConversionReport, output: str | None) -> str:
    """The report in plain words, for a person."""
    total = sum(report.converted.values())
    counts = ", ".join(f"{kind} {n}" for kind, n in report.converted.items())
    where = "standard output" if output in (None, "-") else output
    lines = [f"converted {report.source} → {report.target}: {total} written to {where}"]
    if counts:
        lines.append(f"  {counts}")
    if report.kept_aside:
        lines.append(f"kept aside ({len(report.kept_aside)}): nothing was dropped, these went to")
        for item in report.kept_aside:
            lines.append(f"  - {item.what} of {item.source} → {item.where}: {item.reason}")
    if report.needed:
        lines.append("still needed before the result can be shared:")
        for need in report.needed:
            shown = ", ".join(need.affected[:_SHOWN])
            more = len(need.affected) - _SHOWN
            extra = f" and {more} more" if more > 0 else ""
            lines.append(f"  - {need.option}: {need.explanation} ({shown}{extra})")
    for note in report.notes:
        lines.append(f"note: {note}")
    if report.complete:
        lines.append("complete: nothing more is needed")
    return "\n".join(lines) + "\n"
