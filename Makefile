# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-pg e2e bench audit install install-dev translations messages lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run translations
install-dev: $(VENV)/.installed-dev translations

translations: | $(BIN)/python
	$(BIN)/pybabel -q compile -d translations

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/pytest -n auto -q

# Same suite on PostgreSQL: TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test make test-pg
test-pg: install-dev
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1/test} $(BIN)/pytest -n auto -q

# Real-browser journeys: needs Debian's chromium (/usr/bin/chromium); each journey's last page is
# saved as PNG in the directory E2E_ARTEFACTS names (default tests/e2e/artefacts/).
e2e: install-dev
	$(BIN)/pytest -m e2e -q tests/e2e

# Programme-scale benchmark (not run by CI): seeds --scale 40, serves with gunicorn, prints a table.
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract new UI strings and merge them into the French catalogue.
messages: install-dev
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Known vulnerabilities with a fixed release in the installed dependencies (pip-audit, its own venv).
audit: install-dev
	test -x .venv-audit/bin/pip-audit || ($(PYTHON) -m venv .venv-audit && .venv-audit/bin/pip install --quiet -r .ci/requirements-audit.txt)
	$(BIN)/python .ci/audit.py
