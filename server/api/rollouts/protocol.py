"""Wire models of the routes, tenant access and rollout endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.rollouts.state import TENANT_PATTERN, RolloutMode, RolloutStatus

Ref = Field(min_length=1, max_length=200, description="NAME@VERSION from the registry")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is a 400, never ignored


class RouteIn(_Strict):
    task: str = Field(min_length=1, max_length=64)
    tenant: str = Field(default="*", pattern=TENANT_PATTERN, description="'*': the shared route")
    adapter: str = Field(
        min_length=1,
        max_length=200,
        description="NAME (follows the version served by name) or NAME@VERSION (pinned)",
    )
    force: bool = Field(default=False, description="Pin a version below its gate.")


class RouteOut(BaseModel):
    task: str
    tenant: str
    adapter: str
    force: bool = False


class AdapterAccessOut(BaseModel):
    name: str
    version: str | None = None
    tenants: list[str] | None = None


class RoutingTable(BaseModel):
    object: Literal["routing_table"] = "routing_table"
    generation: int
    routes: list[RouteOut]
    adapters: list[AdapterAccessOut]


class TenantsIn(_Strict):
    tenants: list[str] | None = Field(
        max_length=1000, description="Only these tenants may use the adapter; null: every one."
    )


class RolloutIn(_Strict):
    task: str = Field(min_length=1, max_length=64)
    tenant: str = Field(default="*", pattern=TENANT_PATTERN)
    candidate: str = Ref
    mode: RolloutMode
    share: float = Field(ge=0.0, le=1.0, description="canary: of customers; shadow: of requests")
    margin: float = Field(default=0.1, ge=0.0, le=1.0)
    min_requests: int = Field(default=20, ge=1, le=1_000_000)
    force: bool = Field(default=False, description="A candidate below its gate.")


class RolloutEndIn(_Strict):
    reason: str | None = Field(default=None, max_length=500)


class TransitionOut(BaseModel):
    at: str
    event: str
    by: str
    reason: str | None = None


class ArmOut(BaseModel):
    """One arm's online scores since this process started."""

    requests: int
    errors: int
    error_rate: float | None = None
    grounded_rate: float | None = None
    grounded_rate_n: int | None = None
    required_elements_rate: float | None = None
    required_elements_rate_n: int | None = None
    style_rate: float | None = None
    style_rate_n: int | None = None
    agreement_rate: float | None = None
    agreement_rate_n: int | None = None
    accuracy: float | None = None
    accuracy_n: int | None = None


class RolloutOut(BaseModel):
    object: Literal["rollout"] = "rollout"
    id: str
    task: str
    tenant: str
    live: str
    candidate: str
    mode: RolloutMode
    share: float
    status: RolloutStatus
    force: bool
    margin: float
    min_requests: int
    history: list[TransitionOut]
    scores: dict[str, ArmOut] = Field(description="live and candidate")
    shadow: dict[str, int] | None = Field(
        default=None,
        description="shadow runs of all rollouts: submitted, pending, dropped, done, failed "
        "(a timeout is a failure)",
    )


class RolloutList(BaseModel):
    object: Literal["list"] = "list"
    generation: int
    data: list[RolloutOut]
