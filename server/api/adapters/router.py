"""GET /v1/adapters: every adapter the server knows, with its status and any error reason."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from server.api.deps import AdminPrincipal, StateDep

router = APIRouter()


@router.get("/v1/adapters")
async def list_adapters(principal: AdminPrincipal, state: StateDep) -> dict[str, Any]:
    return {"object": "list", "data": [asdict(s) for s in state.adapters.values()]}
