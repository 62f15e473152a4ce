"""``infoshare convert`` on the command line: output, report, exit codes, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare.cli import convert as convert_cli
from infoshare.cli.main import main
from tests._convert import BRIDGES, ROOT, errors, load

DISINFOX = BRIDGES / "disinfox" / "harbour-vaccines.json"
MISP = BRIDGES / "misp" / "ferry-bot-network.json"


def run(*argv: str) -> int:
    return main(["convert", *argv])


def test_a_complete_conversion_writes_the_file_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "case.json"
    code = run("--from", "disinfox", "--to", "profile", str(DISINFOX), "-o", str(out),
               "--tlp", "amber", "--author", "Fictional Office")  # fmt: skip
    assert code == 0
    assert errors(load(out)) == []
    err = capsys.readouterr().err
    assert "kept aside (" in err and "T0043 is not a technique of DISARM 1.6" in err
    assert "complete: nothing more is needed" in err
    assert "profile check: the output passes profile mode" in err
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert not list(tmp_path.glob(".*.part"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_what_is_still_needed_is_said_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("--from", "disinfox", "--to", "profile", str(DISINFOX), "-o", str(tmp_path / "o"))
    assert code == 1
    err = capsys.readouterr().err
    assert "still needed" in err and "--tlp:" in err and "--author:" in err
    assert "profile check:" in err and "error(s) remain" in err


def test_the_report_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    code = run("--from", "misp", "--to", "profile", str(MISP), "-o", str(tmp_path / "o.json"),
               "--report", str(report))  # fmt: skip
    assert code == 0
    data = json.loads(report.read_text("utf-8"))
    assert data["complete"] is True and data["source"] == "misp"
    assert {k["what"] for k in data["kept_aside"]} >= {"hashtag", "objective"}
    capsys.readouterr()


def test_report_and_document_cannot_both_go_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--from", "misp", "--to", "profile", str(MISP), "--report", "-") == 2
    assert "cannot both go to standard output" in capsys.readouterr().err


def test_output_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--from", "profile", "--to", "navigator", str(ROOT / "examples" /
               "02-election-bot-amplification.json")) == 0  # fmt: skip
    layer = json.loads(capsys.readouterr().out)
    assert layer["domain"] == "DISARM"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b'{"Event": {"info": "x"', "is not valid JSON: Expecting"),
        (b"[1, 2]", "expected a JSON object at $, found list"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nests JSON arrays or objects too deeply"),
        (b'{"Event": []}', "expected a MISP event object"),
        (b'{"Event": {"info": 7}}', "$.Event.info"),
        (b'{"Event": {"info": "x", "Object": {}}}', "$.Event.Object: expected a JSON array"),
        (b'{"Event": {"info": "x", "Object": [{"Attribute": 3}]}}', "$.Event.Object[0]"),
    ],
)
def test_bad_misp_input_is_a_clear_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(content)
    out = tmp_path / "out.json"
    out.write_text("previous content", "utf-8")
    code = run("--from", "misp", "--to", "profile", str(source), "-o", str(out))
    err = capsys.readouterr().err
    assert code == 3, err
    assert message in err and str(source) in err and "Traceback" not in err
    assert out.read_text("utf-8") == "previous content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "out.json"]


@pytest.mark.parametrize(
    ("bundle", "message"),
    [
        ({"type": "report"}, "$.type: expected a STIX bundle"),
        ({"type": "bundle", "objects": {}}, "$.objects: objects must be a JSON array"),
        ({"type": "bundle", "objects": [3]}, "$.objects[0]: every object must be a JSON object"),
        ({"type": "bundle", "objects": [{"type": "incident", "id": "incident--x"}]},
         "$.objects[0]: an object needs a type and a valid STIX id"),
        ({"type": "bundle", "objects": [{"type": "incident",
          "id": "campaign--6b2f0e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"}]},
         "does not start with incident--"),
    ],
)  # fmt: skip
def test_bad_stix_input_names_the_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bundle: object, message: str
) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(bundle), "utf-8")
    for target in ("misp", "navigator"):
        assert run("--from", "profile", "--to", target, str(source)) == 3
        err = capsys.readouterr().err
        assert message in err, err


def test_a_huge_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert_cli, "MAX_INPUT_BYTES", 1024)
    source = tmp_path / "big.json"
    source.write_text(json.dumps({"Event": {"info": "x" * 2000}}), "utf-8")
    assert run("--from", "misp", "--to", "profile", str(source)) == 3
    assert "larger than" in capsys.readouterr().err


def test_missing_input_and_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--from", "misp", "--to", "profile", str(tmp_path / "nope.json")) == 3
    assert "cannot read" in capsys.readouterr().err
    assert run("--from", "misp", "--to", "profile", str(MISP), "-o",
               str(tmp_path / "no" / "such" / "dir.json")) == 2  # fmt: skip
    assert "cannot write" in capsys.readouterr().err


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--from", "stix1", "--to", "profile", str(MISP)) == 2
    assert run("--from", "profile", "--to", "profile", str(MISP)) == 2
    assert "nothing to convert" in capsys.readouterr().err


def test_the_installed_command_reads_stdin(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "infoshare"), "convert", "--from", "misp", "--to",
         "profile", "-", "--tlp", "green"],
        input=MISP.read_bytes(), capture_output=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["type"] == "bundle"
    assert b"converted misp" in result.stderr


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.builds(lambda b, n: MISP.read_bytes()[:n] + b, st.binary(max_size=8),
                  st.integers(0, 4000)),
    ),
    source=st.sampled_from(["misp", "disinfox", "profile"]),
)  # fmt: skip
def test_any_bytes_give_an_exit_code_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, source: str
) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(content)
    target = "navigator" if source == "profile" else "profile"
    code = run("--from", source, "--to", target, str(path), "-o", str(tmp_path / "out.json"))
    err = capsys.readouterr().err
    assert code in (0, 1, 3), err
    assert "Traceback" not in err and "internal error" not in err


OPENCTI = BRIDGES / "opencti" / "platform-export-election-case.json"
PROFILE = ROOT / "examples" / "02-election-bot-amplification.json"
SOURCES = {"opencti": OPENCTI, "misp": MISP, "disinfox": DISINFOX, "profile": PROFILE}


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (source, target)
        for source in ("opencti", "misp", "disinfox", "profile")
        for target in ("opencti", "misp", "profile", "navigator")
        if source != target
    ],
)
def test_every_direction_works_from_the_command_line(
    source: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each listed direction, the two-step ones through the profile included, writes a
    document of the target's kind and a report, given what the sources lack."""
    out = tmp_path / f"{source}-to-{target}.json"
    given = ("--tlp", "amber", "--author", "Fictional Office", "--title", "Test case")
    code = run("--from", source, "--to", target, str(SOURCES[source]), "-o", str(out), *given)
    report = capsys.readouterr().err
    assert code == 0, report
    written = load(out)
    if target in ("profile", "opencti"):
        assert written["type"] == "bundle" and written["objects"]
    elif target == "misp":
        event = written.get("Event", written)
        assert event["info"] and (event.get("Object") or event.get("Attribute"))
    else:
        assert written["domain"] == "DISARM" and written["techniques"]
    if target == "profile":
        assert errors(written) == []
