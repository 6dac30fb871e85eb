# Pnyx — two entry points: `make demo` and `make test`. Both set themselves up.
SHELL := /bin/bash
PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
# Django 6 needs Python >= 3.12: take the first one found on PATH or in pyenv's versions.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.1[23] /usr/bin/python3.1[23]; do \
	if [ -x "$$(command -v $$p 2>/dev/null)" ] && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$p; break; fi; done)

.PHONY: demo test lint install clean-demo messages bench-peers serve

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Pnyx needs Python 3.12 or newer (Django 6); none found." >&2; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

demo: install
	$(PY) -m pnyx.cli migrate --noinput
	$(PY) -m pnyx.cli demo
	$(PY) -m pnyx.cli runserver 127.0.0.1:$(PORT)

# The production server (gunicorn): PNYX_SERVER=wsgi|asgi, PORT, PNYX_BIND, PNYX_WORKERS,
# PNYX_TIMEOUT... from the environment (see README, Configuration); migrates first.
serve: install
	$(PY) -m pnyx.cli migrate --noinput
	PORT=$(PORT) $(PY) -m pnyx.cli serve

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

clean-demo:
	rm -f var/demo.sqlite3*

# Translations: each app keeps its own catalogue in <app>/locale; the project's templates and
# settings are in src/pnyx/locale. French is the default language; msgids are English.
APPS_WITH_MESSAGES := core journal members programme draws votes workshops
messages: install
	cd src/pnyx && for app in $(APPS_WITH_MESSAGES) $(EXTRA_MESSAGE_APPS); do \
		(cd $$app && mkdir -p locale && ../../../$(PY) -m pnyx.cli makemessages -l fr --no-obsolete); done
	cd src/pnyx && ../../$(PY) -m pnyx.cli makemessages -l fr --no-obsolete $$(for d in */; do [ -f "$$d/__init__.py" ] && echo "-i $${d%/}"; done)
	cd src/pnyx && ../../$(PY) -m pnyx.cli compilemessages

# Peers the benchmarks compare against but the project does not depend on. anti-clustering pins
# numpy<2, which the project cannot take: it goes, without its pins, into .bench-peers/, which
# bench/seating.py adds to its path.
bench-peers: install
	$(PY) -m pip install --quiet --no-deps --target .bench-peers anti-clustering scikit-learn joblib threadpoolctl narwhals
