"""What the e-mail adapter is trained on is what the server sends it: for the same customer and
request, the training generator's prompt and the e-mail service's prompt are identical."""

from __future__ import annotations

import random
from datetime import date
from types import SimpleNamespace

import pytest

from adapters.data import email_real
from adapters.prompts import to_prompt
from adapters.tasks import EMAIL_DRAFTER, EMAIL_TYPES
from retrieval import demo
from retrieval.config import RetrievalConfig
from retrieval.context import ContextAssembler
from retrieval.ingest import ingest_path
from retrieval.store import RetrievalStore
from retrieval.tokens import estimate_tokens
from server.api.ar_emails.protocol import EmailRequest
from server.api.ar_emails.service import EmailService, email_messages
from server.retrieval_runtime import RetrievalRuntime
from server.settings import Settings

SEED, CUSTOMERS = 12345, 6


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> EmailService:
    # the server drafts as of today; the demo data is generated as of today too
    data = demo.generate(scale=1, seed=SEED, as_of=date.today(), customers=CUSTOMERS)
    folder = tmp_path_factory.mktemp("demo")
    demo.write(data, folder)
    cfg = RetrievalConfig(in_memory=True, erasure_log_path=folder / "erasure.jsonl")
    store = RetrievalStore.open(cfg)
    assert ingest_path(store, folder).ok
    state = SimpleNamespace(settings=Settings(email_context_tokens=900))
    runtime = RetrievalRuntime(store, ContextAssembler(store, estimate_tokens))
    return EmailService(state, None, runtime)  # type: ignore[arg-type]  # no engine: no drafts


def test_training_and_serving_prompts_are_identical(service: EmailService) -> None:
    rng = random.Random(0)
    today = date.today()
    compared: set[str] = set()
    for cd in email_real.load_customers(SEED, today, CUSTOMERS):
        tenant = cd.customer.tenant_id
        for email_type in EMAIL_TYPES:
            request = email_real.request_for(cd, email_type, today, rng, 900)
            if request is None:
                continue
            req = EmailRequest(
                customer_id=cd.customer.customer_id,
                email_type=email_type,
                invoice_ids=list(request.invoice_ids) or None,
                dispute_id=request.dispute_id,
            )
            served = service._context(tenant, req)
            # the passages are the only part the server searches: hand training the same ones
            trained = email_real.block_for(
                cd.customer, cd.structured, request, served.passages, today, estimate_tokens
            )
            row = {"context": trained.text, "email_type": email_type, "email": "x"}
            assert to_prompt(EMAIL_DRAFTER, row)[0] == email_messages(served, req)
            assert trained.statement == served.statement
            compared.add(email_type)
    assert compared == set(EMAIL_TYPES)
