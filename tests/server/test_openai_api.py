"""The OpenAI-compatible API against the real vLLM CPU engine with two real adapters."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from tests.server.conftest import LiveServer

pytestmark = pytest.mark.engine

BASE = "SmolLM2-135M-Instruct"
PROMPT = "Write one sentence to a customer about invoice INV-2041."


def chat(server: LiveServer, model: str, content: str = PROMPT, **extra: object) -> dict:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": content}],
        "max_tokens": 24,
        "temperature": 0,
        **extra,
    }
    with server.client() as client:
        response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def text_of(body: dict) -> str:
    return body["choices"][0]["message"]["content"]


def test_models_lists_base_and_adapters_with_parent(live_server: LiveServer) -> None:
    with live_server.client() as client:
        data = client.get("/v1/models").json()["data"]
    by_id = {m["id"]: m for m in data}
    assert by_id[BASE]["parent"] is None
    for name in ("adapter-a", "adapter-b"):
        assert by_id[name]["parent"] == BASE
    assert not any(m["id"].startswith("bad-") for m in data)


def test_base_and_adapters_give_pairwise_different_outputs(live_server: LiveServer) -> None:
    outputs = {m: text_of(chat(live_server, m)) for m in (BASE, "adapter-a", "adapter-b")}
    assert len(set(outputs.values())) == 3, outputs


def test_mixed_concurrent_batch_matches_requests_sent_alone(live_server: LiveServer) -> None:
    prompts = [
        PROMPT,
        "Remind the customer that payment is due.",
        "Classify: the pallet was damaged",
    ]
    jobs = [(m, p) for m in (BASE, "adapter-a", "adapter-b") for p in prompts]
    alone = {job: text_of(chat(live_server, *job)) for job in jobs}
    with ThreadPoolExecutor(len(jobs)) as pool:
        together = dict(
            zip(jobs, pool.map(lambda job: text_of(chat(live_server, *job)), jobs), strict=True)
        )
    assert together == alone


def test_stream_reassembles_to_the_non_streamed_text(live_server: LiveServer) -> None:
    expected = text_of(chat(live_server, "adapter-a"))
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


def test_official_openai_client_chat_and_completions(live_server: LiveServer) -> None:
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
        cmpl = client.completions.create(
            model=model, prompt="Invoice INV-7 is", max_tokens=8, temperature=0
        )
        streamed = client.completions.create(
            model=model, prompt="Invoice INV-7 is", max_tokens=8, temperature=0, stream=True
        )
        assert "".join(c.choices[0].text for c in streamed if c.choices) == cmpl.choices[0].text
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
    body = chat(
        live_server,
        "adapter-b",
        n=2,
        temperature=0.9,
        seed=7,
        logprobs=True,
        top_logprobs=2,
        max_tokens=8,
    )
    assert [c["index"] for c in body["choices"]] == [0, 1]
    again = chat(
        live_server,
        "adapter-b",
        n=2,
        temperature=0.9,
        seed=7,
        logprobs=True,
        top_logprobs=2,
        max_tokens=8,
    )
    assert [text_of({"choices": [c]}) for c in body["choices"]] == [
        text_of({"choices": [c]}) for c in again["choices"]
    ]
    content = body["choices"][0]["logprobs"]["content"]
    assert len(content) >= 1
    assert all(len(t["top_logprobs"]) == 2 and t["logprob"] <= 0 for t in content)
    stopped = chat(live_server, BASE, stop=["invoice", "Invoice"], max_tokens=40)
    assert "nvoice" not in text_of(stopped)


def test_ignore_eos_generates_exactly_max_tokens(live_server: LiveServer) -> None:
    """vLLM's extension, which `vllm bench serve` sends to time a fixed output length."""
    short = chat(live_server, BASE, "Reply with the single word OK.", max_tokens=64)
    assert short["choices"][0]["finish_reason"] == "stop"  # the model stops on its own...
    full = chat(live_server, BASE, "Reply with the single word OK.", max_tokens=64, ignore_eos=True)
    assert full["usage"]["completion_tokens"] == 64  # ...unless told to ignore EOS
    assert full["choices"][0]["finish_reason"] == "length"


def test_guided_choice_and_json_schema(live_server: LiveServer) -> None:
    labels = ["damaged_goods", "short_shipment", "other"]
    body = chat(
        live_server, "adapter-a", content="The pallet arrived crushed.", guided_choice=labels
    )
    assert text_of(body) in labels
    schema = {
        "type": "object",
        "properties": {"invoice": {"type": "string"}, "amount": {"type": "number"}},
        "required": ["invoice", "amount"],
    }
    body = chat(
        live_server,
        BASE,
        content="Invoice INV-9 for 120.50 EUR as JSON.",
        max_tokens=60,
        response_format={"type": "json_schema", "json_schema": {"name": "inv", "schema": schema}},
    )
    parsed = json.loads(text_of(body))
    assert set(parsed) >= {"invoice", "amount"}


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
