# The two commands: `make run` and `make test`. Both work on a fresh machine: they create .venv,
# install requirements.txt, and start an embedded PostgreSQL and Redis under var/ unless
# DATABASE_URL / REDIS_URL are set.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n 2

.PHONY: install run test lint format bench bench-ingest bench-api clean

install: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

run: install
	$(BIN)/python -m tracker.launcher run

test: install
	$(BIN)/python -m tracker.launcher exec -- $(BIN)/python -m pytest $(PYTEST_ARGS)

# Both benchmarks, one after the other (never in parallel: they would measure each other).
bench: install
	$(BIN)/python -m tracker.launcher exec -- $(BIN)/python -m bench.ingest
	$(BIN)/python -m tracker.launcher exec -- $(BIN)/python -m bench.api

bench-ingest: install
	$(BIN)/python -m tracker.launcher exec -- $(BIN)/python -m bench.ingest

bench-api: install
	$(BIN)/python -m tracker.launcher exec -- $(BIN)/python -m bench.api

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
