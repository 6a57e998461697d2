# Soko: `make run` to try it, `make test` to test it. Everything lives in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench clean

# Everything: what production runs (requirements.txt) and the test, lint, browser and bench tools.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m gateway.dev

# Unit and integration tiers (embedded Valkey and SQLite unless REDIS_URL / DATABASE_URL are set).
test: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadfile

# The unit tier alone: seconds, no Redis, no database.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not integration"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench

# Faults under steady buyers, counted (chaos/): not part of `make test`. Uses this machine's
# PostgreSQL and Redis (CHAOS_DATABASE_URL, CHAOS_REDIS_URL; see chaos/__main__.py), redis-server and nginx.
.PHONY: chaos
chaos: $(STAMP)
	$(BIN)/python -m chaos

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis .ruff_cache

# Who imports whom between the top-level packages; CI runs it with --check (tools/import_graph.py).
.PHONY: graph
graph:
	$(PYTHON) tools/import_graph.py
