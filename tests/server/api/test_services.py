"""The endpoint services are built once per app, the first time what they need is ready."""

from __future__ import annotations

from typing import Any, cast

import pytest

from adapters.tasks import DISPUTE_LABELS
from server.api.adapters.service import AdapterAdmin
from server.api.ar_emails.service import EmailService
from server.api.chat.service import ChatService
from server.api.completions.service import CompletionService
from server.api.disputes.service import DisputeService
from server.api.services import Services
from server.app import create_app
from server.errors import NotReadyError
from server.settings import Settings
from server.state import AppState
from tests.server.fake_engine import ClassifierEngine, FakeEngine


def app_parts(engine: FakeEngine | None, retrieval: object = None) -> tuple[AppState, Services]:
    app = create_app(Settings(), engine, cast(Any, retrieval))  # type: ignore[arg-type]
    return app.state.arserve, app.state.services


def test_engine_services_wait_for_the_engine_then_are_kept() -> None:
    state, services = app_parts(None)
    for kind in (ChatService, CompletionService, DisputeService):
        with pytest.raises(NotReadyError):
            services.get(kind)
    assert services.get(AdapterAdmin) is services.get(AdapterAdmin)  # lists while loading
    engine = ClassifierEngine()
    state.engine = engine  # what the start-up does once the model is loaded
    for kind in (ChatService, CompletionService, DisputeService):
        assert services.get(kind) is services.get(kind)
    assert services.get(DisputeService).engine is engine
    assert engine.label_calls == len(DISPUTE_LABELS)  # the labels are tokenized once


def test_email_service_waits_for_the_store() -> None:
    _, services = app_parts(FakeEngine())
    with pytest.raises(NotReadyError, match="retrieval"):
        services.get(EmailService)
    _, services = app_parts(FakeEngine(), retrieval=object())
    assert services.get(EmailService) is services.get(EmailService)
