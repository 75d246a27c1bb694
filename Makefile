# motcua: `make run` and `make test` are all a fresh Debian/Ubuntu machine with Python 3.11+ needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-offhours bench loadtest lint format system-deps system-deps-run deps migrate demo clean

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

# System packages: chromium (browser tests), tesseract-ocr-vie (OCR), pango + fonts (PDFs).
system-deps:
	@bash scripts/system-deps.sh test

system-deps-run:
	@bash scripts/system-deps.sh run

# The address QR codes and links carry: the one `make run` serves (scripts/public-url.sh), unless
# MOTCUA_PUBLIC_BASE_URL is set. The demo's signed results stamp it into their QR for good.
PUBLIC_URL_ENV := source scripts/public-url.sh $(HOST) $(PORT)

migrate: deps
	$(PUBLIC_URL_ENV) && $(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(PUBLIC_URL_ENV) && $(BIN)/python manage.py load_demo

run: deps system-deps-run demo
	@bash scripts/run.sh $(HOST) $(PORT)

# Tests write keys, queues and outbox files into a throwaway MOTCUA_VAR_DIR, never ./var.
test: deps system-deps
	MOTCUA_VAR_DIR=$$(mktemp -d /tmp/motcua-test.XXXXXX) \
	  $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadfile $(PYTEST_ARGS)

# The same suite with the app's clock started at 22:00 on a Sunday in Vietnam and ticking from
# there (MOTCUA_TEST_NOW, read by tests/conftest.py: django.utils.timezone.now is shifted inside
# each test process and pages in the browser start at the same moment; time.time and the
# monotonic clocks stay real, so libraries are not disturbed). A test that reads the wall clock
# instead of freezing it fails here whatever the hour of the real run. OFFHOURS_AT (ISO 8601
# with its offset) picks another moment, e.g. 2026-12-11T15:01:00+07:00 (a Friday just past the
# 15:00 reception cut-off) or 2027-02-08T09:00:00+07:00 (Tết 2027).
OFFHOURS_AT ?= 2026-12-06T22:00:00+07:00
test-offhours:
	MOTCUA_TEST_NOW=$(OFFHOURS_AT) $(MAKE) --no-print-directory test

bench: deps
	$(BIN)/python bench/run.py

# The province topology on this machine (PostgreSQL, Redis, 2 app hosts of gunicorn + uvicorn,
# 2 huey workers, HAProxy) under 400 users with think time, then kill -9 of a host and a worker
# (bench/loadtest/run.py; docs/benchmarks.md "Serving a province"). About 6 minutes.
# E.g. LOADTEST_ARGS="--users 30 --seconds 20" for a quick look.
loadtest: deps
	@bash scripts/system-deps.sh loadtest
	$(BIN)/python bench/loadtest/run.py $(LOADTEST_ARGS)

# mypy loads the settings (django-stubs): a throwaway MOTCUA_VAR_DIR, as for the tests.
lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MOTCUA_VAR_DIR=$$(mktemp -d /tmp/motcua-lint.XXXXXX) $(BIN)/mypy
	$(BIN)/deptry src

format: deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
