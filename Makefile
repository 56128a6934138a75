# qnmerge: the whole set-up is `make run`; the whole suite is `make test`.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PORT    ?= 8000
STAMP   := $(VENV)/.installed-stamp

.PHONY: run test install setup messages serve backup bench clean

$(STAMP): pyproject.toml
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

test: messages
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
