"""/health: the process answers (liveness). /ready: every required dependency is up
(readiness): 200 with the per-dependency report, else 503 with the same report and an
OpenAI-shaped error."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from server.api.deps import StateDep
from server.api.health.checks import down, run_checks
from server.api.health.protocol import (
    HealthResponse,
    NotReadyResponse,
    ReadyError,
    ReadyResponse,
)

router = APIRouter()


@router.get("/health", response_model=HealthResponse)
async def health() -> HealthResponse:
    return HealthResponse()


@router.get(
    "/ready",
    response_model=ReadyResponse,
    responses={503: {"model": NotReadyResponse, "description": "A required dependency is down"}},
)
async def ready(state: StateDep) -> ReadyResponse | JSONResponse:
    checks = await run_checks(state)
    blocking = down(checks)
    model = state.engine.model_name if state.engine is not None else None
    state.metrics.ready.set(1 if not blocking and model is not None else 0)
    if not blocking and model is not None:
        return ReadyResponse(model=model, checks=checks)
    message = "not ready: " + "; ".join(f"{n}: {c.detail}" for n, c in blocking.items())
    body = NotReadyResponse(model=model, checks=checks, error=ReadyError(message=message))
    return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "1"})
