"""Bounded fuzz of the library and the command line (spec §14.1, §14.2).

Hostile inputs made from the examples and the conformance fixtures
(benchmarks/fuzz_inputs.py) must give findings, never an exception and never
an internal error; the command must exit 0 or 1, never 4, and print no
traceback. The longer run is ``python -m benchmarks.fuzz_validator``
(docs/benchmarks.md).
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import infoshare
from benchmarks.fuzz_inputs import Mutator, Seed, load_seeds, weird_values
from infoshare.validation import ValidationOptions, ValidationReport, Validator

SEEDS: list[Seed] = load_seeds()
VALIDATORS = {mode: Validator(ValidationOptions(mode=mode)) for mode in ("profile", "stix")}
INFOSHARE = Path(sys.executable).parent / "infoshare"
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_no_internal_error(report: ValidationReport, what: str) -> None:
    internal = [f for f in report.findings if "internal error" in f.message]
    assert report.internal_errors == 0 and not internal, f"{what}: {internal}"


def test_the_seeds_are_the_examples_and_the_fixtures() -> None:
    names = [seed.name for seed in SEEDS]
    assert any(n.startswith("examples/") for n in names)
    assert sum(n.startswith("spec/conformance/") for n in names) > 50


@FUZZ
@given(
    rng=st.randoms(use_true_random=False),
    mode=st.sampled_from(sorted(VALIDATORS)),
    as_text=st.booleans(),
)
def test_mutated_inputs_give_findings_never_an_error(
    rng: random.Random, mode: str, as_text: bool
) -> None:
    """Text goes through the streaming reader, parsed objects through
    validate_objects (the node's ingest path)."""
    mutator, validator = Mutator(rng, SEEDS), VALIDATORS[mode]
    if as_text:
        what, data = mutator.text_case()
        report = validator.validate_bytes(data)
    else:
        what, objects = mutator.object_case()
        report = validator.validate_objects(objects)
    assert_no_internal_error(report, what)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_value_at_any_property_of_an_example(data: st.DataObject) -> None:
    """Wrong types and extreme numbers put straight at a property of a real object."""
    seed = data.draw(st.sampled_from([s for s in SEEDS if s.name.startswith("examples/")]))
    objects: list[dict[str, Any]] = [dict(o) for o in seed.document["objects"]]
    target = data.draw(st.sampled_from(objects))
    names = sorted({key for obj in objects for key in obj} | {"confidence", "extension_type"})
    name = data.draw(st.sampled_from(names))
    extreme = st.sampled_from(weird_values(random.Random(0), json_only=False))
    target[name] = data.draw(
        extreme
        | st.integers()
        | st.floats()
        | st.recursive(st.integers() | st.text(max_size=5), st.lists, max_leaves=5)
    )
    for validator in VALIDATORS.values():
        assert_no_internal_error(validator.validate_objects(objects), f"{name}={target[name]!r}")


@settings(max_examples=15, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_the_public_validate_function_on_mutated_bytes(rng: random.Random) -> None:
    what, data = Mutator(rng, SEEDS).text_case()
    assert_no_internal_error(infoshare.validate(data), what)


@pytest.mark.parametrize("mode", ["profile", "stix"])
def test_the_command_exits_0_or_1_on_mutated_files(tmp_path: Path, mode: str) -> None:
    mutator = Mutator(random.Random(f"cli-{mode}"), SEEDS)
    for number in range(12):
        _, data = mutator.text_case()
        (tmp_path / f"case-{number:02}.json").write_bytes(data)
    done = subprocess.run(
        [str(INFOSHARE), "validate", "--no-progress", "--mode", mode, "--quiet", str(tmp_path)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
