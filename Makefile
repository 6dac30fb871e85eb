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

# Links in emails, QR codes and PDFs point to the demo's own port (unless PNYX_SITE_URL is set).
demo: export PORT := $(PORT)
demo: install
	$(PY) -m pnyx.cli migrate --noinput
	$(PY) -m pnyx.cli demo
	@# A task worker (draws, plans, printed documents) runs beside the server and stops with it.
	$(PY) -m pnyx.cli db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(PY) -m pnyx.cli runserver 127.0.0.1:$(PORT)

# The production server (gunicorn): PNYX_SERVER=wsgi|asgi, PORT, PNYX_BIND, PNYX_WORKERS,
# PNYX_TIMEOUT... from the environment (see README, Configuration); migrates first.
serve: install
	$(PY) -m pnyx.cli migrate --noinput
	PORT=$(PORT) $(PY) -m pnyx.cli serve

# The suite runs on every core (pytest-xdist; each worker has its own test database);
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

# The database the demo really uses: the settings' SQLite file (PNYX_VAR_DIR, PNYX_SQLITE_PATH).
clean-demo: install
	@db="$$($(PY) -m pnyx.cli shell -v 0 -c "from django.db import connection as c; print(c.vendor, c.settings_dict['NAME'])")"; \
	case "$$db" in \
		"sqlite "*) rm -fv "$${db#sqlite }" "$${db#sqlite }-wal" "$${db#sqlite }-shm" "$${db#sqlite }-journal" ;; \
		*) echo "clean-demo removes a SQLite demo database only; this one is $$db: drop it yourself." >&2; exit 1 ;; \
	esac

# Translations: each app keeps its own catalogue in <app>/locale; the project's templates and
# settings are in src/pnyx/locale. French is the default language; msgids are English.
APPS_WITH_MESSAGES := core journal members programme draws votes workshops assembly charter live
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
