# `make run` and `make test` work on a fresh machine: each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STREAMLIT_ARGS ?=
N ?= 3
REPLICAS_PORT ?= 8600

.PHONY: run test lint format bench golden serve-replicas clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py $(STREAMLIT_ARGS)

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The comparisons with torch.optim need torch: .venv/bin/pip install torch==2.13.0 (never a requirement).
bench: $(VENV)/.dev
	$(BIN)/python bench/core.py
	$(BIN)/python -m bench.figure
	$(BIN)/python -m bench.explain
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/noise.py
	$(BIN)/python bench/tune.py
	$(BIN)/python -m bench.browser
	$(BIN)/python -m bench.browser --first-page
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.rerun_gc
	$(BIN)/python -m bench.message_size

# N replicas of the app on loopback ports behind Debian's nginx (apt-get install -y nginx), until interrupted:
# nginx listens on REPLICAS_PORT, the replicas on the ports after it, each with STREAMLIT_ARGS (deploy/serve-replicas).
serve-replicas: $(VENV)/.runtime
	STREAMLIT=$(BIN)/streamlit deploy/serve-replicas $(N) $(REPLICAS_PORT) $(STREAMLIT_ARGS)

# Needs torch, as the benchmarks do.
golden: $(VENV)/.dev
	$(BIN)/python tools/make_golden.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
