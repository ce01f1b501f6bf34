"""Helpers of the disconnect and batch-admission tests: raw requests, polling, metrics."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from server.state import AppState


def open_request(url: str, path: str, key: str, body: dict[str, object]) -> socket.socket:
    """Send a POST and return its socket unread: closing it is the client going away."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    data = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    sock = socket.create_connection((host, port), timeout=60)
    sock.sendall(head.encode() + data)
    return sock


def wait_for(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Poll until the condition holds; False once timeout_s has passed without it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def num_requests(state: AppState, endpoint: str, status: str) -> float:
    """Engine requests recorded for an endpoint with this outcome, over every adapter."""
    total = 0.0
    for metric in state.metrics.registry.collect():
        for sample in metric.samples:
            if (
                sample.name == "arserve_requests_total"
                and sample.labels["endpoint"] == endpoint
                and sample.labels["status"] == status
            ):
                total += sample.value
    return total


def num_engine_requests(state: AppState) -> int:
    """Requests the vLLM engine still tracks (an aborted request leaves at once).

    The scheduler's own stats are only refreshed while it steps, so they can stay stale once
    it goes idle; the front end's request table cannot."""
    engine = state.engine
    llm = getattr(engine, "_llm", None)
    assert llm is not None, "needs the real vLLM engine"
    return int(llm.output_processor.get_num_unfinished_requests())


def idle(state: AppState) -> bool:
    return state.admission.num_in_flight == 0 and num_engine_requests(state) == 0
