"""POST /v1/disputes/classify with a fake engine: the response model and the label tokens."""

from __future__ import annotations

import math

import httpx
import pytest

from adapters.tasks import DISPUTE_CLASSIFIER, DISPUTE_LABELS
from retrieval.taxonomy import DISPUTE_REASONS
from server.app import create_app
from server.engine.protocol import AdapterInfo
from server.settings import Settings
from tests.helpers import assert_error
from tests.server.fake_engine import ClassifierEngine


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_classify_answers_the_response_model_and_tokenizes_labels_once() -> None:
    engine = ClassifierEngine()
    await engine.add_adapter(AdapterInfo(DISPUTE_CLASSIFIER, "/adapters/dc", 8))
    app = create_app(Settings(enable_retrieval=False), engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for _ in range(2):
            r = await client.post(
                "/v1/disputes/classify", json={"items": [{"text": "broken"}, {"text": "late"}]}
            )
            assert r.status_code == 200, r.text
        assert_error(await client.post("/v1/disputes/classify", json={"items": []}), 400, "items")
    body = r.json()
    assert body["object"] == "list" and len(body["data"]) == 2
    item = body["data"][0]
    assert set(item) == {
        "label",
        "confidence",
        "alternatives",
        "probabilities",
        "citations",
        "adapter",
    }
    assert item["label"] == DISPUTE_REASONS[0] and item["citations"] == []
    assert list(item["probabilities"]) == list(DISPUTE_REASONS)  # most probable first
    assert math.isclose(sum(item["probabilities"].values()), 1.0, abs_tol=1e-5)
    assert [a["label"] for a in item["alternatives"]] == list(DISPUTE_REASONS[1:4])
    assert engine.label_calls == len(DISPUTE_LABELS)
