"""The span tree of one e-mail request (SDK in-memory exporter): auth, retrieval (records,
assembly and its passage search), each attempt's prompt, engine and grounding; request
id and tenant on the root, adapter on the engine span, no customer id anywhere.

The app runs on a real in-memory store; the engine is the HTTP layer's fake (its drafts fail
the checks, so the request shows the retry as a second attempt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from retrieval import demo
from retrieval.config import RetrievalConfig
from retrieval.context import ContextAssembler
from retrieval.ingest import ingest_path
from retrieval.store import RetrievalStore
from server.auth import create_key
from server.engine.protocol import AdapterInfo
from server.retrieval_runtime import RetrievalRuntime
from server.settings import Settings
from tests.server.api.health.helpers import running
from tests.server.fake_engine import FakeEngine


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def _tree(spans: list[ReadableSpan], root: ReadableSpan, depth: int = 0) -> list[str]:
    lines = [f"{'  ' * depth}{root.name}"]
    children = [
        s for s in spans if s.parent is not None and s.parent.span_id == root.context.span_id
    ]
    for child in sorted(children, key=lambda s: s.start_time or 0):
        lines += _tree(spans, child, depth + 1)
    return lines


@pytest.mark.anyio
async def test_span_tree_of_one_email_request(
    exporter: InMemorySpanExporter, tmp_path: Path
) -> None:
    data = tmp_path / "demo"
    demo.write(demo.generate(seed=3, customers=6), data)
    store = RetrievalStore.open(RetrievalConfig(in_memory=True))
    assert ingest_path(store, data).ok
    engine = FakeEngine()
    engine.adapters["ar-email-drafter"] = AdapterInfo("ar-email-drafter", "/x", 8)
    key = create_key(tmp_path / "keys.json", "k", "acme-foods", ["infer"])
    settings = Settings(keys_file=tmp_path / "keys.json", load_demo_data=False)
    exporter.clear()
    async with running(settings, engine, RetrievalRuntime(store, ContextAssembler(store))) as (
        client,
        _,
    ):
        r = await client.post(
            "/v1/ar/emails",
            json={"customer_id": "C00001", "email_type": "reminder_overdue_1"},
            headers={"Authorization": f"Bearer {key}", "X-Request-Id": "trace-me-1"},
        )
    store.close()
    assert r.status_code in (200, 422), r.text
    spans = list(exporter.get_finished_spans())
    (root,) = [s for s in spans if s.parent is None and s.name == "POST /v1/ar/emails"]
    tree = _tree(spans, root)
    print("\n".join(tree))
    assert root.attributes is not None
    assert root.attributes["arserve.request_id"] == "trace-me-1"
    assert root.attributes["arserve.tenant"] == "acme-foods"
    assert root.attributes["http.response.status_code"] == r.status_code
    names = [line.strip() for line in tree]
    assert names[:2] == ["POST /v1/ar/emails", "auth"]
    for needed in ("retrieval.context", "store.read_records", "assembly", "store.search",
                   "attempt", "prompt", "engine.generate", "grounding"):  # fmt: skip
        assert needed in names, (needed, tree)
    # the passage search names the focus invoices: the keyword branch alone, no embedding
    (search,) = [s for s in spans if s.name == "store.search"]
    assert search.attributes and search.attributes["arserve.search_mode"] == "sparse"
    assert "embedding.query" not in names
    assert names.count("attempt") == 2  # the fake's draft fails its checks: one retry
    context = "\n".join(tree[tree.index("  retrieval.context") :])
    assert "    store.read_records" in context and "    assembly" in context
    engine_spans = [s for s in spans if s.name == "engine.generate"]
    assert all(s.attributes and s.attributes["arserve.adapter"] == "ar-email-drafter"
               for s in engine_spans)  # fmt: skip
    text = repr([(s.name, dict(s.attributes or {})) for s in spans])
    assert "C00001" not in text  # no customer id in any span
