"""POST /v1/ar/emails at the HTTP edge (fake engine and service): validation, response model,
the language refusal."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from server.api.ar_emails.protocol import EmailRequest
from server.api.ar_emails.router import get_emails
from server.api.ar_emails.service import EmailService
from server.app import create_app
from server.engine.protocol import AdapterInfo
from server.settings import Settings
from tests.helpers import assert_error
from tests.server.fake_engine import FakeEngine

CITED = {"id": "invoice:INV-1@v2", "type": "invoice", "record_id": "INV-1", "version": 2}
DRAFT = {
    "id": "email-1",
    "object": "ar.email",
    "subject": "Invoice INV-1",
    "body": "Dear customer, ...",
    "email_type": "reminder_overdue_1",
    "citations": [CITED | {"updated_at": "2026-01-02T00:00:00"}],
    "grounding": {
        "grounded": True,
        "checked_facts": ["INV-1"],
        "unsupported_facts": [],
        "misattributed_facts": [],
        "disputed_dunned": [],
        "type_issues": [],
        "language": "en",
        "language_ok": True,
        "attempts": 1,
        "missing_elements": [],
        "dropped_citations": [CITED],
    },
    "adapter": "ar-email-drafter@5",
    "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12, "context_tokens": 5},
    "timings_ms": {"retrieval": 1.5, "generation": 20.0, "total": 21.5},
}


class StubEmails:
    def __init__(self) -> None:
        self.requests: list[EmailRequest] = []

    async def draft(self, tenant_id: str, req: EmailRequest) -> dict[str, Any]:
        self.requests.append(req)
        return DRAFT


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_service_draft_passes_the_response_model_unchanged() -> None:
    app = create_app(Settings(), FakeEngine())  # type: ignore[arg-type]
    stub = StubEmails()
    app.dependency_overrides[get_emails] = lambda: stub
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.post(
            "/v1/ar/emails", json={"customer_id": "C00001", "email_type": "reminder_overdue_1"}
        )
        assert r.status_code == 200, r.text
        assert r.json() == DRAFT  # a citation without updated_at does not gain one
        bad = {"customer_id": "C00001", "email_type": "love_letter"}
        error = assert_error(await client.post("/v1/ar/emails", json=bad), 400, "email_type")
        assert error["type"] == "invalid_request_error"
    assert stub.requests[0].email_type == "reminder_overdue_1"


def _service(app: Any, engine: FakeEngine) -> EmailService:
    # Retrieval is never reached: the language is refused before the context is built.
    return EmailService(app.state.arserve, engine, retrieval=None)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_language_the_adapter_was_not_trained_for_is_refused() -> None:
    engine = FakeEngine()
    await engine.add_adapter(AdapterInfo("ar-email-drafter", "/x", 8))
    app = create_app(Settings(), engine)  # type: ignore[arg-type]
    service = _service(app, engine)
    app.dependency_overrides[get_emails] = lambda: service
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for language in ("de", "de-DE", "fr"):
            body = {"customer_id": "C00001", "email_type": "final_notice", "language": language}
            r = await client.post("/v1/ar/emails", json=body)
            error = assert_error(r, 400, "language")
            assert error["code"] == "unsupported_language"
            assert error["message"].endswith("supported: en"), error


def test_the_serving_adapters_manifest_declares_its_languages() -> None:
    engine = FakeEngine()
    app = create_app(Settings(), engine)  # type: ignore[arg-type]
    state = app.state.arserve
    manifest = SimpleNamespace(languages=["en", "de"], prompt_template_version="ar-email-drafter/2")
    state.adapter_manager = SimpleNamespace(
        statuses={"ar-email-drafter": SimpleNamespace(version="7", ref="ar-email-drafter@7")},
        registry=SimpleNamespace(resolve=lambda ref: SimpleNamespace(manifest=manifest)),
    )
    service = _service(app, engine)
    assert service.languages("ar-email-drafter") == ("en", "de")
    assert service.adapter_facts("ar-email-drafter").template == "ar-email-drafter/2"
    service.require_language("ar-email-drafter", "de-AT")
    # an adapter loaded without a registry entry (no version) is held to English
    assert service.languages("path-adapter") == ("en",)
    assert service.adapter_facts("path-adapter").template == "ar-email-drafter/1"
