"""The served e-mail adapter's languages on the real engine: the reference drafter declares
English only (its manifest), so a German request is refused and an English one says so."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error
from tests.server.conftest import LiveServer

pytestmark = pytest.mark.engine


def test_the_reference_drafter_refuses_german_and_checks_english(live_server: LiveServer) -> None:
    body = {"customer_id": "C00001", "email_type": "reminder_overdue_1"}
    with live_server.client() as client:
        refused = client.post("/v1/ar/emails", json=body | {"language": "de"})
        drafted = client.post("/v1/ar/emails", json=body)
    error = assert_error(refused, 400, "language")
    assert error["code"] == "unsupported_language"
    assert "ar-email-drafter@" in error["message"] and error["message"].endswith("supported: en")
    assert drafted.status_code == 200, drafted.text
    grounding = drafted.json()["grounding"]
    assert grounding["language"] == "en" and grounding["language_ok"] is True
    assert {"misattributed_facts", "disputed_dunned", "type_issues"} <= set(grounding)
