"""Issue 21: what the real server (uvicorn as `arserve serve` runs it) accepts and logs."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from server.app import create_app
from server.cli import server_options
from server.settings import Settings
from tests.helpers import free_port
from tests.server.fake_engine import FakeEngine


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, _Lines]]:
    settings = Settings(port=free_port(), max_header_bytes=16_384, enable_retrieval=False)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, FakeEngine()), **server_options(settings))
    )
    lines = _Lines()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(lines)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{settings.port}", lines
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(lines)


def test_oversized_headers_are_refused_and_the_server_stays_up(
    served: tuple[str, _Lines],
) -> None:
    url, _ = served
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/health", headers={"X-Pad": "a" * 8_000}).status_code == 200
        # Over the bound: 431 from the app; far over it, h11 refuses before buffering it all.
        r = client.get("/health", headers={"X-Pad": "a" * 32_000})
        assert r.status_code == 431 and r.json()["error"]["code"] == "headers_too_large"
        with httpx.Client(base_url=url, timeout=10) as fresh:
            assert fresh.get("/health", headers={"X-Pad": "a" * 8_000_000}).status_code == 400
        assert client.get("/health").status_code == 200


def test_access_log_drops_the_query_string(served: tuple[str, _Lines]) -> None:
    url, lines = served
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/health", params={"api_key": "ars-secret"}).status_code == 200
    deadline = time.monotonic() + 5
    while not any("/health" in line for line in lines.lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any('"GET /health HTTP/1.1" 200' in line for line in lines.lines), lines.lines
    assert not any("ars-secret" in line for line in lines.lines)


def test_max_header_bytes_is_bounded() -> None:
    for bad in (0, 100, 10_000_000):
        with pytest.raises(ValueError, match="max_header_bytes"):
            Settings(max_header_bytes=bad)
