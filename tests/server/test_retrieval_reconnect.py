"""Retrieval reopens by itself: capped exponential backoff until the store opens, then ready."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from pydantic import ValidationError

from retrieval.store import RetrievalStore
from server.retrieval_runtime import backoff_delays, retrieval_config
from server.settings import Settings
from tests.server.api.health.helpers import FAST_RETRY, running, until


def test_backoff_doubles_from_the_initial_delay_up_to_the_cap() -> None:
    assert list(itertools.islice(backoff_delays(1.0, 30.0), 8)) == [1, 2, 4, 8, 16, 30, 30, 30]
    assert list(itertools.islice(backoff_delays(0.5, 0.5), 3)) == [0.5, 0.5, 0.5]
    assert list(itertools.islice(backoff_delays(0.25, 1.0), 5)) == [0.25, 0.5, 1, 1, 1]


def test_backoff_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARSERVE_RETRIEVAL_RETRY_INITIAL_S", "2")
    monkeypatch.setenv("ARSERVE_RETRIEVAL_RETRY_MAX_S", "60")
    assert (Settings().retrieval_retry_initial_s, Settings().retrieval_retry_max_s) == (2, 60)
    for bad in ({"retrieval_retry_initial_s": 0}, {"retrieval_retry_max_s": 1.0}):
        with pytest.raises(ValidationError, match="retrieval_retry"):
            Settings(**bad)  # type: ignore[arg-type]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_store_held_by_another_opener_then_released_turns_ready(tmp_path: Path) -> None:
    # cache_dir: no tokenizer there, so opening does not load one
    settings = Settings(
        enable_lora=False, cache_dir=tmp_path, qdrant_path=tmp_path / "qdrant", **FAST_RETRY
    )
    holder = RetrievalStore.open(retrieval_config(settings))  # Edge locks its folder
    try:
        async with running(settings) as (client, state):
            await until(lambda: state.retrieval_error is not None)
            r = await client.get("/ready")
            assert r.status_code == 503
            assert "cannot open Qdrant Edge" in r.json()["checks"]["retrieval"]["detail"]
            holder.close()
            await until(lambda: state.retrieval is not None)
            r = await client.get("/ready")
            assert r.status_code == 200, r.text
            assert r.json()["checks"]["retrieval"] == {"status": "ok", "detail": None}
            assert state.retrieval_error is None
    finally:
        holder.close()
    # the server closed the store it opened: the folder opens again
    RetrievalStore.open(retrieval_config(settings)).close()
