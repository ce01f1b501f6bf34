"""One JSON log line per request, joined by the request id the response carries."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.auth import create_key
from server.logs import JsonFormatter
from server.settings import Settings
from tests.server.fake_engine import FakeEngine


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.mark.anyio
async def test_each_request_gets_an_id_and_a_json_line(tmp_path: Path) -> None:
    key = create_key(tmp_path / "keys.json", "k1", "t1", ["infer"])
    app = create_app(Settings(keys_file=tmp_path / "keys.json", enable_retrieval=False),
                     FakeEngine())  # type: ignore[arg-type]  # fmt: skip
    lines = Lines()
    logger = logging.getLogger("arserve.request")
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    body = {"model": "fake-base", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            auth = {"Authorization": f"Bearer {key}"}
            ok = await client.post("/v1/chat/completions?secret=C00042", json=body, headers=auth)
            given = await client.post(
                "/v1/chat/completions", json=body, headers={**auth, "X-Request-Id": "erp-123"}
            )
            bad_id = await client.get("/v1/models", headers={**auth, "X-Request-Id": "x y\x7f"})
            denied = await client.get("/v1/models")
    finally:
        logger.removeHandler(lines)
    assert ok.status_code == 200 and ok.headers["x-request-id"].startswith("req-")
    assert given.headers["x-request-id"] == "erp-123"
    assert bad_id.headers["x-request-id"].startswith("req-")
    assert denied.status_code == 401 and denied.headers["x-request-id"].startswith("req-")
    by_id = {line["request_id"]: line for line in lines.lines}
    line = by_id[ok.headers["x-request-id"]]
    assert line["route"] == "/v1/chat/completions" and line["method"] == "POST"
    assert line["status"] == 200 and line["latency_ms"] >= 0
    assert (line["tenant"], line["key_id"], line["adapter"]) == ("t1", "k1", "fake-base")
    assert line["level"] == "info" and line["logger"] == "arserve.request"
    assert "C00042" not in json.dumps(lines.lines)  # no query strings, no bodies
    assert by_id["erp-123"]["status"] == 200
    assert by_id[denied.headers["x-request-id"]]["status"] == 401
    assert by_id[denied.headers["x-request-id"]]["tenant"] is None
