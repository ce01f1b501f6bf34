"""Bad input against the live server: the documented status, one error object, still serving."""

from __future__ import annotations

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
