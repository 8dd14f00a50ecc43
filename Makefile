# Two commands: `make run` (set up, seed, serve on the embedded PostgreSQL) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint typecheck contracts unit memory integration e2e reliability mutants mutants-results clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/yagona seed
	$(BIN)/yagona serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# The whole suite, the long reliability tests included (CI runs this), on two workers: each
# test module stays on one worker (tests/conftest.py groups them), the load tests together.
test: lint typecheck contracts
	$(BIN)/pytest --long -n 2 --dist loadgroup

unit: $(STAMP)
	$(BIN)/pytest tests/unit

# HTTP tests of routing, validation and authorization on the in-memory bootstrap (no database).
memory: $(STAMP)
	$(BIN)/pytest tests/memory

integration: $(STAMP)
	$(BIN)/pytest tests/integration

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

# The reliability suite alone, the long tests included (crashes and restarts under load).
reliability: $(STAMP)
	$(BIN)/pytest tests/reliability --long

# Mutation testing of domain/ and application's policies against the unit tests (no PostgreSQL;
# docs/testing.md). One child, lowest priority: it is long and the machine is shared. Results
# are kept in mutants/ and reused: a second run tests only mutants of changed code.
MUTMUT_CHILDREN ?= 1
mutants: $(STAMP)
	nice -n 19 $(BIN)/mutmut run --max-children $(MUTMUT_CHILDREN) > mutants.log 2>&1 || \
		{ echo "mutmut failed: see mutants.log"; exit 1; }
	@$(MAKE) --no-print-directory mutants-results

# Counts by status, then the survivors' names (`.venv/bin/mutmut show NAME` shows a diff).
mutants-results: $(STAMP)
	@$(BIN)/mutmut export-cicd-stats > /dev/null && cat mutants/mutmut-cicd-stats.json && echo
	@$(BIN)/mutmut results | grep -v ': killed$$' || true

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache mutants mutants*.log
