"""The server-format e-mail data: blocks are the retrieval layer's own rendering, only the focus
invoices are listed, the reference e-mails pass their own checks, and splits do not leak."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from adapters.data import email_real
from adapters.data.build import BuildConfig, build
from adapters.evaluation.email_checks import check_email
from adapters.pii import find_pii
from adapters.prompts.context import TAG_RE, parse_context
from adapters.tasks import EMAIL_TYPES

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
        assert lines[0] == "<context>" and lines[1] == "## Customer facts"
        assert lines[-1] == "</context>"
        body = [x for x in lines[2:-1] if x != "## Relevant records"]
        assert all(TAG_RE.match(x) and x.startswith("[") for x in body), e.context
        kinds = [f.kind for f in parse_context(e.context)]
        assert kinds.count("customer") == 2 and "invoice" in kinds


def test_block_is_exactly_the_retrieval_rendering(
    customers: list[email_real.CustomerData],
) -> None:
    from retrieval.context import CLOSE, FACTS_HEADER, OPEN, PASSAGES_HEADER
    from retrieval.facts import build_facts
    from retrieval.render import fact_lines, passage_line

    rng = random.Random(0)
    checked = 0
    for cd in customers:
        facts = build_facts(cd.customer, cd.structured, AS_OF)
        ids, dispute = email_real.focus_for("reminder_overdue_1", facts, rng)
        if not ids:
            continue
        focused = email_real.email_facts(
            build_facts(cd.customer, cd.structured, AS_OF, ids, dispute)
        )
        assert not focused.list_other_invoices and focused.contact_name is None
        hits = email_real.passage_hits(cd, rng)
        expected = [OPEN, FACTS_HEADER, *(line for line, _ in fact_lines(focused))]
        if hits:
            expected += [PASSAGES_HEADER, *(passage_line(h) for h in hits)]
        expected.append(CLOSE)
        block = email_real.render_block(focused, hits, max_tokens=32_768)
        assert block == "\n".join(expected)
        invoice_lines = [x for x in block.splitlines() if x.startswith("[invoice:")]
        assert len(invoice_lines) == len(ids) <= email_real.MAX_FOCUS
        # the balance line counts every open invoice, as the server's does
        assert f": {len(facts.open_invoices)} open invoices," in block
        assert "Contact:" not in block and "Collector:" not in block
        checked += 1
    assert checked


def test_reference_emails_pass_their_checks_and_hold_no_pii(
    examples: list[email_real.Example],
) -> None:
    for e in examples:
        c = check_email(e.email, e.context, e.email_type)
        assert c.grounded and c.style_ok and not c.missing_elements, (e.email, c)
        assert c.length_ok, e.email
        assert not find_pii(e.context) and not find_pii(e.email)
        greeting = e.email.splitlines()[2]
        name = greeting.removeprefix("Dear ").removesuffix(" team,")
        assert f"Customer {name} (" in e.context


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
