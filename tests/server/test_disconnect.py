"""A client that goes away stops its generation: non-streamed, streamed and classify batches.

The ASGI tests drive the middleware with a scripted connection; the engine tests hang up a
real socket mid-generation and watch the engine's own request table empty."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from starlette.responses import StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from server.api.disconnect import CancelOnDisconnect
from tests.server.conftest import BASE, LiveServer
from tests.server.disconnect_helpers import (
    idle,
    num_engine_requests,
    num_requests,
    open_request,
    wait_for,
)

CHAT = "/v1/chat/completions"
# Aborted within this (it takes a few engine steps); the whole generation takes far longer.
ABORT_WAIT_S = 10


class Connection:
    """A scripted client: the body, then a disconnect when the test hangs up."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.inbox.put_nowait({"type": "http.request", "body": b"{}", "more_body": False})
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        return await self.inbox.get()

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    def hang_up(self) -> None:
        self.inbox.put_nowait({"type": "http.disconnect"})


def scope(path: str = CHAT) -> Scope:
    return {"type": "http", "method": "POST", "path": path, "headers": []}


class SlowApp:
    """Reads the body, then works until released; records whether it was cancelled."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        self.started.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_disconnect_cancels_a_generation_handler() -> None:
    app, conn = SlowApp(), Connection()
    call = asyncio.create_task(CancelOnDisconnect(app)(scope(), conn.receive, conn.send))
    await asyncio.wait_for(app.started.wait(), 5)
    conn.hang_up()
    await asyncio.wait_for(call, 5)  # returns: a disconnect is not an error of the server
    assert app.cancelled and conn.sent == []


@pytest.mark.anyio
async def test_admin_routes_are_never_cancelled() -> None:
    app, conn = SlowApp(), Connection()
    call = asyncio.create_task(
        CancelOnDisconnect(app)(scope("/v1/adapters"), conn.receive, conn.send)
    )
    await asyncio.wait_for(app.started.wait(), 5)
    conn.hang_up()
    await asyncio.sleep(0.1)
    app.release.set()
    await asyncio.wait_for(call, 5)
    assert not app.cancelled and conn.sent[-1]["body"] == b"done"


@pytest.mark.anyio
async def test_app_still_hears_the_disconnect_after_its_response() -> None:
    """After the body the watcher owns the connection; the app's receive still answers."""
    conn = Connection()
    heard: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        conn.hang_up()
        heard.append(await receive())

    await asyncio.wait_for(CancelOnDisconnect(app)(scope(), conn.receive, conn.send), 5)
    assert heard == [{"type": "http.disconnect"}]


@pytest.mark.anyio
async def test_starlette_stream_stops_on_disconnect() -> None:
    conn = Connection()
    streaming, stopped = asyncio.Event(), asyncio.Event()

    async def chunks() -> AsyncIterator[str]:
        try:
            while True:
                streaming.set()
                yield "data: x\n\n"
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            stopped.set()
            raise

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await StreamingResponse(chunks())(scope, receive, send)

    call = asyncio.create_task(CancelOnDisconnect(app)(scope(), conn.receive, conn.send))
    await asyncio.wait_for(streaming.wait(), 5)
    conn.hang_up()
    await asyncio.wait_for(call, 5)
    assert stopped.is_set()


def _hang_up_mid_generation(
    live_server: LiveServer,
    path: str,
    body: dict[str, object],
    read_first: bool = False,
    linger_s: float = 1.0,
) -> None:
    """Send the request, let the engine work on it, then close the socket."""
    state = live_server.app_state
    sock = open_request(live_server.url, path, live_server.infer_key, body)
    try:
        assert wait_for(lambda: num_engine_requests(state) > 0, 60), "never reached the engine"
        if read_first:
            assert sock.recv(1024).startswith(b"HTTP/1.1 200")  # the stream has started
        time.sleep(linger_s)
    finally:
        sock.close()


def _long_chat(stream: bool) -> dict[str, object]:
    return {
        "model": BASE,
        "messages": [{"role": "user", "content": f"Tell a long story. {uuid.uuid4()}"}],
        "n": 4,
        "max_tokens": 600,
        "ignore_eos": True,
        "stream": stream,
    }


@pytest.mark.engine
@pytest.mark.parametrize("stream", [False, True], ids=["non-streamed", "streamed"])
def test_chat_is_aborted_when_the_client_goes_away(live_server: LiveServer, stream: bool) -> None:
    state = live_server.app_state
    assert idle(state)
    cancelled = num_requests(state, "chat", "cancelled")
    _hang_up_mid_generation(live_server, CHAT, _long_chat(stream), read_first=stream)
    assert wait_for(lambda: idle(state), ABORT_WAIT_S), (
        f"still generating: {state.admission.num_in_flight} in flight, "
        f"{num_engine_requests(state)} engine requests"
    )
    assert num_requests(state, "chat", "cancelled") == cancelled + 1


@pytest.mark.engine
def test_classify_batch_is_aborted_when_the_client_goes_away(live_server: LiveServer) -> None:
    state = live_server.app_state
    assert idle(state)
    cancelled = num_requests(state, "disputes", "cancelled")
    # Distinct, long texts: no prefix-cache shortcut, so the batch outlasts the hang-up.
    filler = "The amount on the invoice does not match the purchase order we agreed. " * 40
    items = [{"text": f"{i} {uuid.uuid4()} {filler}"} for i in range(16)]
    _hang_up_mid_generation(live_server, "/v1/disputes/classify", {"items": items}, linger_s=0)
    assert wait_for(lambda: idle(state), ABORT_WAIT_S)
    assert num_requests(state, "disputes", "cancelled") > cancelled
