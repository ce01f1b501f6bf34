"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from server.api.deps import StateDep
from server.api.openapi import KEYED, error_responses

router = APIRouter()


# 401/403 only where /metrics is not public (a keys file and not on loopback).
@router.get("/metrics", response_class=PlainTextResponse, responses=error_responses(*KEYED))
async def metrics(
    state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> PlainTextResponse:
    if state.keys is not None and not state.settings.is_metrics_public:
        state.keys.authenticate(authorization).require("admin")
    if state.engine is not None:
        state.metrics.update_engine(state.engine.scheduler_stats())
    return PlainTextResponse(
        generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
