# ruff: noqa: E501 - message text reads better unwrapped
"""Noise for dispute messages as they arrive in an AR inbox: wrappers that keep the message
text intact (forwarded threads, quoted replies, disclaimers, pasted invoice lines) and
character noise that does not (typos, all lowercase, no punctuation)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from adapters.data.dispute_de import DISCLAIMERS_DE
from adapters.data.dispute_fr import DISCLAIMERS_FR
from adapters.data.dispute_hard import DISCLAIMERS_EN
from adapters.data.disputes import typos

Slots = dict[str, str]

FORWARD_HEADER = {
    "en": "-----Original Message-----\nFrom: {first} {last} <{email}>\nSent: {date}\nTo: Accounts Receivable\nSubject: RE: Invoice {inv}",
    "de": "-----Ursprüngliche Nachricht-----\nVon: {first} {last} <{email}>\nGesendet: {date}\nAn: Debitorenbuchhaltung\nBetreff: AW: Rechnung {inv}",
    "fr": "-----Message d'origine-----\nDe : {first} {last} <{email}>\nEnvoyé : {date}\nÀ : Comptabilité clients\nObjet : RE: Facture {inv}",
}
FORWARD_NOTE = {
    "en": [
        "FYI, see below. Can you handle?",
        "Forwarding from our warehouse team.",
        "see below",
        "",
    ],
    "de": [
        "zur Info, siehe unten.",
        "Bitte um Bearbeitung, s.u.",
        "Weiterleitung von unserem Lager.",
        "",
    ],
    "fr": [
        "Pour info, voir ci-dessous.",
        "Je vous transfère le message de notre entrepôt.",
        "cf. ci-dessous",
        "",
    ],
}
QUOTE_INTRO = {
    "en": "On {date}, {first} {last} wrote:",
    "de": "Am {date} schrieb {first} {last}:",
    "fr": "Le {date}, {first} {last} a écrit :",
}
# an earlier message from the AR side: it disputes nothing
QUOTED_REMINDER = {
    "en": "Dear customer,\nour records show that invoice {inv} for {amt} is overdue.\nPlease arrange payment at your earliest convenience.\nKind regards\nAccounts Receivable",
    "de": "Sehr geehrte Damen und Herren,\nlaut unserer Buchhaltung ist die Rechnung {inv} über {amt} überfällig.\nBitte veranlassen Sie die Zahlung.\nMit freundlichen Grüßen\nDebitorenbuchhaltung",
    "fr": "Madame, Monsieur,\nsauf erreur de notre part, la facture {inv} d'un montant de {amt} reste impayée.\nMerci de procéder au règlement.\nCordialement\nComptabilité clients",
}
INVOICE_LINES = {
    "en": "Invoice     Date        Amount\n{inv}   {date}   {amt}\nPO {po} / {product}",
    "de": "Rechnung    Datum       Betrag\n{inv}   {date}   {amt}\nBestellung {po} / {product}",
    "fr": "Facture     Date        Montant\n{inv}   {date}   {amt}\nCommande {po} / {product}",
}
DISCLAIMERS = {"en": DISCLAIMERS_EN, "de": DISCLAIMERS_DE, "fr": DISCLAIMERS_FR}


def forwarded(text: str, lang: str, rng: random.Random, s: Slots) -> str:
    """The message below an Outlook-style forward header, with an optional note on top."""
    note = rng.choice(FORWARD_NOTE[lang])
    head = FORWARD_HEADER[lang].format(**s)
    return f"{note}\n\n{head}\n\n{text}".strip()


def quoted_reply(text: str, lang: str, rng: random.Random, s: Slots) -> str:
    """The message as a reply above the AR team's quoted reminder ("> " lines)."""
    old = QUOTED_REMINDER[lang].format(**s)
    quoted = "\n".join(f"> {line}" for line in old.splitlines())
    return f"{text}\n\n{QUOTE_INTRO[lang].format(**s)}\n{quoted}"


def disclaimer(text: str, lang: str, rng: random.Random, s: Slots) -> str:
    return f"{text}\n\n{rng.choice(DISCLAIMERS[lang]).format(**s)}"


def invoice_lines(text: str, lang: str, rng: random.Random, s: Slots) -> str:
    """Pasted invoice lines before or after the message."""
    table = INVOICE_LINES[lang].format(**s)
    return f"{table}\n\n{text}" if rng.random() < 0.5 else f"{text}\n\n{table}"


Wrapper = Callable[[str, str, random.Random, Slots], str]
WRAPPERS: dict[str, tuple[Wrapper, float]] = {
    "forwarded": (forwarded, 0.15),
    "quoted": (quoted_reply, 0.15),
    "disclaimer": (disclaimer, 0.2),
    "invoice_lines": (invoice_lines, 0.15),
}


def lowercase(text: str, rng: random.Random) -> str:
    return text.lower()


def no_punctuation(text: str, rng: random.Random) -> str:
    """Sentence punctuation dropped, as in a quick phone-typed note."""
    return re.sub(r"[.,;!?](?=\s|$)", "", text)


CHAR_NOISE: dict[str, tuple[Callable[[str, random.Random], str], float]] = {
    "typos": (typos, 0.15),
    "lowercase": (lowercase, 0.1),
    "no_punct": (no_punctuation, 0.1),
}


def add_noise(text: str, lang: str, rng: random.Random, s: Slots) -> tuple[str, list[str]]:
    """Each wrapper and each character noise applied with its probability; their names."""
    kinds = []
    for name, (wrap, p) in WRAPPERS.items():
        if rng.random() < p:
            text = wrap(text, lang, rng, s)
            kinds.append(name)
    for name, (noise, p) in CHAR_NOISE.items():
        if rng.random() < p:
            text = noise(text, rng)
            kinds.append(name)
    return text, kinds
