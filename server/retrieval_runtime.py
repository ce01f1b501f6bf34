"""The retrieval layer as the server runs it: one store and one context assembler per process."""

from __future__ import annotations

import logging
from dataclasses import dataclass
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
    )


@dataclass
class RetrievalRuntime:
    store: RetrievalStore
    assembler: ContextAssembler

    def close(self) -> None:
        self.store.close()


def open_retrieval(settings: Settings, config: RetrievalConfig | None = None) -> RetrievalRuntime:
    """Open the store (blocking: loads the embedding model); load the demo data on first start."""
    store = RetrievalStore.open(config or retrieval_config(settings))
    if settings.load_demo_data:
        from retrieval.bootstrap import ensure_demo

        ensure_demo(store, settings.demo_dir)
    counter = make_token_counter(store.config.tokenizer_path)
    return RetrievalRuntime(store, ContextAssembler(store, counter))
