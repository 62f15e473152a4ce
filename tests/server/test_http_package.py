"""The node's TAXII HTTP plumbing (``infoshare_server.http``) is a leaf package.

It may import the standard library, Flask, Werkzeug, medallion and the
``infoshare`` library, but nothing of the node outside itself: the access
rules, storage, configuration and backend all import it, so one import of
theirs from it would make a cycle again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import infoshare_server.http

PACKAGE = Path(infoshare_server.http.__file__).parent


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import; use absolute imports"
            assert node.module is not None
            names.append(node.module)
    return names


def test_the_package_has_modules() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} >= {
        "__init__.py",
        "media.py",
        "errors.py",
        "protocol.py",
        "body.py",
        "rawjson.py",
    }


def test_http_imports_nothing_of_the_node_outside_itself() -> None:
    outside = {
        f"{path.name}: {name}"
        for path in sorted(PACKAGE.glob("*.py"))
        for name in _imported_modules(path)
        if name.split(".")[0] == "infoshare_server" and not name.startswith("infoshare_server.http")
    }
    assert outside == set()


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    """The check would catch a late import hidden in a function, as the old cycle was."""
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from infoshare_server.access import current_partner\n")
    assert _imported_modules(module) == ["infoshare_server.access"]
