"""Shared fixtures: the prepared base model and PEFT test adapters with non-zero weights."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The suite's audit records go to a folder of its own, never the user's cache.
os.environ.setdefault("ARSERVE_AUDIT_DIR", tempfile.mkdtemp(prefix="arserve-audit-"))
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("VLLM_LOGGING_LEVEL", "WARNING")

from server.model_prep import prepare_default_model  # noqa: E402
from server.settings import Settings  # noqa: E402
from tests.helpers import make_lora  # noqa: E402

TEST_ADAPTER_VERSION = "v1"


@pytest.fixture(scope="session")
def base_model_dir() -> Path:
    return prepare_default_model(Settings().cache_dir)


@pytest.fixture(scope="session")
def test_adapters(base_model_dir: Path) -> dict[str, Path]:
    """Adapters A and B, built once and cached on disk between test sessions."""
    cache = Settings().cache_dir / "test-adapters" / TEST_ADAPTER_VERSION
    cache.mkdir(parents=True, exist_ok=True)
    adapters = {}
    for name, seed in (("adapter-a", 1), ("adapter-b", 2)):
        path = cache / name
        if not (path / "adapter_model.safetensors").exists():
            make_lora(base_model_dir, path, seed)
        adapters[name] = path
    return adapters
