"""Mixed-LoRA batching on the real vLLM CPU engine: adapters really differ, batches do not mix."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.server.conftest import BASE, PROMPT, LiveServer, text_of

pytestmark = pytest.mark.engine


def test_base_and_adapters_give_pairwise_different_outputs(live_server: LiveServer) -> None:
    outputs = {m: text_of(live_server.chat(m)) for m in (BASE, "adapter-a", "adapter-b")}
    assert len(set(outputs.values())) == 3, outputs


def test_mixed_concurrent_batch_matches_requests_sent_alone(live_server: LiveServer) -> None:
    prompts = [
        PROMPT,
        "Remind the customer that payment is due.",
        "Classify: the pallet was damaged",
    ]
    jobs = [(m, p) for m in (BASE, "adapter-a", "adapter-b") for p in prompts]
    alone = {job: text_of(live_server.chat(*job)) for job in jobs}
    with ThreadPoolExecutor(len(jobs)) as pool:
        together = dict(
            zip(
                jobs,
                pool.map(lambda job: text_of(live_server.chat(*job)), jobs),
                strict=True,
            )
        )
    assert together == alone
