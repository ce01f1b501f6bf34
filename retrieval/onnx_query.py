"""The query embedding on ONNX Runtime: MiniLM's BERT with its mean pooling and normalising,
exported once per process and run on one thread.

A short query's forward pass is mostly per-operator overhead; ONNX Runtime's fused CPU
kernels take about 0.6 of a frozen TorchScript graph's time for the same vector (within 1e-6),
and one thread is as fast as two, which leaves the other core to the engine.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Callable
from typing import Any

NAMES = ("input_ids", "attention_mask", "token_type_ids")
#: model folder -> serialised graph (an export takes about 3 s; stores reopen in one process)
_EXPORTED: dict[str, bytes] = {}
_LOCK = threading.Lock()


def onnx_query_path(bert: Any, tokenizer: Any, max_len: int) -> Callable[[str], list[float]] | None:
    """text -> normalised mean-pooled vector on ONNX Runtime; None when onnxruntime or the
    export is unavailable (the caller keeps its torch path)."""
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError:
        return None
    sample = tokenizer(["a sample query to export"], return_tensors="pt")
    if any(n not in sample for n in NAMES):
        return None
    try:
        graph = _export(bert, sample)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # a spinning pool would hold a core between queries, away from the engine's threads
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - an optimisation only: any failure keeps the torch path
        return None

    encode = _encoder(tokenizer, max_len)

    def embed(text: str) -> list[float]:
        if encode is None:
            batch = tokenizer([text], return_tensors="np", truncation=True, max_length=max_len)
            feed = {n: np.asarray(batch[n], dtype=np.int64) for n in NAMES}
        else:
            enc = encode(text)
            rows = (enc.ids, enc.attention_mask, enc.type_ids)
            feed = {n: np.array([row], dtype=np.int64) for n, row in zip(NAMES, rows, strict=True)}
        return session.run(None, feed)[0][0].tolist()  # type: ignore[no-any-return]

    embed.__name__ = "onnx"
    return embed


def _encoder(tokenizer: Any, max_len: int) -> Callable[[str], Any] | None:
    """The fast tokenizer's own Rust ``encode`` on a private copy (truncating, no padding):
    the HuggingFace wrapper's Python around it releases and retakes the GIL, and each retake
    waits out the switch interval of a thread busy in Python, which an assembly reading the
    customer's records alongside is (8.4 -> 20 ms a query, 15 ms with one retake left)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return None
    from tokenizers import Tokenizer

    own = Tokenizer.from_str(backend.to_str())
    own.enable_truncation(max_len)
    own.no_padding()
    sample = "a sample query, to check the ids match"
    expected = tokenizer([sample], truncation=True, max_length=max_len)
    if list(expected["input_ids"][0]) != own.encode(sample).ids:
        return None
    return own.encode  # type: ignore[no-any-return]


def _export(bert: Any, sample: Any) -> bytes:
    import torch

    key = str(getattr(bert.config, "_name_or_path", "")) or f"id:{id(bert)}"
    with _LOCK:
        if key in _EXPORTED:
            return _EXPORTED[key]
        buf = io.BytesIO()
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # exporter notes on shape checks
            torch.onnx.export(
                _pooled(bert), tuple(sample[n] for n in NAMES),
                buf,  # type: ignore[arg-type]  # the TorchScript exporter takes a file object
                input_names=list(NAMES), output_names=["vector"],
                dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in NAMES},
                              "vector": {0: "batch"}},
                opset_version=17, dynamo=False,
            )  # fmt: skip
        _EXPORTED[key] = buf.getvalue()
        return _EXPORTED[key]


def _pooled(bert: Any) -> Any:
    """BERT plus the sentence-transformers head (mean pooling over the mask, L2 norm)."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            out = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)
            weights = mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
            vec = (out.last_hidden_state * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(vec, dim=-1)

    return Pooled().eval()
