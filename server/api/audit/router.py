"""HTTP only: GET /v1/audit (admin), the generation audit records, newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from server.api.audit.protocol import AuditList
from server.api.audit.service import MAX_LIMIT, AuditService
from server.api.deps import AdminPrincipal, ServicesDep
from server.api.openapi import KEYED, error_responses

router = APIRouter()
Filter = Annotated[str | None, Query(min_length=1, max_length=128)]


def get_audit(services: ServicesDep) -> AuditService:
    return services.get(AuditService)


AuditDep = Annotated[AuditService, Depends(get_audit)]


@router.get(
    "/v1/audit",
    response_model=AuditList,
    responses=error_responses(*KEYED, 400, 503),
)
async def list_audit(
    _: AdminPrincipal,
    service: AuditDep,
    since: Annotated[
        str | None, Query(max_length=64, description="ISO-8601 or unix seconds, inclusive")
    ] = None,
    until: Annotated[
        str | None, Query(max_length=64, description="ISO-8601 or unix seconds, inclusive")
    ] = None,
    tenant: Filter = None,
    adapter: Annotated[
        str | None, Query(min_length=1, max_length=128, description="NAME or NAME@VERSION")
    ] = None,
    request_id: Filter = None,
    generation_id: Filter = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """Audit records of generation requests, every tenant's (an admin route), newest first."""
    q = service.query(since, until, tenant, adapter, request_id, limit, generation_id)
    return await service.list(q)
