"""HTTP only: parse, authenticate, hand to the service, shape the response."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from server.api.common.sse import sse_response
from server.api.completions.protocol import CompletionRequest, CompletionResponse
from server.api.deps import CompletionsDep, InferPrincipal

router = APIRouter()


@router.post("/v1/completions", response_model=CompletionResponse)
async def create_completion(
    req: CompletionRequest, principal: InferPrincipal, service: CompletionsDep
) -> Any:
    if req.stream:
        return sse_response(await service.stream(req))
    # Returned as-is: the response model documents the wire format.
    return JSONResponse(await service.create(req))
