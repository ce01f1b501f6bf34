"""The context block format: what is rendered parses back to the same values and citations."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from retrieval import demo
from retrieval.assembly import fit_block
from retrieval.block import CLOSE, OPEN, fact_lines, parse_block, parse_fact_line
from retrieval.citations import Citation
from retrieval.facts import build_facts
from retrieval.records import Customer, Record
from retrieval.results import Hit
from retrieval.statements import Statement
from retrieval.writes import validate_row

AS_OF = date(2025, 6, 30)


def _customers(data: demo.DemoData) -> list[tuple[Customer, list[Record]]]:
    by: dict[tuple[str, str], list[Record]] = defaultdict(list)
    customers: dict[tuple[str, str], Customer] = {}
    for rtype, rows in data.rows.items():
        for row in rows:
            if rtype == "tenant":
                continue
            rec = validate_row(dict(row, record_type=rtype), None)
            key = (row["tenant_id"], row["customer_id"])
            if isinstance(rec, Customer):
                customers[key] = rec
            elif rtype in ("invoice", "dispute", "payment", "credit_memo"):
                by[key].append(rec)
    return [(c, by[k]) for k, c in customers.items()]


@pytest.fixture(scope="module")
def customers(small_data: demo.DemoData) -> list[tuple[Customer, list[Record]]]:
    return _customers(small_data)


def test_every_fact_line_parses_back_to_what_it_states(customers) -> None:  # noqa: ANN001
    kinds = set()
    for customer, records in customers:
        invoices = [r.record_id for r in records if r.record_type == "invoice"][:2]
        disputes = [r.record_id for r in records if r.record_type == "dispute"]
        facts = build_facts(customer, records, AS_OF, invoices, disputes[0] if disputes else None)
        for line in fact_lines(facts):
            cid, parsed = parse_fact_line(line.text)
            assert cid == line.citations[0].id, line.text
            assert parsed == line.statement, line.text
            assert parsed != Statement()
            kinds.add(cid.split(":")[0])
    assert kinds == {"customer", "invoice", "dispute", "payment"}


def test_block_round_trip(customers) -> None:  # noqa: ANN001
    hit = Hit(Citation("collection_note", "N-1", 2), "C00001", "Promised 99999.99 EUR.", 1.0)
    for customer, records in customers:
        facts = build_facts(customer, records, AS_OF)
        for budget in (120, 400, 32_768):
            block = fit_block(facts, [hit], budget)
            parsed = parse_block(block.text)
            assert parsed.statement == block.statement
            assert parsed.citation_ids == [c.id for c in block.citations]
            assert block.text.splitlines()[0] == OPEN and block.text.endswith(CLOSE)
            assert "\n".join(parsed.fact_lines) in block.text
            # a number in a passage is not a fact a draft may state
            assert Decimal("99999.99") not in parsed.statement.amounts


def test_a_budget_cut_states_only_the_lines_kept(customers) -> None:  # noqa: ANN001
    customer, records = max(customers, key=lambda c: len(c[1]))
    facts = build_facts(customer, records, AS_OF)
    full, cut = fit_block(facts, [], 32_768), fit_block(facts, [], 150)
    assert cut.truncated and not full.truncated
    assert cut.statement.ids < full.statement.ids
    assert cut.statement == parse_block(cut.text).statement


def test_text_that_is_not_a_block_states_nothing() -> None:
    assert parse_block("Customer: Example Ltd; 500.00 EUR").statement == Statement()
    assert parse_fact_line("[note:N-1@v1] 500.00 EUR") == ("note:N-1@v1", Statement())
