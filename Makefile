# The two commands of README.md. Both install only what is missing, so running them again is cheap.
# What they install is requirements.lock, exactly (versions and hashes); `make lock` rewrites it
# after a change to the dependencies in setup.cfg, and scripts/check-lock fails when that was
# forgotten.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
LOCK    := requirements.lock
PYTHON  ?= python3
PYTEST_ARGS ?= -n 2

.PHONY: run test system lint lock check-lock fuzz

run: system $(STAMP)
	$(VENV)/bin/clearinghouse up

test: system check-lock $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# The fuzz suite (tests/fuzz) at length: random examples under the `fuzz` Hypothesis profile,
# round after round until interrupted (Ctrl-C) or FUZZ_ROUNDS are done. A round that finds a
# failure does not stop the next (what fails is kept in .hypothesis/ and replayed first); an
# interrupted or broken run does. The exit status says whether any round failed.
FUZZ_ROUNDS ?= 1000
fuzz: system $(STAMP)
	@failed=0; for round in $$(seq $(FUZZ_ROUNDS)); do \
		echo "fuzz round $$round"; \
		$(PY) -m pytest tests/fuzz $(PYTEST_ARGS) -q -p no:cacheprovider \
			--hypothesis-profile=fuzz --hypothesis-show-statistics; \
		status=$$?; \
		if [ $$status -eq 1 ]; then failed=1; elif [ $$status -ne 0 ]; then exit $$status; fi; \
	done; exit $$failed

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-lock:
	@$(PYTHON) scripts/check-lock

lock: $(STAMP)
	scripts/lock
	$(MAKE) --no-print-directory $(STAMP)

system:
	@scripts/ensure-system

# The stamp is newer than the lock and the package metadata once the install has been made. The
# build backend comes from the lock too (no build isolation, which would take the newest).
$(STAMP): $(LOCK) setup.cfg pyproject.toml client/pyproject.toml
	@$(PYTHON) scripts/check-lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	# The client toolkit, a distribution of its own (client/); its dependencies are in the lock.
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e client/
	touch $(STAMP)
