"""GET /v1/models on the live server: the base model and every adapter, parent = the base."""

from __future__ import annotations

import pytest

from tests.server.conftest import BASE, LiveServer

pytestmark = pytest.mark.engine


def test_models_lists_base_and_adapters_with_parent(live_server: LiveServer) -> None:
    with live_server.client() as client:
        data = client.get("/v1/models").json()["data"]
    by_id = {m["id"]: m for m in data}
    assert by_id[BASE]["parent"] is None
    for name in ("adapter-a", "adapter-b"):
        assert by_id[name]["parent"] == BASE
    assert not any(m["id"].startswith("bad-") for m in data)
