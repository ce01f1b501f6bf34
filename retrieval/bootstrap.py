"""Demo bootstrap: generate the demo dataset and load it into an empty store."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

from retrieval import demo
from retrieval.demo_queries import build_queries
from retrieval.ingest import IngestReport, ingest_path
from retrieval.store import RetrievalStore

log = logging.getLogger(__name__)
QUERIES_FILE = "eval_queries.json"


def write_demo(out: Path, scale: int = 1, seed: int = 7, as_of: date | None = None) -> dict:
    """Write the demo files and the labelled queries; returns counts per record type."""
    data = demo.generate(scale, seed, as_of)
    counts = demo.write(data, out)
    queries = build_queries(data)
    (out / QUERIES_FILE).write_text(json.dumps(queries, indent=1), encoding="utf-8")
    counts["eval_queries"] = len(queries)
    return counts


def ensure_demo(store: RetrievalStore, data_dir: Path, scale: int = 1) -> IngestReport | None:
    """On first start (empty store) write and ingest the demo dataset; else do nothing.

    Customers erased since the files were written stay out: ingestion honours the suppression
    list, so the files kept under the cache folder cannot bring them back."""
    if store.total_points() > 0:
        return None
    if not (data_dir / "customers.jsonl").is_file():
        write_demo(data_dir, scale)
    report = ingest_path(store, data_dir)
    log.info(
        "demo dataset loaded: %d rows in %.1fs, %d of erased customers skipped", report.rows,
        report.seconds, report.suppressed,
    )  # fmt: skip
    return report
