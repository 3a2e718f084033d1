# The two commands of README.md:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
FLASK   = $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install install-test translations translations-update db demo clean bench

## Install, migrate, load reference and demo data, serve on http://127.0.0.1:5000
run: install translations db demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	$(FLASK) run --host $(HOST) --port $(PORT)

## Run every test: unit, API, Gherkin acceptance, migrations, real browser
test: install-test translations
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto}

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

$(VENV)/.run-installed: requirements.txt
	scripts/system-deps.sh run
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt $(VENV)/.run-installed
	scripts/system-deps.sh test
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

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
	$(BIN)/python bench/bench_requirements.py
	$(BIN)/python bench/bench_verification.py

clean:
	rm -rf $(VENV) .pytest_cache
