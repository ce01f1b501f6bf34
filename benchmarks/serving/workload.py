"""A seeded AR workload: e-mail drafts with context, short dispute classifications, chat.

Every engine under test gets the same list of `RequestSpec`s (same prompts, same adapters,
same output limits), so ratios between engines hold. Prompts use the adapters' own templates,
and e-mail contexts are the server's own blocks over seeded demo customers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from adapters.data import email_real
from adapters.prompts import ar_email_drafter, dispute_classifier
from adapters.tasks import EMAIL_TYPES

# Share of each request kind in the mix (emails with context, classifications, chat).
DEFAULT_MIX = {"email": 0.4, "classify": 0.4, "chat": 0.2}
# (min, max) output tokens per kind; generation also stops at EOS (greedy).
OUTPUT_TOKENS = {"email": (96, 256), "classify": (4, 8), "chat": (32, 128)}
# the reminders: the bulk of an AR team's e-mail traffic
BENCH_EMAIL_TYPES = EMAIL_TYPES[:4]
DEMO_SEED, DEMO_CUSTOMERS, AS_OF = 101, 24, date(2026, 6, 30)
COMPANIES = (
    "Acme Foods GmbH",
    "Borealis Ltd",
    "Cobalt SA",
    "Dunmore Inc",
    "Elbe Logistics",
    "Fjord Retail AS",
    "Granite Tools plc",
    "Harbor Freight BV",
)
DISPUTES = (
    "Two of the ten pallets on delivery {inv} never arrived; we short-paid {amt} {cur}.",
    "Invoice {inv} charges {amt} {cur} but our contract price is lower. Please credit the gap.",
    "We already paid {inv} on {date}; remittance attached. Why is it still open?",
    "The goods on {inv} arrived damaged (photos attached); we will not pay {amt} {cur}.",
    "Promotional allowance of {amt} {cur} was deducted from {inv} as agreed with sales.",
    "Invoice {inv} is a duplicate of one we paid last month.",
)
CHAT = (
    "Summarise our options for collecting {amt} {cur} that {co} owes on {inv}, {d} days late.",
    "Explain the difference between a short payment and a deduction, with an example from {co}.",
    "Draft three bullet points for the weekly AR meeting about {co}'s overdue invoice {inv}.",
    "What should a collector check before putting {co} on credit hold over {amt} {cur}?",
)


@dataclass(frozen=True)
class RequestSpec:
    kind: str
    adapter: str | None  # None: the base model
    messages: list[dict[str, str]] = field(hash=False)
    max_tokens: int = 64

    def with_adapter(self, adapter: str | None) -> RequestSpec:
        return RequestSpec(self.kind, adapter, self.messages, self.max_tokens)


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    """Popularity of n adapters under Zipf's law: weight of rank k is 1 / k**s, normalised."""
    raw = [1.0 / (k**s) for k in range(1, n + 1)]
    total = sum(raw)
    return [w / total for w in raw]


def popularity(n: int, kind: str, s: float = 1.1) -> list[float]:
    if kind == "uniform":
        return [1.0 / n] * n
    if kind == "zipf":
        return zipf_weights(n, s)
    raise ValueError(f"unknown popularity {kind!r} (uniform or zipf)")


def sample_adapters(
    names: Sequence[str], n: int, kind: str, rng: random.Random, s: float = 1.1
) -> list[str]:
    """n draws from `names` with uniform or Zipf popularity (the first name is the hottest).

    Uniform draws are balanced: every adapter appears n // len(names) or one more times, in a
    shuffled order, so a short run still mixes all adapters.
    """
    if kind == "uniform":
        picks = [names[i % len(names)] for i in range(n)]
        rng.shuffle(picks)
        return picks
    return rng.choices(list(names), weights=popularity(len(names), kind, s), k=n)


def _invoice(rng: random.Random) -> dict[str, Any]:
    return {
        "inv": f"INV-{rng.randint(10000, 99999)}",
        "amt": f"{rng.randint(200, 90000)}.{rng.randint(0, 99):02d}",
        "cur": rng.choice(("EUR", "USD", "GBP")),
        "date": f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}",
        "d": rng.randint(3, 120),
        "co": rng.choice(COMPANIES),
    }


@cache
def _demo_customers() -> tuple[email_real.CustomerData, ...]:
    return tuple(email_real.load_customers(DEMO_SEED, AS_OF, DEMO_CUSTOMERS))


def email_prompt(rng: random.Random) -> list[dict[str, str]]:
    """An e-mail prompt exactly as the server builds it, for a random customer and type."""
    customers = _demo_customers()
    while True:
        cd, email_type = rng.choice(customers), rng.choice(BENCH_EMAIL_TYPES)
        request = email_real.request_for(
            cd, email_type, AS_OF, rng, ar_email_drafter.CONTEXT_TOKENS
        )
        if request is not None:
            hits = email_real.passage_hits(cd, rng)
            block = email_real.block_for(cd.customer, cd.structured, request, hits, AS_OF)
            return ar_email_drafter.messages(block.text, email_type)


def make_request(kind: str, rng: random.Random) -> tuple[list[dict[str, str]], int]:
    lo, hi = OUTPUT_TOKENS[kind]
    max_tokens = rng.randint(lo, hi)
    if kind == "email":
        return email_prompt(rng), max_tokens
    f = _invoice(rng)
    if kind == "classify":
        text = " ".join(rng.choice(DISPUTES).format(**f) for _ in range(rng.randint(1, 3)))
        return dispute_classifier.messages(text), max_tokens
    if kind == "chat":
        content = rng.choice(CHAT).format(**f)
        return [
            {"role": "system", "content": "You are a helpful AR assistant."},
            {"role": "user", "content": content},
        ], max_tokens
    raise ValueError(f"unknown request kind {kind!r}")


def make_workload(
    n: int,
    seed: int,
    adapters: Sequence[str | None],
    popularity_kind: str = "uniform",
    mix: dict[str, float] | None = None,
    zipf_s: float = 1.1,
) -> list[RequestSpec]:
    """n requests: kinds drawn from `mix`, adapters drawn by popularity, lengths seeded."""
    rng = random.Random(seed)
    mix = mix or DEFAULT_MIX
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=n)
    names = list(adapters)
    if names == [None]:
        picks: list[str | None] = [None] * n
    else:
        picks = list(sample_adapters([a for a in names if a], n, popularity_kind, rng, zipf_s))
    out = []
    for kind, adapter in zip(kinds, picks, strict=True):
        messages, max_tokens = make_request(kind, rng)
        out.append(RequestSpec(kind, adapter, messages, max_tokens))
    return out


def poisson_gaps(n: int, rate: float, seed: int) -> list[float]:
    """Inter-arrival gaps (s) of a Poisson process at `rate` requests/s; 0s for rate=inf."""
    if rate == float("inf"):
        return [0.0] * n
    rng = random.Random(seed)
    return [rng.expovariate(rate) for _ in range(n)]
