"""A check that raises is a bug in infoshare: it is reported as an internal
error of that check (never hiding the other checks), counted in the report,
and the command exits with code 4 as docs/cli.md says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infoshare.cli._exit import ExitCode
from infoshare.cli.main import main
from infoshare.profile import TLP_GREEN
from infoshare.validation import Validator
from infoshare.validation._catalogue import check_info
from infoshare.validation._registry import (
    CrossObjectCheck,
    Emit,
    EmitAt,
    ObjectCheck,
    ObjectRef,
    StixDict,
)

BUNDLE_ID = "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"
BROKEN_ID = "IS-102"  # the id the broken checks borrow; any check of the catalogue does
WORKING_ID = "IS-107"


def _note(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "note",
        "spec_version": "2.1",
        "id": f"note--{n:08x}-7b0a-4c3e-9a55-0c9d0f3e8b11",
        "created": "2026-03-02T08:15:00.000Z",
        "modified": "2026-03-02T08:15:00.000Z",
        "content": "Fictional note",
        "object_refs": [f"note--{n:08x}-7b0a-4c3e-9a55-0c9d0f3e8b11"],
        "object_marking_refs": [TLP_GREEN],
        **extra,
    }


def _raises_on_x_boom(obj: StixDict, emit: Emit) -> None:
    if "x_boom" in obj:
        raise OverflowError("a deliberate defect")


def _flags_x_flag(obj: StixDict, emit: Emit) -> None:
    if "x_flag" in obj:
        emit(".x_flag", "x_flag is set")


class _BrokenCrossCheck(CrossObjectCheck):
    """Raises in observe() on x_observe_boom and in finish() when it saw x_finish_boom."""

    check_id = BROKEN_ID

    def __init__(self, options: Any) -> None:
        super().__init__(options)
        self.finish_boom = False

    def observe(self, obj: StixDict, where: ObjectRef) -> None:
        if "x_observe_boom" in obj:
            raise KeyError("a deliberate defect")
        self.finish_boom |= "x_finish_boom" in obj

    def finish(self, emit_at: EmitAt) -> None:
        if self.finish_boom:
            raise ValueError("a deliberate defect")


@pytest.fixture
def broken_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Register a broken object check and a broken cross-object check next to a
    working one, in place of the real checks."""
    from infoshare.validation import _validator

    Validator()  # load the real checks first, so they are not loaded into ours
    monkeypatch.setattr(
        _validator,
        "OBJECT_CHECKS",
        [
            ObjectCheck(check_info(BROKEN_ID), None, _raises_on_x_boom),
            ObjectCheck(check_info(WORKING_ID), None, _flags_x_flag),
        ],
    )
    monkeypatch.setattr(_validator, "CROSS_OBJECT_CHECKS", [_BrokenCrossCheck])
    yield


def _bundle_file(tmp_path: Path, *objects: dict[str, Any]) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"type": "bundle", "id": BUNDLE_ID, "objects": list(objects)}))
    return path


@pytest.mark.usefixtures("broken_checks")
@pytest.mark.parametrize("defect", ["x_boom", "x_observe_boom", "x_finish_boom"])
def test_a_check_that_raises_is_an_internal_error_and_hides_nothing(defect: str) -> None:
    objects = [_note(1, **{defect: True}), _note(2, x_flag=True)]
    report = Validator().validate_objects(objects)
    assert report.internal_errors == 1
    internal = [f for f in report.findings if "internal error" in f.message]
    assert [f.check_id for f in internal] == [BROKEN_ID]
    assert "a deliberate defect" in internal[0].message
    if defect != "x_finish_boom":  # found while looking at the first object
        assert internal[0].object_index == 0
    # The working check still ran on every object.
    assert [(f.check_id, f.object_index) for f in report.findings if f.check_id == WORKING_ID] == [
        (WORKING_ID, 1)
    ]


@pytest.mark.usefixtures("broken_checks")
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_the_command_exits_4_on_an_internal_error_of_a_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    path = _bundle_file(tmp_path, _note(1, x_boom=True), _note(2, x_flag=True))
    code = main(["validate", "--no-progress", "--format", output_format, str(path)])
    out, err = capsys.readouterr()
    assert code == ExitCode.INTERNAL == 4
    assert "Traceback" not in err + out
    assert "internal error" in err and "bug in infoshare" in err
    assert "a deliberate defect" in out  # the report says where, as a finding
    assert "x_flag is set" in out


@pytest.mark.usefixtures("broken_checks")
def test_exit_4_takes_precedence_over_unreadable_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bundle_file(tmp_path, _note(1, x_boom=True))
    assert main(["validate", str(path), str(tmp_path / "missing.json")]) == ExitCode.INTERNAL


@pytest.mark.usefixtures("broken_checks")
def test_without_a_defect_the_exit_code_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(_bundle_file(tmp_path, _note(1)))]) == ExitCode.OK
    assert main(["validate", str(_bundle_file(tmp_path, _note(1, x_flag=True)))]) == 1
    assert "internal error" not in capsys.readouterr().err
