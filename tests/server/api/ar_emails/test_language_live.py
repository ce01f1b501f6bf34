"""The served e-mail adapter's languages on the real engine: a language its manifest declares
is drafted in that language (or refused with 422 when the adapter did not manage it), one it
does not declare is refused with 400; never a draft in another language."""

from __future__ import annotations

import pytest

from adapters.registry import Registry
from tests.helpers import assert_error
from tests.server.conftest import LiveServer

pytestmark = pytest.mark.engine


def _declared(ref: str) -> list[str]:
    return Registry().resolve(ref).manifest.languages


def test_german_is_drafted_in_german_or_refused(live_server: LiveServer) -> None:
    body = {"customer_id": "C00001", "email_type": "reminder_overdue_1"}
    with live_server.client() as client:
        german = client.post("/v1/ar/emails", json=body | {"language": "de"})
        drafted = client.post("/v1/ar/emails", json=body)
        spanish = client.post("/v1/ar/emails", json=body | {"language": "es"})
    assert drafted.status_code == 200, drafted.text
    served = drafted.json()["adapter"]
    grounding = drafted.json()["grounding"]
    assert grounding["language"] == "en" and grounding["language_ok"] is True
    assert {"misattributed_facts", "disputed_dunned", "type_issues", "unknown_fields"} <= set(
        grounding
    )
    error = assert_error(spanish, 400, "language")
    assert error["code"] == "unsupported_language" and served in error["message"]
    if "de" not in _declared(served):
        error = assert_error(german, 400, "language")
        assert error["code"] == "unsupported_language"
    elif german.status_code == 422:
        assert german.json()["error"]["code"] == "wrong_language"
    else:
        assert german.status_code == 200, german.text
        out = german.json()
        assert out["grounding"]["language"] == "de" and out["grounding"]["language_ok"]
        assert out["body"].startswith("Sehr geehrte")
