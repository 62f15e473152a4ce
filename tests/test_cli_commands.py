"""Subcommands from other packages: discovered through entry points, imported only when run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from infoshare.cli import _commands
from infoshare.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


class _Entry:
    """An entry point whose module cannot be imported; counts the attempts."""

    def __init__(self, name: str, error: Exception) -> None:
        self.name = name
        self.error = error
        self.loads = 0

    def load(self) -> object:
        self.loads += 1
        raise self.error


def test_node_commands_explain_how_to_install_the_node(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_commands, "entry_points", lambda group: [])
    assert main(["serve", "--config", "node.toml"]) == 2
    err = capsys.readouterr().err
    assert "part of the TAXII node, which is not installed" in err
    assert "pip install 'infoshare[server]'" in err


def test_validate_neither_looks_up_nor_imports_plugins(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _Entry("audit", ModuleNotFoundError("No module named 'sqlalchemy'"))
    lookups: list[str] = []

    def installed(group: str) -> list[_Entry]:
        lookups.append(group)
        return [broken]

    monkeypatch.setattr(_commands, "entry_points", installed)
    assert main(["validate", "--list-checks"]) == 0
    assert capsys.readouterr().err == ""
    assert lookups == [] and broken.loads == 0


def test_a_node_without_its_dependencies_explains_itself_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = _Entry("audit", ModuleNotFoundError("No module named 'sqlalchemy'"))
    serve = _Entry("serve", ModuleNotFoundError("No module named 'medallion'"))
    monkeypatch.setattr(_commands, "entry_points", lambda group: [audit, serve])
    assert main(["audit", "export", "--help"]) == 2
    err = capsys.readouterr().err
    assert (
        "`infoshare audit` is part of the TAXII node, whose dependencies are not installed" in err
    )
    assert "No module named 'sqlalchemy'" in err and "pip install 'infoshare[server]'" in err
    assert (audit.loads, serve.loads) == (1, 0)


def test_a_broken_plugin_is_reported_with_its_error_when_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = _Entry("lint", RuntimeError("plug-in bug"))
    entry.dist = SimpleNamespace(name="infoshare-lint")  # type: ignore[attr-defined]
    monkeypatch.setattr(_commands, "entry_points", lambda group: [entry])
    assert main(["lint"]) == 2
    err = capsys.readouterr().err
    assert "cannot load the `infoshare lint` command (RuntimeError: plug-in bug)" in err
    assert "provided by infoshare-lint" in err


def test_top_level_help_lists_plugins_without_importing_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = _Entry("audit", ModuleNotFoundError("No module named 'sqlalchemy'"))
    monkeypatch.setattr(_commands, "entry_points", lambda group: [audit])
    assert main(["--help"]) == 0
    out = capsys.readouterr()
    assert "audit" in out.out and "query and export a node's audit trail" in out.out
    assert "serve" in out.out and "needs the server extra" in out.out  # not installed at all
    assert out.err == "" and audit.loads == 0


def test_installed_node_commands_are_found() -> None:
    names = {entry.name for entry in _commands.entry_points(group=_commands.GROUP)}
    assert {"serve", "node"} <= names


#: Runs the real CLI, with its real entry points, where the node's dependencies
#: cannot be imported: what a validator-only install (no server extra) sees.
_WITHOUT_NODE_DEPENDENCIES = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class NotInstalled(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("sqlalchemy", "medallion", "flask", "taxii2client"):
                raise ModuleNotFoundError(f"No module named {name!r}")
            return None

    sys.meta_path.insert(0, NotInstalled())
    from infoshare.cli.main import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _run_without_node(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_NODE_DEPENDENCIES, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_validator_only_install_prints_nothing_extra(tmp_path: Path) -> None:
    bundle = tmp_path / "case.json"
    bundle.write_text(
        '{"type": "bundle", "id": "bundle--5d0092c5-5f74-4e3b-8c4f-1a2b3c4d5e6f", "objects": ['
        '{"type": "identity", "spec_version": "2.1",'
        ' "id": "identity--311b2d2d-f010-4473-83ec-1edf84858f4c",'
        ' "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",'
        ' "name": "Fictional Org", "identity_class": "organization"}]}'
    )
    done = _run_without_node("validate", "--mode", "stix", "--no-progress", str(bundle))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    audit = _run_without_node("audit", "export")
    assert audit.returncode == 2
    assert "whose dependencies are not installed" in audit.stderr
    assert "pip install 'infoshare[server]'" in audit.stderr
    assert "Traceback" not in audit.stderr
