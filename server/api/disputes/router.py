"""HTTP only: POST /v1/disputes/classify (tenant from the API key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server.api.deps import EngineDep, InferPrincipal, StateDep
from server.api.disputes.protocol import ClassifyRequest
from server.api.disputes.service import DisputeService

router = APIRouter()


@router.post("/v1/disputes/classify")
async def classify_disputes(
    req: ClassifyRequest, principal: InferPrincipal, state: StateDep, engine: EngineDep
) -> dict[str, Any]:
    return await DisputeService(state, engine, state.retrieval).classify(principal.tenant_id, req)
