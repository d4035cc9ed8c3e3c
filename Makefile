# Two commands do all the set-up on a fresh machine with Python 3.11+ (see README.md):
#   make run    install into .venv and run the baseline on the embedded Flanders data
#   make test   install into .venv and run the test suite
# Pass Hydra overrides to `make run` with ARGS, e.g. make run ARGS="scenario=forced_regions_2028 seed=3"
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: install run test clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: install
	$(BIN)/simcoop $(ARGS)

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
