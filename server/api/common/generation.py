"""Run one engine request on the request path: admission, timing hooks, abort, collection."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from server.engine.protocol import Engine, GenerationChunk, SamplingConfig, TokenLogprob
from server.metrics import RequestTimer
from server.state import AppState


def new_request_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def cache_salt(tenant_id: str) -> str:
    """The tenant's prefix-cache salt: prompts reuse cached blocks only within one tenant.

    Without it, one tenant could time another's prompts block by block (a cached prefix
    answers many times faster). Clients cannot set it; it never leaves the process."""
    return hashlib.sha256(f"arserve-prefix-cache\x1f{tenant_id}".encode()).hexdigest()


@dataclass
class ChoiceResult:
    index: int
    text: str = ""
    logprobs: list[TokenLogprob] = field(default_factory=list)
    finish_reason: str | None = None
    num_tokens: int = 0


@dataclass
class GenerationResult:
    choices: list[ChoiceResult]
    num_prompt_tokens: int

    @property
    def num_completion_tokens(self) -> int:
        return sum(c.num_tokens for c in self.choices)


class GenerationRun:
    """One prompt through the engine; `n` choices come back interleaved as deltas."""

    def __init__(
        self,
        state: AppState,
        engine: Engine,
        prompt: str | Sequence[int],
        sampling: SamplingConfig,
        adapter: str | None,
        endpoint: str,
        request_id: str,
        tenant_id: str,
    ) -> None:
        self.state = state
        self.engine = engine
        self.prompt = prompt
        self.sampling = sampling
        self.adapter = adapter
        self.request_id = request_id
        self.cache_salt = cache_salt(tenant_id)
        self.timer = RequestTimer(state.metrics, adapter or engine.model_name, endpoint)
        # Refuse before a response starts, so a full queue gets a real 429.
        state.admission.check()

    async def stream(self) -> AsyncIterator[GenerationChunk]:
        admission, metrics = self.state.admission, self.state.metrics
        admission.enter()
        metrics.in_flight.set(admission.num_in_flight)
        metrics.waiting.set(admission.num_waiting)
        status = "error"
        try:
            async for chunk in self.engine.generate(
                self.request_id, self.prompt, self.sampling, self.adapter, self.cache_salt
            ):
                self.timer.num_prompt_tokens = chunk.num_prompt_tokens
                self.timer.on_tokens(sum(d.num_new_tokens for d in chunk.deltas))
                yield chunk
            status = "ok"
        except (asyncio.CancelledError, GeneratorExit):
            status = "cancelled"
            raise
        finally:
            admission.leave()
            metrics.in_flight.set(admission.num_in_flight)
            metrics.waiting.set(admission.num_waiting)
            self.timer.finish(status)

    async def collect(self) -> GenerationResult:
        choices = {i: ChoiceResult(index=i) for i in range(self.sampling.n)}
        num_prompt_tokens = 0
        async for chunk in self.stream():
            num_prompt_tokens = chunk.num_prompt_tokens
            for d in chunk.deltas:
                c = choices[d.index]
                c.text += d.text
                c.logprobs.extend(d.logprobs)
                c.num_tokens += d.num_new_tokens
                c.finish_reason = d.finish_reason or c.finish_reason
        return GenerationResult(list(choices.values()), num_prompt_tokens)
