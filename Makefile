# One-command set-up: `make run` opens the sample project, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE_TOML := sample_project/support-assistant.toml
SAMPLE := sample_project/support-assistant.sqlite

.PHONY: run install sample status test lint typecheck pytest snapshots bench browser pdf-tools clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

SAMPLE_RUNS := sample_project/results-v2.csv sample_project/results-v3.csv

$(SAMPLE): $(SAMPLE_TOML) $(SAMPLE_RUNS) | $(STAMP)
	@rm -f $(SAMPLE)
	$(BIN)/workbench new $(SAMPLE) --from $(SAMPLE_TOML) --by sample
	$(BIN)/workbench import-results $(SAMPLE) sample_project/results-v2.csv --label "v2 prompt (6 Nov)" --by "Dev Patel"
	$(BIN)/workbench import-results $(SAMPLE) sample_project/results-v3.csv --label "v3 prompt (20 Nov)" --by "Dev Patel"

sample: $(SAMPLE)

run: $(STAMP) $(SAMPLE)
	$(BIN)/workbench open $(SAMPLE)

status: $(STAMP) $(SAMPLE)
	$(BIN)/workbench status $(SAMPLE)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports  # the layers: [tool.importlinter] in pyproject.toml

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

# (bytecode compiled first, as an installed package has it, even where
# PYTHONDONTWRITEBYTECODE is set: otherwise every process compiles the sources)
bench: $(STAMP)
	$(BIN)/python -m compileall -q workbench benchmarks
	$(BIN)/python benchmarks/bench.py

# tests/test_report_security.py opens the HTML report in a real headless Chromium
# (Debian's chromium package). Installing it needs root, so `make test` does not do it:
# without Chromium those tests are skipped and the summary says so (under CI they fail).
browser:
	command -v chromium >/dev/null || { apt-get update && apt-get install -y --no-install-recommends chromium; }

# tests/test_report_pdf.py reads the PDF report with poppler-utils (pdftotext, pdftoppm),
# skipped where missing (under CI they fail), like the browser tests.
pdf-tools:
	command -v pdftoppm >/dev/null || { apt-get update && apt-get install -y --no-install-recommends poppler-utils; }

snapshots: $(STAMP)
	$(BIN)/pytest -q tests/ui --snapshot-update

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis $(SAMPLE)
