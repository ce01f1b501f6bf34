"""Running an app with its lifespan (it opens the retrieval store) for the readiness tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from server.app import create_app
from server.retrieval_runtime import RetrievalRuntime
from server.settings import Settings
from server.state import AppState
from tests.server.fake_engine import FakeEngine

FAST_RETRY: dict[str, Any] = {"retrieval_retry_initial_s": 0.05, "retrieval_retry_max_s": 0.2}


@asynccontextmanager
async def running(
    settings: Settings, engine: Any = None, retrieval: RetrievalRuntime | None = None
) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    """The app with its lifespan, and a client of it."""
    app = create_app(settings, engine or FakeEngine(), retrieval)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app.state.arserve


async def until(predicate: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Wait for a condition the server reaches by itself (a deadline, not a speed check)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition never reached"
        await asyncio.sleep(0.02)


class _Qdrant(BaseHTTPRequestHandler):
    """Answers every GET as a collection-exists call does (with ``status``): enough of a
    Qdrant server for a ping and for an HTTP error, not a store."""

    status = 200

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = json.dumps({"result": {"exists": True}, "status": "ok", "time": 0.0}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def qdrant_stub(port: int, status: int = 200) -> Iterator[None]:
    handler = type("Handler", (_Qdrant,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
