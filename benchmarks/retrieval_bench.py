"""Retrieval latency benchmark (embedded store, a Qdrant Edge shard): context assembly and
filtered hybrid query.

    python -m benchmarks.retrieval_bench --scales 1 10 --queries 50

Scale 1 is the demo dataset (~10,000 chunks), scale 10 ~104,000 chunks.  Each scale gets its
own embedded store under ``--dir`` (built once, reused on later runs).

Reported per scale: query embedding alone; the filtered hybrid query (tenant + customer,
embedding given); context assembly as the server runs it for a query it has not seen (embeds
it) and for one it has (the store caches query vectors: e-mail queries repeat); and
upsert to visible (one new note written as the records API writes it, until a search finds
it). Each round writes one note into the benchmark's own store.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retrieval.bootstrap import write_demo  # noqa: E402
from retrieval.config import RetrievalConfig  # noqa: E402
from retrieval.context import ContextAssembler  # noqa: E402
from retrieval.embedding import MiniLMEmbedder  # noqa: E402
from retrieval.index import SearchMode  # noqa: E402
from retrieval.ingest import ingest_path  # noqa: E402
from retrieval.store import RetrievalStore  # noqa: E402
from retrieval.writes import RecordWriter  # noqa: E402
from server.gc_heap import freeze_startup_heap  # noqa: E402

QUERIES = [
    "customer says goods arrived damaged", "promise to pay next week", "early payment discount",
    "short shipment credit note", "duplicate invoice", "remittance advice", "price agreement",
    "wrong VAT rate", "payment plan", "proof of delivery",
]  # fmt: skip


STEPS = (
    "query embedding",
    "filtered hybrid query",
    "context assembly (new query)",
    "context assembly (repeated query)",
    "upsert to visible",
)
# words that make each round's query new (no digits: the route would send it to keywords only)
_WORDS = [
    "please",
    "kindly",
    "urgent",
    "again",
    "today",
    "overdue",
    "account",
    "status",
    "review",
    "check",
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def report(name: str, values: list[float]) -> str:
    return (
        f"{name:<28} n={len(values):<4} p50={pct(values, 50):8.1f} ms  "
        f"p95={pct(values, 95):8.1f} ms  p99={pct(values, 99):8.1f} ms  "
        f"mean={statistics.mean(values) * 1000:8.1f} ms"
    )


def build(folder: Path, scale: int) -> RetrievalStore:
    cfg = RetrievalConfig(qdrant_path=folder / "qdrant")
    store = RetrievalStore.open(cfg, MiniLMEmbedder())
    if store.total_points() == 0:
        t = time.perf_counter()
        write_demo(folder / "data", scale)
        rep = ingest_path(store, folder / "data")
        print(f"  built scale {scale}: {rep.rows} rows in {time.perf_counter() - t:.0f}s")
    return store


def measure(scale: int, folder: Path, n: int, seed: int = 1) -> dict[str, list[float]]:
    """Seconds per call of each measured step, n interleaved rounds at one scale."""
    store = build(folder / f"scale{scale}", scale)
    customers = [(p["tenant_id"], p["record_id"]) for t_ in ("acme-foods", "atlas-supply",
                 "kite-pharma") for p in store.scroll_payloads(t_, None, ["customer"])]  # fmt: skip
    rng = random.Random(seed)
    ctx = ContextAssembler(store)
    writer = RecordWriter(store)
    embed = store.embedder.embed_query  # the model itself, never the store's query cache
    embed("warm up")
    ctx.assemble(*customers[0], QUERIES[0], 1500)
    freeze_startup_heap()  # as the server does once it is up
    out: dict[str, list[float]] = {name: [] for name in STEPS}
    run = uuid.uuid4().hex[:8]  # the store is reused by later runs: each writes new notes
    out["chunks"] = [float(store.total_points())]
    for i in range(n):
        tenant, customer = rng.choice(customers)
        q = f"{rng.choice(QUERIES)} {_WORDS[i % 10]} {_WORDS[i // 10 % 10]} {_WORDS[i // 100 % 10]}"
        # the assembly first: no other step of the round has read this customer yet
        store.embed_cache.clear()  # a query the store has not seen: embedded in the assembly
        t0 = time.perf_counter()
        ctx.assemble(tenant, customer, q, 1500)
        t1 = time.perf_counter()
        ctx.assemble(tenant, customer, q, 1500)  # the same query again: its vector is cached
        t2 = time.perf_counter()
        vec = embed(q)
        t3 = time.perf_counter()
        store.search(tenant, q, customer, limit=10, dense=vec)
        t4 = time.perf_counter()
        visible = _upsert_to_visible(store, writer, tenant, customer, f"bench-{run}-{i}")
        steps = (t3 - t2, t4 - t3, t1 - t0, t2 - t1, visible)  # in STEPS' order
        for name, value in zip(STEPS, steps, strict=True):
            out[name].append(value)
    store.close()
    return out


def _upsert_to_visible(
    store: RetrievalStore, writer: RecordWriter, tenant: str, customer: str, note_id: str
) -> float:
    """A new collection note written as the records API writes it, until a filtered keyword
    search of the customer finds it (read-your-writes: the first search already should)."""
    row = {
        "record_type": "collection_note", "note_id": note_id, "customer_id": customer,
        "note_date": "2026-11-30", "author": "bench",
        "note": f"Customer called about remittance {note_id} and promised payment.",
    }  # fmt: skip
    t0 = time.perf_counter()
    [result] = writer.write([row], tenant)
    assert result.status == "ok", result
    for _ in range(1000):
        hits = store.search(tenant, note_id, customer, mode=SearchMode.SPARSE, limit=3)
        if any(h.citation.record_id == note_id for h in hits):
            return time.perf_counter() - t0
    raise AssertionError(f"{note_id} not visible after 1000 searches")


def run(scale: int, folder: Path, n: int, seed: int = 1) -> None:
    t = time.perf_counter()
    out = measure(scale, folder, n, seed)
    print(f"scale {scale}: {int(out['chunks'][0])} chunks ({time.perf_counter() - t:.1f}s)")
    for name in STEPS:
        print("  " + report(name, out[name]))


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
