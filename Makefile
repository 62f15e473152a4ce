# infoshare — the two commands of the README, and their parts.
# Everything runs inside .venv, created from the machine's python3.11.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SITE       := build/spec-site
SITE_STAMP := $(SITE)/build-info.json
SPEC_FILES := $(shell find spec -type f -not -name '*.pyc' -not -path '*/__pycache__/*' 2>/dev/null)

# The bridges extra (infoshare convert --from/--to misp). misp-stix caps pycountry
# below 25, while the dev extra pins pycountry 26 (the country and language tables
# are derived with it); misp-stix only calls countries.lookup, unchanged since. So
# the development venv installs misp-stix without its pycountry cap: its other
# requirements first (as its wheel lists them), then misp-stix itself. A user's
# `pip install 'infoshare[bridges]'` (without dev) resolves normally.
MISP_STIX      := misp-stix==2026.10.12
MISP_STIX_DEPS := 'pymisp>=2.5.34.1,<3' 'stix2>=3.0.2,<4' 'stix>=1.2.0.11,<2' 'stix-edh==1.0.3' \
                  'cybox>=2.1.0.21,<3' 'maec>=4.1.0.17,<5' 'mixbox>=1.0.5,<2' 'setuptools>=83'

.PHONY: run spec-site validate test browsers lint typecheck unit bench bench-node clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: no python3.11 found; run make PYTHON=/path/to/python3.11"; exit 2; }
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || { echo "error: $(PYTHON) is older than Python 3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,server,site]'
	$(BIN)/python -m pip install --quiet $(MISP_STIX_DEPS)
	$(BIN)/python -m pip install --quiet --no-deps $(MISP_STIX)
	@touch $(STAMP)

## The main job: start a demo TAXII 2.1 node on SQLite (data in .demo/) with the
## example cases loaded, print its discovery URL and credentials, serve until Ctrl-C.
run: $(STAMP) $(SITE_STAMP)
	$(BIN)/infoshare node demo --data-dir .demo --examples examples --spec-site $(SITE)

## The published site of the profile (HTML, the whole profile as a PDF, the two-page
## brief) in build/spec-site/; the node serves it at /spec/. Needs Debian's Chromium
## for the PDFs.
spec-site: $(STAMP) | browsers
	$(BIN)/infoshare spec-site build --out $(SITE)

## For `make run`: rebuilt only when a file of spec/ changed since the last build. A
## failed build does not stop the demo; its /spec/ page then says how to build the site.
$(SITE_STAMP): $(STAMP) $(SPEC_FILES) | browsers
	@$(BIN)/infoshare spec-site build --out $(SITE) || \
	  echo "note: the profile site was not built (see above); the demo node says so at /spec/"

## Validate the example cases and print a readable report.
validate: $(STAMP)
	$(BIN)/infoshare validate examples/

## The whole test suite: lint, type check (library and node), tests.
test: $(STAMP) browsers lint typecheck unit

## Chromium and its driver, and fonts for the scripts the example cases and the case
## viewer's languages use (Japanese, Korean, Thai), so pages and screenshots show text.
BROWSER_PACKAGES = chromium chromium-driver fonts-ipafont-gothic fonts-nanum fonts-thai-tlwg

## The real-browser tests and the profile's PDFs use Debian's Chromium (and ChromeDriver).
## Installed here when missing and run as root; otherwise say how (the tests then skip, and fail in CI).
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
