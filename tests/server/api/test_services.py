"""The endpoint services are built once per app, the first time what they need is ready."""

from __future__ import annotations

from typing import Any, cast

import pytest

from adapters.tasks import DISPUTE_LABELS
from server.api.services import Services
from server.app import create_app
from server.errors import NotReadyError
from server.settings import Settings
from tests.server.fake_engine import ClassifierEngine, FakeEngine


def services_of(engine: FakeEngine | None, retrieval: object = None) -> Services:
    app = create_app(Settings(), engine, cast(Any, retrieval))  # type: ignore[arg-type]
    return cast(Services, app.state.services)


def test_engine_services_wait_for_the_engine_then_are_kept() -> None:
    services = services_of(None)
    for once in (services.chat, services.completions, services.disputes):
        with pytest.raises(NotReadyError):
            once.get()
    engine = ClassifierEngine()
    services.adapters.state.engine = engine  # what the start-up does once the model is loaded
    disputes = services.disputes.get()
    assert services.disputes.get() is disputes
    assert services.chat.get() is services.chat.get()
    assert services.completions.get() is services.completions.get()
    assert engine.label_calls == len(DISPUTE_LABELS)  # the labels are tokenized once


def test_email_service_waits_for_the_store() -> None:
    services = services_of(FakeEngine())
    with pytest.raises(NotReadyError, match="retrieval"):
        services.emails.get()
    services = services_of(FakeEngine(), retrieval=object())
    assert services.emails.get() is services.emails.get()
