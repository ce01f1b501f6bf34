"""Dispute messages in English, German and French from many writers: terse notes, tickets,
e-mails, two issues of which one holds the payment, hard negatives between the labels that
are confused, and inbox noise. Used to extend a train split (`GENERATOR`)."""

from __future__ import annotations

import random
import re

from faker import Faker

from adapters.data import dispute_de as de
from adapters.data import dispute_fr as fr
from adapters.data import disputes
from adapters.data.dispute_extras import CLOSINGS, CONTEXT, OPENERS, REQUESTS, SIGNATURES
from adapters.data.dispute_hard import HARD, HOLDING_FRAMES
from adapters.data.dispute_noise import add_noise
from adapters.data.dispute_phrases import CORE
from adapters.tasks import DISPUTE_LABELS

GENERATOR = "variety-1"
LANGS = ("en", "de", "fr")
LANG_WEIGHTS = (0.2, 0.4, 0.4)
BASE_SHARE = 0.25  # rows from the base generator: the English voice the test split measures
# the labels confused on hand-written messages get more rows
LABEL_WEIGHTS = {
    "short_shipment": 1.4,
    "goods_not_received": 1.3,
    "promotional_allowance": 1.3,
    "other": 1.4,
    "damaged_goods": 1.1,
    "pricing_discrepancy": 1.1,
    "early_payment_discount": 1.1,
}
SHAPES = ("terse", "ticket", "email", "holding", "long")
SHAPE_WEIGHTS = (20, 12, 33, 20, 15)

_PARTS = {
    "en": (OPENERS, CONTEXT, REQUESTS, CLOSINGS, SIGNATURES),
    "de": (de.OPENERS_DE, de.CONTEXT_DE, de.REQUESTS_DE, de.CLOSINGS_DE, de.SIGNATURES_DE),
    "fr": (fr.OPENERS_FR, fr.CONTEXT_FR, fr.REQUESTS_FR, fr.CLOSINGS_FR, fr.SIGNATURES_FR),
}
_SUBJECT = {
    "en": ["Invoice {inv}", "Deduction {date}", "Query PO {po}", "Dispute", "RE: Payment"],
    "de": ["Rechnung {inv}", "Kürzung Zahlung {date}", "Reklamation", "AW: Zahlungserinnerung"],
    "fr": ["Facture {inv}", "Déduction règlement {date}", "Litige", "RE: Relance"],
}
_SUBJECT_KEY = {"en": "Subject", "de": "Betreff", "fr": "Objet"}
# a side issue that says it was deducted would contradict the frame that it was not
_DEDUCTED = re.compile(
    r"deduct|short[- ]paid|netted|abzug|abgezogen|kürz|einbehalten|verrechne|déduction|déduit|"
    r"déduis|retenu|compens",
    re.IGNORECASE,
)


def bank(lang: str, label: str) -> list[tuple[str, str]]:
    """(core id, template) for a label in a language; English leaves out the base
    generator's held-out phrasings, which only the test split may contain."""
    if lang == "de":
        return [(f"{label}/de#{i}", t) for i, t in enumerate(de.CORE_DE[label])]
    if lang == "fr":
        return [(f"{label}/fr#{i}", t) for i, t in enumerate(fr.CORE_FR[label])]
    base = [(f"{label}#{i}", t) for i, t in enumerate(CORE[label])]
    hard = [(f"{label}/hard#{i}", t) for i, t in enumerate(HARD.get(label, []))]
    return [b for b in base if not disputes.is_heldout_core(b[0])] + hard * 3


def core(lang: str, label: str, rng: random.Random, s: dict[str, str]) -> tuple[str, str]:
    core_id, template = rng.choice(bank(lang, label))
    return template.format(**s).strip(), core_id


def _holding(lang: str, label: str, main: str, rng: random.Random, s: dict[str, str]) -> str:
    other = rng.choice([x for x in DISPUTE_LABELS if x not in (label, "other")])
    side = [t for _, t in bank(lang, other) if not _DEDUCTED.search(t)] or [
        t for _, t in bank(lang, other)
    ]
    minor = rng.choice(side).format(**s).strip()
    frame, _ = rng.choice(HOLDING_FRAMES[lang])
    return frame.format(main=main, minor=minor, minor_lc=minor[:1].lower() + minor[1:])


def compose(label: str, lang: str, rng: random.Random, fake: Faker) -> disputes.DisputeExample:
    s = disputes._slots(rng, fake)  # noqa: SLF001 - the same slot values as the base generator
    main, core_id = core(lang, label, rng, s)
    shape = rng.choices(SHAPES, SHAPE_WEIGHTS)[0]
    if shape == "holding" and label == "other":  # "other" disputes nothing to hold
        shape = "email"
    openers, context, requests, closings, signatures = _PARTS[lang]
    if shape == "terse":
        text = main
    elif shape == "ticket":
        subject = rng.choice(_SUBJECT[lang]).format(**s)
        sig = rng.choice(signatures).format(**s)
        text = f"{_SUBJECT_KEY[lang]}: {subject}\n\n{main}\n\n{sig}"
    else:
        body = _holding(lang, label, main, rng, s) if shape == "holding" else main
        parts = [rng.choice(openers), rng.choice(context), body]
        if shape == "long":
            extra, _ = core(lang, label, rng, s)
            parts.append(extra if extra != main else "")
        parts += [rng.choice(requests), rng.choice(closings), rng.choice(signatures)]
        sep = "\n\n" if rng.random() < 0.5 else "\n"
        text = sep.join(p.format(**s) for p in parts if p)
    text, noise = add_noise(text, lang, rng, s)
    register = "+".join([f"{lang}:{shape}", *noise])
    return disputes.DisputeExample(text.strip(), label, register, core_id)


def _base(label: str, rng: random.Random, fake: Faker) -> disputes.DisputeExample:
    """A base-generator message whose phrasing is not held out for the test split."""
    while True:
        ex = disputes.compose(label, rng, fake)
        if not disputes.is_heldout_core(ex.core_id):
            ex.register = f"en:base:{ex.register}"
            return ex


def generate(n: int, seed: int) -> list[disputes.DisputeExample]:
    """n messages, the confused labels weighted up, deterministic for a seed."""
    rng = random.Random(seed)
    fake = Faker(disputes.LOCALES)
    fake.seed_instance(seed)
    weights = [LABEL_WEIGHTS.get(x, 0.9) for x in DISPUTE_LABELS]
    out = []
    for label in rng.choices(DISPUTE_LABELS, weights, k=n):
        if rng.random() < BASE_SHARE:
            out.append(_base(label, rng, fake))
        else:
            out.append(compose(label, rng.choices(LANGS, LANG_WEIGHTS)[0], rng, fake))
    return out
