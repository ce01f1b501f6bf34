"""Fixtures for adapter tests: a fake model for the evaluation harness, registry entries."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.evaluation.harness import EvalRequest
from adapters.manifest import Manifest, read_manifest, sha256_file

REPO = Path(__file__).resolve().parents[2]
REGISTRY = REPO / "adapters" / "registry"


class FakeModel:
    """A `Complete` for the harness: answers each request with `respond(request)`."""

    def __init__(self, respond: Callable[[EvalRequest], str]) -> None:
        self.respond = respond
        self.requests: list[EvalRequest] = []

    async def __call__(self, request: EvalRequest) -> str:
        self.requests.append(request)
        return self.respond(request)


def copy_entry(root: Path, name: str, folder_version: str, source: Path, **overrides: Any) -> Path:
    """A registry entry under root, from the committed reference adapter's files."""
    version = folder_version
    folder = root / name / version
    folder.mkdir(parents=True)
    for f in ("adapter_config.json", "adapter_model.safetensors"):
        shutil.copy(source / f, folder / f)
    data = read_manifest(source).model_dump()
    data |= {
        "name": name,
        "version": version,
        "adapter_sha256": sha256_file(folder / "adapter_model.safetensors"),
    }
    data |= overrides
    Manifest.model_validate(data).write(folder)
    return folder


@pytest.fixture
def reference_source() -> Path:
    return REGISTRY / "dispute-classifier" / "1"
