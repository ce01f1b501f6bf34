"""POST /v1/completions against the real vLLM CPU engine with two real adapters."""

from __future__ import annotations

import openai
import pytest

from tests.server.conftest import BASE, LiveServer

pytestmark = pytest.mark.engine


def test_official_openai_client_completions(live_server: LiveServer) -> None:
    client = openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=live_server.infer_key)
    for model in (BASE, "adapter-a", "adapter-b"):
        cmpl = client.completions.create(
            model=model, prompt="Invoice INV-7 is", max_tokens=8, temperature=0
        )
        streamed = client.completions.create(
            model=model, prompt="Invoice INV-7 is", max_tokens=8, temperature=0, stream=True
        )
        assert "".join(c.choices[0].text for c in streamed if c.choices) == cmpl.choices[0].text


def test_text_completion_with_logprobs_and_prompt_list(live_server: LiveServer) -> None:
    with live_server.client() as client:
        r = client.post(
            "/v1/completions",
            json={
                "model": "adapter-b",
                "prompt": ["Dear customer,", "Invoice INV-1 is"],
                "max_tokens": 5,
                "temperature": 0,
                "logprobs": 1,
            },
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["index"] for c in body["choices"]] == [0, 1]
    lp = body["choices"][0]["logprobs"]
    assert len(lp["tokens"]) == len(lp["token_logprobs"]) == len(lp["top_logprobs"]) >= 1
    assert body["usage"]["prompt_tokens"] > 0
