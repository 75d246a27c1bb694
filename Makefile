# motcua: `make run` and `make test` are all a fresh Debian/Ubuntu machine with Python 3.11+ needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-offhours bench lint format system-deps system-deps-run deps migrate demo clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "motcua needs Python 3.11+"'
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3-venv is missing; installing it"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }

$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

deps: $(STAMP)

# System packages: chromium (browser tests), faketime (test-offhours), tesseract-ocr-vie (OCR),
# pango + fonts (PDFs).
system-deps:
	@bash scripts/system-deps.sh test

system-deps-run:
	@bash scripts/system-deps.sh run

migrate: deps
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py load_demo

run: deps system-deps-run demo
	@bash scripts/run.sh $(HOST) $(PORT)

# Tests write keys, queues and outbox files into a throwaway MOTCUA_VAR_DIR, never ./var.
test: deps system-deps
	MOTCUA_VAR_DIR=$$(mktemp -d /tmp/motcua-test.XXXXXX) \
	  $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadfile $(PYTEST_ARGS)

# The same suite at 22:00 on a Sunday in Vietnam (15:00 UTC): a test that reads the wall clock
# instead of freezing it fails here whatever the hour of the real run. libfaketime starts the
# clock at that moment and lets it tick (`@`), one clock for every process (DONT_RESET); `@` is
# read in the zone of TZ, hence TZ=UTC (Django sets Asia/Ho_Chi_Minh again inside Python).
# Monotonic clocks stay real: Python's timed waits hang under a faked one. Known limits of
# libfaketime 0.9.10 here: time.sleep() then fails with EINVAL (tests that sleep or wait on a
# subprocess fail: espeak-ng, bench smoke, deploy check, DB-cache timeout) and every Playwright
# page load times out, so browser tests are left out. Read failures with that in mind.
OFFHOURS_AT ?= 2026-12-06 15:00:00
test-offhours: deps system-deps
	TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1 \
	  faketime -m -f "@$(OFFHOURS_AT)" \
	  $(MAKE) --no-print-directory test PYTEST_ARGS='-m "not browser" $(PYTEST_ARGS)'

bench: deps
	$(BIN)/python bench/run.py

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
