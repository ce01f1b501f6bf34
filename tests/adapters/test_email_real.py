"""The e-mail training data: blocks are the server's own assembly, only the focus invoices are
listed, the reference e-mails pass their own checks, and splits do not leak."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from adapters.data import email_real
from adapters.data.build import BuildConfig, build
from adapters.evaluation.email_checks import check_email
from adapters.merge_fields import literal_facts, merge_fields
from adapters.pii import find_pii
from adapters.tasks import EMAIL_TYPES
from retrieval.block import CLOSE, FACTS_HEADER, OPEN, PASSAGES_HEADER, parse_block
from retrieval.focus import MAX_FOCUS
from retrieval.grounding import extract

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def examples() -> list[email_real.Example]:
    return email_real.generate(40, seed=11, customers_per_seed=8)


@pytest.fixture(scope="module")
def customers() -> list[email_real.CustomerData]:
    return email_real.load_customers(12345, AS_OF, 6)


def test_blocks_parse_and_use_every_type(examples: list[email_real.Example]) -> None:
    assert {e.email_type for e in examples} == set(EMAIL_TYPES)
    for e in examples:
        lines = e.context.splitlines()
        assert lines[0] == OPEN and lines[1] == FACTS_HEADER and lines[-1] == CLOSE
        parsed = parse_block(e.context)
        kinds = [c.split(":")[0] for c in parsed.citation_ids]
        assert kinds[0] == "customer" and "invoice" in kinds
        assert len(parsed.fact_lines) + len(parsed.passage_lines) == len(
            [x for x in lines[1:-1] if x not in (FACTS_HEADER, PASSAGES_HEADER)]
        )


def test_block_lists_the_focus_invoices_and_no_people(
    customers: list[email_real.CustomerData],
) -> None:
    from retrieval.facts import build_facts

    rng = random.Random(0)
    checked = 0
    for cd in customers:
        request = email_real.request_for(cd, "reminder_overdue_1", AS_OF, rng, 32_768)
        if request is None:
            continue
        hits = email_real.passage_hits(cd, rng)
        block = email_real.block_for(cd.customer, cd.structured, request, hits, AS_OF)
        assert not block.facts.list_other_invoices and block.facts.contact_name is None
        invoice_lines = [x for x in block.text.splitlines() if x.startswith("[invoice:")]
        assert 1 <= len(invoice_lines) <= MAX_FOCUS
        assert len(block.passages) == len(hits)
        # the balance line counts every open invoice, as the server's does
        every = build_facts(cd.customer, cd.structured, AS_OF)
        assert f": {len(every.open_invoices)} open invoices," in block.text
        assert "Contact:" not in block.text and "Collector:" not in block.text
        checked += 1
    assert checked


def test_reference_emails_pass_their_checks_and_hold_no_pii(
    examples: list[email_real.Example],
) -> None:
    assert {e.language for e in examples} == set(email_real.LANGUAGE_SHARES)
    for e in examples:
        # the target states no fact itself: every one is a merge field the block has
        assert not extract(literal_facts(e.email)).amounts, e.email
        assert not extract(literal_facts(e.email)).dates, e.email
        fx = merge_fields(e.context)
        filled = fx.fill(e.email, e.language)
        assert filled.used and not filled.unknown
        stated = parse_block(e.context).statement | fx.derived()  # + the final notice's deadline
        c = check_email(filled.text, e.context, e.email_type, stated, e.language)
        assert c.grounded and c.style_ok and not c.missing_elements, (filled.text, c)
        assert not c.problems and not c.type_issues, (filled.text, c)
        assert c.length_ok, filled.text
        assert not find_pii(e.context) and not find_pii(e.email)
        name = merge_fields(e.context).values["customer.name"].raw
        assert f"Customer {name} (" in e.context and name in filled.text


def test_reserved_demo_seeds_are_refused() -> None:
    assert not set(email_real.demo_seeds(1, 200)) & email_real.FORBIDDEN_SEEDS
    with pytest.raises(ValueError):
        email_real.load_customers(3, AS_OF, 3)


def test_no_duplicates_across_splits(tmp_path) -> None:  # noqa: ANN001
    report = build("ar-email-drafter", tmp_path, BuildConfig(n=40, seed=5))
    assert report.cross_split_near_duplicates == 0
    seen: dict[str, str] = {}
    for split in ("train", "validation", "test"):
        for line in (tmp_path / f"{split}.jsonl").read_text().splitlines():
            ctx = json.loads(line)["context"]
            assert seen.setdefault(ctx, split) == split
