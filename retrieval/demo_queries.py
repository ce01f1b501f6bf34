"""Labelled queries written against the demo data (relevant ids come from the generator).

Each query is scoped like a real request (tenant and customer) and lists the records that
answer it as ``type:id``.  Paraphrases deliberately avoid the generator's wording.
"""

from __future__ import annotations

import random
from typing import Any

from retrieval.demo import DemoData

REASON_QUERIES = {
    "pricing_discrepancy": "they say we charged more than the agreed price",
    "short_shipment": "customer got less quantity than we billed",
    "damaged_goods": "product was broken on arrival",
    "duplicate_billing": "were they invoiced twice for one order",
    "returned_goods": "credit for stock that was sent back",
    "promotional_allowance": "deduction for a marketing promotion",
    "tax_discrepancy": "wrong VAT or sales tax on the bill",
    "early_payment_discount": "discount taken even though they paid late",
    "goods_not_received": "customer says delivery never showed up",
    "other": "invoice billed to the wrong company entity or unauthorised order",
}
CLAUSE_QUERIES = {
    "discount": "is there a cash discount or rebate in their contract",
    "allowance": "may the customer deduct allowances under the contract",
    "price_agreement": "what does the contract say about price changes",
    "payment_terms": "how many days do they have to pay according to the contract",
    "penalty": "penalty for late delivery in the agreement",
}
MAIL_QUERIES = {
    "Request for invoice copy": "they could not find the invoice and want it resent",
    "Change of bank details": "customer moved their payables mailbox",
    "Payment delay": "their payment run got postponed",
    "Question about charges": "customer confused by freight costs",
}


def build_queries(data: DemoData, n_customers: int = 40, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    by_cust: dict[tuple[str, str], dict[str, list[dict]]] = {}
    for rtype, rows in data.rows.items():
        for r in rows:
            if "customer_id" in r:
                key = (r["tenant_id"], r["customer_id"])
                by_cust.setdefault(key, {}).setdefault(rtype, []).append(r)
    keys = sorted(by_cust)
    queries: list[dict[str, Any]] = []

    def add(key: tuple[str, str], kind: str, text: str, relevant: list[str]) -> None:
        queries.append({
            "qid": f"q{len(queries) + 1:03d}", "tenant_id": key[0], "customer_id": key[1],
            "kind": kind, "query": text, "relevant": relevant,
        })  # fmt: skip

    for key in rng.sample(keys, k=min(n_customers, len(keys))):
        rec = by_cust[key]
        inv = rng.choice(rec["invoice"])
        add(key, "invoice_number", f"what is going on with {inv['invoice_id']}",
            [f"invoice:{inv['invoice_id']}"])  # fmt: skip
        inv = rng.choice(rec["invoice"])
        add(key, "po_number", f"payment status for purchase order {inv['po_number']}",
            [f"invoice:{inv['invoice_id']}"])  # fmt: skip
        for d in rec.get("dispute", [])[:1]:
            add(key, "dispute_number", f"any update on case {d['dispute_id']}?",
                [f"dispute:{d['dispute_id']}"])  # fmt: skip
            same = [x for x in rec["dispute"] if x["reason_code"] == d["reason_code"]]
            add(key, "dispute_semantic", REASON_QUERIES[d["reason_code"]],
                [f"dispute:{x['dispute_id']}" for x in same])  # fmt: skip
        clauses = rec.get("contract_clause", [])
        if clauses:
            c = rng.choice(clauses)
            add(key, "clause", CLAUSE_QUERIES[c["clause_type"]],
                [f"contract_clause:{x['clause_id']}" for x in clauses
                 if x["clause_type"] == c["clause_type"]])  # fmt: skip
        ptp = [n for n in rec.get("collection_note", []) if n.get("promise_to_pay_date")]
        if ptp:
            add(key, "promise_to_pay", "did they commit to a date for settling the balance",
                [f"collection_note:{n['note_id']}" for n in ptp])  # fmt: skip
        mails = [m for m in rec.get("correspondence", []) if m["subject"] in MAIL_QUERIES]
        if mails:
            m = mails[0]
            add(key, "correspondence", MAIL_QUERIES[m["subject"]],
                [f"correspondence:{x['message_id']}" for x in rec["correspondence"]
                 if x["subject"] == m["subject"]])  # fmt: skip
    return queries
