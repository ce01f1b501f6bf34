"""POST /v1/disputes/classify with a fake engine: the response model and the label tokens."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.evaluation.calibration import Calibration
from adapters.tasks import DISPUTE_CLASSIFIER, DISPUTE_LABELS
from retrieval.taxonomy import DISPUTE_REASONS
from server.app import create_app
from server.engine.protocol import (
    AdapterInfo,
    CompletionDelta,
    GenerationChunk,
    SamplingConfig,
    TokenLogprob,
)
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
        "id",
        "label",
        "confidence",
        "needs_review",
        "alternatives",
        "probabilities",
        "citations",
        "adapter",
    }
    assert item["label"] == DISPUTE_REASONS[0] and item["citations"] == []
    assert item["id"].startswith("dispute-") and item["id"] != body["data"][1]["id"]
    assert item["needs_review"] is True  # the fake adapter has no calibration
    assert list(item["probabilities"]) == list(DISPUTE_REASONS)  # most probable first
    assert math.isclose(sum(item["probabilities"].values()), 1.0, abs_tol=1e-5)
    assert [a["label"] for a in item["alternatives"]] == list(DISPUTE_REASONS[1:4])
    assert engine.label_calls == len(DISPUTE_LABELS)


class SureEngine(ClassifierEngine):
    """The first label's lead grows when the message says it is sure."""

    async def generate(
        self,
        request_id: str,
        prompt: str | Sequence[int],
        sampling: SamplingConfig,
        adapter: str | None = None,
        cache_salt: str | None = None,
    ) -> AsyncIterator[GenerationChunk]:
        text = "".join(chr(i) for i in prompt) if not isinstance(prompt, str) else prompt
        slope = 6.0 if "sure" in text else 1.0
        ids = sampling.logprob_token_ids or ()
        top = tuple((DISPUTE_LABELS[i], -slope * i) for i in range(len(ids)))
        step = TokenLogprob(DISPUTE_LABELS[0], 0.0, top=top, top_ids=tuple(ids))
        delta = CompletionDelta(0, DISPUTE_LABELS[0], 1, [step], finish_reason="length")
        yield GenerationChunk(request_id, [delta], len(prompt), True)


def _version(root: Path, version: str, temperature: float | None, sha: str = "w") -> Path:
    folder = root / version
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"adapter_sha256": "w"}))
    if temperature is not None:
        thresholds: dict[str, float | None] = dict.fromkeys(DISPUTE_LABELS, 0.9)
        Calibration("dc@" + version, sha, temperature, 0.95, thresholds, {}, 0, 0, 0, 0).write(
            folder
        )
    return folder


@pytest.mark.anyio
async def test_needs_review_follows_the_served_versions_calibration(tmp_path: Path) -> None:
    engine = SureEngine()
    app = create_app(Settings(enable_retrieval=False), engine)
    transport = httpx.ASGITransport(app=app)
    items = {"items": [{"text": "we are sure"}, {"text": "maybe"}]}

    async def serve(version: str, folder: Path) -> list[dict[str, Any]]:
        await engine.add_adapter(AdapterInfo(DISPUTE_CLASSIFIER, str(folder), 8, version))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.post("/v1/disputes/classify", json=items)
        assert r.status_code == 200, r.text
        return list(r.json()["data"])

    # no calibration: nothing skips the review queue, however confident
    sure, unsure = await serve("1", _version(tmp_path, "1", None))
    assert sure["confidence"] > 0.99 and sure["needs_review"] and unsure["needs_review"]
    # a calibrated version (hot reload): T=1 keeps the numbers, the thresholds decide
    sure, unsure = await serve("2", _version(tmp_path, "2", 1.0))
    assert not sure["needs_review"] and unsure["needs_review"]
    assert unsure["confidence"] == pytest.approx(1 / sum(math.exp(-i) for i in range(10)), 1e-4)
    # T=4 softens the confident answer below its threshold; probabilities follow T
    sure, unsure = await serve("3", _version(tmp_path, "3", 4.0))
    assert sure["needs_review"] and sure["confidence"] < 0.9
    assert math.isclose(sum(sure["probabilities"].values()), 1.0, abs_tol=1e-5)
    assert sure["probabilities"][sure["label"]] == sure["confidence"]
    # fitted on other weights: ignored
    sure, _ = await serve("4", _version(tmp_path, "4", 1.0, sha="other"))
    assert sure["needs_review"]
