"""HTTP only: POST /v1/ar/emails (tenant from the API key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server.api.ar_emails.protocol import EmailRequest
from server.api.ar_emails.service import EmailService
from server.api.deps import EngineDep, InferPrincipal, StateDep

router = APIRouter()


@router.post("/v1/ar/emails")
async def draft_email(
    req: EmailRequest, principal: InferPrincipal, state: StateDep, engine: EngineDep
) -> dict[str, Any]:
    service = EmailService(state, engine, state.ready_retrieval())
    return await service.draft(principal.tenant_id, req)
