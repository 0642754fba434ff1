# What README tells a newcomer to run. Each target creates .venv itself if missing.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export MISINFO_HOME ?= $(CURDIR)/var

.PHONY: demo test bench lint venv clean

$(BIN)/uv:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

$(STAMP): pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/misinfo demo $(DEMO_ARGS)

test: $(STAMP)
	bash scripts/ensure-browser.sh
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check misinfo nlp crawlers dashboard dags bench tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache
