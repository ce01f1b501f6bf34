"""HTTP only (admin scope): the routing table, tenant access per adapter, and rollouts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from server.api.deps import AdminPrincipal, ServicesDep
from server.api.openapi import KEYED, error_responses
from server.api.rollouts.protocol import (
    RolloutEndIn,
    RolloutIn,
    RolloutList,
    RolloutOut,
    RouteIn,
    RoutingTable,
    TenantsIn,
)
from server.api.rollouts.service import RolloutAdmin
from server.rollouts.state import TENANT_PATTERN

router = APIRouter()

CHANGE_ERRORS = (*KEYED, 400, 404, 409, 422, 503)
RolloutId = Annotated[str, Path(min_length=1, max_length=64)]
Tenant = Annotated[str, Path(pattern=TENANT_PATTERN)]


def get_rollouts(services: ServicesDep) -> RolloutAdmin:
    return services.get(RolloutAdmin)


RolloutAdminDep = Annotated[RolloutAdmin, Depends(get_rollouts)]


@router.get("/v1/routes", response_model=RoutingTable, responses=error_responses(*KEYED, 503))
async def get_routes(principal: AdminPrincipal, admin: RolloutAdminDep) -> dict[str, Any]:
    return admin.table()


@router.put("/v1/routes", response_model=RoutingTable, responses=error_responses(*CHANGE_ERRORS))
async def put_route(
    req: RouteIn, principal: AdminPrincipal, admin: RolloutAdminDep
) -> dict[str, Any]:
    """Route (task, tenant) to an adapter: NAME follows its served version, NAME@VERSION pins."""
    return await admin.set_route(req)


@router.delete(
    "/v1/routes/{task}/{tenant}",
    response_model=RoutingTable,
    responses=error_responses(*CHANGE_ERRORS),
)
async def delete_route(
    task: str, tenant: Tenant, principal: AdminPrincipal, admin: RolloutAdminDep
) -> dict[str, Any]:
    return await admin.delete_route(task, tenant)


@router.put(
    "/v1/adapters/{name}/tenants",
    response_model=RoutingTable,
    responses=error_responses(*CHANGE_ERRORS),
)
async def put_tenants(
    name: str, req: TenantsIn, principal: AdminPrincipal, admin: RolloutAdminDep
) -> dict[str, Any]:
    """Keep an adapter for some tenants (null: every tenant). Others never see or reach it."""
    return await admin.set_tenants(name, req.tenants)


@router.get("/v1/rollouts", response_model=RolloutList, responses=error_responses(*KEYED, 503))
async def list_rollouts(principal: AdminPrincipal, admin: RolloutAdminDep) -> dict[str, Any]:
    return admin.list()


@router.post("/v1/rollouts", response_model=RolloutOut, responses=error_responses(*CHANGE_ERRORS))
async def start_rollout(
    req: RolloutIn, principal: AdminPrincipal, admin: RolloutAdminDep
) -> dict[str, Any]:
    return await admin.start(req, by=principal.key_id)


@router.get(
    "/v1/rollouts/{rollout_id}",
    response_model=RolloutOut,
    responses=error_responses(*KEYED, 404, 503),
)
async def get_rollout(
    rollout_id: RolloutId, principal: AdminPrincipal, admin: RolloutAdminDep
) -> dict[str, Any]:
    return admin.get(rollout_id)


@router.post(
    "/v1/rollouts/{rollout_id}/promote",
    response_model=RolloutOut,
    responses=error_responses(*CHANGE_ERRORS),
)
async def promote(
    rollout_id: RolloutId, req: RolloutEndIn, principal: AdminPrincipal, admin: RolloutAdminDep
) -> dict[str, Any]:
    return await admin.end(rollout_id, True, principal.key_id, req.reason)


@router.post(
    "/v1/rollouts/{rollout_id}/rollback",
    response_model=RolloutOut,
    responses=error_responses(*CHANGE_ERRORS),
)
async def rollback(
    rollout_id: RolloutId, req: RolloutEndIn, principal: AdminPrincipal, admin: RolloutAdminDep
) -> dict[str, Any]:
    return await admin.end(rollout_id, False, principal.key_id, req.reason)
