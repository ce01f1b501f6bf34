"""The load generator: open-loop Poisson arrivals or closed-loop concurrency, any sender.

A sender is `async (spec) -> RequestResult`; the HTTP senders here speak the OpenAI chat API
(streamed: TTFT and every inter-token gap are timed) and the AR endpoints. The in-process
engine baseline (`engines.py`) is a sender too, so every engine runs under the same driver.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import httpx

from benchmarks.serving.stats import RequestResult
from benchmarks.serving.workload import RequestSpec, poisson_gaps

Sender = Callable[[RequestSpec], Coroutine[Any, Any, RequestResult]]


async def run_closed(
    specs: Sequence[RequestSpec], send: Sender, concurrency: int
) -> tuple[list[RequestResult], float]:
    """`concurrency` requests in flight at all times until the list is done."""
    queue = list(reversed(specs))
    results: list[RequestResult] = []

    async def worker() -> None:
        while queue:
            results.append(await send(queue.pop()))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return results, time.perf_counter() - started


async def run_open(
    specs: Sequence[RequestSpec], send: Sender, rate: float, seed: int = 0
) -> tuple[list[RequestResult], float]:
    """Requests arrive as a Poisson process at `rate` per second, whatever is in flight."""
    gaps = poisson_gaps(len(specs), rate, seed)
    tasks: list[asyncio.Task[RequestResult]] = []
    started = time.perf_counter()
    for spec, gap in zip(specs, gaps, strict=True):
        tasks.append(asyncio.create_task(send(spec)))
        await asyncio.sleep(gap)
    results = list(await asyncio.gather(*tasks))
    return results, time.perf_counter() - started


def _failed(r: RequestResult, error: str) -> RequestResult:
    r.success, r.error = False, error[:300]
    r.latency = time.perf_counter() - r.start
    return r


class HttpSender:
    """OpenAI chat completions over HTTP; streamed unless `stream=False` (the PEFT peer)."""

    def __init__(
        self,
        base_url: str,
        base_model: str,
        api_key: str | None = None,
        stream: bool = True,
        max_connections: int = 256,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=64)
        self.client = httpx.AsyncClient(
            base_url=base_url, headers=headers, timeout=900, limits=limits
        )
        self.base_model = base_model
        self.stream = stream

    async def aclose(self) -> None:
        await self.client.aclose()

    def body(self, spec: RequestSpec) -> dict:
        return {
            "model": spec.adapter or self.base_model,
            "messages": spec.messages,
            "max_tokens": spec.max_tokens,
            "temperature": 0.0,
            "stream": self.stream,
            "stream_options": {"include_usage": True} if self.stream else None,
        }

    async def __call__(self, spec: RequestSpec) -> RequestResult:
        r = RequestResult(spec.kind, spec.adapter or self.base_model, start=time.perf_counter())
        try:
            if self.stream:
                await self._stream(spec, r)
            else:
                resp = await self.client.post("/v1/chat/completions", json=self.body(spec))
                if resp.status_code != 200:
                    return _failed(r, f"HTTP {resp.status_code}: {resp.text}")
                usage = resp.json()["usage"]
                r.latency = r.ttft = time.perf_counter() - r.start
                r.prompt_tokens = usage["prompt_tokens"]
                r.output_tokens = usage["completion_tokens"]
        except httpx.HTTPError as exc:
            return _failed(r, f"{type(exc).__name__}: {exc}")
        r.success = True
        return r

    async def _stream(self, spec: RequestSpec, r: RequestResult) -> None:
        last = 0.0
        chunks = 0
        async with self.client.stream("POST", "/v1/chat/completions", json=self.body(spec)) as resp:
            if resp.status_code != 200:
                raise httpx.HTTPStatusError(
                    f"HTTP {resp.status_code}: {(await resp.aread())[:200]!r}",
                    request=resp.request,
                    response=resp,
                )
            async for line in resp.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                now = time.perf_counter()
                event = json.loads(line[6:])
                if event.get("usage"):
                    r.prompt_tokens = event["usage"]["prompt_tokens"]
                    r.output_tokens = event["usage"]["completion_tokens"]
                choices = event.get("choices") or []
                if not choices or not choices[0].get("delta", {}).get("content"):
                    continue
                if chunks == 0:
                    r.ttft = now - r.start
                else:
                    r.itl.append(now - last)
                last, chunks = now, chunks + 1
        r.latency = time.perf_counter() - r.start
        r.output_tokens = r.output_tokens or chunks


class ArSender:
    """The AR endpoints (not streamed): /v1/ar/emails and /v1/disputes/classify.

    `spec.messages[0]` carries the endpoint path and JSON body (see `ar_workload`)."""

    def __init__(self, base_url: str, api_key: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=900)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __call__(self, spec: RequestSpec) -> RequestResult:
        path, body = spec.messages[0]["path"], json.loads(spec.messages[0]["body"])
        r = RequestResult(spec.kind, spec.adapter or "", start=time.perf_counter())
        try:
            resp = await self.client.post(path, json=body)
        except httpx.HTTPError as exc:
            return _failed(r, f"{type(exc).__name__}: {exc}")
        if resp.status_code != 200:
            return _failed(r, f"HTTP {resp.status_code}: {resp.text}")
        r.latency = r.ttft = time.perf_counter() - r.start
        usage = resp.json().get("usage") or {}
        r.prompt_tokens = int(usage.get("prompt_tokens", 0))
        r.output_tokens = int(usage.get("completion_tokens", 1))
        r.success = True
        return r


def ar_workload(
    n: int, kind: str, seed: int, customers: Sequence[str], email_adapter: str, cls_adapter: str
) -> list[RequestSpec]:
    """Requests for the AR endpoints: `ar_email` drafts or `ar_classify` classifications."""
    import random

    from benchmarks.serving.workload import BENCH_EMAIL_TYPES, DISPUTES, _invoice

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if kind == "ar_email":
            body = {
                "customer_id": rng.choice(list(customers)),
                "email_type": rng.choice(BENCH_EMAIL_TYPES),
            }
            path, adapter = "/v1/ar/emails", email_adapter
        else:
            body = {"text": rng.choice(DISPUTES).format(**_invoice(rng))}
            path, adapter = "/v1/disputes/classify", cls_adapter
        msg = {"path": path, "body": json.dumps(body)}
        out.append(RequestSpec(kind, adapter, [msg], 0))
    return out
