"""Dispute and deduction messages: composed from many parts, registers and noise, not one
template per label. Personal data is generated on purpose; the PII scrubber removes it."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from faker import Faker

from adapters.data import vocab
from adapters.data.dispute_extras import (
    CLOSINGS,
    CONTEXT,
    MINOR,
    MISLEADING,
    NON_NATIVE,
    OPENERS,
    REQUESTS,
    SIGNATURES,
)
from adapters.data.dispute_phrases import CORE
from adapters.tasks import DISPUTE_LABELS

LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "nl_NL", "it_IT", "es_ES", "pl_PL", "sv_SE"]


@dataclass
class DisputeExample:
    text: str
    label: str
    register: str
    core_id: str


def _slots(rng: random.Random, fake: Faker) -> dict[str, str]:
    cur = rng.choice(vocab.CURRENCIES)
    agreed = vocab.money(rng, 0.5, 400)
    billed = round(agreed * rng.uniform(1.03, 1.4), 2)
    n_ord = rng.choice([10, 12, 20, 24, 40, 48, 50, 60, 100, 120, 200, 500, 1000])
    n_recv = rng.randint(max(1, n_ord // 3), n_ord - 1)
    rate_ok, rate_billed = rng.choice(
        [
            ("7%", "19%"),
            ("5%", "20%"),
            ("0%", "21%"),
            ("10%", "22%"),
            ("6%", "8.25%"),
            ("9%", "21%"),
        ]
    )
    return {
        "inv": vocab.invoice_no(rng),
        "inv2": vocab.invoice_no(rng),
        "po": vocab.po_no(rng),
        "product": rng.choice(vocab.PRODUCTS),
        "n_ord": str(n_ord),
        "n_recv": str(n_recv),
        "n_missing": str(n_ord - n_recv),
        "n_dmg": str(rng.randint(1, max(1, n_ord // 2))),
        "p_agreed": vocab.fmt_money(agreed, cur, rng),
        "p_billed": vocab.fmt_money(billed, cur, rng),
        "amt": vocab.fmt_money(vocab.money(rng, 15, 9000), cur, rng),
        "pct": rng.choice(["2%", "3%", "1.5%", "2 %", "5%", "10%"]),
        "date": vocab.fmt_date(vocab.some_date(rng), rng),
        "carrier": rng.choice(vocab.CARRIERS),
        "rma": f"RMA-{rng.randint(1000, 99999)}",
        "promo": rng.choice(vocab.PROMOS),
        "rate_billed": rate_billed,
        "rate_ok": rate_ok,
        "days": str(rng.choice([8, 9, 10, 14, 21, 30])),
        "first": fake.first_name(),
        "last": fake.last_name(),
        "company": vocab.company(rng),
        "phone": fake.phone_number(),
        "email": fake.email(),
        "address": fake.address().replace("\n", ", "),
    }


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots).strip()


def _non_native(text: str, rng: random.Random) -> str:
    rules = rng.sample(NON_NATIVE, k=rng.randint(2, 5))
    for pattern, repl in rules:
        text = re.sub(pattern, repl, text, count=1)
    if rng.random() < 0.5:
        text = re.sub(r"\b(the|a|an) ", "", text, count=rng.randint(1, 3))
    return text


def typos(text: str, rng: random.Random) -> str:
    """Swap two neighbouring letters in a few longer words."""
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4 and w.isalpha():
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _core(label: str, rng: random.Random, slots: dict[str, str]) -> tuple[str, str]:
    idx = rng.randrange(len(CORE[label]))
    return _fill(CORE[label][idx], slots), f"{label}#{idx}"


def compose(label: str, rng: random.Random, fake: Faker) -> DisputeExample:
    s = _slots(rng, fake)
    core, core_id = _core(label, rng, s)
    register = rng.choices(
        ["email", "terse", "ticket", "remittance", "two_issues", "long"], [30, 18, 10, 10, 14, 18]
    )[0]
    other = rng.choice([x for x in DISPUTE_LABELS if x != label])
    if register == "terse":
        body = core if rng.random() < 0.6 else f"{core} {_fill(rng.choice(REQUESTS), s)}"
        text = body.lower() if rng.random() < 0.3 else body
    elif register == "ticket":
        subject = rng.choice(
            [
                f"Invoice {s['inv']}",
                f"Deduction on payment {s['date']}",
                f"Query - PO {s['po']}",
                "Open item",
                "Dispute",
                "URGENT",
            ]
        )
        text = f"Subject: {subject}\n\n{core}\n\n{_fill(rng.choice(SIGNATURES), s)}"
    elif register == "remittance":
        text = (
            f"Remittance advice {s['date']}\nPaid: {s['inv2']} {s['amt']}\n"
            f"Deduction on {s['inv']}: {core}"
        )
    else:
        parts = [_fill(rng.choice(OPENERS), s), _fill(rng.choice(CONTEXT), s)]
        if register == "two_issues":
            second, _ = _core(other, rng, s)
            lead, tail = rng.choice(
                [
                    ("The main problem: ", "A smaller point, less important: "),
                    ("Most importantly, ", "Also (minor): "),
                    ("First and foremost: ", "Separately, and not urgent: "),
                ]
            )
            parts += [lead + core, tail + second]
        else:
            parts.append(core)
            if rng.random() < 0.3:
                parts.append(rng.choice(MINOR[other]))
        if register == "long" or rng.random() < 0.3:
            parts.insert(rng.randint(2, len(parts)), rng.choice(MISLEADING))
        parts += [
            _fill(rng.choice(REQUESTS), s),
            rng.choice(CLOSINGS),
            _fill(rng.choice(SIGNATURES), s),
        ]
        sep = "\n\n" if rng.random() < 0.5 else "\n"
        text = sep.join(p for p in parts if p)
    if rng.random() < 0.2:
        text = _non_native(text, rng)
        register += "+non_native"
    if rng.random() < 0.12:
        text = typos(text, rng)
    return DisputeExample(text.strip(), label, register, core_id)


def is_heldout_core(core_id: str) -> bool:
    """Every fifth core phrasing of each label is kept out of training: the test set measures
    phrasings the adapter never saw."""
    return int(core_id.rsplit("#", 1)[1]) % 5 == 2


def generate(n: int, seed: int) -> list[DisputeExample]:
    """n messages, labels balanced, deterministic for a seed."""
    rng = random.Random(seed)
    fake = Faker(LOCALES)
    fake.seed_instance(seed)
    labels = [DISPUTE_LABELS[i % len(DISPUTE_LABELS)] for i in range(n)]
    rng.shuffle(labels)
    return [compose(label, rng, fake) for label in labels]
