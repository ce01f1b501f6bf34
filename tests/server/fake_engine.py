"""A fake engine for HTTP-layer unit tests only (engine behaviour is tested on real vLLM)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from adapters.tasks import DISPUTE_LABELS
from server.engine.protocol import (
    AdapterInfo,
    CompletionDelta,
    GenerationChunk,
    SamplingConfig,
    TokenLogprob,
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
        cache_salt: str | None = None,
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


class ClassifierEngine(FakeEngine):
    """Gives each dispute label its own first token (counting how often labels are tokenized)
    and answers with the first label, reporting a log-probability for every label."""

    def __init__(self) -> None:
        super().__init__()
        self.label_calls = 0

    def tokenize(self, text: str) -> list[int]:
        if text in DISPUTE_LABELS:
            self.label_calls += 1
            return [1000 + DISPUTE_LABELS.index(text), 1]
        return super().tokenize(text)

    async def generate(
        self,
        request_id: str,
        prompt: str | Sequence[int],
        sampling: SamplingConfig,
        adapter: str | None = None,
        cache_salt: str | None = None,
    ) -> AsyncIterator[GenerationChunk]:
        ids = sampling.logprob_token_ids or ()
        top = tuple((DISPUTE_LABELS[i], -1.0 - i) for i in range(len(ids)))
        step = TokenLogprob(DISPUTE_LABELS[0], -1.0, top=top, top_ids=tuple(ids))
        delta = CompletionDelta(0, DISPUTE_LABELS[0], 1, [step], finish_reason="length")
        yield GenerationChunk(request_id, [delta], len(prompt), True)
