# The README's two commands:
#   make run    set everything up, start the dashboard at once (the starter snapshot on a first run),
#               and fetch the sources in the background when there is nothing fetched yet
#   make test   set everything up (Python packages, Debian's chromium) and run the whole test suite
#
# Everything lands in .venv/; nothing is installed system-wide except chromium (apt-get).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
APP_STAMP  := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test ingest status lint benchmarks chromium

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(APP_STAMP)

run: $(APP_STAMP)
	$(PY) -m dashboard

test: $(TEST_STAMP) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

ingest: $(APP_STAMP)
	$(PY) -m pipeline ingest

status: $(APP_STAMP)
	$(PY) -m pipeline status

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

benchmarks: $(TEST_STAMP)
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/dashboard.py
