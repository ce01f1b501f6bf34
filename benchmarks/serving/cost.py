"""Cost model: euros per million output tokens, per 1,000 e-mails and per 1,000 classifications,
from measured throughput and an hourly machine price; multi-adapter serving (one machine, all
adapters share batches) against one deployment per adapter (a merged model per machine)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

DEFAULT_EUR_PER_HOUR = 0.10  # a 2-vCPU cloud VM; pass --eur-per-hour for yours


def eur_per_million_tokens(eur_per_hour: float, tokens_per_s: float) -> float | None:
    if tokens_per_s <= 0:
        return None
    return eur_per_hour / (tokens_per_s * 3600.0) * 1e6


def eur_per_thousand(eur_per_hour: float, items_per_s: float) -> float | None:
    if items_per_s <= 0:
        return None
    return eur_per_hour / (items_per_s * 3600.0) * 1e3


@dataclass(frozen=True)
class Fleet:
    adapters: int
    demand_tokens_per_s: float
    machines_multi: int
    machines_dedicated: int
    eur_per_hour_multi: float
    eur_per_hour_dedicated: float
    eur_per_million_multi: float
    eur_per_million_dedicated: float

    @property
    def saving(self) -> float:
        return 1.0 - self.eur_per_hour_multi / self.eur_per_hour_dedicated


def fleet(
    adapters: int,
    demand_tokens_per_s: float,
    multi_tokens_per_s: float,
    dedicated_tokens_per_s: float,
    eur_per_hour: float,
) -> Fleet:
    """Machines (whole ones) to serve a demand spread evenly over `adapters`: shared by all
    adapters, or one deployment per adapter, each needing at least one machine."""
    multi = max(1, math.ceil(demand_tokens_per_s / multi_tokens_per_s))
    per_adapter = demand_tokens_per_s / adapters
    dedicated = adapters * max(1, math.ceil(per_adapter / dedicated_tokens_per_s))
    hourly_tokens = demand_tokens_per_s * 3600.0
    return Fleet(
        adapters,
        demand_tokens_per_s,
        multi,
        dedicated,
        multi * eur_per_hour,
        dedicated * eur_per_hour,
        multi * eur_per_hour / hourly_tokens * 1e6,
        dedicated * eur_per_hour / hourly_tokens * 1e6,
    )


def cost_summary(
    eur_per_hour: float,
    multi_tokens_per_s: dict[int, float],
    base_tokens_per_s: float,
    emails_per_s: float | None,
    classifications_per_s: float | None,
    demand_fraction: float = 0.5,
) -> dict[str, Any]:
    """Every cost figure of the report.

    `multi_tokens_per_s`: measured mixed-adapter output throughput by number of adapters;
    `base_tokens_per_s`: the base model's (what a merged model per deployment runs at);
    `demand_fraction`: the fleet's demand as a share of one multi-adapter machine's capacity.
    """
    lora_over_base = None
    n_ref = max(multi_tokens_per_s) if multi_tokens_per_s else 0
    if n_ref and base_tokens_per_s:
        lora_over_base = multi_tokens_per_s[n_ref] / base_tokens_per_s
    out: dict[str, Any] = {
        "eur_per_hour": eur_per_hour,
        "eur_per_million_output_tokens": {
            str(n): eur_per_million_tokens(eur_per_hour, t) for n, t in multi_tokens_per_s.items()
        },
        "eur_per_million_output_tokens_dedicated": eur_per_million_tokens(
            eur_per_hour, base_tokens_per_s
        ),
        "eur_per_1000_emails": eur_per_thousand(eur_per_hour, emails_per_s or 0.0),
        "eur_per_1000_classifications": eur_per_thousand(
            eur_per_hour, classifications_per_s or 0.0
        ),
        "demand_fraction": demand_fraction,
        "fleets": [],
    }
    # A dedicated deployment runs a merged model: no LoRA overhead, so per item it costs the
    # multi-adapter figure times the LoRA overhead ratio (at full utilisation).
    if lora_over_base:
        for key in ("eur_per_1000_emails", "eur_per_1000_classifications"):
            if out[key] is not None:
                out[key + "_dedicated_full_load"] = out[key] * lora_over_base
    for n, tput in sorted(multi_tokens_per_s.items()):
        f = fleet(n, demand_fraction * tput, tput, base_tokens_per_s, eur_per_hour)
        out["fleets"].append(asdict(f) | {"saving": f.saving})
    return out
