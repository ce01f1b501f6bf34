# ruff: noqa: E501 - prose (messages, prompts) reads better unwrapped
"""Prompt template for `dispute-classifier`: the answer is exactly one label."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from adapters.tasks import DISPUTE_LABELS

TEMPLATE_VERSION = "dispute-classifier/1"
LABELS = DISPUTE_LABELS

SYSTEM_PROMPT = (
    "Classify the customer's dispute or deduction message for accounts receivable. "
    "Answer with one label."
)

BASELINE_SYSTEM_PROMPT = """You are an accounts receivable analyst. Read the customer's message \
and classify the PRIMARY reason the customer disputes or short-pays an invoice. Answer with \
exactly one label and nothing else.

Labels:
- pricing_discrepancy: the unit price or rate billed differs from the agreed, quoted or contract price.
- short_shipment: fewer units arrived than were invoiced; part of the delivery is missing.
- damaged_goods: goods arrived broken, spoiled, defective, expired or unusable.
- duplicate_billing: the same goods or service were invoiced twice, or a paid invoice was billed again.
- returned_goods: the customer sent goods back (return, RMA) and the credit is missing.
- promotional_allowance: a deduction for a trade promotion, co-op advertising, display, slotting \
fee or rebate agreed with sales or marketing.
- tax_discrepancy: wrong VAT, sales tax or GST rate, tax charged to an exempt customer, reverse charge.
- early_payment_discount: the customer took a cash, prompt-payment or early-settlement discount (e.g. 2/10 net 30, skonto).
- goods_not_received: the whole delivery never arrived; the customer asks for proof of delivery.
- other: anything else, such as requests for invoice copies, address changes, statements, \
payment plans, portal access or complaints that are not one of the reasons above.

Rules: if the message names several issues, choose the one it calls the main or most \
important one. Words such as "price", "return" or "not received" can appear in passing; \
judge the actual reason for non-payment."""

FEW_SHOT = [
    (
        "We ordered 50 cases but only 42 came on the truck. Please credit the 8 missing cases.",
        "short_shipment",
    ),
    (
        "You invoiced 12.40 per unit, our contract says 11.10. We paid the contract price.",
        "pricing_discrepancy",
    ),
    ("We took 2% off because we paid within 10 days as per your terms.", "early_payment_discount"),
    ("Please send us a copy of invoice 4471, we cannot find it.", "other"),
]


def messages(text: str) -> list[dict[str, str]]:
    """Chat messages for the fine-tuned adapter."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Message:\n{text.strip()}"},
    ]


def baseline_messages(text: str) -> list[dict[str, str]]:
    """The best prompt for the base model alone: definitions, rules and a few examples."""
    out = [{"role": "system", "content": BASELINE_SYSTEM_PROMPT}]
    for example, label in FEW_SHOT:
        out += [
            {"role": "user", "content": f"Message:\n{example}"},
            {"role": "assistant", "content": label},
        ]
    out.append({"role": "user", "content": f"Message:\n{text.strip()}"})
    return out


def completion(label: str) -> str:
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}")
    return label


def first_tokens(
    tokenize: Callable[[str], list[int]], labels: Sequence[str] = LABELS
) -> dict[str, int]:
    """Each label's first token id; they must be distinct for the label to be decided there."""
    firsts = {label: tokenize(label)[0] for label in labels}
    if len(set(firsts.values())) != len(firsts):
        raise ValueError("this base model's tokenizer gives two dispute labels one first token")
    return firsts


def label_distribution(
    logprobs: Mapping[int, float], firsts: Mapping[str, int]
) -> dict[str, float]:
    """Label probabilities: the first tokens' probabilities (token id -> logprob at the first
    decoding step), renormalised over the taxonomy. Raises ValueError when not finite."""
    scores = {label: logprobs.get(tid, -math.inf) for label, tid in firsts.items()}
    peak = max(scores.values())
    # NaN scores, or no label with a finite one, leave no distribution (never a null confidence).
    if not math.isfinite(peak) or any(math.isnan(s) for s in scores.values()):
        raise ValueError("the classifier's label distribution is not finite")
    weights = {label: math.exp(s - peak) for label, s in scores.items()}
    total = sum(weights.values())
    return {label: w / total for label, w in weights.items()}
