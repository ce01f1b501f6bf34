"""Issue 21 finding 7: the edges of authentication and of what a key may see or send."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.auth import create_key
from server.engine.protocol import AdapterInfo
from server.settings import Settings
from tests.server.fake_engine import FakeEngine

MSG = [{"role": "user", "content": "hi"}]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, str, str]:
    path = tmp_path / "keys.json"
    infer = create_key(path, "i", "t1", ["infer"])
    admin = create_key(path, "a", "t1", ["infer", "admin"])
    return path, infer, admin


def _client(keys_file: Path | None) -> httpx.AsyncClient:
    engine = FakeEngine()
    engine.adapters["ar-x"] = AdapterInfo("ar-x", "/srv/secret/adapters/ar-x", 8)
    app = create_app(Settings(keys_file=keys_file, enable_retrieval=False), engine)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _auth(key: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {key}"}


@pytest.mark.anyio
async def test_401_says_bearer(keys: tuple[Path, str, str]) -> None:
    async with _client(keys[0]) as client:
        for headers in ({}, _auth("wrong"), _auth("x", "Basic")):
            r = await client.get("/v1/models", headers=headers)
            assert r.status_code == 401
            assert r.headers["WWW-Authenticate"] == "Bearer"
            assert r.json()["error"]["type"] == "authentication_error"


@pytest.mark.anyio
async def test_lower_case_bearer_is_accepted(keys: tuple[Path, str, str]) -> None:
    # RFC 7235: the auth scheme is case-insensitive.
    async with _client(keys[0]) as client:
        assert (await client.get("/v1/models", headers=_auth(keys[1], "bearer"))).status_code == 200
        assert (await client.get("/v1/models", headers=_auth(keys[1], "BEARER"))).status_code == 200


@pytest.mark.anyio
async def test_unauthenticated_invalid_json_gets_401(keys: tuple[Path, str, str]) -> None:
    async with _client(keys[0]) as client:
        r = await client.post(
            "/v1/chat/completions",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 401
        r = await client.post(
            "/v1/chat/completions",
            content=b"{not json",
            headers={"Content-Type": "application/json", **_auth(keys[1])},
        )
        assert r.status_code == 400


@pytest.mark.anyio
async def test_docs_are_off_when_keys_are_configured(keys: tuple[Path, str, str]) -> None:
    async with _client(keys[0]) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 401, path
            assert (await client.get(path, headers=_auth(keys[1]))).status_code == 404, path
        # Probes stay open.
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/ready")).status_code == 200
    async with _client(None) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 200, path


@pytest.mark.anyio
async def test_infer_key_sees_no_server_paths(keys: tuple[Path, str, str]) -> None:
    async with _client(keys[0]) as client:
        r = await client.get("/v1/models", headers=_auth(keys[1]))
        cards = {m["id"]: m for m in r.json()["data"]}
        assert cards["ar-x"]["root"] == "ar-x" and cards["ar-x"]["parent"] == "fake-base"
        assert "/srv/secret" not in r.text
        r = await client.get("/v1/models", headers=_auth(keys[2]))
        assert {m["id"]: m for m in r.json()["data"]}["ar-x"]["root"].startswith("/srv/secret")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tools", [{"type": "function", "function": {"name": "f", "parameters": {}}}]),
        ("tool_choice", "auto"),
    ],
)
async def test_tools_are_refused_not_ignored(field: str, value: object) -> None:
    async with _client(None) as client:
        body = {"model": "fake-base", "messages": MSG, "max_tokens": 2, field: value}
        r = await client.post("/v1/chat/completions", json=body)
        assert r.status_code == 400
        assert r.json()["error"]["param"] == field
