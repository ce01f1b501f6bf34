"""What an e-mail type may say given the records, beyond its required elements: no demand
for an invoice under dispute, no earlier reminder the dunning history does not show. Used by
`check_email`, so serving and the evaluation harness apply the same rules."""

from __future__ import annotations

import re

from adapters.tasks import DUNNING_TYPES, FIRST_CONTACT_TYPES
from retrieval.attribution import anchors, clauses
from retrieval.block_records import BlockRecords

# Saying the invoice is disputed or under review (en, de, fr).
UNDER_REVIEW = re.compile(
    r"(?i)(disput|under review|being reviewed|reviewing|review of|investigat|clarif|on hold|"
    r"exclud|not included|Reklamation|Beanstandung|strittig|Prüfung|geprüft|Klärung|"
    r"litige|contest|réclamation|examen)"
)
EARLIER_REMINDER = re.compile(
    r"(?i)\b(?:(?:previous|earlier|prior|last|second|further|several|repeated|recent)\s+"
    r"(?:payment\s+)?reminders?|despite\s+(?:our|the|several|repeated)\b[^.\n]*\breminders?"
    r"|already\s+(?:sent\s+(?:you\s+)?a\s+reminder|reminded|contacted\s+you)"
    r"|reminded\s+you\s+(?:before|previously|earlier)|as\s+(?:previously|already)\s+"
    r"(?:mentioned|requested|reminded)|(?:letzte|vorherige|erneute|bereits)\w*\s+Erinnerung"
    r"|trotz\s+unserer\s+Erinnerung|précédent\w*\s+rappel|déjà\s+relancé)"
)


def disputed_invoices(records: BlockRecords) -> set[str]:
    """Invoices with an open dispute in the block, or whose status says disputed."""
    out = {i for d in records.disputes.values() if d.is_open for i in d.invoice_ids}
    out |= {i.invoice_id for i in records.invoices.values() if i.status == "disputed"}
    return out


def disputed_dunned(text: str, email_type: str, records: BlockRecords) -> list[str]:
    """Disputed invoices a dunning e-mail names without saying they are under review."""
    if email_type not in DUNNING_TYPES:
        return []
    disputed = disputed_invoices(records)
    named: set[str] = set()
    excused: set[str] = set()
    for clause in clauses(text):
        found = anchors(clause, records)
        here = {a.key for a in found if a.kind == "invoice"} & disputed
        for a in found:
            if a.kind == "dispute":
                here |= set(records.disputes[a.key].invoice_ids) & disputed
        named |= here
        if UNDER_REVIEW.search(clause):
            excused |= here
    return sorted(named - excused)


def type_issues(text: str, email_type: str, records: BlockRecords) -> list[str]:
    """Type fit against the records: a first reminder claiming an earlier one at level 0."""
    issues = []
    never_reminded = records.dunning_level == 0 and not any(
        i.last_reminder for i in records.invoices.values()
    )
    if email_type in FIRST_CONTACT_TYPES and never_reminded and EARLIER_REMINDER.search(text):
        issues.append("claims an earlier reminder at dunning level 0")
    return issues
