# Two commands on a fresh machine:
#   make chat   install everything and serve the chat page on the built-in articles (http://127.0.0.1:7860)
#   make test   install everything, Debian's chromium too, and run the tests (the browser tests drive it)
# make screenshot refreshes docs/screenshot.png from the browser test.
# make bench runs the speed benchmarks (bench/RESULTS.md says what they measure; about 40 min).
# make help prints these lines.
# make train trains the reader on SQuAD v1.1 train from ../shared (about 70 min on 2 idle cores; never run by
#   CI or the tests), exports it to qa/models/reader.onnx and refits the answer model (training/README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHAT_PORT ?= 7860
# apt-get needs root: use sudo unless we are root already.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install chromium chat test lint screenshot bench train

# torch first, pinned: 2.13.0 is the CPU build on this machine kind's disk;
# letting another package pick torch pulls the CUDA build (several GB).
$(BIN)/.installed: pyproject.toml
	@echo "Installing into $(VENV): torch (CPU build), then the app's packages; about 2 minutes on a fresh machine."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	@echo "Installed. The commands are in $(VENV)/bin: $(VENV)/bin/qa ask \"...\" (or: source $(VENV)/bin/activate)"
	touch $@

# The test tools (pytest, Playwright, ruff) only for the tests.
$(BIN)/.installed-test: $(BIN)/.installed
	@echo "Installing the test tools into $(VENV)."
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# Debian's chromium, for the browser tests: Playwright cannot download browsers here.
chromium:
	@command -v chromium >/dev/null || ( $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium )

install: $(BIN)/.installed

chat: install
	$(BIN)/qa chat --port $(CHAT_PORT)

lint: $(BIN)/.installed-test
	$(BIN)/ruff check index qa ui tests bench training
	$(BIN)/ruff format --check index qa ui tests bench training

test: $(BIN)/.installed-test chromium lint
	$(BIN)/python -m pytest

screenshot: $(BIN)/.installed-test chromium
	QA_UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest tests/test_ui_browser.py -k screenshot

bench: $(BIN)/.installed-test
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scale.py

# Two runs (training/README.md): 5,000 steps, then 3,500 more at half the learning rate from where the
# first run's batches ended. Each resumes from its newest checkpoint if it was interrupted.
train: install
	$(BIN)/python training/train_reader.py --out training/runs/reader --steps 5000 --bf16 --resume
	$(BIN)/python training/train_reader.py --out training/runs/reader2 --init training/runs/reader/model.pt \
		--first-batch 5000 --steps 3500 --lr 5e-5 --bf16 --resume
	$(BIN)/python training/export_reader.py training/runs/reader2/model.pt --int8
	$(BIN)/python training/fit_answer_model.py
	$(BIN)/python training/fit_followup_model.py

help:
	@sed -n '/^PYTHON/q;s/^# \{0,1\}//p' Makefile
