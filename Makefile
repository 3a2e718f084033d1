# The two commands of README.md:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
FLASK   = $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

# `make lock` regenerates the lock files with this tool, pinned so that every developer's lock agrees
UV_VERSION = 0.13.8
UV = $(VENV)/uv-$(UV_VERSION)/bin/uv
PIP_INSTALL = $(BIN)/python -m pip install -q --disable-pip-version-check

.PHONY: run test test-pg install install-test translations translations-update db demo clean bench lock

## Install, migrate, load reference and demo data, serve on http://127.0.0.1:5000
run: install translations db demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## Run every test: unit, API, Gherkin acceptance, migrations, real browser
test: install-test translations
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto}

## The same suite on PostgreSQL: a throw-away cluster on a free loopback port (Debian's postgresql)
test-pg: install-test translations
	scripts/test-pg.sh

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

# The exact versions of requirements.lock, then the app itself (editable: the tree is the install)
$(VENV)/.run-installed: requirements.lock pyproject.toml
	scripts/system-deps.sh run
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.lock
	$(PIP_INSTALL) --no-deps -e .
	touch $@

$(VENV)/.test-installed: requirements-test.lock $(VENV)/.run-installed
	scripts/system-deps.sh test
	$(PIP_INSTALL) -r requirements-test.lock
	touch $@

## Regenerate requirements.lock and requirements-test.lock from pyproject.toml, keeping the versions
## already locked (`make lock UPGRADE="--upgrade"` or `--upgrade-package NAME` moves them)
lock: $(UV)
	$(UV) pip compile -q pyproject.toml --universal --python-version 3.11 $(UPGRADE) \
		--custom-compile-command "make lock" -o requirements.lock
	$(UV) pip compile -q pyproject.toml --extra test --universal --python-version 3.11 $(UPGRADE) \
		--custom-compile-command "make lock" -o requirements-test.lock

$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --target $(VENV)/uv-$(UV_VERSION) uv==$(UV_VERSION)

translations: install
	$(BIN)/pybabel compile -d app/translations --statistics

## Re-extract the English msgids and merge them into the zh_CN catalogue (then translate the new ones)
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k Msg -k N_ -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

db: install
	$(FLASK) db upgrade
	$(FLASK) seed-reference

demo: install
	$(FLASK) seed-demo

bench: install
	$(BIN)/python bench/bench_stats.py
	$(BIN)/python bench/bench_runs.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_history.py

clean:
	rm -rf $(VENV) .pytest_cache
