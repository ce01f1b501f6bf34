"""The block an e-mail request is drafted from: one function for the drafting route and the
audit route (`GET /v1/customers/{id}/context`), so they can never show different blocks."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.prompts import ar_email_drafter
from retrieval.block import ContextBlock
from retrieval.context import ContextAssembler


def email_context(
    assembler: ContextAssembler,
    tenant_id: str,
    customer_id: str,
    email_type: str,
    max_tokens: int,
    invoice_ids: Sequence[str] = (),
    dispute_id: str | None = None,
    instructions: str | None = None,
) -> ContextBlock:
    """The customer's block, listing the invoices this e-mail is about (blocking)."""
    request = ar_email_drafter.context_request(
        customer_id, email_type, tuple(invoice_ids), dispute_id, instructions, max_tokens
    )
    return assembler.assemble_request(tenant_id, request)
