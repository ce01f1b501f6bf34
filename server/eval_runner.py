"""The evaluation harness's requests, run on the engine protocol (adapters/ never sees it)."""

from __future__ import annotations

import itertools

from adapters.evaluation.harness import EvalRequest
from adapters.registry import RegistryEntry
from server.engine.protocol import AdapterInfo, Engine, SamplingConfig, StructuredOutput


class EngineRunner:
    """`Complete` for `adapters.evaluation.harness.evaluate`, on any `Engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ids = itertools.count()

    async def load(self, entry: RegistryEntry) -> None:
        """Load a verified registry entry into the engine under its name."""
        m = entry.manifest
        await self.engine.add_adapter(
            AdapterInfo(entry.name, str(entry.path), m.rank, entry.version, m.task)
        )

    async def __call__(self, request: EvalRequest) -> str:
        structured = StructuredOutput(choice=request.choices) if request.choices else None
        sampling = SamplingConfig(
            max_tokens=request.max_tokens, temperature=0.0, structured=structured
        )
        prompt = self.engine.render_chat(request.messages)
        parts: list[str] = []
        stream = self.engine.generate(f"eval-{next(self._ids)}", prompt, sampling, request.adapter)
        async for chunk in stream:
            parts += [d.text for d in chunk.deltas if d.index == 0]
        return "".join(parts)
