"""Retrieval latency benchmark (embedded store, a Qdrant Edge shard): context assembly and
filtered hybrid query.

    python -m benchmarks.retrieval_bench --scales 1 10 --queries 50

Scale 1 is the demo dataset (~10,000 chunks), scale 10 ~104,000 chunks.  Each scale gets its
own embedded store under ``--dir`` (built once, reused on later runs).

Reported per scale: query embedding alone; the filtered hybrid query (tenant + customer,
embedding given); context assembly as the server runs it (embeds the query itself); and
context assembly with the query embedding already cached (the retrieval part alone).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retrieval.bootstrap import write_demo  # noqa: E402
from retrieval.config import RetrievalConfig  # noqa: E402
from retrieval.context import ContextAssembler  # noqa: E402
from retrieval.embedding import MiniLMEmbedder  # noqa: E402
from retrieval.ingest import ingest_path  # noqa: E402
from retrieval.store import RetrievalStore  # noqa: E402

QUERIES = [
    "customer says goods arrived damaged", "promise to pay next week", "early payment discount",
    "short shipment credit note", "duplicate invoice", "remittance advice", "price agreement",
    "wrong VAT rate", "payment plan", "proof of delivery",
]  # fmt: skip


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def report(name: str, values: list[float]) -> str:
    return (
        f"{name:<28} n={len(values):<4} p50={pct(values, 50):8.1f} ms  "
        f"p95={pct(values, 95):8.1f} ms  p99={pct(values, 99):8.1f} ms  "
        f"mean={statistics.mean(values) * 1000:8.1f} ms"
    )


class BenchEmbedder:
    """The real model; with ``memo`` on, a query embedded before is served from memory."""

    def __init__(self) -> None:
        self.model = MiniLMEmbedder()
        self.dim = self.model.dim
        self.memo = False
        self._queries: dict[str, list[float]] = {}

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed_texts(texts)

    def embed_query(self, text: str) -> list[float]:
        if self.memo and text in self._queries:
            return self._queries[text]
        vec = self._queries[text] = self.model.embed_query(text)
        return vec


def build(folder: Path, scale: int) -> RetrievalStore:
    cfg = RetrievalConfig(qdrant_path=folder / "qdrant")
    store = RetrievalStore.open(cfg, BenchEmbedder())
    if store.total_points() == 0:
        t = time.perf_counter()
        write_demo(folder / "data", scale)
        rep = ingest_path(store, folder / "data")
        print(f"  built scale {scale}: {rep.rows} rows in {time.perf_counter() - t:.0f}s")
    return store


def run(scale: int, folder: Path, n: int, seed: int = 1) -> None:
    t = time.perf_counter()
    store = build(folder / f"scale{scale}", scale)
    print(f"scale {scale}: {store.total_points()} chunks (open {time.perf_counter() - t:.1f}s)")
    customers = [(p["tenant_id"], p["record_id"]) for t_ in ("acme-foods", "atlas-supply",
                 "kite-pharma") for p in store.scroll_payloads(t_, None, ["customer"])]  # fmt: skip
    rng = random.Random(seed)
    ctx = ContextAssembler(store)
    embed = store.embedder.embed_query
    embed("warm up")
    ctx.assemble(*customers[0], QUERIES[0], 1500)
    embedder = store.embedder
    assert isinstance(embedder, BenchEmbedder)
    emb, hyb, asm, asm_cached = [], [], [], []
    for _ in range(n):
        tenant, customer = rng.choice(customers)
        q = rng.choice(QUERIES)
        embedder.memo = False
        t0 = time.perf_counter()
        vec = embed(q)
        t1 = time.perf_counter()
        store.search(tenant, q, customer, limit=10, dense=vec)
        t2 = time.perf_counter()
        ctx.assemble(tenant, customer, q, 1500)  # embeds the query again, as the server does
        t3 = time.perf_counter()
        embedder.memo = True
        ctx.assemble(tenant, customer, q, 1500)
        t4 = time.perf_counter()
        emb.append(t1 - t0)
        hyb.append(t2 - t1)
        asm.append(t3 - t2)
        asm_cached.append(t4 - t3)
    print("  " + report("query embedding", emb))
    print("  " + report("filtered hybrid query", hyb))
    print("  " + report("context assembly (total)", asm))
    print("  " + report("context assembly (no embed)", asm_cached))
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--dir", type=Path, default=Path.home() / ".cache/arserve/bench")
    args = ap.parse_args()
    for scale in args.scales:
        run(scale, args.dir, args.queries)


if __name__ == "__main__":
    main()
