"""The AR glossary: what a clerk types, in English, German or French, and the English words the
records use for it.

The keyword branch matches words, and the records are written in English with one vocabulary
(``promise to pay``, ``credit memo``, ``remittance``); the embedding model is English only and
no multilingual one is available offline. So a query's terms are expanded with the record words
of every concept they name, at a lower weight than the words typed. Written from AR usage, not
from any query set; ``tests/retrieval/test_glossary.py`` holds its invariants.
"""

from __future__ import annotations

import re

#: weight of an expansion term against 1.0 for a word the user typed
EXPANSION_WEIGHT = 0.5

#: concept -> (record words added to the query, words that name it in en/de/fr)
CONCEPTS: dict[str, tuple[str, str]] = {
    "promise": (
        "promise promised",
        "promise promised promises promising commit committed commitment commits ptp pledge "
        "pledged zusage zugesagt versprochen versprechen zahlungszusage zahlungsversprechen "
        "promesse promis engagement engage engagé",
    ),
    "payment": (
        "payment pay paid",
        "pay paid paying payment payments settle settled settling settlement remit remitted "
        "zahlung zahlungen zahlen gezahlt bezahlt bezahlen beglichen begleichen überweisung "
        "überwiesen paiement paiements payé payée payer réglé réglée règlement régler virement",
    ),
    "remittance": (
        "remittance advice",
        "remittance remittances avis zahlungsavis avis-de-paiement",
    ),
    "invoice": (
        "invoice invoices",
        "invoice invoices invoiced bill bills billed billing rechnung rechnungen faktura "
        "facture factures facturé facturée",
    ),
    "copy": (
        "copy resent",
        "copy copies resend resent re-send duplicate kopie rechnungskopie duplikat erneut "
        "nochmals copie duplicata renvoyer renvoi",
    ),
    "received": (
        "received receipt",
        "receive received receipt arrived arrive erhalten bekommen eingegangen angekommen reçu "
        "reçue reçues recu recue arrivé arrivée",
    ),
    "delivery": (
        "delivery delivered goods",
        "delivery deliveries delivered deliver shipment shipped shipping lieferung lieferungen "
        "geliefert ware waren livraison livraisons livré livrée marchandise marchandises",
    ),
    "short": (
        "short missing quantity",
        "short shortage shorted fewer missing quantity qty fehlmenge fehlt fehlen fehlende "
        "menge manque manquant manquants manquante quantité",
    ),
    "damage": (
        "damaged damage",
        "damage damaged broken defective beschädigt beschädigte defekt defekte kaputt bruch "
        "endommagé endommagée endommagés cassé cassée abîmé abîmée avarie",
    ),
    "price": (
        "price pricing",
        "price prices pricing priced overcharged overcharge preis preise preisdifferenz "
        "überhöht prix tarif tarifs surfacturé surfacturation",
    ),
    "credit": (
        "credit memo",
        "credit credited gutschrift gutschriften avoir avoirs",
    ),
    "return": (
        "returned return",
        "return returned returns rücksendung retoure retourniert zurückgeschickt "
        "zurückgesendet retour retourné retournée retournés",
    ),
    "dispute": (
        "dispute disputed",
        "dispute disputes disputed disputing contest contested reklamation reklamiert "
        "beanstandung beanstandet einspruch strittig widerspruch litige litiges contestation "
        "contesté contestée réclamation",
    ),
    "discount": (
        "discount",
        "discount discounts rebate rebates skonto rabatt nachlass escompte remise ristourne",
    ),
    "deduction": (
        "deduct deduction",
        "deduct deducted deducting deduction deductions abzug abzüge abgezogen kürzung gekürzt "
        "einbehalten déduction déductions déduit déduite retenue",
    ),
    "reminder": (
        "reminder dunning",
        "reminder reminders dunning dunned mahnung mahnungen gemahnt zahlungserinnerung "
        "erinnerung relance relances rappel",
    ),
    "overdue": (
        "overdue due",
        "due overdue late past-due fällig überfällig verspätet verzug échéance échu échue "
        "retard impayé impayée",
    ),
    "contract": (
        "contract terms",
        "contract contracts contractual agreement clause terms vertrag vertraglich "
        "vereinbarung vereinbart klausel contrat contractuel accord",
    ),
    "allowance": (
        "allowance promotion",
        "allowance allowances promotion promotional marketing werbekostenzuschuss aktion "
        "werbeaktion promo promotionnel",
    ),
    "penalty": (
        "penalty late",
        "penalty penalties vertragsstrafe strafe pönale pénalité pénalités",
    ),
    "tax": (
        "tax vat",
        "tax taxes vat mwst ust steuer mehrwertsteuer umsatzsteuer tva taxe",
    ),
    "balance": (
        "balance outstanding",
        "balance outstanding saldo offen offene offenen kontostand solde restant",
    ),
    "plan": (
        "payment plan",
        "plan instalment instalments installment installments ratenzahlung raten "
        "échéancier échelonnement",
    ),
    "proof": (
        "proof delivery",
        "proof pod nachweis liefernachweis lieferschein preuve bon",
    ),
    "order": (
        "order purchase",
        "order orders ordered purchase bestellung bestellt auftrag commande commandé commandée",
    ),
    "duplicate": (
        "duplicate twice",
        "duplicate duplicated twice double doppelt doppelte zweimal doublon doublé",
    ),
    "statement": (
        "statement account",
        "statement kontoauszug saldenbestätigung relevé",
    ),
}

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _build() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for record_words, names in CONCEPTS.values():
        for name in names.split():
            index.setdefault(name, []).extend(record_words.split())
    return {k: tuple(dict.fromkeys(v)) for k, v in index.items()}


#: a typed word -> the record words of every concept it names
EXPANSIONS = _build()
#: a typed word -> the concepts it names
NAMES: dict[str, frozenset[str]] = {}
for _concept, (_, _names) in CONCEPTS.items():
    for _name in _names.split():
        NAMES[_name] = NAMES.get(_name, frozenset()) | {_concept}


def concepts(text: str) -> set[str]:
    """The concepts a query names."""
    return {c for w in _WORD.findall(text) for c in NAMES.get(w.lower(), ())}


def expansions(text: str) -> list[str]:
    """Record words for the concepts a query names, minus the words it already has."""
    typed = [w.lower() for w in _WORD.findall(text)]
    have = set(typed)
    out: dict[str, None] = {}
    for word in typed:
        for term in EXPANSIONS.get(word, ()):
            if term not in have:
                out[term] = None
    return list(out)
