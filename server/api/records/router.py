"""HTTP only: POST /v1/records, DELETE /v1/customers/{customer_id} and
GET /v1/customers/{customer_id}/context. The tenant is the API key's, never the body's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from server.api.ar_emails.protocol import EmailType
from server.api.deps import DataPrincipal, ReadPrincipal, ServicesDep
from server.api.openapi import KEYED, error_responses
from server.api.records.body import JSON_LINES
from server.api.records.protocol import ContextResponse, ErasureResponse, RecordsResponse
from server.api.records.service import RecordsService

router = APIRouter()

CustomerId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
]
RecordId = Annotated[str, Query(min_length=1, max_length=64)]
_ROWS = {"type": "array", "items": {"type": "object"}, "minItems": 1}
_BODY = {
    "requestBody": {
        "required": True,
        "description": "Records as `arserve data ingest` reads them, each with its "
        "`record_type`; `tenant_id` may be left out (it is the API key's).",
        "content": {
            "application/json": {"schema": _ROWS},
            **{media: {"schema": {"type": "string"}} for media in sorted(JSON_LINES)},
        },
    }
}
WRITE_ERRORS = (*KEYED, 400, 503)


def get_records(services: ServicesDep) -> RecordsService:
    return services.get(RecordsService)


RecordsDep = Annotated[RecordsService, Depends(get_records)]


@router.post(
    "/v1/records",
    response_model=RecordsResponse,
    response_model_exclude_none=True,
    responses=error_responses(*WRITE_ERRORS),
    openapi_extra=_BODY,
)
async def write_records(
    request: Request, principal: DataPrincipal, service: RecordsDep
) -> dict[str, Any]:
    """Versioned upsert with one result per row: a bad row writes nothing, the others land."""
    body = await request.body()
    return await service.write(principal.tenant_id, body, request.headers.get("content-type"))


@router.delete(
    "/v1/customers/{customer_id}",
    response_model=ErasureResponse,
    responses=error_responses(*WRITE_ERRORS, 404),
)
async def erase_customer(
    customer_id: CustomerId, principal: DataPrincipal, service: RecordsDep
) -> dict[str, Any]:
    """Erase one customer and everything of theirs, verified; the customer stays suppressed."""
    return await service.erase(principal.tenant_id, customer_id)


@router.get(
    "/v1/customers/{customer_id}/context",
    response_model=ContextResponse,
    response_model_exclude_unset=True,
    responses=error_responses(*KEYED, 400, 404, 503),
)
async def customer_context(
    customer_id: CustomerId,
    principal: ReadPrincipal,
    service: RecordsDep,
    email_type: Annotated[EmailType, Query()],
    invoice_ids: Annotated[list[str] | None, Query(max_length=50)] = None,
    dispute_id: RecordId | None = None,
    instructions: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    """The block an e-mail request with these parameters would be drafted from, with its
    citations (for audit and debugging)."""
    return await service.context(
        principal.tenant_id, customer_id, email_type, invoice_ids or (), dispute_id, instructions
    )
