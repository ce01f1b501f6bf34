"""Explicit configuration of the retrieval layer (the server builds it from its Settings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import ConfigError

DENSE_VECTOR = "text-dense"
SPARSE_VECTOR = "text-sparse"
EMBED_DIM = 384


@dataclass(frozen=True)
class RetrievalConfig:
    """Where the store lives and how retrieval behaves.

    Location: ``qdrant_url`` (a Qdrant server) wins over ``qdrant_path`` (embedded, the
    default); ``in_memory=True`` gives a throwaway ``:memory:`` store (tests).
    """

    qdrant_path: Path | None = None
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    in_memory: bool = False
    collection: str = "arserve"
    embed_model_path: Path | None = None
    embed_batch_size: int = 64
    tokenizer_path: Path | None = None
    erasure_log_path: Path | None = None
    #: the secret of the erasure log's keyed refs; None: erasure.key next to the log (created)
    erasure_key_file: Path | None = None
    dense_candidates: int = 30
    sparse_candidates: int = 30
    ingest_batch_size: int = 256
    timeout_s: float = 10.0

    @property
    def location(self) -> str:
        """A log-safe description of the backend (never the API key)."""
        if self.qdrant_url:
            return f"url:{self.qdrant_url}"
        if self.qdrant_path:
            return f"path:{self.qdrant_path}"
        if self.in_memory:
            return ":memory:"
        raise ConfigError("set qdrant_url, qdrant_path or in_memory=True")

    def validate(self) -> None:
        _ = self.location
        if not self.collection or not self.collection.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(f"bad collection name {self.collection!r}")
        if self.embed_batch_size < 1 or self.ingest_batch_size < 1:
            raise ConfigError("batch sizes must be positive")
