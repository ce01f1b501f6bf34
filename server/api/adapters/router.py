"""Adapter lifecycle (admin scope): list, load or replace from the registry, unload."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from server.adapter_manager import AdapterManager
from server.api.adapters.protocol import LoadAdapterRequest
from server.api.deps import AdminPrincipal, EngineDep, StateDep
from server.errors import InvalidRequestError
from server.state import AppState

router = APIRouter()


def _manager(state: AppState) -> AdapterManager:
    if state.adapter_manager is None:
        raise InvalidRequestError("LoRA is disabled on this server (enable_lora=false)")
    return state.adapter_manager


@router.get("/v1/adapters")
async def list_adapters(principal: AdminPrincipal, state: StateDep) -> dict[str, Any]:
    return {"object": "list", "data": [asdict(s) for s in state.adapters.values()]}


@router.post("/v1/adapters")
async def load_adapter(
    req: LoadAdapterRequest, principal: AdminPrincipal, state: StateDep, engine: EngineDep
) -> dict[str, Any]:
    status = await _manager(state).load_ref(req.adapter, force=req.force)
    return asdict(status)


@router.delete("/v1/adapters/{name}")
async def unload_adapter(
    name: str, principal: AdminPrincipal, state: StateDep, engine: EngineDep
) -> dict[str, Any]:
    await _manager(state).unload(name)
    return {"name": name, "deleted": True}
