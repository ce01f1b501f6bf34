"""What the harness asks of an engine: a structural mirror of the server's engine protocol.

`adapters/` never imports `server/`. These dataclasses carry the same field names as the
server's `SamplingConfig`, `StructuredOutput` and `AdapterInfo`; a caller that has the
server's classes can hand them to the harness instead (see `EvalTypes`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class StructuredOutput:
    json_schema: dict[str, Any] | None = None
    choice: tuple[str, ...] | None = None
    regex: str | None = None


@dataclass(frozen=True)
class SamplingConfig:
    max_tokens: int = 16
    temperature: float = 1.0
    top_p: float = 1.0
    n: int = 1
    stop: tuple[str, ...] = ()
    seed: int | None = None
    logprobs: int | None = None
    structured: StructuredOutput | None = None
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0


@dataclass(frozen=True)
class AdapterInfo:
    name: str
    path: str
    rank: int
    version: str | None = None
    task: str | None = None


class DeltaLike(Protocol):
    @property
    def index(self) -> int: ...

    @property
    def text(self) -> str: ...


class ChunkLike(Protocol):
    @property
    def deltas(self) -> Sequence[DeltaLike]: ...

    @property
    def is_finished(self) -> bool: ...


class EvalEngine(Protocol):
    """The part of the server's Engine protocol the harness uses."""

    def generate(
        self, request_id: str, prompt: str, sampling: Any, adapter: str | None = None
    ) -> AsyncIterator[ChunkLike]: ...

    def render_chat(self, messages: Sequence[dict[str, str]]) -> str: ...

    async def add_adapter(self, info: Any) -> None: ...


@dataclass(frozen=True)
class EvalTypes:
    """Constructors for the engine's request types (the server passes its own)."""

    sampling: Any = SamplingConfig
    structured: Any = StructuredOutput
    adapter_info: Any = AdapterInfo


@dataclass
class Completion:
    text: str
    finish_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def complete(
    engine: EvalEngine, request_id: str, prompt: str, sampling: Any, adapter: str | None
) -> Completion:
    """Run one request to the end and join its text (choice 0)."""
    parts: list[str] = []
    finish = None
    async for chunk in engine.generate(request_id, prompt, sampling, adapter):
        for d in chunk.deltas:
            if d.index == 0:
                parts.append(d.text)
                finish = getattr(d, "finish_reason", None) or finish
    return Completion("".join(parts), finish)
