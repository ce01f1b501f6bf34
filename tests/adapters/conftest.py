"""Fixtures for adapter tests: a tiny fake engine and registry entries."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.manifest import Manifest, sha256_file

REPO = Path(__file__).resolve().parents[2]
REGISTRY = REPO / "adapters" / "registry"


@dataclass
class Delta:
    index: int
    text: str
    num_new_tokens: int = 1
    finish_reason: str | None = "stop"


@dataclass
class Chunk:
    request_id: str
    deltas: list[Delta]
    num_prompt_tokens: int
    is_finished: bool


class FakeEngine:
    """Follows the engine protocol; answers with `respond(prompt, adapter)` in two chunks."""

    model_name = "fake-base"

    def __init__(self, respond: Callable[[str, str | None], str]) -> None:
        self.respond = respond
        self.adapters: dict[str, Any] = {}
        self.samplings: list[Any] = []

    def render_chat(self, messages: Sequence[dict[str, str]]) -> str:
        return "".join(f"<{m['role']}>{m['content']}\n" for m in messages) + "<assistant>"

    async def add_adapter(self, info: Any) -> None:
        self.adapters[info.name] = info

    async def generate(
        self, request_id: str, prompt: str, sampling: Any, adapter: str | None = None
    ) -> AsyncIterator[Chunk]:
        if adapter is not None and adapter not in self.adapters:
            raise KeyError(adapter)
        self.samplings.append(sampling)
        text = self.respond(prompt, adapter)
        half = len(text) // 2
        yield Chunk(request_id, [Delta(0, text[:half], finish_reason=None)], 10, False)
        yield Chunk(request_id, [Delta(0, text[half:])], 10, True)


def copy_entry(root: Path, name: str, folder_version: str, source: Path, **overrides: Any) -> Path:
    """A registry entry under root, from the committed reference adapter's files."""
    version = folder_version
    folder = root / name / version
    folder.mkdir(parents=True)
    for f in ("adapter_config.json", "adapter_model.safetensors"):
        shutil.copy(source / f, folder / f)
    data = Manifest.from_dict(
        __import__("json").loads((source / "manifest.json").read_text())
    ).to_dict()
    data |= {
        "name": name,
        "version": version,
        "adapter_sha256": sha256_file(folder / "adapter_model.safetensors"),
    }
    data |= overrides
    Manifest.from_dict(data).write(folder)
    return folder


@pytest.fixture
def reference_source() -> Path:
    return REGISTRY / "dispute-classifier" / "1"
