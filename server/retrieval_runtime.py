"""The retrieval layer as the server runs it: one store and one context assembler per process."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.config import RetrievalConfig
from retrieval.context import ContextAssembler
from retrieval.store import RetrievalStore
from retrieval.tokens import make_token_counter
from server.model_prep import DEFAULT_MODEL_NAME
from server.settings import Settings

logger = logging.getLogger(__name__)


def retrieval_config(settings: Settings) -> RetrievalConfig:
    """The one place that turns server settings into the retrieval layer's config."""
    tokenizer = settings.model_dir / DEFAULT_MODEL_NAME
    if settings.base_model and Path(settings.base_model).is_dir():
        tokenizer = Path(settings.base_model)
    return RetrievalConfig(
        qdrant_path=None if settings.qdrant_url else settings.resolved_qdrant_path,
        qdrant_url=settings.qdrant_url,
        qdrant_api_key=settings.qdrant_api_key,
        collection=settings.qdrant_collection,
        embed_model_path=settings.embed_model_path,
        tokenizer_path=tokenizer if (tokenizer / "tokenizer.json").is_file() else None,
        erasure_log_path=settings.cache_dir / "erasure_log.jsonl",
        erasure_key_file=settings.erasure_key_file,
    )


def backoff_delays(initial_s: float, max_s: float) -> Iterator[float]:
    """Waits between attempts: initial_s, doubling each time, capped at max_s (endless)."""
    for attempt in itertools.count():
        delay = initial_s * 2.0**attempt
        if delay >= max_s:
            break
        yield delay
    yield from itertools.repeat(float(max_s))


@dataclass
class RetrievalRuntime:
    store: RetrievalStore
    assembler: ContextAssembler
    _ping: asyncio.Future[None] | None = field(default=None, init=False, repr=False)

    async def check(self, timeout_s: float) -> None:
        """Ping the store within timeout_s (TimeoutError past it). One ping runs at a time:
        a probe that comes while one hangs waits on that one rather than adding a thread."""
        if self._ping is None or self._ping.done():
            self._ping = asyncio.ensure_future(asyncio.to_thread(self.store.ping))
        await asyncio.wait_for(asyncio.shield(self._ping), timeout_s)

    def close(self) -> None:
        self.store.close()


def open_retrieval(settings: Settings, config: RetrievalConfig | None = None) -> RetrievalRuntime:
    """Open the store (blocking: loads the embedding model); load the demo data on first start.
    A failure closes what was opened, so the next attempt finds the folder unlocked."""
    store = RetrievalStore.open(config or retrieval_config(settings))
    try:
        if settings.load_demo_data:
            from retrieval.bootstrap import ensure_demo

            ensure_demo(store, settings.demo_dir)
        counter = make_token_counter(store.config.tokenizer_path)
    except BaseException:
        store.close()
        raise
    return RetrievalRuntime(store, ContextAssembler(store, counter))
