# README's two set-up commands: `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TSTAMP  := $(VENV)/.installed-test
PLANS   ?= 3200

.PHONY: demo test bench clean system-deps

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP) $@

# Debian packages the browser tests and the Turtle check use; skipped when present or not root.
system-deps:
	@bash .ci/system-deps.sh

demo: $(STAMP)
	$(BIN)/python build_graph.py corpus --out out

test: $(TSTAMP) system-deps
	$(BIN)/python -m pytest

bench: $(STAMP) system-deps
	$(BIN)/python bench/run.py --plans $(PLANS) --readme PERFORMANCE.md

clean:
	rm -rf out .pytest_cache
