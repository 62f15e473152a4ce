"""Run one validator on one file in this process and print a JSON line.

Called as a subprocess by benchmarks/validator.py so that each measurement
has its own process and its own peak resident memory (ru_maxrss).

    python -m benchmarks._measure infoshare|stix2-validator PATH MODE [RUNS]

Each run is timed twice: wall-clock seconds and CPU seconds of this process.
Both validators are single-threaded, so on a quiet machine the two agree; on
a shared machine the CPU time is the figure that does not depend on what
else runs. With RUNS > 1 the first run is reported as ``cold`` (it includes
one-time set-up such as compiling schemas) and the fastest later run as
``warm``; the top-level figures are the warm ones when there are any.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable


def infoshare_runner(path: str, mode: str) -> Callable[[], dict[str, object]]:
    from infoshare.validation import ValidationOptions, Validator

    def run() -> dict[str, object]:
        validator = Validator(ValidationOptions(mode=mode))  # type: ignore[arg-type]
        report = validator.validate_path(path)
        return {
            "objects": report.objects_checked,
            "errors": report.errors,
            "warnings": report.warnings,
            "first_findings": [
                f"{f.check_id} {f.json_path}: {f.message}" for f in report.findings[:3]
            ],
        }

    return run


def stix2_validator_runner(path: str, mode: str) -> Callable[[], dict[str, object]]:
    from stix2validator import ValidationOptions, validate_file

    with open(path, encoding="utf-8") as handle:
        objects = len(json.load(handle).get("objects", []))

    def run() -> dict[str, object]:
        result = validate_file(path, ValidationOptions(version="2.1"))
        errors = sum(len(r.errors) for r in result.object_results)
        return {"objects": objects, "errors": errors, "warnings": None}

    return run


def timed(run: Callable[[], dict[str, object]]) -> dict[str, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    result["seconds"] = time.perf_counter() - wall
    result["cpu_seconds"] = time.process_time() - cpu
    return result


def main() -> None:
    tool, path, mode = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    make = infoshare_runner if tool == "infoshare" else stix2_validator_runner
    run = make(path, mode)
    cold = timed(run)
    result = dict(cold)
    if runs > 1:
        warm = min((timed(run) for _ in range(runs - 1)), key=lambda r: float(r["cpu_seconds"]))  # type: ignore[arg-type]
        result = dict(warm)
        result["cold"] = {k: cold[k] for k in ("seconds", "cpu_seconds")}
    result["runs"] = runs
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
