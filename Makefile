# infoshare — the two commands of the README, and their parts.
# Everything runs inside .venv, created from the machine's python3.11.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: no python3.11 found; run make PYTHON=/path/to/python3.11"; exit 2; }
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || { echo "error: $(PYTHON) is older than Python 3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,server]'
	@touch $(STAMP)

## The main job: validate the example cases and print a readable report.
run: $(STAMP)
	$(BIN)/infoshare validate examples/

## The whole test suite: lint, type check, tests.
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check infoshare tests benchmarks examples
	$(BIN)/ruff format --check infoshare tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,server,bench]'
	$(BIN)/python -m benchmarks.validator

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
