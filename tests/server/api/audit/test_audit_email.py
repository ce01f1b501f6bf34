"""POST /v1/ar/emails' audit record (fake engine, in-memory store): the attempts, the
returned draft's hash, a 422 refusal recorded too, and no personal data in the file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import pytest

from retrieval import demo
from retrieval.config import RetrievalConfig
from retrieval.context import ContextAssembler
from retrieval.ingest import ingest_path
from retrieval.store import RetrievalStore
from server.audit.record import customer_ref
from server.engine.protocol import AdapterInfo, CompletionDelta, GenerationChunk, SamplingConfig
from server.retrieval_runtime import RetrievalRuntime
from tests.server.api.audit.helpers import SECRET, A, Keys, records, settings, sha
from tests.server.api.health.helpers import running
from tests.server.fake_engine import FakeEngine


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class DraftEngine(FakeEngine):
    """Drafts an English reminder citing an invoice no record holds (so it is retried); each
    attempt's draft differs, so the record can tell which one was returned."""

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[str] = []

    async def generate(
        self,
        request_id: str,
        prompt: str | Sequence[int],
        sampling: SamplingConfig,
        adapter: str | None = None,
        cache_salt: str | None = None,
    ) -> AsyncIterator[GenerationChunk]:
        text = (
            "Subject: Payment reminder\n\nDear customer,\n\nthis is a friendly reminder that "
            "invoice INV-999999 of EUR 12,345.67 is now overdue. Please arrange the payment at "
            f"your earliest convenience.\n\nKind regards,\nAccounts receivable ({len(self.drafts)})"
        )
        self.drafts.append(text)
        delta = CompletionDelta(0, text, 40, finish_reason="stop")
        yield GenerationChunk(request_id, [delta], len(prompt), True)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RetrievalStore]:
    out = tmp_path / "demo"
    demo.write(demo.generate(seed=3, customers=6), out)
    cfg = RetrievalConfig(in_memory=True, erasure_log_path=tmp_path / "erasure.jsonl")
    with RetrievalStore.open(cfg) as store:
        assert ingest_path(store, out).ok
        yield store


@pytest.mark.anyio
@pytest.mark.parametrize("policy", ["refuse", "flag"])
async def test_an_email_is_recorded_without_personal_data(
    tmp_path: Path, store: RetrievalStore, monkeypatch: pytest.MonkeyPatch, policy: str
) -> None:
    keys = Keys(tmp_path / "keys.json")
    engine = DraftEngine()
    await engine.add_adapter(AdapterInfo("ar-email-drafter", "/adapters/e", 8))
    customer = store.require_customer(A, "C00001")
    conf = settings(tmp_path, enable_retrieval=True, grounding_policy=policy)
    runtime = RetrievalRuntime(store, ContextAssembler(store))
    async with running(conf, engine, runtime) as (client, _):
        r = await client.post(
            "/v1/ar/emails",
            json={"customer_id": "C00001", "email_type": "reminder_overdue_1"},
            headers=keys.auth(keys.infer),
        )
    # the draft states a fact of no record: ungrounded, so it is drafted twice
    assert r.status_code == (422 if policy == "refuse" else 200), r.text
    assert len(engine.drafts) == 2
    [record] = records(tmp_path)
    assert record["status"] == r.status_code and record["endpoint"] == "/v1/ar/emails"
    assert record["attempts"] == 2 and record["outcome"] == "ok"
    assert record["customer_refs"] == [customer_ref(SECRET.encode(), A, "C00001")]
    assert record["citations"] and all("@" in c for c in record["citations"])
    ref = customer_ref(SECRET.encode(), A, "C00001")
    assert f"customer:hmac:{ref}@v1" in record["citations"]  # the customer's record, keyed
    assert record["grounding"]["grounded"] is False and record["grounding"]["problems"] > 0
    assert record["arm"] == "live" and record["rollout_id"] is None
    assert record["output_sha256"] == sha(engine.drafts[-1])  # the returned (last) attempt
    assert record["completion_tokens"] == 80
    raw = (tmp_path / "audit" / "audit.jsonl").read_bytes()
    private = [b"C00001", customer.name.encode(), sha("C00001").encode()]
    private += [c.email.encode() for c in customer.contacts if c.email]
    assert not [p for p in private if p in raw]
