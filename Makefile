# The two set-up commands: `make demo` and `make test`. Both work on a fresh Debian machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

.PHONY: demo test install lint typecheck check bench emulator clean system-deps lock

## Exact versions (pip-compile's lock files), so a fresh clone installs what the figures were measured with;
## pyproject.toml keeps the ranges for `pip install`. `make lock` resolves them again after a range changed.
LOCK_RUNTIME := requirements/runtime.txt
LOCK_DEV := requirements/dev.txt
PIP_TOOLS := pip-tools==7.7.0

## The tool alone: all the demo needs.
$(RUNTIME): pyproject.toml $(LOCK_RUNTIME)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $(LOCK_RUNTIME)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(RUNTIME)

## The tool with what the tests, linters and benchmarks use.
$(STAMP): $(RUNTIME) $(LOCK_DEV)
	$(BIN)/pip install --quiet -r $(LOCK_DEV)
	touch $(STAMP)

lock: $(RUNTIME)
	$(BIN)/pip install --quiet "$(PIP_TOOLS)"
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o $(LOCK_RUNTIME) pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o $(LOCK_DEV) pyproject.toml

install: $(STAMP)

## The main job: an offline TikTok Ads account (the emulator), authorised and synced into ./tiktok_ads.duckdb.
demo: $(RUNTIME)
	$(BIN)/tiktok-ads-mart demo

## Everything the tests need (Chromium, a PostgreSQL server) is installed and started here.
system-deps:
	bash scripts/system-deps.sh

test: $(STAMP) system-deps
	bash scripts/run-tests.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

emulator: $(RUNTIME)
	$(BIN)/tiktok-ads-mart emulator serve

clean:
	rm -rf $(VENV) .tmp tiktok_ads.duckdb
