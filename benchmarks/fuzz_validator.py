"""Fuzz the validator: many mutated bundles, no exception, no internal error.

    python -m benchmarks.fuzz_validator --count 50000 --seed 1

Each case is a mutation of an example bundle or a conformance fixture
(benchmarks/fuzz_inputs.py): text cases go through the streaming reader
(``Validator.validate_bytes``), object cases through ``validate_objects``
(the node's ingest path), each in both modes. A case fails when validation
raises or reports an internal error (a check that raised). Failing cases are
written to benchmarks/.data/fuzz-failures/ with the seed and case number
(the bytes as .json, parsed objects as .objects.pickle, what failed as .txt),
and the exit code is 1. The same seed gives the same cases.

Spec: spec/profile/14-conformance.md sections 14.1 and 14.2.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.fuzz_inputs import Mutator, load_seeds
from infoshare.validation import ValidationOptions, ValidationReport, Validator

FAILURES = Path(__file__).resolve().parent / ".data" / "fuzz-failures"


def problem_of(
    validate: Callable[[Any], ValidationReport], case: bytes | list[Any]
) -> tuple[ValidationReport | None, str | None]:
    """Validate one case; return the report, and what went wrong if anything did."""
    try:
        report = validate(case)
    except Exception:
        return None, traceback.format_exc()
    internal = [f for f in report.findings if "internal error" in f.message]
    if report.internal_errors or internal:
        return report, "; ".join(f"{f.check_id} {f.json_path}: {f.message}" for f in internal)
    return report, None


def save_failure(seed: int, number: int, what: str, case: bytes | list[Any], problem: str) -> Path:
    FAILURES.mkdir(parents=True, exist_ok=True)
    stem = FAILURES / f"seed{seed}-case{number}"
    if isinstance(case, bytes):
        stem.with_suffix(".json").write_bytes(case)
    else:
        # pickle keeps what repr() cannot write out (integers of any length, NaN)
        stem.with_suffix(".objects.pickle").write_bytes(pickle.dumps(case))
    stem.with_suffix(".txt").write_text(f"{what}\n\n{problem}\n", "utf-8")
    return stem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=5000, help="cases to run (default 5000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--objects-share",
        type=float,
        default=0.25,
        help="share of cases given as parsed objects rather than text (default 0.25)",
    )
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    mutator = Mutator(rng, load_seeds())
    validators = [Validator(ValidationOptions(mode=mode)) for mode in ("profile", "stix")]
    findings: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    failures = 0
    validations = 0
    started = time.perf_counter()
    for number in range(args.count):
        case: bytes | list[Any]
        if rng.random() < args.objects_share:
            what, case = mutator.object_case()
            kinds["objects"] += 1
        else:
            what, case = mutator.text_case()
            kinds["text"] += 1
        for validator in validators:
            validations += 1
            if isinstance(case, bytes):
                report, problem = problem_of(validator.validate_bytes, case)
            else:
                report, problem = problem_of(validator.validate_objects, case)
            if report is not None:
                findings.update(f.check_id for f in report.findings)
            if problem is not None:
                failures += 1
                where = save_failure(args.seed, number, what, case, problem)
                print(f"FAIL case {number} ({what}): {problem.splitlines()[-1]} -> {where}")
        if (number + 1) % 1000 == 0:
            print(f"{number + 1} cases, {failures} failures", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    summary = {
        "cases": args.count,
        "seed": args.seed,
        "validations": validations,
        "failures": failures,
        "seconds": round(seconds, 1),
        "cases_by_kind": dict(kinds),
        "findings_by_check": dict(sorted(findings.items())),
    }
    print(json.dumps(summary, indent=2))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
