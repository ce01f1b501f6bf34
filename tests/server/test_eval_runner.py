"""The harness's plain requests become greedy engine requests on the engine protocol."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from adapters.evaluation.harness import EvalRequest
from adapters.registry import Registry
from server.engine.protocol import GenerationChunk, SamplingConfig
from server.eval_runner import EngineRunner
from tests.adapters.conftest import REGISTRY, copy_entry
from tests.server.fake_engine import FakeEngine


class RecordingEngine(FakeEngine):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, SamplingConfig, str | None]] = []

    def generate(
        self,
        request_id: str,
        prompt: str | Sequence[int],
        sampling: SamplingConfig,
        adapter: str | None = None,
        cache_salt: str | None = None,
    ) -> AsyncIterator[GenerationChunk]:
        self.calls.append((str(prompt), sampling, adapter))
        return super().generate(request_id, prompt, sampling, adapter)


def test_runner_loads_the_entry_and_runs_greedy_requests(tmp_path: Path) -> None:
    copy_entry(tmp_path, "demo", "1", REGISTRY / "dispute-classifier" / "1")
    entry = Registry(tmp_path).resolve_verified("demo@1")
    engine = RecordingEngine()
    runner = EngineRunner(engine)
    messages = [{"role": "user", "content": "Two pallets short."}]

    async def run() -> list[str]:
        await runner.load(entry)
        return [
            await runner(EvalRequest(messages, "demo", 4, ("short_shipment", "other"))),
            await runner(EvalRequest(messages, None, 2)),
        ]

    texts = asyncio.run(run())
    info = engine.adapters["demo"]
    assert (info.path, info.rank, info.version) == (str(entry.path), entry.manifest.rank, "1")
    assert texts == ["echo demo ", "echo base "]  # every chunk of choice 0, joined
    (prompt, constrained, adapter), (_, free, base) = engine.calls
    assert prompt == engine.render_chat(messages) and (adapter, base) == ("demo", None)
    assert constrained.temperature == free.temperature == 0.0
    assert constrained.max_tokens == 4 and constrained.structured is not None
    assert constrained.structured.choice == ("short_shipment", "other")
    assert free.max_tokens == 2 and free.structured is None
