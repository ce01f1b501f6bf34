"""/health: the process answers. /ready: the engine is loaded and answering."""

from __future__ import annotations

from fastapi import APIRouter

from server.api.deps import StateDep

router = APIRouter()


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(state: StateDep) -> dict[str, str]:
    engine = state.ready_engine()
    await engine.check_health()
    return {"status": "ready", "model": engine.model_name}
