"""Run one engine request on the request path: admission, timing hooks, abort, collection."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncGenerator, Awaitable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from server.api.common.routing import adapter_ref
from server.api.request_log import note
from server.audit.context import Attempt, begin_attempt
from server.engine.protocol import Engine, GenerationChunk, SamplingConfig, TokenLogprob
from server.metrics import RequestTimer
from server.state import AppState
from server.tracing import tracer

T = TypeVar("T")

# Endpoints whose later generations are retries of the earlier ones (the response returns
# the last attempt's text); on the others every generation is returned (a dispute batch).
RETRY_ENDPOINTS = frozenset({"ar_emails"})


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
        self.endpoint = endpoint
        self.cache_salt = cache_salt(tenant_id)
        self.timer = RequestTimer(state.metrics, adapter or engine.model_name, endpoint)
        self.adapter_ref = adapter_ref(state, adapter) if adapter else engine.model_name
        note(adapter=self.adapter_ref)
        # Refuse before a response starts, so a full queue gets a real 429.
        state.admission.check()

    async def stream(self) -> AsyncGenerator[GenerationChunk, None]:
        admission, metrics = self.state.admission, self.state.metrics
        admission.enter()
        metrics.in_flight.set(admission.num_in_flight)
        metrics.waiting.set(admission.num_waiting)
        status = "error"
        audit = begin_attempt(self._audit_attempt(), self.endpoint in RETRY_ENDPOINTS)
        span = tracer().start_span("engine.generate")
        span.set_attribute("arserve.adapter", self.adapter_ref)
        span.set_attribute("gen_ai.request.max_tokens", self.sampling.max_tokens or 0)
        try:
            chunks = self.engine.generate(
                self.request_id, self.prompt, self.sampling, self.adapter, self.cache_salt
            )
            try:
                async for chunk in chunks:
                    self.timer.num_prompt_tokens = chunk.num_prompt_tokens
                    self.timer.on_tokens(sum(d.num_new_tokens for d in chunk.deltas))
                    audit.on_chunk(chunk)
                    yield chunk
            finally:
                # Closing this stream closes the engine's at once (which aborts the request),
                # not whenever the garbage collector finalises it.
                if isinstance(chunks, AsyncGenerator):
                    await chunks.aclose()
            status = "ok"
        except (asyncio.CancelledError, GeneratorExit):
            status = "cancelled"
            raise
        finally:
            audit.outcome = status
            admission.leave()
            metrics.in_flight.set(admission.num_in_flight)
            metrics.waiting.set(admission.num_waiting)
            self.timer.finish(status)
            span.set_attribute("gen_ai.usage.input_tokens", self.timer.num_prompt_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", self.timer.num_output_tokens)
            if self.timer.first_token_at is not None:  # queue and prefill before it, decode after
                span.set_attribute(
                    "arserve.ttft_ms",
                    round((self.timer.first_token_at - self.timer.start) * 1000, 1),
                )
            span.set_attribute("arserve.outcome", status)
            span.end()

    def _audit_attempt(self) -> Attempt:
        """This generation's audit attempt: the adapter and base model with their hashes."""
        status = self.state.adapters.get(self.adapter) if self.adapter else None
        return Attempt(
            adapter=self.adapter_ref if self.adapter else None,
            adapter_sha256=status.sha256 if status else None,
            base_model=self.engine.model_name,
            base_model_sha256=self.state.base_model_sha256,
        )

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


async def run_together(jobs: Sequence[Awaitable[T]]) -> list[T]:
    """Run jobs concurrently (the engine batches them) and return their results in order.

    The first failure cancels the others and is raised once they have stopped, so no engine
    request keeps running for a response that is an error (asyncio.gather leaves them running).
    """
    tasks = [asyncio.ensure_future(job) for job in jobs]
    if not tasks:
        return []
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        # Also when this request is cancelled (its client went away): stop every job.
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
    # Every outcome is read (no "exception never retrieved"); the first failure is raised.
    errors = [_error(t) for t in tasks]
    first = next((e for t, e in zip(tasks, errors, strict=True) if t in done and e), None)
    if first is not None:
        raise first
    return [task.result() for task in tasks]


def _error(task: asyncio.Future[T]) -> BaseException | None:
    return None if task.cancelled() else task.exception()
