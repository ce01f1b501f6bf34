"""The Edge shard as the embedded store: it survives kill -9 mid-ingest, erasure leaves no
payload in its segments, and an in-memory store leaves no folder behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from retrieval.config import RetrievalConfig
from retrieval.erasure import erase_customer
from retrieval.ingest import ingest_path
from retrieval.store import RetrievalStore

A = "acme-foods"
ROOT = Path(__file__).resolve().parents[2]

#: the child ingests the data, says so, then rewrites it with new versions until killed
_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from retrieval.config import RetrievalConfig
    from retrieval.ingest import ingest_path
    from retrieval.store import RetrievalStore

    class Hash:
        dim = 384
        def embed_texts(self, texts):
            return [[float((hash(t) >> i) & 1) + 0.1 for i in range(384)] for t in texts]
        def embed_query(self, text):
            return self.embed_texts([text])[0]

    store = RetrievalStore.open(RetrievalConfig(qdrant_path=Path(sys.argv[1]),
                                                ingest_batch_size=16), Hash())
    ingest_path(store, Path(sys.argv[2]))
    print("ingested", flush=True)
    version = 1
    while True:
        version += 1
        recs = store.records("acme-foods")
        store.upsert_records([r.model_copy(update={"version": version}) for r in recs])
    """
)


def test_killed_mid_ingest_reopens_and_reingests(tmp_path: Path, small_dir: Path, embedder) -> None:
    folder = tmp_path / "q"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(folder), str(small_dir)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ingested"
        child.send_signal(signal.SIGKILL)  # mid-write of the next versions
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with RetrievalStore.open(RetrievalConfig(qdrant_path=folder), embedder) as store:
        total = store.total_points()
        assert total > 0 and store.customer_exists(A, "C00001")
        assert all(r.tenant_id == A for r in store.records(A))
        report = ingest_path(store, small_dir)  # the older versions are skipped, none fail
        assert report.ok and report.written.inserted == 0
        assert store.total_points() == total
    with RetrievalStore.open(RetrievalConfig(in_memory=True), embedder) as clean:
        ingest_path(clean, small_dir)
        assert clean.total_points() == total


def test_erasure_leaves_no_payload_in_the_segments(
    tmp_path: Path, small_dir: Path, embedder
) -> None:
    folder = tmp_path / "q"
    with RetrievalStore.open(RetrievalConfig(qdrant_path=folder), embedder) as store:
        ingest_path(store, small_dir)
        name = store.require_customer(A, "C00001").name.encode()
        segments = folder / "edge" / "arserve" / "segments"
        assert _files_holding(segments, name)
        assert erase_customer(store, A, "C00001").verified
        assert not _files_holding(segments, name)
        assert store.customer_exists(A, "C00002")


def test_in_memory_store_removes_its_folder(embedder) -> None:
    store = RetrievalStore.open(RetrievalConfig(in_memory=True), embedder)
    temp = store.backend._temp_dir  # type: ignore[attr-defined]
    assert temp is not None and temp.is_dir()
    store.close()
    assert not temp.exists()


def _files_holding(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_warming_reads_the_segment_files_up_to_its_cap(tmp_path: Path) -> None:
    from retrieval.edge_backend import warm_files

    (tmp_path / "seg" / "payload_storage").mkdir(parents=True)
    (tmp_path / "seg" / "payload_storage" / "page_0.dat").write_bytes(b"x" * 3000)
    (tmp_path / "seg" / "segment.json").write_bytes(b"{}")
    assert warm_files(tmp_path, 1 << 20) == 3002
    assert warm_files(tmp_path, 1000) < 3002  # a shard larger than the cap warms in part
