"""The prefix cache is per tenant: no timing channel across tenants, reuse within one.

Measured as ratios within one interleaved run, never as a timing threshold: a prompt that
another tenant sent just before must cost about as much as a fresh one, while the same
tenant's repeat is served from its cache.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid

import httpx
import pytest

from tests.server.conftest import BASE, LiveServer

pytestmark = pytest.mark.engine

NUM_TRIALS = 3
NUM_WORDS = 1100  # about 1,500 tokens: the size of prompt the channel was measured with
WORDS = [
    "invoice",
    "payment",
    "remittance",
    "dispute",
    "credit",
    "note",
    "overdue",
    "balance",
    "statement",
    "customer",
    "ledger",
    "reconciliation",
    "shipment",
    "purchase",
    "order",
    "tax",
    "freight",
    "discount",
    "terms",
    "net",
    "due",
    "reminder",
    "escalation",
    "contract",
    "approval",
]


def _prompt() -> str:
    """A prompt no earlier request shares a block with (unique from its first token)."""
    tag = uuid.uuid4().hex
    rng = random.Random(tag)
    return f"Case {tag}. " + " ".join(rng.choice(WORDS) for _ in range(NUM_WORDS))


def _seconds(client: httpx.Client, prompt: str) -> float:
    body = {"model": BASE, "prompt": prompt, "max_tokens": 1, "temperature": 0}
    start = time.perf_counter()
    response = client.post("/v1/completions", json=body)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text
    assert response.json()["usage"]["prompt_tokens"] > 1000  # a prompt of the measured size
    return elapsed


def test_prefix_cache_is_not_shared_across_tenants(live_server: LiveServer) -> None:
    fresh, across, within = [], [], []
    with (
        live_server.client(live_server.other_tenant_key) as tenant_b,
        live_server.client() as tenant_a,
    ):
        _seconds(tenant_a, _prompt())  # warm-up: first-use costs stay out of the ratios
        for _ in range(NUM_TRIALS):
            prompt = _prompt()
            fresh.append(_seconds(tenant_b, prompt))  # B's prompt, never seen
            across.append(_seconds(tenant_a, prompt))  # A sends B's prompt
            within.append(_seconds(tenant_a, prompt))  # A repeats its own
    t_fresh, t_across, t_within = (statistics.median(x) for x in (fresh, across, within))
    ratio_across, ratio_within = t_across / t_fresh, t_within / t_fresh
    print(f"prefix cache: across tenants {ratio_across:.2f} of fresh, within {ratio_within:.2f}")
    # Unsalted, A's copy of B's prompt answered in about 1/20 of the fresh time.
    assert ratio_across > 0.5, (fresh, across)
    # The cache still works within a tenant.
    assert ratio_within < 0.5, (fresh, within)
