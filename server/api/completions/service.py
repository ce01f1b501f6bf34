"""POST /v1/completions: the logic, free of HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from server.api.common.generation import GenerationRun, new_request_id, run_together
from server.api.common.logprobs import completion_logprobs
from server.api.common.responses import completion_body, usage
from server.api.common.sampling import build_sampling, resolve_adapter, resolve_max_tokens
from server.api.common.sse import prime
from server.api.completions.protocol import CompletionRequest
from server.audit.context import audit_note
from server.engine.protocol import Engine, GenerationChunk
from server.errors import InvalidRequestError
from server.state import AppState

ENDPOINT = "completions"
OBJECT = "text_completion"  # responses and stream chunks alike
MAX_PROMPTS = 32


def _prompts(prompt: str | list[str] | list[int] | list[list[int]]) -> list[str | list[int]]:
    if isinstance(prompt, str):
        return [prompt]
    if not prompt:
        raise InvalidRequestError("prompt must not be empty", param="prompt")
    if all(isinstance(p, int) for p in prompt):
        return [list(prompt)]  # type: ignore[arg-type]
    return list(prompt)  # type: ignore[arg-type]


async def _merge(streams: Sequence[AsyncIterator[Any]]) -> AsyncIterator[tuple[int, Any]]:
    """Interleave several streams as items arrive, tagging each with its stream's index."""
    queue: asyncio.Queue[tuple[int, Any] | None] = asyncio.Queue()

    async def pump(i: int, stream: AsyncIterator[Any]) -> None:
        async for item in stream:
            await queue.put((i, item))

    tasks = [asyncio.create_task(pump(i, s)) for i, s in enumerate(streams)]
    done = asyncio.gather(*tasks)
    done.add_done_callback(lambda _: queue.put_nowait(None))
    try:
        while (item := await queue.get()) is not None:
            yield item
        await done  # re-raise a stream's error
    finally:
        for t in tasks:
            t.cancel()


class CompletionService:
    def __init__(self, state: AppState, engine: Engine) -> None:
        self.state = state
        self.engine = engine

    def _prepare(
        self, tenant_id: str, req: CompletionRequest
    ) -> tuple[str, list[GenerationRun], list[str]]:
        """The request id, one run per prompt, and each prompt's echo (empty without echo)."""
        if req.suffix:
            raise InvalidRequestError("suffix is not supported", param="suffix")
        if req.echo and req.logprobs is not None:
            raise InvalidRequestError("echo with logprobs is not supported", param="echo")
        adapter = resolve_adapter(req.model, self.engine, self.state.rollouts, tenant_id, req.user)
        prompts = _prompts(req.prompt)
        if len(prompts) > MAX_PROMPTS:
            raise InvalidRequestError(f"at most {MAX_PROMPTS} prompts per request", param="prompt")
        # All prompts are admitted or none: a half-admitted batch would run for a 429.
        self.state.admission.check(len(prompts))
        runs, echoes = [], []
        request_id = new_request_id("cmpl")
        audit_note(generation_id=request_id)
        for i, p in enumerate(prompts):
            ids = self.engine.tokenize(p) if isinstance(p, str) else p
            if not ids:
                raise InvalidRequestError("prompt must not be empty", param="prompt")
            max_tokens = resolve_max_tokens(
                req.max_tokens, len(ids), self.engine, self.state.settings, "prompt"
            )
            sampling = build_sampling(req, max_tokens, req.logprobs)
            runs.append(
                GenerationRun(
                    self.state,
                    self.engine,
                    ids,
                    sampling,
                    adapter,
                    ENDPOINT,
                    f"{request_id}-{i}",
                    tenant_id,
                )
            )
            echoes.append(p if isinstance(p, str) and req.echo else "")
        return request_id, runs, echoes

    async def create(self, tenant_id: str, req: CompletionRequest) -> dict[str, Any]:
        request_id, runs, echoes = self._prepare(tenant_id, req)
        results = await run_together([run.collect() for run in runs])
        choices = []
        for p, result in enumerate(results):
            for c in result.choices:
                choices.append(
                    {
                        "index": p * req.n + c.index,
                        "text": echoes[p] + c.text,
                        "logprobs": completion_logprobs(c.logprobs, len(echoes[p]))
                        if req.logprobs is not None
                        else None,
                        "finish_reason": c.finish_reason,
                    }
                )
        num_prompt = sum(r.num_prompt_tokens for r in results)
        num_completion = sum(r.num_completion_tokens for r in results)
        return completion_body(
            request_id,
            OBJECT,
            int(time.time()),
            req.model,
            choices,
            usage(num_prompt, num_completion),
        )

    async def stream(self, tenant_id: str, req: CompletionRequest) -> AsyncIterator[dict[str, Any]]:
        request_id, runs, echoes = self._prepare(tenant_id, req)
        started = [run.stream() for run in runs]
        try:
            streams = [await prime(stream) for stream in started]
        except BaseException:
            # A prompt the engine refused: abort those already submitted.
            for stream in started:
                await stream.aclose()
            raise
        created = int(time.time())
        n = req.n

        def event(
            choices: list[dict[str, Any]], usage_: dict[str, int] | None = None
        ) -> dict[str, Any]:
            return completion_body(request_id, OBJECT, created, req.model, choices, usage_)

        async def events() -> AsyncIterator[dict[str, Any]]:
            num_prompt = [0] * len(runs)
            num_completion = 0
            echoed = set()
            item: tuple[int, GenerationChunk]
            async for item in _merge(streams):
                p, chunk = item
                num_prompt[p] = chunk.num_prompt_tokens
                choices = []
                for d in chunk.deltas:
                    num_completion += d.num_new_tokens
                    index = p * n + d.index
                    text = d.text
                    if echoes[p] and index not in echoed:
                        echoed.add(index)
                        text = echoes[p] + text
                    if not text and d.finish_reason is None:
                        continue
                    choices.append(
                        {
                            "index": index,
                            "text": text,
                            "logprobs": completion_logprobs(d.logprobs)
                            if req.logprobs is not None
                            else None,
                            "finish_reason": d.finish_reason,
                        }
                    )
                if choices:
                    yield event(choices)
            if req.stream_options and req.stream_options.include_usage:
                yield event([], usage(sum(num_prompt), num_completion))

        return events()
