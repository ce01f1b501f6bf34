"""HTTP only: POST /v1/ar/emails (tenant from the API key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from server.api.ar_emails.protocol import EmailRequest, EmailResponse
from server.api.ar_emails.service import EmailService
from server.api.deps import InferPrincipal, ServicesDep
from server.api.openapi import GENERATION, KEYED, error_responses

router = APIRouter()


def get_emails(services: ServicesDep) -> EmailService:
    return services.get(EmailService)


EmailsDep = Annotated[EmailService, Depends(get_emails)]


# exclude_unset: a citation without `updated_at` leaves it out.
# 422: an ungrounded draft under grounding_policy "refuse".
@router.post(
    "/v1/ar/emails",
    response_model=EmailResponse,
    response_model_exclude_unset=True,
    responses=error_responses(*KEYED, *GENERATION, 422),
)
async def draft_email(
    req: EmailRequest, principal: InferPrincipal, service: EmailsDep
) -> EmailResponse:
    return await service.draft(principal.tenant_id, req)
