#!/usr/bin/env python3
"""Rebuild spec/conformance/index.json from the fixture folders.

Each folder spec/conformance/<level>/<CHECK-ID>/ holds fixtures named
fail-NN-<defect>.json (NN 01-09: the check must fail) and pass-NN-<what>.json
(NN 11-19: no finding at all). A file mode.txt containing "stix" makes the
folder's fixtures run in plain STIX 2.1 mode. Run from anywhere:

    python spec/conformance/build_index.py          # rewrite index.json
    python spec/conformance/build_index.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LEVELS = ("mandatory", "recommended", "informative")
FIXTURE = re.compile(r"^(fail|pass)-(\d{2})-[a-z0-9][a-z0-9-]*\.json$")


def build() -> dict[str, object]:
    catalogue = json.loads((HERE.parent / "checks.json").read_text("utf-8"))
    fixtures: list[dict[str, object]] = []
    problems: list[str] = []
    for level in LEVELS:
        for folder in sorted((HERE / level).glob("IS-*")):
            check_id = folder.name
            mode_file = folder / "mode.txt"
            mode = mode_file.read_text("utf-8").strip() if mode_file.exists() else "profile"
            for path in sorted(folder.glob("*.json")):
                match = FIXTURE.match(path.name)
                if not match:
                    problems.append(f"{path.relative_to(HERE)}: name must be fail-0N-… or pass-1N-…")
                    continue
                kind, number = match[1], int(match[2])
                if (kind == "fail") != (number < 10):
                    problems.append(f"{path.relative_to(HERE)}: fail fixtures are 01-09, pass 11-19")
                fixtures.append(
                    {
                        "path": path.relative_to(HERE).as_posix(),
                        "check_id": check_id,
                        "level": level,
                        "mode": mode,
                        "verdict": kind,
                        "expected_check_ids": [check_id] if kind == "fail" else [],
                    }
                )
    if problems:
        raise SystemExit("\n".join(problems))
    return {
        "$schema": "../schemas/meta/conformance-index.schema.json",
        "profile_version": catalogue["profile_version"],
        "fixtures": fixtures,
    }


def main(argv: list[str]) -> int:
    text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
    target = HERE / "index.json"
    if "--check" in argv:
        if not target.exists() or target.read_text("utf-8") != text:
            print("spec/conformance/index.json is stale: run spec/conformance/build_index.py")
            return 1
        return 0
    target.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
