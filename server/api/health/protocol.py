"""Wire models of GET /health and GET /ready."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

CheckStatus = Literal["ok", "down", "disabled"]


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"


class Check(BaseModel):
    """One dependency: ok, down (blocks readiness) or disabled by the settings (does not)."""

    status: CheckStatus
    detail: str | None = Field(default=None, description="why it is down, or what it runs")


class AdapterCheck(Check):
    loaded: int = Field(description="adapters ready to serve")
    failed: int = Field(description="adapters refused or failed at start-up or at a hot load")
    required: list[str] = Field(
        description="adapters the domain routes use: one that failed or is loading blocks"
    )


class ReadyChecks(BaseModel):
    engine: Check
    adapters: AdapterCheck
    retrieval: Check


class ReadyResponse(BaseModel):
    """200: every required dependency is up."""

    status: Literal["ready"] = "ready"
    model: str
    checks: ReadyChecks


class ReadyError(BaseModel):
    message: str
    type: Literal["service_unavailable"] = "service_unavailable"
    param: None = None
    code: Literal["not_ready"] = "not_ready"


class NotReadyResponse(BaseModel):
    """503: the same report, and the OpenAI-shaped error naming what is down."""

    status: Literal["not_ready"] = "not_ready"
    model: str | None
    checks: ReadyChecks
    error: ReadyError
