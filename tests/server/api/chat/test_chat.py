"""POST /v1/chat/completions against the real vLLM CPU engine with two real adapters."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.server.conftest import BASE, PROMPT, LiveServer, text_of

pytestmark = pytest.mark.engine


def test_stream_reassembles_to_the_non_streamed_text(live_server: LiveServer) -> None:
    expected = text_of(live_server.chat("adapter-a"))
    body = {
        "model": "adapter-a",
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": 24,
        "temperature": 0,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    with (
        live_server.client() as client,
        client.stream("POST", "/v1/chat/completions", json=body) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == expected
    assert chunks[-1]["usage"]["completion_tokens"] > 0


def test_official_openai_client_chat(live_server: LiveServer) -> None:
    client = openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=live_server.infer_key)
    for model in (BASE, "adapter-a", "adapter-b"):
        chat_resp = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": PROMPT}],
            max_tokens=12,
            temperature=0,
        )
        assert chat_resp.choices[0].message.content
        assert chat_resp.usage is not None and chat_resp.usage.completion_tokens > 0
        chat_stream = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": PROMPT}],
            max_tokens=12,
            temperature=0,
            stream=True,
        )
        text = "".join(c.choices[0].delta.content or "" for c in chat_stream if c.choices)
        assert text == chat_resp.choices[0].message.content


def test_n_seed_stop_and_logprobs(live_server: LiveServer) -> None:
    sampled: dict[str, Any] = {
        "n": 2,
        "temperature": 0.9,
        "seed": 7,
        "logprobs": True,
        "top_logprobs": 2,
    }
    body = live_server.chat("adapter-b", max_tokens=8, **sampled)
    assert [c["index"] for c in body["choices"]] == [0, 1]
    again = live_server.chat("adapter-b", max_tokens=8, **sampled)
    assert [text_of({"choices": [c]}) for c in body["choices"]] == [
        text_of({"choices": [c]}) for c in again["choices"]
    ]
    content = body["choices"][0]["logprobs"]["content"]
    assert len(content) >= 1
    assert all(len(t["top_logprobs"]) == 2 and t["logprob"] <= 0 for t in content)
    stopped = live_server.chat(BASE, stop=["invoice", "Invoice"], max_tokens=40)
    assert "nvoice" not in text_of(stopped)


def test_ignore_eos_generates_exactly_max_tokens(live_server: LiveServer) -> None:
    """vLLM's extension, which `vllm bench serve` sends to time a fixed output length."""
    short = live_server.chat(BASE, "Reply with the single word OK.", max_tokens=64)
    assert short["choices"][0]["finish_reason"] == "stop"  # the model stops on its own...
    full = live_server.chat(BASE, "Reply with the single word OK.", max_tokens=64, ignore_eos=True)
    assert full["usage"]["completion_tokens"] == 64  # ...unless told to ignore EOS
    assert full["choices"][0]["finish_reason"] == "length"


def test_guided_choice_and_json_schema(live_server: LiveServer) -> None:
    labels = ["damaged_goods", "short_shipment", "other"]
    body = live_server.chat(
        "adapter-a", content="The pallet arrived crushed.", guided_choice=labels
    )
    assert text_of(body) in labels
    schema = {
        "type": "object",
        "properties": {"invoice": {"type": "string"}, "amount": {"type": "number"}},
        "required": ["invoice", "amount"],
    }
    body = live_server.chat(
        BASE,
        content="Invoice INV-9 for 120.50 EUR as JSON.",
        max_tokens=60,
        response_format={"type": "json_schema", "json_schema": {"name": "inv", "schema": schema}},
    )
    parsed = json.loads(text_of(body))
    assert set(parsed) >= {"invoice", "amount"}
