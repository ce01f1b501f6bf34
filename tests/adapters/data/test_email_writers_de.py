"""German reference e-mails over real context blocks (the training data's own assembly): every
type passes check_email in German once filled, states no fact itself, and never duns a
disputed invoice."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from typing import Any

import pytest

from adapters.data import email_real
from adapters.data.email_writers import write_email
from adapters.data.email_writers_de import one_line, write_email_de
from adapters.email_rules import UNDER_REVIEW
from adapters.evaluation.email_checks import EmailCheck, check_email
from adapters.merge_fields import MergeFields, UnknownRecordError, literal_facts, merge_fields
from adapters.tasks import DUNNING_TYPES, EMAIL_TYPES
from retrieval.block import ContextBlock
from retrieval.grounding import extract

SEEDS = ((12345, date(2026, 6, 30)), (4242, date(2025, 11, 15)), (90210, date(2026, 2, 2)))
ASKS: tuple[frozenset[str], ...] = (frozenset(), frozenset({"po", "short_payment", "payment_date"}))
Case = tuple[str, ContextBlock, MergeFields]


def _block(cd: email_real.CustomerData, t: str, as_of: date, rng: random.Random) -> Any:
    req = email_real.request_for(cd, t, as_of, rng, 32_768)
    if req is None:
        return None
    return email_real.block_for(
        cd.customer, cd.structured, req, email_real.passage_hits(cd, rng), as_of
    )


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    rng = random.Random(5)
    out = []
    for seed, as_of in SEEDS:
        for cd in email_real.load_customers(seed, as_of, 10):
            for t in EMAIL_TYPES:
                if (block := _block(cd, t, as_of, rng)) is not None:
                    out.append((t, block, merge_fields(block.text)))
    return out


def _check(filled: str, t: str, block: ContextBlock, fx: MergeFields) -> EmailCheck:
    return check_email(filled, block.text, t, block.statement | fx.derived(), "de")


def test_every_type_passes_the_german_checks(cases: list[Case]) -> None:
    rng = random.Random(11)
    written = {t: 0 for t in EMAIL_TYPES}
    for t, block, fx in cases:
        for asks in ASKS:
            try:
                draft = write_email_de(t, block.facts, fx, rng, asks)
            except UnknownRecordError:
                continue
            assert not extract(literal_facts(draft)).amounts, draft
            assert not extract(literal_facts(draft)).dates, draft
            filled = fx.fill(draft, "de")
            c = _check(filled.text, t, block, fx)
            assert filled.unknown == [], draft
            assert c.style_ok and c.length_ok and c.language == "de" and c.language_ok, filled
            assert c.missing_elements == [] and c.type_issues == [], (c, filled.text)
            assert c.disputed_dunned == [] and c.misattributed == [], (c, filled.text)
            assert c.grounded and c.unsupported == [], (c, filled.text)
            written[t] += 1
    assert min(written.values()) >= 10, written


def test_asks_are_followed(cases: list[Case]) -> None:
    rng = random.Random(3)
    po_seen = deduction_seen = 0
    for t, block, fx in cases:
        facts = block.facts
        with_po = [i for i in facts.focus_invoices if i.po_number and not _disputed(facts, i)]
        if t in DUNNING_TYPES and with_po:
            draft = write_email_de(t, facts, fx, rng, frozenset({"po"}))
            for inv in with_po:
                assert fx.ref(inv.invoice_id, "po") in draft, draft
                po_seen += 1
        pays = facts.recent_payments
        if t == "payment_confirmation" and pays and pays[0].deductions:
            draft = write_email_de(t, facts, fx, rng, frozenset({"short_payment"}))
            assert fx.ref(pays[0].payment_id, "deduction") in draft, draft
            deduction_seen += 1
        if t in ("payment_confirmation", "remittance_request") and pays:
            draft = write_email_de(t, facts, fx, rng, frozenset({"payment_date"}))
            assert fx.ref(pays[0].payment_id, "received") in draft
    assert po_seen and deduction_seen


def _disputed(facts: Any, inv: Any) -> bool:
    from adapters.data.email_phrasing import is_disputed

    return is_disputed(facts, inv)


def _disputed_case(cases: list[Case]) -> tuple[str, ContextBlock, MergeFields, Any]:
    """A dunning block whose focus includes an invoice under an open dispute."""
    rng = random.Random(2)
    for seed, as_of in SEEDS:
        for cd in email_real.load_customers(seed, as_of, 10):
            disputed = {i for r in cd.structured for i in getattr(r, "invoice_ids", ()) or ()}
            for t in sorted(DUNNING_TYPES - {"reminder_pre_due"}):
                req = email_real.request_for(cd, t, as_of, rng, 32_768)
                if req is None or not disputed:
                    continue
                req = dataclasses.replace(req, invoice_ids=tuple(sorted(disputed)[:1]))
                block = email_real.block_for(cd.customer, cd.structured, req, [], as_of)
                invs = [i for i in block.facts.focus_invoices if _disputed(block.facts, i)]
                if invs:
                    return t, block, merge_fields(block.text), invs[0]
    raise AssertionError("no demo customer with a disputed invoice")


def test_a_disputed_invoice_is_named_as_under_review_and_a_dunning_one_is_flagged(
    cases: list[Case],
) -> None:
    t, block, fx, inv = _disputed_case(cases)
    for k in range(12):
        draft = write_email_de(t, block.facts, fx, random.Random(k), frozenset())
        filled = fx.fill(draft, "de").text
        c = _check(filled, t, block, fx)
        assert fx.ref(inv.invoice_id, "id") in draft and c.disputed_dunned == [], filled
        # its only focus invoice is disputed, so the e-mail asks for no amount
        assert c.style_ok and c.language_ok and set(c.missing_elements) <= {"amount"}, filled
    # the same e-mail with the disputed invoice asked to be paid, not named as under review
    paras = [p for p in filled.split("\n\n") if not UNDER_REVIEW.search(p)]
    dunning = one_line(inv, fx, random.Random(0), True, False) + " Bitte begleichen Sie sie."
    paras.insert(2, fx.fill(dunning, "de").text)
    c = _check("\n\n".join(paras), t, block, fx)
    assert c.disputed_dunned == [inv.invoice_id], paras
    assert f"disputed invoice {inv.invoice_id} dunned" in c.problems


def test_an_english_draft_fails_the_german_checks(cases: list[Case]) -> None:
    rng = random.Random(4)
    for t, block, fx in cases[:24]:
        draft = write_email(t, block.facts, fx, rng, "en", frozenset())
        c = check_email(fx.fill(draft, "en").text, block.text, t, block.statement, "de")
        assert not (c.subject or c.greeting or c.sign_off or c.style_ok)
        assert not c.language_ok and c.language == "en"
        assert "not in the requested language (detected: en)" in c.problems
