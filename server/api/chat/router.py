"""HTTP only: parse, authenticate, hand to the service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from server.api.chat.protocol import ChatCompletionRequest, ChatCompletionResponse
from server.api.chat.service import ChatService
from server.api.common.sse import sse_response
from server.api.deps import InferPrincipal, ServicesDep
from server.api.openapi import GENERATION, KEYED, SSE_RESPONSE, error_responses

router = APIRouter()


def get_chat(services: ServicesDep) -> ChatService:
    return services.get(ChatService)


ChatDep = Annotated[ChatService, Depends(get_chat)]


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletionResponse,
    responses={**SSE_RESPONSE, **error_responses(*KEYED, *GENERATION)},
)
async def create_chat_completion(
    req: ChatCompletionRequest, principal: InferPrincipal, service: ChatDep
) -> Any:
    if req.stream:
        return sse_response(await service.stream(principal.tenant_id, req))
    # Returned as-is: the response model documents the wire format; extensions (citations)
    # pass through.
    return JSONResponse(await service.create(principal.tenant_id, req))
