# Whistle: the one entry point for people and CI. `make run` and `make test` do their own set-up.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# This machine's pip configuration names local mirror folders that may not exist; that warning is noise.
PIPQUIET := grep -v "is ignored: it is neither a file nor a directory" || true
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := libs/contracts libs/servicekit services/intake services/router services/notifier services/reports
STAMP := $(VENV)/.installed
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: help install broker browser run demo test test-fast lint typecheck schemas bench faults clean

help:
	@echo "make run      start the four services, load the demo district and requests, keep serving (Ctrl-C stops)"
	@echo "make demo     the same, exiting after the summary"
	@echo "make test     the whole test suite (unit, integration, end to end, browser) against the real RabbitMQ"
	@echo "make install  create .venv and install the pinned dependencies and the workspace packages"
	@echo "make lint     ruff and mypy;  make schemas: regenerate the committed JSON Schemas"
	@echo "make bench    benchmarks (writes bench/results/latest.json);  make faults: fault-injection runs"

$(STAMP): requirements.lock $(PYPROJECTS)
	@echo "setup: creating the virtual environment in $(VENV) and installing pinned dependencies (first time: a few minutes) ..."
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | { $(PIPQUIET); }
	@for p in $(PACKAGES); do $(BIN)/python -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e $$p 2>&1 \
		| { grep -v -E "is ignored: it is neither|BetaConfiguration|warnings.warn" || true; }; done
	@$(BIN)/python -c "import contracts, servicekit, intake, router, notifier, reports" \
		|| { echo "setup: the workspace packages did not install" >&2; exit 1; }
	@touch $(STAMP)
	@echo "setup: done ($(BIN)/python)"

install: $(STAMP)

broker:
	@scripts/ensure_rabbitmq.sh

browser:
	@scripts/ensure_browser.sh

run: install broker
	@$(BIN)/python deploy/local/run.py --serve

demo: install broker
	@$(BIN)/python deploy/local/run.py

test: install broker browser deploy-tools
	@echo "test: running the whole suite (unit, integration, end to end, browser) ..."
	@$(BIN)/ruff check --quiet . || { echo "test: ruff found problems (see above)" >&2; exit 1; }
	@$(BIN)/python -m contracts.schema --check
	@$(BIN)/pytest -q libs services tests

test-fast: install
	@$(BIN)/pytest -q libs services -m "not rabbitmq and not e2e and not browser"

lint: install
	@$(BIN)/ruff check .
	@$(BIN)/mypy libs/contracts/src libs/servicekit/src

schemas: install
	@$(BIN)/python -m contracts.schema && echo "schemas: written to libs/contracts/schemas"

clean:
	rm -rf var tests/output

-include Makefile.deploy
-include Makefile.faults
-include Makefile.bench
