"""Bad input against the live server: the documented status, one error object, still serving."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from tests.helpers import assert_error
from tests.server.conftest import BAD_ADAPTERS, LiveServer

pytestmark = pytest.mark.engine

MSG = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"model": "no-such-model", "messages": MSG}, 404, "model"),
        ({"model": "adapter-a", "messages": []}, 400, "messages"),
        ({"model": "adapter-a", "messages": MSG, "max_tokens": -5}, 400, "max_tokens"),
        ({"model": "adapter-a", "messages": MSG, "max_tokens": 10**9}, 400, "max_tokens"),
        ({"model": "adapter-a", "messages": "hello"}, 400, "messages"),
        ({"model": "adapter-a", "messages": MSG, "temperature": "hot"}, 400, "temperature"),
        ({"model": "adapter-a", "messages": MSG, "n": 0}, 400, "n"),
        ({"model": 42, "messages": MSG}, 400, "model"),
        ({"messages": MSG}, 400, "model"),
    ],
)
def test_invalid_parameters(live_server: LiveServer, body: dict, status: int, param: str) -> None:
    with live_server.client() as client:
        assert_error(client.post("/v1/chat/completions", json=body), status, param)


def test_invalid_json_oversized_body_and_long_prompt(live_server: LiveServer) -> None:
    with live_server.client() as client:
        r = client.post(
            "/v1/chat/completions",
            content=b'{"model": ',
            headers={"content-type": "application/json"},
        )
        assert_error(r, 400)
        big = {"model": "adapter-a", "messages": [{"role": "user", "content": "x" * 300_000}]}
        assert_error(client.post("/v1/chat/completions", json=big), 413)
        long = {"model": "adapter-a", "prompt": "invoice " * 3000, "max_tokens": 4}
        error = assert_error(client.post("/v1/completions", json=long), 413, "prompt")
        assert error["code"] == "prompt_too_long"


def test_auth_missing_wrong_key_and_scope(live_server: LiveServer) -> None:
    body = {"model": "adapter-a", "messages": MSG, "max_tokens": 2}
    r = httpx.post(f"{live_server.url}/v1/chat/completions", json=body)
    assert_error(r, 401)
    with live_server.client("ars-not-a-real-key") as client:
        assert_error(client.post("/v1/chat/completions", json=body), 401)
        assert_error(client.get("/v1/models"), 401)
    with live_server.client(live_server.infer_key) as client:
        assert_error(client.get("/v1/adapters"), 403)
    assert httpx.get(f"{live_server.url}/health").status_code == 200
    assert httpx.get(f"{live_server.url}/ready").status_code == 200


def test_server_keeps_serving_after_bad_input(live_server: LiveServer) -> None:
    with live_server.client() as client:
        client.post(
            "/v1/chat/completions",
            content=b"\xff\xfe",
            headers={"content-type": "application/json"},
        )
        r = client.post(
            "/v1/chat/completions", json={"model": "adapter-b", "messages": MSG, "max_tokens": 3}
        )
    assert r.status_code == 200


def test_invalid_adapters_are_skipped_with_reasons(live_server: LiveServer) -> None:
    with live_server.client(live_server.admin_key) as client:
        statuses = {a["name"]: a for a in client.get("/v1/adapters").json()["data"]}
        for name, reason in BAD_ADAPTERS.items():
            assert statuses[name]["status"] == "error"
            assert reason in statuses[name]["reason"]
        for name in ("adapter-a", "adapter-b"):
            assert statuses[name]["status"] == "ready"
            r = client.post(
                "/v1/chat/completions", json={"model": name, "messages": MSG, "max_tokens": 3}
            )
            assert r.status_code == 200


def _strict_json(text: str) -> object:
    """json.loads that refuses -Infinity, Infinity and NaN (not JSON)."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"structured_outputs": {"regex": "(["}}, "structured_outputs.regex"),
        ({"structured_outputs": {"json": {"type": 5}}}, "structured_outputs.json"),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "r", "schema": {"type": "object", "required": 3}},
                }
            },
            "response_format.json_schema.schema",
        ),
        ({"seed": 2**64}, "seed"),
        ({"seed": 2**63}, "seed"),
        ({"seed": -(2**63) - 1}, "seed"),
        # Valid for Python and jsonschema, refused by vLLM's grammar backend (VLLMValidationError).
        ({"structured_outputs": {"regex": "(?=a)a"}}, None),
        ({"structured_outputs": {"json": {"type": "integer", "minimum": 5, "maximum": 1}}}, None),
    ],
)
def test_client_mistakes_are_400_not_500(
    live_server: LiveServer, extra: dict, param: str | None
) -> None:
    body = {"model": "adapter-a", "messages": MSG, "max_tokens": 4, **extra}
    with live_server.client() as client:
        assert_error(client.post("/v1/chat/completions", json=body), 400, param)
        r = client.post("/v1/chat/completions", json={**body, "stream": True})
        assert_error(r, 400, param)


@pytest.mark.parametrize("ids", [[1, 2, 10**6], [-1, 2], [[5, 6], [7, 49152]]])
def test_token_ids_out_of_vocabulary_are_400(live_server: LiveServer, ids: list) -> None:
    body = {"model": "adapter-a", "prompt": ids, "max_tokens": 2}
    with live_server.client() as client:
        assert_error(client.post("/v1/completions", json=body), 400, "prompt")
        ok = client.post("/v1/completions", json={**body, "prompt": [1, 2, 3]})
        assert ok.status_code == 200, ok.text


def test_seed_at_the_int64_bounds_is_served(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for seed in (2**63 - 1, 0):
            body = {"model": "adapter-a", "messages": MSG, "max_tokens": 2, "seed": seed}
            r = client.post("/v1/chat/completions", json=body)
            assert r.status_code == 200, r.text


def _finite_logprobs(values: list[float]) -> None:
    assert values and all(math.isfinite(v) for v in values), values


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/v1/chat/completions", {"messages": MSG, "logprobs": True, "top_logprobs": 5}),
        ("/v1/completions", {"prompt": "Is the invoice paid?", "logprobs": 5}),
    ],
)
def test_logprobs_with_constrained_decoding_are_json(
    live_server: LiveServer, path: str, extra: dict
) -> None:
    body = {
        "model": "adapter-a",
        "max_tokens": 4,
        "temperature": 0,
        "guided_choice": ["yes", "no"],
        **extra,
    }
    with live_server.client() as client:
        r = client.post(path, json=body)
        assert r.status_code == 200, r.text
        logprobs = _strict_json(r.text)["choices"][0]["logprobs"]  # type: ignore[index]
        if "content" in logprobs:
            tops = [t["logprob"] for c in logprobs["content"] for t in c["top_logprobs"]]
            _finite_logprobs([c["logprob"] for c in logprobs["content"]] + tops)
            # The masked alternatives are there, at vLLM's floor rather than -inf.
            assert min(tops) == -9999.0
        else:
            tops = [v for top in logprobs["top_logprobs"] for v in top.values()]
            _finite_logprobs(logprobs["token_logprobs"] + tops)
            assert min(tops) == -9999.0
        with client.stream("POST", path, json={**body, "stream": True}) as s:
            assert s.status_code == 200
            events = [line[6:] for line in s.iter_lines() if line.startswith("data: ")]
        assert events[-1] == "[DONE]"
        for event in events[:-1]:
            _strict_json(event)
