from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from retrieval.context import ContextAssembler
from retrieval.errors import InvalidRequestError
from retrieval.records import Invoice, InvoiceStatus, Payment
from retrieval.store import RetrievalStore
from retrieval.tokens import estimate_tokens, tokenizer_counter

from .conftest import AS_OF

A = "acme-foods"
SMOL = Path.home() / ".cache/arserve/models/SmolLM2-135M-Instruct"


def _counter():
    return tokenizer_counter(SMOL) if (SMOL / "tokenizer.json").is_file() else estimate_tokens


def test_block_has_facts_first_then_cited_passages(store: RetrievalStore) -> None:
    ctx = ContextAssembler(store, _counter())
    block = ctx.assemble(A, "C00001", "customer promised to pay", 1500, as_of=AS_OF)
    lines = block.text.splitlines()
    assert lines[0] == "<context>" and lines[-1] == "</context>"
    assert lines[1] == "## Customer facts" and lines[2].startswith("[customer:C00001@v")
    body = [ln for ln in lines[1:-1] if not ln.startswith("## ")]
    assert all(ln.startswith("[") and "@v" in ln.split("]")[0] for ln in body)
    for c in block.citations:
        assert c.tag in block.text
    assert block.facts.customer_name == store.require_customer(A, "C00001").name
    assert block.token_count <= 1500


def test_email_block_lists_focus_invoices_and_no_people(store: RetrievalStore) -> None:
    ctx = ContextAssembler(store)
    full = ctx.assemble(A, "C00001", "balance", 8000, as_of=AS_OF)
    assert len(full.facts.open_invoices) >= 2
    focus = [full.facts.open_invoices[0].invoice_id]
    block = ctx.assemble(
        A, "C00001", "reminder", 8000, focus, as_of=AS_OF,
        only_focus_invoices=True, include_people=False,
    )  # fmt: skip
    invoice_lines = [x for x in block.text.splitlines() if x.startswith("[invoice:")]
    assert [x.split()[2] for x in invoice_lines] == focus
    assert f": {len(full.facts.open_invoices)} open invoices," in block.text
    assert "Contact:" not in block.text and "Collector:" not in block.text
    assert "Contact:" in full.text  # the demo customers have a contact


def test_facts_are_exact_reads(store: RetrievalStore) -> None:
    ctx = ContextAssembler(store)
    block = ctx.assemble(A, "C00001", "balance", 8000, as_of=AS_OF)
    invoices = [r for r in store.records(A, "C00001", ["invoice"]) if isinstance(r, Invoice)]
    open_ = {i.invoice_id for i in invoices if i.status in ("open", "partially_paid", "disputed")
             and i.open_amount > 0}  # fmt: skip
    assert {f.invoice_id for f in block.facts.open_invoices} == open_
    for f in block.facts.open_invoices:
        assert f.days_overdue == max(0, (AS_OF - f.due_date).days)
    assert sum(block.facts.open_balance.values()) == sum(
        i.open_amount for i in invoices if i.invoice_id in open_
    )


@pytest.mark.parametrize("budget", [120, 300, 700])
def test_budget_is_respected(store: RetrievalStore, budget: int) -> None:
    count = _counter()
    block = ContextAssembler(store, count).assemble(A, "C00001", "dispute damaged", budget)
    assert count(block.text) <= budget
    assert block.citations and block.citations[0].record_type == "customer"


def test_budget_too_small_is_a_clear_error(store: RetrievalStore) -> None:
    with pytest.raises(InvalidRequestError):
        ContextAssembler(store).assemble(A, "C00001", "x", 10)


def test_query_naming_invoice_or_po_ranks_it_first(store: RetrievalStore) -> None:
    from retrieval.retriever import RetrievalRequest, Retriever

    inv = store.records(A, "C00001", ["invoice"])[3]
    r = Retriever(store)
    for q in (f"where is {inv.invoice_id}", f"PO {inv.po_number} payment?"):
        assert r.retrieve(RetrievalRequest(A, q, "C00001"))[0].citation.record_id == inv.record_id


def test_payment_closing_invoice_is_visible_to_next_read(store: RetrievalStore) -> None:
    ctx = ContextAssembler(store)
    before = ctx.assemble(A, "C00001", "balance", 8000, as_of=AS_OF).facts
    target = before.open_invoices[0]
    inv = store.get_record(A, "invoice", target.invoice_id)
    assert isinstance(inv, Invoice)
    paid = inv.model_copy(
        update={"version": inv.version + 1, "open_amount": Decimal(0), "status": InvoiceStatus.PAID}
    )
    pay = Payment(tenant_id=A, payment_id="PAY-FRESH", customer_id="C00001",
                  received_date=AS_OF - timedelta(days=1), amount=target.open_amount,
                  currency=inv.currency,
                  lines=[{"invoice_id": inv.invoice_id,
                          "amount_paid": target.open_amount}])  # fmt: skip
    store.upsert_records([pay, paid])
    after = ctx.assemble(A, "C00001", "balance", 8000, as_of=AS_OF)
    assert target.invoice_id not in {f.invoice_id for f in after.facts.open_invoices}
    assert after.facts.recent_payments[0].payment_id == "PAY-FRESH"
    assert "[payment:PAY-FRESH@v1]" in after.text
    cur = inv.currency
    assert after.facts.open_balance.get(cur, 0) == before.open_balance[cur] - target.open_amount


def test_facts_only_keeps_the_facts_and_drops_the_passages(store: RetrievalStore) -> None:
    ctx = ContextAssembler(store)
    block = ctx.assemble(A, "C00001", "customer promised to pay", 4000, as_of=AS_OF)
    assert block.passages and "## Relevant records" in block.text
    bare = ctx.facts_only(block, 4000)
    assert "## Relevant records" not in bare.text and not bare.passages
    assert bare.text == block.text.split("\n## Relevant records")[0] + "\n</context>"
    assert {c.id for c in bare.citations} <= {c.id for c in block.citations}
