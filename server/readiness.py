"""Waiting for a server to answer ready: the one loop tests and benchmarks share."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx


class StartupError(RuntimeError):
    """The server failed before it became ready."""


def wait_ready(
    url: str,
    path: str = "/ready",
    startup_error: Callable[[], str | None] = lambda: None,
    timeout_s: float = 900.0,
    poll_s: float = 1.0,
) -> None:
    """Poll GET {url}{path} until it answers 200; raise at once on a start-up error
    (`startup_error` returns its text), TimeoutError past `timeout_s` with the last answer
    (arserve's 503 says which dependency is down)."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        if error := startup_error():
            raise StartupError(error)
        try:
            response = httpx.get(f"{url}{path}", timeout=5)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:500]}"
        except httpx.HTTPError as exc:
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(poll_s)
    raise TimeoutError(f"{url}{path} did not answer 200 within {timeout_s:.0f}s; last: {last}")
