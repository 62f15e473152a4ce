# infoshare — the two commands of the README, and their parts.
# Everything runs inside .venv, created from the machine's python3.11.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run validate test browsers lint typecheck unit bench bench-node clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: no python3.11 found; run make PYTHON=/path/to/python3.11"; exit 2; }
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || { echo "error: $(PYTHON) is older than Python 3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,server]'
	@touch $(STAMP)

## The main job: start a demo TAXII 2.1 node on SQLite (data in .demo/) with the
## example cases loaded, print its discovery URL and credentials, serve until Ctrl-C.
run: $(STAMP)
	$(BIN)/infoshare node demo --data-dir .demo --examples examples

## Validate the example cases and print a readable report.
validate: $(STAMP)
	$(BIN)/infoshare validate examples/

## The whole test suite: lint, type check (library and node), tests.
test: $(STAMP) browsers lint typecheck unit

## Chromium and its driver, and fonts for the scripts the example cases and the case
## viewer's languages use (Japanese, Korean, Thai), so pages and screenshots show text.
BROWSER_PACKAGES = chromium chromium-driver fonts-ipafont-gothic fonts-nanum fonts-thai-tlwg

## The real-browser tests drive Debian's Chromium and ChromeDriver. Installed here when
## missing and run as root; otherwise say how (the tests then skip, and fail in CI).
browsers:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
	  apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null; }; \
	else \
	  echo "note: no Chromium; the browser tests will be skipped (they fail in CI)."; \
	  echo "      Install them with: sudo apt-get install chromium chromium-driver"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check infoshare server tests benchmarks examples
	$(BIN)/ruff format --check infoshare server tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,server,bench]'
	$(BIN)/python -m benchmarks.validator

## The TAXII node over HTTP (SQLite, PostgreSQL on 127.0.0.1:5432) against medallion's
## memory backend; see docs/benchmarks.md. Quick run: python -m benchmarks.node --skip-large
bench-node: $(STAMP)
	$(BIN)/python -m benchmarks.node

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .demo
