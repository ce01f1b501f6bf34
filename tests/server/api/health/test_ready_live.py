"""GET /ready on the real engine: every dependency ok, failed extra adapters counted."""

from __future__ import annotations

import httpx
import pytest

from tests.server.conftest import BAD_ADAPTERS, BASE, REFERENCE_ADAPTERS, LiveServer


@pytest.mark.engine
def test_ready_reports_every_dependency_ok(live_server: LiveServer) -> None:
    r = httpx.get(f"{live_server.url}/ready", timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ready" and body["model"] == BASE
    checks = body["checks"]
    assert checks["engine"] == {"status": "ok", "detail": None}
    assert checks["retrieval"] == {"status": "ok", "detail": None}
    adapters = checks["adapters"]
    assert adapters["status"] == "ok" and set(REFERENCE_ADAPTERS) <= set(adapters["required"])
    # the deliberately broken folder adapters failed, and do not block readiness
    assert adapters["failed"] >= len(BAD_ADAPTERS)
    assert all(name in adapters["detail"] for name in BAD_ADAPTERS)
    assert adapters["loaded"] >= len(REFERENCE_ADAPTERS)
