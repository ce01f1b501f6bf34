"""HTTP only: POST /v1/disputes/classify (tenant from the API key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from server.api.deps import InferPrincipal, ServicesDep
from server.api.disputes.protocol import ClassifyRequest, ClassifyResponse
from server.api.disputes.service import DisputeService
from server.api.openapi import GENERATION, KEYED, error_responses

router = APIRouter()


def get_disputes(services: ServicesDep) -> DisputeService:
    return services.get(DisputeService)


DisputesDep = Annotated[DisputeService, Depends(get_disputes)]


# exclude_unset: a citation without `updated_at` leaves it out, as the service does.
@router.post(
    "/v1/disputes/classify",
    response_model=ClassifyResponse,
    response_model_exclude_unset=True,
    responses=error_responses(*KEYED, *GENERATION),
)
async def classify_disputes(
    req: ClassifyRequest, principal: InferPrincipal, service: DisputesDep
) -> dict[str, Any]:
    return await service.classify(principal.tenant_id, req)
