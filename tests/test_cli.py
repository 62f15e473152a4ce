"""The ``infoshare`` command line: exit codes, formats, inputs and bad inputs.

Two ways in: the installed console script in a real subprocess (what users
run), and ``main(argv)`` in-process where a test needs checks whose findings it
controls. Only the reader's checks (IS-001..IS-006) are relied on as real
checks; other findings come from stand-in checks registered for the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from infoshare.cli._exit import ExitCode
from infoshare.cli._inputs import json_files_below
from infoshare.cli._progress import ProgressLine
from infoshare.cli.main import main
from infoshare.profile import TLP_GREEN
from infoshare.validation import CheckInfo, Severity, catalogue
from infoshare.validation._registry import (
    CrossObjectCheck,
    Emit,
    EmitAt,
    ObjectCheck,
    ObjectRef,
    StixDict,
)

INFOSHARE = Path(sys.executable).parent / "infoshare"
BUNDLE_ID = "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"
READER_ONLY = ["--select", "IS-0"]


def identity(n: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{n:08x}-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "created": "2026-03-02T08:15:00.000Z",
        "modified": "2026-03-02T08:15:00.000Z",
        "name": "Fictional Agency for Information Integrity",
        "identity_class": "organization",
        "object_marking_refs": [TLP_GREEN],
        **extra,
    }


def bundle(*objects: dict[str, Any]) -> str:
    return json.dumps({"type": "bundle", "id": BUNDLE_ID, "objects": list(objects)}, indent=1)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def cli(*args: str | Path, stdin: bytes | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run the installed console script; never a traceback, whatever happens."""
    hidden = ("NO_COLOR", "INFOSHARE_DEBUG", "PYTHONUNBUFFERED")
    run_env = {k: v for k, v in os.environ.items() if k not in hidden}
    run_env.update(env or {})
    done = subprocess.run(
        [str(INFOSHARE), *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=run_env,
        check=False,
    )
    result = subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    )
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    return result


def run_main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "good.json", bundle(identity(1)))


@pytest.fixture
def truncated(tmp_path: Path) -> Path:
    return write(tmp_path / "truncated.json", bundle(identity(1))[:-40])


# --- stand-in checks whose findings the tests control ----------------------------------------


def first_check(severity: Severity) -> CheckInfo:
    return next(
        c for c in catalogue().values() if c.severity is severity and not c.id.startswith("IS-0")
    )


ERROR_CHECK = first_check(Severity.ERROR)
WARNING_CHECK = first_check(Severity.WARNING)


def _flagged(key: str, info: CheckInfo) -> ObjectCheck:
    def fn(obj: StixDict, emit: Emit) -> None:
        if key in obj:
            emit(f".{key}", f"{key} is set; remove it")

    return ObjectCheck(info, None, fn)


class _StandInReferences(CrossObjectCheck):
    """Reports x_ref values that name no object of the input or the context."""

    check_id = ERROR_CHECK.id

    def __init__(self, options: Any) -> None:
        super().__init__(options)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, ObjectRef]] = []

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        self.ids.add(obj.get("id", ""))
        if isinstance(obj.get("x_ref"), str):
            self.refs.append((obj["x_ref"], where))

    def finish(self, emit_at: EmitAt) -> None:
        for ref, where in self.refs:
            if ref not in self.ids and ref not in self.options.context_ids:
                emit_at(where, ".x_ref", f"{ref} does not resolve")


@pytest.fixture
def stand_in_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Replace every registered check by: x_error -> an error, x_warning -> a warning,
    x_ref -> an error unless the id is in the input or the context."""
    from infoshare.validation import _validator

    _validator.Validator()  # load the real checks first, so they are not loaded into ours
    monkeypatch.setattr(
        _validator,
        "OBJECT_CHECKS",
        [_flagged("x_error", ERROR_CHECK), _flagged("x_warning", WARNING_CHECK)],
    )
    monkeypatch.setattr(_validator, "CROSS_OBJECT_CHECKS", [_StandInReferences])
    yield


# --- exit codes, help -----------------------------------------------------------------------


def test_console_script_is_installed() -> None:
    assert INFOSHARE.exists(), "run `pip install -e .` in .venv"


def test_valid_bundle_exits_0(good: Path) -> None:
    result = cli("validate", *READER_ONLY, good)
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("1 file, 1 object: 0 errors, 0 warnings — PASSED")


def test_findings_exit_1_and_name_file_line_and_column(truncated: Path) -> None:
    result = cli("validate", truncated)
    assert result.returncode == ExitCode.FINDINGS
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{truncated}:")
    where, check = first.split()[:2]
    assert check == "IS-001" and len(where.split(":")) == 3
    assert "truncated" in first
    assert "see spec §14.2" in result.stdout


def test_usage_errors_exit_2(good: Path) -> None:
    unknown = cli("validate", "--select", "IS-999", good)
    assert unknown.returncode == ExitCode.USAGE
    assert "no check matches 'IS-999'" in unknown.stderr
    assert cli("validate", "--format", "xml", good).returncode == ExitCode.USAGE
    assert cli("validate", "--max-findings", "-1", good).returncode == ExitCode.USAGE
    assert cli("validate").returncode == ExitCode.USAGE
    assert cli().returncode == ExitCode.USAGE
    assert cli("frobnicate").returncode == ExitCode.USAGE


def test_help_documents_exit_codes() -> None:
    result = cli("validate", "--help")
    assert result.returncode == 0
    for code in ("0 ", "1 ", "2 ", "3 ", "4 "):
        assert f"\n  {code}" in result.stdout
    assert "exit codes:" in cli("--help").stdout


def test_missing_input_exits_3_but_others_are_still_validated(
    good: Path, truncated: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-case.json"
    result = cli("validate", *READER_ONLY, good, missing, truncated)
    assert result.returncode == ExitCode.INPUT
    assert f"error: {missing}: no such file" in result.stderr
    assert f"{good}: 1 object" in result.stdout
    assert f"{truncated}:" in result.stdout and "IS-001" in result.stdout
    assert "3 files (1 unreadable)" in result.stdout


def test_directory_without_json_exits_3(tmp_path: Path) -> None:
    empty = tmp_path / "empty-folder"
    write(empty / "notes.txt", "not a bundle")
    write(empty / ".hidden" / "skipped.json", "{}")
    result = cli("validate", empty)
    assert result.returncode == ExitCode.INPUT
    assert "is a directory with no .json files" in result.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_exits_3(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.json", bundle(identity()))
    locked.chmod(0)
    try:
        result = cli("validate", locked)
    finally:
        locked.chmod(0o600)
    assert result.returncode == ExitCode.INPUT
    assert f"{locked}: cannot be read (Permission denied)" in result.stderr


def test_list_checks_prints_the_catalogue() -> None:
    result = cli("validate", "--list-checks")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(catalogue()) + 1
    assert lines[1].split()[:3] == ["IS-001", "error", "stix,profile"]
    assert "Well-formed JSON" in lines[1]
    as_json = json.loads(cli("validate", "--list-checks", "--format", "json").stdout)
    assert [c["id"] for c in as_json["checks"]] == list(catalogue())


# --- formats and output ---------------------------------------------------------------------


def test_json_format(good: Path, truncated: Path) -> None:
    result = cli("validate", "--format", "json", good, truncated)
    data = json.loads(result.stdout)
    assert data["report_version"] == "1.0" and data["passed"] is False
    assert [i["name"] for i in data["inputs"]] == [str(good), str(truncated)]
    read_error = next(f for f in data["findings"] if f["check_id"] == "IS-001")
    assert read_error["file"] == str(truncated) and read_error["line"] >= 1
    assert read_error["check_title"] == "Well-formed JSON" and read_error["spec_section"] == "14.2"


def test_sarif_format(truncated: Path) -> None:
    result = cli("validate", "--format", "sarif", truncated)
    assert result.returncode == ExitCode.FINDINGS
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "infoshare"
    read_error = next(r for r in run["results"] if r["ruleId"] == "IS-001")
    assert read_error["level"] == "error"
    physical = read_error["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == truncated.as_uri()
    assert physical["region"]["startLine"] >= 1


def test_output_file(tmp_path: Path, truncated: Path) -> None:
    out = tmp_path / "reports" / "report.sarif"
    out.parent.mkdir()
    result = cli("validate", "--format", "sarif", "--output", out, truncated)
    assert result.returncode == ExitCode.FINDINGS and result.stdout == ""
    assert json.loads(out.read_text("utf-8"))["version"] == "2.1.0"
    bad = cli("validate", "--output", tmp_path / "no-dir" / "r.txt", truncated)
    assert bad.returncode == ExitCode.USAGE and "cannot write the report" in bad.stderr


def test_quiet_and_no_colour_when_piped(truncated: Path) -> None:
    result = cli("validate", "--quiet", truncated)
    assert result.stdout.splitlines() == ["1 file, 0 objects: 1 error, 0 warnings — FAILED"]
    assert "\x1b[" not in cli("validate", truncated).stdout


# --- inputs ---------------------------------------------------------------------------------


def test_directories_are_searched_recursively_sorted_and_hidden_skipped(tmp_path: Path) -> None:
    root = tmp_path / "cases"
    write(root / "b.json", bundle(identity(2)))
    write(root / "a" / "z.json", bundle(identity(3)))
    write(root / "a" / "deeper" / "c.JSON", bundle(identity(4)))
    write(root / "notes.md", "# not json")
    write(root / ".git" / "config.json", "{broken")
    write(root / ".draft.json", "{broken")
    files, problems = json_files_below(root)
    assert problems == []
    assert [p.relative_to(root).as_posix() for p in files] == [
        "a/deeper/c.JSON", "a/z.json", "b.json",
    ]  # fmt: skip
    result = cli("validate", *READER_ONLY, "--format", "json", root, root / "b.json")
    assert result.returncode == ExitCode.OK, result.stdout
    names = [i["name"] for i in json.loads(result.stdout)["inputs"]]
    assert names == [str(root / p) for p in ("a/deeper/c.JSON", "a/z.json", "b.json")]


def test_stdin(good: Path) -> None:
    result = cli("validate", *READER_ONLY, "-", stdin=good.read_bytes())
    assert result.returncode == ExitCode.OK
    assert "<stdin>: 1 object" in result.stdout
    bad = cli("validate", "-", stdin=b'{"type": "bundle", "objects": [')
    assert bad.returncode == ExitCode.FINDINGS
    assert "<stdin>:1:" in bad.stdout and "IS-001" in bad.stdout
    assert cli("validate", "-", "-", stdin=b"").returncode == ExitCode.USAGE


# --- bad inputs: a clear finding with file and place, never a traceback -------------------


@pytest.mark.parametrize(
    ("name", "content", "check_id", "words", "where"),
    [
        ("truncated.json", b'{"type": "bundle", "objects": [\n {"type": "x"', "IS-001",
         "truncated", ":2:"),
        ("utf16.json", bundle(identity()).encode("utf-16"), "IS-002", "UTF-16", ":1:"),
        ("latin1.json", b'{"type": "bundle", "id": "caf\xe9"}', "IS-002", "not valid UTF-8",
         ":1:"),
        ("empty.json", b"", "IS-003", "empty", "empty.json  "),
        ("nested.json", b'{"type": "bundle", "objects": [' + b"[" * 100_000 + b"]" * 100_000
         + b"]}", "IS-004", "nested more than", ":1"),
        ("binary.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "IS-002", "UTF-8",
         ":1:"),
        ("array.json", b"[]", "IS-005", "wrap the objects in a bundle", ":1:"),
        ("not-objects.json", f'{{"type": "bundle", "id": "{BUNDLE_ID}", "objects": [1]}}'
         .encode(), "IS-006", "JSON object", ":1"),
    ],
)  # fmt: skip
def test_bad_input_gives_a_clear_finding(
    tmp_path: Path, name: str, content: bytes, check_id: str, words: str, where: str
) -> None:
    path = write(tmp_path / name, content)
    result = cli("validate", *READER_ONLY, path)
    assert result.returncode == ExitCode.FINDINGS, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(str(path)) and where in first, first
    assert f"  {check_id}  error" in first and words in first, first
    assert result.stderr == ""


@pytest.mark.slow
def test_huge_file(tmp_path: Path) -> None:
    """~50 MB of valid objects: read in one streaming pass, no progress line when piped."""
    head, tail = json.dumps(identity(0, description="A fictional case." * 6)).split("00000000")
    count = 110_000
    path = tmp_path / "huge.json"
    with path.open("w", encoding="utf-8") as out:
        out.write(f'{{"type": "bundle", "id": "{BUNDLE_ID}", "objects": [\n')
        out.write(",\n".join(f"{head}{i:08x}{tail}" for i in range(count)))
        out.write("\n]}\n")
    assert path.stat().st_size > 45 * 1024 * 1024
    result = cli("validate", *READER_ONLY, "--quiet", path, timeout=300)
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert result.stdout == f"1 file, {count:,} objects: 0 errors, 0 warnings — PASSED\n"
    assert result.stderr == ""


def test_progress_line_redraws_in_place_and_clears() -> None:
    stream = StringIO()
    line = ProgressLine(stream, "big.json", 50 * 1024 * 1024)
    line(10 * 1024 * 1024, 20_000)
    line(11 * 1024 * 1024, 22_000)  # within the redraw interval: skipped
    drawn = stream.getvalue()
    assert drawn.startswith("\rbig.json: 10.0 / 50.0 MB, 20,000 objects,")
    assert "22,000" not in drawn and "\n" not in drawn
    line.clear()
    assert stream.getvalue().endswith("\r")


# --- in-process, with stand-in checks ----------------------------------------------------------


def test_strict_fails_on_warnings(
    stand_in_checks: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "warn.json", bundle(identity(1, x_warning=True)))
    code, out, _ = run_main(capsys, "validate", path)
    assert code == ExitCode.OK
    assert f"{WARNING_CHECK.id}  warning  x_warning is set" in out
    code, out, _ = run_main(capsys, "validate", "--strict", path)
    assert code == ExitCode.FINDINGS
    assert out.rstrip().endswith("FAILED (strict)")


def test_select_and_ignore(
    stand_in_checks: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "both.json", bundle(identity(1, x_error=1, x_warning=1)))
    code, out, _ = run_main(capsys, "validate", path)
    assert code == ExitCode.FINDINGS and ERROR_CHECK.id in out and WARNING_CHECK.id in out
    code, out, _ = run_main(capsys, "validate", "--ignore", ERROR_CHECK.id, path)
    assert code == ExitCode.OK and ERROR_CHECK.id not in out and WARNING_CHECK.id in out
    prefix = WARNING_CHECK.id[:5]  # e.g. "IS-15": every check IS-150 to IS-159
    code, out, _ = run_main(capsys, "validate", "--select", f"IS-0, {prefix}", path)
    assert WARNING_CHECK.id in out and ERROR_CHECK.id not in out
    code, _, err = run_main(capsys, "validate", "--ignore", "IS-1,IS-99", path)
    assert code == ExitCode.USAGE and "no check matches 'IS-99'" in err


def test_context_ids_resolve_references(
    stand_in_checks: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known = identity(7)
    path = write(tmp_path / "case.json", bundle(identity(1, x_ref=known["id"])))
    context = write(tmp_path / "collection.json", bundle(known))
    code, out, _ = run_main(capsys, "validate", path)
    assert code == ExitCode.FINDINGS and "does not resolve" in out
    code, out, _ = run_main(capsys, "validate", "--context", context, path)
    assert code == ExitCode.OK, out
    broken = write(tmp_path / "broken.json", '{"type": "bundle", "objects": [')
    code, _, err = run_main(capsys, "validate", "--context", broken, path)
    assert code == ExitCode.INPUT
    assert f"context bundle {broken}:1:" in err and "fix it or leave it out" in err
    code, _, err = run_main(capsys, "validate", "--context", tmp_path / "nope.json", path)
    assert code == ExitCode.INPUT and "no such file" in err


def test_max_findings(
    stand_in_checks: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objects = [identity(i, x_error=1) for i in range(5)]
    path = write(tmp_path / "many.json", bundle(*objects))
    code, out, _ = run_main(capsys, "validate", "--max-findings", "2", "--format", "json", path)
    data = json.loads(out)
    assert code == ExitCode.FINDINGS
    assert len(data["findings"]) == 2 and data["summary"]["errors"] == 5
    assert data["summary"]["findings_not_shown"] == 3


# --- failures of infoshare itself --------------------------------------------------------------


def test_internal_error_exits_4_without_traceback(
    monkeypatch: pytest.MonkeyPatch, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("infoshare.cli.validate.Validator", broken)
    code, _, err = run_main(capsys, "validate", good)
    assert code == ExitCode.INTERNAL
    assert "internal error: RuntimeError: boom" in err and "please report it" in err.lower()
    monkeypatch.setenv("INFOSHARE_DEBUG", "1")
    assert main(["validate", str(good)]) == ExitCode.INTERNAL
    assert "Traceback" in capsys.readouterr().err


def test_ctrl_c_exits_130(
    monkeypatch: pytest.MonkeyPatch, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("infoshare.cli.validate.Validator", interrupted)
    code, _, err = run_main(capsys, "validate", good)
    assert code == ExitCode.INTERRUPTED and err.strip() == "infoshare: interrupted"


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    """Piping a long report into ``head`` ends quietly with 141, like a SIGPIPE."""
    many = [write(tmp_path / f"case-{i:04}.json", "") for i in range(1500)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    producer = subprocess.Popen(
        [str(INFOSHARE), "validate", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert producer.stdout is not None and producer.stderr is not None
    head = subprocess.run(
        ["head", "-n", "1"], stdin=producer.stdout, capture_output=True, check=True, timeout=120
    )
    producer.stdout.close()
    err = producer.stderr.read()
    producer.stderr.close()
    assert producer.wait(timeout=120) == ExitCode.BROKEN_PIPE
    assert head.stdout.decode().startswith(str(many[0]))
    assert err == b""
