"""HTTP only: parse, authenticate, hand to the service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from server.api.common.sse import sse_response
from server.api.completions.protocol import CompletionRequest, CompletionResponse
from server.api.completions.service import CompletionService
from server.api.deps import InferPrincipal, ServicesDep
from server.api.openapi import GENERATION, KEYED, SSE_RESPONSE, error_responses

router = APIRouter()


def get_completions(services: ServicesDep) -> CompletionService:
    return services.get(CompletionService)


CompletionsDep = Annotated[CompletionService, Depends(get_completions)]


@router.post(
    "/v1/completions",
    response_model=CompletionResponse,
    responses={**SSE_RESPONSE, **error_responses(*KEYED, *GENERATION)},
)
async def create_completion(
    req: CompletionRequest, principal: InferPrincipal, service: CompletionsDep
) -> Any:
    if req.stream:
        return sse_response(await service.stream(principal.tenant_id, req))
    # Returned as-is: the response model documents the wire format.
    return JSONResponse(await service.create(principal.tenant_id, req))
