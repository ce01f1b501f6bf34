"""/metrics on the live server: per-adapter, per-endpoint families with bounded labels."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.server.conftest import LiveServer

pytestmark = pytest.mark.engine


def samples(server: LiveServer) -> dict[str, list]:
    text = httpx.get(f"{server.url}/metrics").text  # public on loopback: no key
    out: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append(s)
    return out


def value(found: dict[str, list], name: str, **labels: str) -> float:
    return sum(s.value for s in found.get(name, []) if labels.items() <= s.labels.items())


def test_metrics_cover_requests_latency_tokens_and_adapters(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for model in ("SmolLM2-135M-Instruct", "adapter-a"):
            r = client.post(
                "/v1/chat/completions",
                json={
                    "model": model,
                    "max_tokens": 5,
                    "temperature": 0,
                    "messages": [{"role": "user", "content": "Hello"}],
                },
            )
            assert r.status_code == 200
        r = client.post("/v1/disputes/classify", json={"text": "Goods broken"})
        assert r.status_code == 200
        assert (
            client.post(
                "/v1/ar/emails", json={"customer_id": "C00001", "email_type": "reminder_pre_due"}
            ).status_code
            == 200
        )
        for name in ("zzz-1", "zzz-2"):
            client.post(
                "/v1/chat/completions",
                json={"model": name, "messages": [{"role": "user", "content": "x"}]},
            )
    found = samples(live_server)
    ok = {"endpoint": "chat", "status": "ok"}
    assert value(found, "arserve_requests_total", adapter="adapter-a", **ok) >= 1
    assert value(found, "arserve_requests_total", adapter="SmolLM2-135M-Instruct", **ok) >= 1
    for hist in (
        "arserve_time_to_first_token_seconds",
        "arserve_request_latency_seconds",
        "arserve_time_per_output_token_seconds",
    ):
        assert value(found, f"{hist}_count", adapter="adapter-a", endpoint="chat") >= 1
    assert value(found, "arserve_prompt_tokens_total", adapter="adapter-a") > 0
    assert value(found, "arserve_completion_tokens_total", adapter="adapter-a") > 0
    assert value(found, "arserve_retrieval_latency_seconds_count", endpoint="ar_emails") >= 1
    assert value(found, "arserve_context_tokens_sum", endpoint="ar_emails") > 0
    assert value(found, "arserve_classification_labels_total", adapter="dispute-classifier") >= 1
    assert value(found, "arserve_adapters_loaded", adapter="registered", version="1") == 1
    assert value(found, "arserve_adapter_events_total", event="load") >= 2
    assert value(found, "arserve_adapter_events_total", event="failure") >= 0
    assert 0.0 <= value(found, "arserve_kv_cache_usage_ratio") <= 1.0
    assert "arserve_kv_cache_usage_ratio" in found
    assert "arserve_requests_in_flight" in found
    labels = {s.labels.get("adapter") for ss in found.values() for s in ss}
    assert not {"zzz-1", "zzz-2"} & labels
