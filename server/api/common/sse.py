"""Server-sent events in the OpenAI style: `data: {json}` lines, then `data: [DONE]`."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

from server.api.errors import exception_to_response

logger = logging.getLogger(__name__)


def sse_event(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n"


def sse_response(events: AsyncIterator[dict[str, Any]]) -> StreamingResponse:
    async def body() -> AsyncIterator[str]:
        try:
            async for payload in events:
                yield sse_event(payload)
        except Exception as exc:  # noqa: BLE001 - headers are sent: report in-band
            response = exception_to_response(exc)
            yield f"data: {bytes(response.body).decode()}\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(
        body(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


async def prime(stream: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """Pull the first item now, so errors raised on submission become a normal HTTP error."""
    try:
        first = await anext(stream)
    except StopAsyncIteration:
        first = None

    async def rest() -> AsyncIterator[Any]:
        if first is None:
            return
        yield first
        async for item in stream:
            yield item

    return rest()
