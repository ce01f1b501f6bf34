"""Adapter lifecycle (admin scope): list, load or replace from the registry, unload."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from server.api.adapters.protocol import (
    AdapterDeleted,
    AdapterList,
    AdapterStatusOut,
    LoadAdapterRequest,
)
from server.api.adapters.service import AdapterAdmin
from server.api.deps import AdminPrincipal, ServicesDep
from server.api.openapi import KEYED, error_responses

router = APIRouter()


def get_admin(services: ServicesDep) -> AdapterAdmin:
    return services.get(AdapterAdmin)


AdapterAdminDep = Annotated[AdapterAdmin, Depends(get_admin)]


@router.get("/v1/adapters", response_model=AdapterList, responses=error_responses(*KEYED))
async def list_adapters(principal: AdminPrincipal, admin: AdapterAdminDep) -> dict[str, Any]:
    return {"object": "list", "data": admin.statuses()}


@router.post(
    "/v1/adapters",
    response_model=AdapterStatusOut,
    responses=error_responses(*KEYED, 400, 404, 422, 503),
)
async def load_adapter(
    req: LoadAdapterRequest, principal: AdminPrincipal, admin: AdapterAdminDep
) -> dict[str, Any]:
    return await admin.load(req.adapter, req.force)


@router.delete(
    "/v1/adapters/{name}",
    response_model=AdapterDeleted,
    responses=error_responses(*KEYED, 400, 404, 503),
)
async def unload_adapter(
    name: str, principal: AdminPrincipal, admin: AdapterAdminDep
) -> AdapterDeleted:
    await admin.unload(name)
    return AdapterDeleted(name=name)
