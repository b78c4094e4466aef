# Everything runs inside .venv, created from the pinned requirements.lock.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install install-llm demo test test-fast lint format bench-index clean-index

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

demo: install
	$(BIN)/assistant index corpus/
	$(BIN)/assistant status

# pytest exits 5 when it collects no test; that is not a failure of the code.
test: install
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

test-fast: install
	$(PY) -m pytest -m "not model and not server and not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check assistant tests benchmarks scripts
	$(BIN)/ruff format --check assistant tests benchmarks scripts
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix assistant tests benchmarks scripts
	$(BIN)/ruff format assistant tests benchmarks scripts

bench-index: install
	$(PY) benchmarks/bench_index.py

clean-index:
	find index -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
