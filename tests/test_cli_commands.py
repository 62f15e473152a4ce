"""Subcommands from other packages: discovered through entry points, explained when missing."""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import pytest

from infoshare.cli import _commands
from infoshare.cli.main import main


def test_node_commands_explain_how_to_install_the_node(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_commands, "entry_points", lambda group: [])
    assert main(["serve", "--config", "node.toml"]) == 2
    err = capsys.readouterr().err
    assert "part of the TAXII node, which is not installed" in err
    assert "pip install 'infoshare[server]'" in err


def test_a_broken_plugin_does_not_break_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode() -> None:
        raise ImportError("no module named medallion")

    broken = SimpleNamespace(name="serve", load=explode)
    monkeypatch.setattr(_commands, "entry_points", lambda group: [broken])
    parser = argparse.ArgumentParser()
    _commands.register_installed(parser.add_subparsers())
    assert "cannot load the 'serve' command" in capsys.readouterr().err
    assert main(["validate", "--list-checks"]) == 0


def test_installed_node_commands_are_found() -> None:
    names = {entry.name for entry in _commands.entry_points(group=_commands.GROUP)}
    assert {"serve", "node"} <= names
