# qnmerge: the whole set-up is `make run`; the whole suite is `make test`.
VENV    ?= .venv
# Python 3.12 or newer (vietnam-provinces, the source of the national
# register, needs it). The first of these that runs and is new enough wins;
# pyenv's shims only count when the version is really installed.
PYTHON  ?= $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.13*/bin/python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3.12; do \
             $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v $$p || echo $$p; } && break; done)
PY      := $(VENV)/bin/python
PORT    ?= 8000
STAMP   := $(VENV)/.installed-stamp

.PHONY: run test test-fast install setup messages serve backup restore bench bench-rendered clean lint format lock

$(STAMP): pyproject.toml
	@{ test -n "$(PYTHON)" && $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; } 2>/dev/null || { echo "qnmerge needs Python 3.12 or newer and none was found (tried $(or $(PYTHON),python3.13, python3.12, python3, pyenv))." >&2; \
	  echo "Debian 13: apt-get install python3 python3-venv (3.13); Debian 12/Ubuntu: apt-get install python3.12 python3.12-venv (e.g. from deadsnakes), or 'pyenv install 3.12'." >&2; \
	  echo "Or name one: make PYTHON=/path/to/python3.12" >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtualenv: on Debian run 'apt-get install python3-venv' first." >&2; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# Compile the translation catalogues (.po -> .mo); no gettext binaries needed.
messages: install
	@$(PY) manage.py compile_catalogues

# Migrate, then load the seed fixtures only into an empty database, so a
# second run is fast and never overwrites an editor's changes.
setup: messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed

run: setup
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite runs in parallel (pytest-xdist): one worker per core, each with its
# own test database, cache and temporary files. XDIST=0 runs it in one process.
XDIST ?= auto
test: messages
	$(PY) -m pytest -n $(XDIST) $(PYTEST_ARGS)

# Everything but the browser tests (no Chromium, Java or npm needed).
test-fast: messages
	$(PY) -m pytest -n $(XDIST) -m "not browser" $(PYTEST_ARGS)

# ruff, configured in pyproject.toml ([tool.ruff]): lint with import order, and
# the formatter's check. `make format` rewrites the files and fixes what ruff can.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# requirements.lock: the exact versions of the deployed set (the dependencies
# in pyproject.toml, without the test extras), pinned by pip-tools.
# Deploy exactly those: `.venv/bin/python -m pip install -r requirements.lock && .venv/bin/python -m pip install --no-deps -e .`
# Re-run after changing a dependency in pyproject.toml; commit the result.
lock: install
	$(PY) -m pip install --quiet "pip-tools>=7.4,<8"
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

# Production: DEBUG defaults to false here, so SECRET_KEY and ALLOWED_HOSTS
# must be set (the settings say which is missing). WhiteNoise serves the
# compressed, hashed static files that collectstatic writes.
# gunicorn (23+) opens a control socket, by default at one fixed path per
# machine user: two instances would fight over it. Each instance gets its own,
# var/gunicorn-$(PORT).ctl in its checkout; CONTROL_SOCKET=none turns it off,
# CONTROL_SOCKET=/path puts it elsewhere. Older gunicorns have none.
CONTROL_SOCKET ?= $(CURDIR)/var/gunicorn-$(PORT).ctl
serve: export DEBUG ?= false
serve: messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@mkdir -p var
	$(VENV)/bin/gunicorn qnmerge.wsgi -w 2 -b 127.0.0.1:$(PORT) $(GUNICORN_CONTROL)

GUNICORN_CONTROL = $(shell $(VENV)/bin/gunicorn --help 2>/dev/null | grep -q -- '--control-socket ' && \
	{ if [ "$(CONTROL_SOCKET)" = none ]; then echo --no-control-socket; else echo "--control-socket $(CONTROL_SOCKET)"; fi; })

# Backups go to backups/ (SQLite: gzipped JSON with natural keys;
# PostgreSQL: pg_dump custom format). `make restore FILE=backups/...` replaces
# the database's content with a backup.
backup: install
	$(PY) scripts/backup.py backup

restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/qnmerge-<timestamp>.json.gz (or .dump)" >&2; exit 2; }
	$(PY) scripts/backup.py restore "$(FILE)"

# Load benchmark at nationwide scale: PostgreSQL databases qn_scale (seed +
# generate_synthetic --scale 1) and qn_scale_seed, gunicorn on 127.0.0.1:8110,
# wrk from Debian. Not part of `make test`. Results and how to read them: BENCHMARKS.md.
# Then bench-rendered: every page of the registry rendered with the page cache
# off, so `make bench` covers the page cache on and off.
bench: messages
	$(PY) bench/bench.py
	$(PY) bench/rendered.py

# Every page (portal.pages) rendered in-process with the page cache off, at N=1
# and at seed size: median/p90 server time, queries, SQL time, the 30/20 ms
# targets of issue 14. Writes var/bench/rendered.md.
bench-rendered: messages
	$(PY) bench/rendered.py

clean:
	rm -rf $(VENV) var staticfiles

# Tools of the browser tests (tests/browser): Debian's Chromium and Java (via
# apt when run as root), then axe-core and the Nu HTML Checker from
# package-lock.json. Java goes first: vnu-jar's install step would otherwise
# try to download a Java runtime of its own.
.PHONY: browser-deps
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "Missing:$$missing. Install them with: sudo apt-get install$$missing" >&2; exit 1; \
	  fi; \
	fi
	npm ci --no-audit --no-fund --loglevel=error
