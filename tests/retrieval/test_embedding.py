"""The direct query path gives the wrapper's vector (same model, same pooling)."""

from __future__ import annotations

import math

import pytest

from retrieval.embedding import MiniLMEmbedder, _frozen
from retrieval.onnx_query import onnx_query_path

TEXTS = ["open invoices", "Rechnung INV-100025 überfällig, bitte prüfen", "word " * 400]


def _same(direct: list[float], wrapped: list[float]) -> None:
    assert len(direct) == len(wrapped) == 384
    assert math.isclose(sum(a * b for a, b in zip(direct, wrapped, strict=True)), 1.0,
                        abs_tol=1e-5)  # fmt: skip
    assert max(abs(a - b) for a, b in zip(direct, wrapped, strict=True)) < 1e-5


@pytest.fixture(scope="module")
def model() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_direct_query_path_is_onnx_and_matches_the_wrapper(model: MiniLMEmbedder) -> None:
    assert model._query_path is not None  # the shipped model has the layout it expects
    assert model._query_path.__name__ == "onnx"  # onnxruntime is a dependency: not a fallback
    for text in TEXTS:  # the last one is truncated at the model's 256 tokens
        _same(model.embed_query(text), model._model.get_query_embedding(text))


def test_the_torch_fallback_matches_the_wrapper(model: MiniLMEmbedder) -> None:
    import torch

    st = model._model._model
    tok, bert = st.tokenizer, st[0].auto_model
    encoder = _frozen(bert, tok)
    assert encoder.__name__ == "traced"  # not the eager fallback
    for text in TEXTS:
        with torch.inference_mode():
            batch = tok([text], return_tensors="pt", truncation=True, max_length=st.max_seq_length)
            tokens = encoder(batch)
            mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            vec = torch.nn.functional.normalize((tokens * mask).sum(1) / mask.sum(1), dim=-1)
        _same(vec[0].tolist(), model._model.get_query_embedding(text))


def test_onnx_path_is_exported_once_per_model(model: MiniLMEmbedder) -> None:
    from retrieval import onnx_query

    st = model._model._model
    exported = dict(onnx_query._EXPORTED)
    again = onnx_query_path(st[0].auto_model, st.tokenizer, st.max_seq_length)
    assert again is not None
    assert exported == onnx_query._EXPORTED  # the same graph, not a second export
    _same(again("open invoices"), model.embed_query("open invoices"))


class CountingEmbedder:
    dim = 384

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.threads: list[str] = []

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        return [[1.0] + [0.0] * 383 for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        import threading

        self.queries.append(text)
        self.threads.append(threading.current_thread().name)
        return [1.0] + [0.0] * 383


def test_query_vectors_are_cached_and_an_erasure_drops_them(store) -> None:
    from retrieval.erasure import erase_customer

    counting = CountingEmbedder()
    store._embedder = counting
    store.embed_cache.clear()
    for _ in range(3):
        store.search("acme-foods", "customer says goods arrived damaged", "C00001")
    assert counting.queries == ["customer says goods arrived damaged"]
    erase_customer(store, "acme-foods", "C00002")
    store.search("acme-foods", "customer says goods arrived damaged", "C00001")
    assert len(counting.queries) == 2


def test_assembly_embeds_a_prose_query_once_while_reading_records(store) -> None:
    from retrieval.context import ContextAssembler

    counting = CountingEmbedder()
    store._embedder = counting
    store.embed_cache.clear()
    ctx = ContextAssembler(store)
    block = ctx.assemble("acme-foods", "C00001", "customer says goods arrived damaged", 1500)
    assert counting.queries == ["customer says goods arrived damaged"]  # ahead, not twice
    assert counting.threads[0].startswith("arserve-embed")  # while the records were read
    assert block.passages
    ctx.assemble("acme-foods", "C00001", "customer says goods arrived damaged", 1500)
    ctx.assemble("acme-foods", "C00001", "status of INV-100003", 1500)  # keywords alone
    assert counting.queries == ["customer says goods arrived damaged"]


def test_the_onnx_path_tokenizes_with_its_own_rust_tokenizer_as_the_wrapper_does(
    model: MiniLMEmbedder,
) -> None:
    from retrieval.onnx_query import _encoder

    st = model._model._model
    encode = _encoder(st.tokenizer, st.max_seq_length)
    assert encode is not None  # a fast tokenizer: the wrapper's Python is skipped
    for text in TEXTS:
        expected = st.tokenizer([text], truncation=True, max_length=st.max_seq_length)
        assert encode(text).ids == list(expected["input_ids"][0])
    # a private copy: the wrapper's own calls (ingest batches pad) leave it as it was
    st.tokenizer(["a", "b c d"], padding=True)
    assert len(encode("open invoices").ids) == len(st.tokenizer(["open invoices"])["input_ids"][0])
