"""A fake engine for HTTP-layer unit tests only (engine behaviour is tested on real vLLM)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from server.engine.protocol import (
    AdapterInfo,
    CompletionDelta,
    GenerationChunk,
    SamplingConfig,
)


class FakeEngine:
    model_name = "fake-base"
    max_model_len = 256

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.adapters: dict[str, AdapterInfo] = {}
        self.aborted: list[str] = []

    def render_chat(self, messages: Sequence[dict[str, str]]) -> str:
        return "".join(f"<{m['role']}>{m['content']}" for m in messages) + "<assistant>"

    def tokenize(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def count_tokens(self, text: str) -> int:
        return len(text)

    async def generate(
        self,
        request_id: str,
        prompt: str | Sequence[int],
        sampling: SamplingConfig,
        adapter: str | None = None,
    ) -> AsyncIterator[GenerationChunk]:
        words = ["echo", adapter or "base"][: sampling.max_tokens]
        for i, word in enumerate(words):
            await asyncio.sleep(self.delay_s)
            last = i == len(words) - 1
            deltas = [
                CompletionDelta(k, word + " ", 1, finish_reason="length" if last else None)
                for k in range(sampling.n)
            ]
            yield GenerationChunk(request_id, deltas, len(prompt), last)

    async def abort(self, request_id: str) -> None:
        self.aborted.append(request_id)

    async def add_adapter(self, info: AdapterInfo) -> None:
        self.adapters[info.name] = info

    async def remove_adapter(self, name: str) -> None:
        self.adapters.pop(name)

    def list_adapters(self) -> list[AdapterInfo]:
        return list(self.adapters.values())

    def scheduler_stats(self) -> dict[str, float]:
        return {"kv_cache_usage": 0.25, "num_running": 1.0, "num_waiting": 0.0}

    async def check_health(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
