"""What `infoshare validate` imports: nothing of the node, the models or other heavy packages.

pre-commit and CI start the validator once per file, so its start-up time
matters (measured in benchmarks/validator.py, never here). This test keeps the
structural part of it: a one-object validation must not import the TAXII node
(loaded through plug-in entry points only when its own commands run), the
pydantic models, stix2, jsonschema or the entry-point machinery.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_IMPORTED_AFTER_VALIDATE = """
import sys
from infoshare.cli.main import main
code = main(["validate", "--no-progress", sys.argv[1]])
print(sorted(sys.modules))
sys.exit(code)
"""

#: Top-level packages (or exact modules) a validation run must not load.
NOT_NEEDED = (
    "infoshare_server",
    "sqlalchemy",
    "medallion",
    "flask",
    "taxii2client",
    "pydantic",
    "stix2",
    "jsonschema",
    "importlib.metadata",
    "infoshare.models",
)


def test_validate_imports_only_what_validation_needs(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--5d0092c5-5f74-4e3b-8c4f-1a2b3c4d5e6f",
                "objects": [{"type": "identity", "spec_version": "2.1", "name": "Fictional"}],
            }
        )
    )
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTED_AFTER_VALIDATE, str(case)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # findings, no crash
    modules = set(json.loads(done.stdout.splitlines()[-1].replace("'", '"')))
    assert "infoshare.validation" in modules
    loaded = sorted(
        name
        for name in modules
        for heavy in NOT_NEEDED
        if name == heavy or name.startswith(heavy + ".")
    )
    assert loaded == []
