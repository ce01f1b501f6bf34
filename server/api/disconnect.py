"""Cancel a generation request's handler when its client disconnects.

A non-streamed request reads nothing from the client once its body is in, so without this
nobody notices the client went away and the engine generates for no one. Once the body is
fully read, a watcher takes over `receive()`: on `http.disconnect` it cancels the handler
task, so the CancelledError reaches the engine call, which aborts the engine request. The
app's own `receive` keeps working: after the body it answers `http.disconnect` when the
watcher has seen it (Starlette's StreamingResponse and `Request.is_disconnected` listen so).

Only for the generation routes: an admin action (an adapter load) must never stop half-way.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

GENERATION_PATHS = frozenset(
    {"/v1/chat/completions", "/v1/completions", "/v1/ar/emails", "/v1/disputes/classify"}
)
DISCONNECT: Message = {"type": "http.disconnect"}


class _Watch:
    """One request's view of its connection, shared by the app's receive and the watcher."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.handler: asyncio.Future[None] | None = None
        self.disconnected = asyncio.Event()
        self.response_complete = False
        self.watcher: asyncio.Task[None] | None = None

    async def receive(self) -> Message:
        if self.watcher is not None:
            # The watcher owns the connection now: only a disconnect can still arrive.
            await self.disconnected.wait()
            return DISCONNECT
        message = await self._receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            self.watcher = asyncio.create_task(self._watch())
        return message

    def send(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                # Set first: a server's receive answers disconnect once the response is done.
                self.response_complete = True
            await send(message)

        return wrapped

    async def _watch(self) -> None:
        while (await self._receive())["type"] != "http.disconnect":
            pass
        self.disconnected.set()
        if not self.response_complete and self.handler is not None:
            self.handler.cancel()


class CancelOnDisconnect:
    """ASGI middleware: the generation routes' handlers stop when their client disconnects."""

    def __init__(self, app: ASGIApp, paths: frozenset[str] = GENERATION_PATHS) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        watch = _Watch(receive)
        # A task of its own, so the watcher can cancel the handler and not this middleware.
        watch.handler = asyncio.ensure_future(self.app(scope, watch.receive, watch.send(send)))
        try:
            await watch.handler
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not watch.disconnected.is_set() or (current and current.cancelling()):
                raise  # the server cancels us: not the client's disconnect
        finally:
            if watch.watcher is not None:
                watch.watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch.watcher
