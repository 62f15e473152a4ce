"""docs/api.md is generated from the docstrings (infoshare/_apidoc.py) and kept current."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from infoshare import _apidoc


def test_docs_api_md_is_current() -> None:
    page = _apidoc.PAGE.read_text("utf-8")
    assert page == _apidoc.render(), (
        "docs/api.md is out of date: run `python -m infoshare._apidoc` and commit the result"
    )


def test_every_public_name_is_documented() -> None:
    page = _apidoc.render()
    for module_name in _apidoc.PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            assert f"`{module_name}.{name}" in page, f"{module_name}.{name}"
    assert "*(no docstring)*" not in page
    assert " at 0x" not in page


def test_the_page_does_not_depend_on_hash_seeds() -> None:
    script = "from infoshare._apidoc import render; import sys; sys.stdout.write(render())"
    pages = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(pages) == 1


def test_check_mode_reports_a_stale_page(tmp_path: Path) -> None:
    stale = tmp_path / "api.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert _apidoc.main(["--check", "--output", str(stale)]) == 1
    assert _apidoc.main(["--output", str(stale)]) == 0
    assert _apidoc.main(["--check", "--output", str(stale)]) == 0
    assert stale.read_text("utf-8") == _apidoc.render()
