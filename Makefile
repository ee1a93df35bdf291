# The two commands of README.md. Both install only what is missing, so running them again is cheap.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PYTHON  ?= python3
PYTEST_ARGS ?= -n 2

.PHONY: run test system lint

run: system $(STAMP)
	$(VENV)/bin/clearinghouse up

test: system $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

system:
	@scripts/ensure-system

# The stamp is newer than the package metadata once the editable install has been made.
$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $(STAMP)
