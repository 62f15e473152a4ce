"""Coverage-guided fuzzing of the validator with atheris (libFuzzer).

    .venv/bin/pip install atheris                      # not a project dependency
    .venv/bin/python -m benchmarks.atheris_validator --corpus benchmarks/.data/corpus
    .venv/bin/python -m benchmarks.atheris_validator benchmarks/.data/corpus \\
        -atheris_runs=200000 -max_len=65536

The first form fills a corpus folder with the example bundles and the
conformance fixtures (benchmarks/fuzz_inputs.py); the second runs libFuzzer
on it (any libFuzzer option may follow). Each input is validated as bytes in
both modes; an exception or an internal error of a check is a crash, which
libFuzzer saves as ``crash-…`` in the working directory. Complements
benchmarks/fuzz_validator.py, whose mutations know the STIX structure;
libFuzzer instead follows the code's branches.

Spec: spec/profile/14-conformance.md sections 14.1 and 14.2.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def write_corpus(folder: Path) -> int:
    from benchmarks.fuzz_inputs import load_seeds

    folder.mkdir(parents=True, exist_ok=True)
    seeds = load_seeds()
    for seed in seeds:
        (folder / hashlib.sha256(seed.text).hexdigest()[:16]).write_bytes(seed.text)
    return len(seeds)


def main() -> None:
    if sys.argv[1:2] == ["--corpus"]:
        count = write_corpus(Path(sys.argv[2]))
        print(f"wrote {count} seed inputs to {sys.argv[2]}")
        return

    import atheris  # type: ignore[import-not-found]

    with atheris.instrument_imports():
        from infoshare.validation import ValidationOptions, Validator

        # The checks are imported when the first Validator is made: inside, so
        # that they are instrumented too.
        validators = [Validator(ValidationOptions(mode=mode)) for mode in ("profile", "stix")]

    def validate_one(data: bytes) -> None:
        for validator in validators:
            report = validator.validate_bytes(data)
            if report.internal_errors:
                internal = [f.message for f in report.findings if "internal error" in f.message]
                raise AssertionError(f"internal error: {internal}")

    atheris.Setup(sys.argv, validate_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
