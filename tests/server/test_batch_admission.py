"""A batch is admitted whole or not at all, and one failing item stops the others."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from server.state import Admission
from tests.server.conftest import BASE, LiveServer
from tests.server.disconnect_helpers import idle, num_engine_requests, num_requests, wait_for

pytestmark = pytest.mark.engine

STATUSES = ("ok", "cancelled", "error")
ABORT_WAIT_S = 10


def started(live_server: LiveServer, endpoint: str) -> float:
    """Engine requests an endpoint has started, whatever their outcome."""
    return sum(num_requests(live_server.app_state, endpoint, s) for s in STATUSES)


@pytest.fixture
def two_slots_left(live_server: LiveServer) -> Iterator[Admission]:
    """Room for three requests with one in flight, for the test's duration."""
    state = live_server.app_state
    saved = state.admission
    state.admission = Admission(max_running=2, max_waiting=1)
    state.admission.enter()
    try:
        yield state.admission
    finally:
        state.admission = saved


def _items(n: int) -> list[dict[str, str]]:
    return [{"text": f"We were charged twice for this invoice ({uuid.uuid4()})."} for _ in range(n)]


@pytest.mark.parametrize(
    ("path", "endpoint", "body"),
    [
        ("/v1/disputes/classify", "disputes", {"items": _items(3)}),
        (
            "/v1/completions",
            "completions",
            {"model": BASE, "prompt": ["Dear customer,", "Hello,", "Invoice"], "max_tokens": 4},
        ),
    ],
    ids=["classify", "completions"],
)
def test_batch_over_the_remaining_capacity_admits_nothing(
    live_server: LiveServer,
    two_slots_left: Admission,
    path: str,
    endpoint: str,
    body: dict[str, object],
) -> None:
    before = started(live_server, endpoint)
    with live_server.client() as client:
        r = client.post(path, json=body)
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "queue_full"
    # Any item that had been admitted would still run (or have run) now.
    state = live_server.app_state
    assert wait_for(lambda: num_engine_requests(state) == 0, ABORT_WAIT_S)
    assert two_slots_left.num_in_flight == 1
    assert started(live_server, endpoint) == before


def test_completion_prompt_the_engine_refuses_cancels_the_others(live_server: LiveServer) -> None:
    state = live_server.app_state
    assert idle(state)
    engine = state.ready_engine()
    ok, cancelled = (num_requests(state, "completions", s) for s in ("ok", "cancelled"))
    body = {
        "model": BASE,
        # The second prompt holds an id outside the vocabulary: the engine refuses it.
        "prompt": [engine.tokenize(f"Tell a long story. {uuid.uuid4()}"), [10**7]],
        "max_tokens": 600,
        "ignore_eos": True,
    }
    with live_server.client() as client:
        r = client.post("/v1/completions", json=body)
    assert r.status_code == 400, r.text
    assert wait_for(lambda: idle(state), ABORT_WAIT_S)
    assert num_requests(state, "completions", "ok") == ok
    assert num_requests(state, "completions", "cancelled") == cancelled + 1


def test_classify_item_that_fails_stops_the_others(live_server: LiveServer) -> None:
    state = live_server.app_state
    assert idle(state)
    ok = num_requests(state, "disputes", "ok")
    items = [{"text": "This invoice is not ours.", "invoice_id": "INV-NOWHERE"}, *_items(7)]
    with live_server.client() as client:
        r = client.post("/v1/disputes/classify", json={"items": items})
    assert r.status_code == 404, r.text
    assert wait_for(lambda: idle(state), ABORT_WAIT_S)
    assert num_requests(state, "disputes", "ok") == ok
