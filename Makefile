# Two commands on a fresh machine:
#   make chat   install everything and ask the built-in articles (the chat page arrives with issue 4)
#   make test   install everything and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= How much will Huawei invest in its Paris OpenLab?

.PHONY: install chat test lint

# torch first, pinned: 2.13.0 is the CPU build on this machine kind's disk;
# letting another package pick torch pulls the CUDA build (several GB).
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed

chat: install
	$(BIN)/qa ask "$(QUESTION)"

lint: install
	$(BIN)/ruff check index qa ui tests bench
	$(BIN)/ruff format --check index qa ui tests bench

test: install lint
	$(BIN)/python -m pytest
