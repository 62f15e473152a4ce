"""Run one validator on one file in this process and print a JSON line.

Called as a subprocess by benchmarks/validator.py so that each measurement
has its own process and its own peak resident memory (ru_maxrss).

    python -m benchmarks._measure infoshare|stix2-validator PATH MODE
"""

from __future__ import annotations

import json
import resource
import sys
import time


def run_infoshare(path: str, mode: str) -> dict[str, object]:
    from infoshare.validation import ValidationOptions, Validator

    start = time.perf_counter()
    validator = Validator(ValidationOptions(mode=mode))  # type: ignore[arg-type]
    report = validator.validate_path(path)
    seconds = time.perf_counter() - start
    return {
        "objects": report.objects_checked,
        "seconds": seconds,
        "errors": report.errors,
        "warnings": report.warnings,
        "first_findings": [f"{f.check_id} {f.json_path}: {f.message}" for f in report.findings[:3]],
    }


def run_stix2_validator(path: str, mode: str) -> dict[str, object]:
    from stix2validator import ValidationOptions, validate_file

    with open(path, encoding="utf-8") as handle:
        objects = len(json.load(handle).get("objects", []))
    start = time.perf_counter()
    result = validate_file(path, ValidationOptions(version="2.1"))
    seconds = time.perf_counter() - start
    errors = sum(len(r.errors) for r in result.object_results)
    return {"objects": objects, "seconds": seconds, "errors": errors, "warnings": None}


def main() -> None:
    tool, path, mode = sys.argv[1:4]
    runner = run_infoshare if tool == "infoshare" else run_stix2_validator
    result = runner(path, mode)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
