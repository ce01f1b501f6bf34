"""/health: the process answers. /ready: the engine is loaded and answering."""

from __future__ import annotations

from fastapi import APIRouter

from server.api.deps import StateDep
from server.api.health.protocol import HealthResponse, ReadyResponse

router = APIRouter()


@router.get("/health", response_model=HealthResponse)
async def health() -> HealthResponse:
    return HealthResponse()


@router.get("/ready", response_model=ReadyResponse)
async def ready(state: StateDep) -> ReadyResponse:
    engine = state.ready_engine()
    await engine.check_health()
    return ReadyResponse(model=engine.model_name)
