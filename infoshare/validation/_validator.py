"""The layered validator: one pass over the input, every layer per object.

Implements the validation flow of spec/profile/14-conformance.md section 14.1:
parse (layer 1), envelope (2), STIX 2.1 core (3), profile schemas (4) and
semantic checks (5), producing one :class:`ValidationReport`. Checks run in catalogue
order, so findings of the core layer come before those of later layers for
the same object.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from infoshare.errors import InputError
from infoshare.stix.envelope import member_problem
from infoshare.validation import checks as _checks_package
from infoshare.validation._catalogue import CheckInfo, Mode, catalogue
from infoshare.validation._findings import FileSummary, Finding, ValidationReport
from infoshare.validation._json_values import value_problem
from infoshare.validation._reader import BundleReader
from infoshare.validation._registry import (
    CROSS_OBJECT_CHECKS,
    ENVELOPE_CHECKS,
    OBJECT_CHECKS,
    CrossObjectCheck,
    ObjectCheck,
    ObjectCheckFn,
    ObjectRef,
    ValidationOptions,
)
from infoshare.validation._runner import Runner, compile_runner
from infoshare.validation._sources import Source, open_source

#: Checks carried out by the reader itself (layers 1 and 2).
READER_CHECK_IDS = frozenset({"IS-001", "IS-002", "IS-003", "IS-004", "IS-005", "IS-006", "IS-007"})

#: Called now and then with (bytes read so far, objects read so far).
Progress = Callable[[int, int], None]
_PROGRESS_EVERY = 2000
#: How many type names no check names are remembered with the shared runner.
_OTHER_KINDS_REMEMBERED = 512


#: The object checks to run on one type of object: (check id, function) pairs.
_Plan = tuple[tuple[str, ObjectCheckFn], ...]


def _plan(checks: Iterable[ObjectCheck]) -> _Plan:
    return tuple((check.info.id, check.fn) for check in checks)


def internal_error(check_id: str, exc: Exception) -> str:
    """The finding's message when a check itself fails on an input."""
    return (
        f"internal error in check {check_id} ({type(exc).__name__}: {exc});"
        " please report this with the input"
    )


class _Sink:
    """Turns ``emit(path, message)`` calls into findings for the current object."""

    __slots__ = (
        "_catalogue",
        "_enabled",
        "_max",
        "_report",
        "check_id",
        "file",
        "index",
        "line",
        "object_id",
    )

    def __init__(
        self, report: ValidationReport, enabled: frozenset[str], max_findings: int | None
    ) -> None:
        self._report = report
        self._enabled = enabled
        self._max = max_findings
        self._catalogue: dict[str, CheckInfo] = catalogue()
        self.check_id = ""
        self.file = ""
        self.index: int | None = None
        self.line: int | None = None
        self.object_id: str | None = None

    def emit(self, path: str, message: str, check_id: str | None = None) -> None:
        self.add(
            check_id or self.check_id,
            message,
            self._object_path(self.index, path),
            self.object_id,
            self.line,
            index=self.index,
        )

    def emit_at(
        self, where: ObjectRef, path: str, message: str, check_id: str | None = None
    ) -> None:
        cid = check_id or self.check_id
        if cid not in self._enabled:
            return
        info = self._catalogue[cid]
        self._report.add(
            Finding(cid, info.severity, message, where.file, self._object_path(where.index, path),
                    where.object_id, where.line, object_index=where.index),
            self._max,
        )  # fmt: skip

    def add(
        self,
        check_id: str,
        message: str,
        json_path: str,
        object_id: str | None,
        line: int | None,
        column: int | None = None,
        index: int | None = None,
    ) -> None:
        if check_id not in self._enabled:
            return
        info = self._catalogue[check_id]
        self._report.add(
            Finding(check_id, info.severity, message, self.file, json_path, object_id, line,
                    column, index),
            self._max,
        )  # fmt: skip

    def internal_error(self, check_id: str, exc: Exception, where: ObjectRef | None) -> None:
        """A check failed with an exception: count it and report it as a
        finding of that check, at the object it was looking at."""
        self._report.internal_errors += 1
        message = internal_error(check_id, exc)
        if where is None:
            self.emit("", message, check_id)
        else:
            self.emit_at(where, "", message, check_id)

    @staticmethod
    def _object_path(index: int | None, path: str) -> str:
        return f"$.objects[{index}]{path}" if index is not None else f"${path}"


class Validator:
    """Validates STIX bundles against the FIMI profile or plain STIX 2.1.

    Build one per set of options and reuse it: schemas and check tables are
    prepared once. ``validate_*`` methods may be called any number of times.
    """

    def __init__(self, options: ValidationOptions | None = None) -> None:
        _checks_package.load_all()
        self.options = options or ValidationOptions()
        mode = self.options.mode
        enabled = {cid for cid, info in catalogue().items() if mode in info.modes}
        if self.options.select:
            enabled &= self.options.select
        enabled -= self.options.ignore
        self.enabled = frozenset(enabled)
        checks = sorted(
            (c for c in OBJECT_CHECKS if any(i in self.enabled for i in c.ids)),
            key=lambda c: c.info.id,
        )
        # Per type, the (id, function) pairs to run, in catalogue order: built
        # once so the pass does no lookups per object beyond the type.
        self._for_all = _plan(c for c in checks if c.types is None)
        kinds = {kind for check in checks for kind in check.types or ()}
        self._by_type: dict[str, _Plan] = {
            kind: _plan(c for c in checks if c.types is None or kind in c.types) for kind in kinds
        }
        self._envelope = [c for c in ENVELOPE_CHECKS if c.info.id in self.enabled]
        self._cross = [
            cls
            for cls in CROSS_OBJECT_CHECKS
            if any(i in self.enabled for i in (cls.check_id, *cls.also_emits))
        ]
        #: One straight-line function per object type, built when the type is first met
        #: (see _runner.py); types no check names share the runner of ``None``.
        self._runners: dict[str | None, Runner] = {}
        self._named_kinds = frozenset(self._by_type).union(
            *(cls.types for cls in self._cross if cls.types is not None)
        )

    # --- public entry points ------------------------------------------------------

    def validate_path(self, path: str | Path, report: ValidationReport | None = None,
                      progress: Progress | None = None) -> ValidationReport:  # fmt: skip
        """Validate one file. A missing or unreadable file raises :class:`InputError`."""
        path = Path(path)
        try:
            handle = path.open("rb")
        except IsADirectoryError:
            raise InputError(
                f"{path} is a directory",
                hint="pass the files inside it, or use the CLI, which searches directories",
            ) from None
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        with handle:
            return self.validate_stream(handle, str(path), report, progress)

    def validate_bytes(
        self, data: bytes, name: str = "<bytes>", report: ValidationReport | None = None
    ) -> ValidationReport:
        """Validate a bundle held in memory as UTF-8 JSON bytes."""
        return self.validate_stream(io.BytesIO(data), name, report)

    def validate_stream(self, stream: BinaryIO, name: str, report: ValidationReport | None = None,
                        progress: Progress | None = None) -> ValidationReport:  # fmt: skip
        """Validate a bundle read from a binary stream, in bounded memory."""
        report = report if report is not None else ValidationReport(mode=self.options.mode)
        sink = _Sink(report, self.enabled, self.options.max_findings)
        sink.file = name
        summary = FileSummary(name)
        report.files.append(summary)

        def reader_problem(
            check_id: str, message: str, line: int | None, column: int | None, path: str
        ) -> None:
            sink.add(check_id, message, path, None, line, column)

        reader = BundleReader(stream, reader_problem)
        try:
            self._run(
                reader,
                sink,
                summary,
                progress,
                lambda: reader.bytes_read,
            )
        except OSError as exc:
            raise InputError(f"{name}: read failed ({exc.strerror or exc})") from None
        if reader.empty_objects_at is not None:
            line, column = reader.empty_objects_at
            message = (
                "the bundle's objects list is empty, and STIX 2.1 prohibits empty lists"
                " (section 2.12); omit objects or add at least one object"
            )
            sink.add("IS-121", message, "$.objects", None, line, column)
        if reader.envelope.get("type") == "bundle":
            self._check_envelope(reader.envelope, sink)
        summary.bytes_read = reader.bytes_read
        return report

    def validate_objects(self, objects: Iterable[Any], name: str = "<objects>") -> ValidationReport:
        """Validate objects that are already parsed (the node's ingest path).

        Findings carry ``object_index`` so a caller can accept or reject each
        object on its own.
        """
        report = ValidationReport(mode=self.options.mode)
        sink = _Sink(report, self.enabled, self.options.max_findings)
        sink.file = name
        summary = FileSummary(name)
        report.files.append(summary)
        self._run(_as_json(objects, sink), sink, summary, None, lambda: 0)
        return report

    def validate(
        self, source: Source, name: str | None = None, report: ValidationReport | None = None
    ) -> ValidationReport:
        """Validate any source :func:`infoshare.validate` accepts (see there)."""
        opened = open_source(source, name)
        if isinstance(opened, Path):
            return self.validate_path(opened, report)
        report = report if report is not None else ValidationReport(mode=self.options.mode)
        first_new = len(report.findings)
        self.validate_stream(opened.stream, opened.name, report)
        if not opened.positions:
            report.findings[first_new:] = [
                replace(f, line=None, column=None) for f in report.findings[first_new:]
            ]
        return report

    def _check_envelope(self, envelope: dict[str, Any], sink: _Sink) -> None:
        """Run the envelope checks on the bundle's own properties (not its objects)."""
        sink.index = sink.line = sink.object_id = None
        for check in self._envelope:
            sink.check_id = check.info.id
            try:
                check.fn(envelope, sink.emit)
            except Exception as exc:  # a defect in a check must not hide the others
                sink.internal_error(check.info.id, exc, None)

    # --- the pass -----------------------------------------------------------------------

    def _run(self, items: Iterable[tuple[int, int | None, Any]], sink: _Sink, summary: FileSummary,
             progress: Progress | None, bytes_read: Callable[[], int]) -> None:  # fmt: skip
        cross: list[CrossObjectCheck] = [cls(self.options) for cls in self._cross]
        try:
            count = self._observe(items, sink, cross, progress, bytes_read)
            summary.objects = count
            sink.index = sink.line = sink.object_id = None
            for checker in cross:
                sink.check_id = checker.check_id
                try:
                    checker.finish(sink.emit_at)
                except Exception as exc:  # a defect in a check must not hide the others
                    sink.internal_error(checker.check_id, exc, None)
        finally:
            for checker in cross:
                checker.close()  # deletes any spill database
        if progress is not None:
            progress(bytes_read(), count)

    def _runner_for(self, kind: str) -> Runner:
        """The runner for objects of ``kind``, built on first use.

        Only the types some check names get a runner of their own, so an input
        with a million invented type names builds one runner, not a million.
        """
        key = kind if kind in self._named_kinds else None
        runner = self._runners.get(key)
        if runner is None:
            plan = self._by_type.get(kind, self._for_all) if key is not None else self._for_all
            observers = [
                position
                for position, cls in enumerate(self._cross)
                if cls.types is None or (key is not None and kind in cls.types)
            ]
            runner = compile_runner(plan, observers, key or "other types")
            self._runners[key] = runner
        if key is None and len(self._runners) < _OTHER_KINDS_REMEMBERED:
            self._runners[kind] = runner  # the shared runner, found at once next time
        return runner

    def _observe(self, items: Iterable[tuple[int, int | None, Any]], sink: _Sink,
                 cross: list[CrossObjectCheck], progress: Progress | None,
                 bytes_read: Callable[[], int]) -> int:  # fmt: skip
        """Run the object checks on each object and show it to the cross-object checks."""
        runners, runner_for = self._runners, self._runner_for
        emit = sink.emit
        count = 0
        for index, line, obj in items:
            count += 1
            sink.index, sink.line = index, line
            kind = obj.get("type") if isinstance(obj, dict) else None
            if not isinstance(kind, str):
                sink.object_id = None
                message = member_problem(obj) or "a STIX object must be a JSON object"
                sink.add("IS-006", message, f"$.objects[{index}]", None, line, index=index)
                continue
            object_id = obj.get("id")
            sink.object_id = object_id if isinstance(object_id, str) else None
            runner = runners.get(kind)
            if runner is None:
                runner = runner_for(kind)
            runner(obj, emit, sink, cross)
            if progress is not None and count % _PROGRESS_EVERY == 0:
                progress(bytes_read(), count)
        return count


def _as_json(objects: Iterable[Any], sink: _Sink) -> Iterator[tuple[int, None, Any]]:
    """Number parsed objects, leaving out (with a finding) those the reader
    would have refused as text: too deep, huge integers, NaN (section 14.2)."""
    for index, obj in enumerate(objects):
        problem = value_problem(obj)
        if problem is None:
            yield index, None, obj
            continue
        check_id, message, path = problem
        object_id = obj.get("id") if isinstance(obj, dict) else None
        object_id = object_id if isinstance(object_id, str) else None
        sink.add(check_id, message, f"$.objects[{index}]{path}", object_id, None, index=index)


def validate(
    source: Source, *, mode: Mode = "profile", name: str | None = None, **options: Any
) -> ValidationReport:
    """Validate one bundle (or single object) and return the report.

    ``source`` is a path (``str`` or :class:`os.PathLike`), ``bytes``, a
    ``dict`` (a parsed bundle or object), or a stream opened for reading, in
    binary or text mode; every form gives the same findings for the same
    content. A ``str`` is always a path: pass JSON text to
    :func:`validate_text`. ``name`` is the file name findings carry (default:
    the path, the stream's ``name``, or ``<bytes>``/``<dict>``/``<stream>``).
    Findings on a ``dict`` carry no line or column, as it has no text.

    ``validate("case.json")`` checks against the FIMI profile;
    ``validate(data, mode="stix")`` runs only the plain STIX 2.1 checks.
    Further keywords are those of :class:`ValidationOptions`. A path that
    cannot be read raises :class:`~infoshare.errors.InputError`; whatever is
    wrong inside the input is a finding, never an exception. See
    spec/profile/14-conformance.md §14.1.
    """
    return Validator(ValidationOptions(mode=mode, **options)).validate(source, name)


def validate_text(
    text: str, *, mode: Mode = "profile", name: str = "<text>", **options: Any
) -> ValidationReport:
    """Validate a bundle held as JSON text in a ``str`` (see :func:`validate`)."""
    return validate(text.encode("utf-8", errors="surrogatepass"), mode=mode, name=name, **options)
