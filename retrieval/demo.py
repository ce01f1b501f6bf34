"""Seeded, realistic demo dataset (3 tenants, 200 customers, 5,000 invoices at scale 1).

``scale`` multiplies customers (and so every per-customer record); scale 9 gives more than
100,000 indexed chunks.  Customer and invoice numbers repeat across tenants on purpose:
isolation must hold even when ids collide.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from faker import Faker

from retrieval import demo_text as T
from retrieval.documents import OPEN_DISPUTE_STATUSES, DisputeStatus
from retrieval.records import OPEN_INVOICE_STATUSES, InvoiceStatus
from retrieval.taxonomy import DISPUTE_REASONS

TENANTS = [
    ("acme-foods", "Acme Foods GmbH", "EUR", "de_DE"),
    ("atlas-supply", "Atlas Industrial Supply Inc.", "USD", "en_US"),
    ("kite-pharma", "Kite Pharma Distribution Ltd", "GBP", "en_GB"),
]
CUSTOMERS_PER_SCALE = 200
INVOICES_PER_CUSTOMER = 25
TERMS = [("NET30", 30), ("NET45", 45), ("NET60", 60), ("2/10 NET30", 30), ("NET14", 14)]


@dataclass
class DemoData:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, rtype: str, row: dict[str, Any]) -> dict[str, Any]:
        self.rows.setdefault(rtype, []).append(row)
        return row

    def count(self) -> int:
        return sum(len(v) for v in self.rows.values())


def _money(x: float) -> str:
    return str(Decimal(x).quantize(Decimal("0.01")))


def generate(
    scale: int = 1, seed: int = 7, as_of: date | None = None, customers: int | None = None
) -> DemoData:
    """``customers`` overrides the customer count (tests use a handful)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    as_of = as_of or date.today()
    rng = random.Random(seed)
    data = DemoData()
    n_customers = customers or CUSTOMERS_PER_SCALE * scale
    for t_index, (tenant_id, name, currency, locale) in enumerate(TENANTS):
        fake = Faker(locale)
        fake.seed_instance(seed * 100 + t_index)
        data.add("tenant", {"tenant_id": tenant_id, "name": name, "base_currency": currency})
        count = n_customers // len(TENANTS) + (1 if t_index < n_customers % len(TENANTS) else 0)
        reasons = list(DISPUTE_REASONS)
        state = {"inv": 100000, "pay": 500000, "dsp": 7000, "cm": 9000, "note": 1, "msg": 1}
        collectors = [fake.name() for _ in range(4)]
        for c in range(1, count + 1):
            _customer(data, rng, fake, tenant_id, currency, f"C{c:05d}", as_of, state, reasons,
                      collectors)  # fmt: skip
    return data


def _customer(
    data: DemoData, rng: random.Random, fake: Faker, tenant: str, cur: str, cid: str,
    as_of: date, st: dict[str, int], reasons: list[str], collectors: list[str],
) -> None:  # fmt: skip
    terms, days = rng.choice(TERMS)
    base = {"tenant_id": tenant, "customer_id": cid}
    data.add("customer", {
        **base, "name": fake.company(), "payment_terms": terms, "terms_days": days,
        "credit_limit": _money(rng.choice([10, 25, 50, 100, 250]) * 1000), "currency": cur,
        "risk_class": rng.choice(["low", "low", "medium", "medium", "high", "critical"]),
        "dunning_level": rng.choice([0, 0, 1, 1, 2, 3, 4]), "collector": rng.choice(collectors),
        "contacts": [{"name": fake.name(), "email": fake.company_email(),
                      "phone": fake.phone_number()[:40], "role": "Accounts payable"}],
    })  # fmt: skip
    invoices = []
    for _ in range(INVOICES_PER_CUSTOMER):
        st["inv"] += 1
        issue = as_of - timedelta(days=rng.randint(1, 360))
        gross = round(rng.uniform(200, 25000), 2)
        inv = data.add("invoice", {
            **base, "invoice_id": f"INV-{st['inv']}",
            "po_number": f"PO-{rng.randint(10**6, 10**7)}",
            "issue_date": str(issue), "due_date": str(issue + timedelta(days=days)),
            "currency": cur, "gross_amount": _money(gross), "tax_amount": _money(gross * 0.16),
            "open_amount": _money(gross), "status": InvoiceStatus.OPEN,
            "description": f"Delivery of {rng.choice(T.PRODUCTS)}",
        })  # fmt: skip
        invoices.append(inv)
    paid = [i for i in invoices if date.fromisoformat(i["due_date"]) < as_of - timedelta(20)]
    paid = [i for i in paid if rng.random() < 0.75]
    for k in range(0, len(paid), 2):
        _payment(data, rng, base, cur, paid[k : k + 2], as_of, st, reasons)
    open_invs = [i for i in invoices if i["status"] == InvoiceStatus.OPEN]
    for inv in rng.sample(open_invs, k=min(len(open_invs), rng.choice([0, 1, 1, 2]))):
        _dispute(data, rng, base, cur, [inv], Decimal(inv["open_amount"]) / 4, as_of, st, reasons)
    for ctype, options in T.CLAUSES.items():
        if ctype == "penalty" and rng.random() < 0.6:
            continue
        title, text = rng.choice(options)
        data.add("contract_clause", {
            **base, "clause_id": f"CL-{cid}-{ctype[:3].upper()}", "contract_id": f"K-{cid}",
            "clause_type": ctype, "title": title,
            "text": text.format(days=rng.choice(T.DAYS), pct=rng.choice(T.PCTS)),
            "effective_date": str(as_of - timedelta(days=400)),
        })  # fmt: skip
    overdue = [i for i in invoices if i["status"] in OPEN_INVOICE_STATUSES]
    for _ in range(rng.randint(4, 10) if overdue else 2):
        st["note"] += 1
        note = rng.choice(T.NOTES)
        row: dict[str, Any] = {
            **base, "note_id": f"N-{st['note']}",
            "note_date": str(as_of - timedelta(rng.randint(1, 90))),
            "author": rng.choice(collectors), "note": note,
            "next_action": rng.choice(T.NEXT_ACTIONS),
            "invoice_ids": [i["invoice_id"] for i in rng.sample(overdue, k=min(2, len(overdue)))],
        }  # fmt: skip
        if "promised" in note and overdue:
            row["promise_to_pay_date"] = str(as_of + timedelta(rng.randint(2, 20)))
            row["promise_to_pay_amount"] = overdue[0]["open_amount"]
        data.add("collection_note", row)
    for direction, subject, body in rng.sample(T.MAILS, k=3):
        st["msg"] += 1
        data.add("correspondence", {
            **base, "message_id": f"M-{st['msg']}", "direction": direction, "subject": subject,
            "body": body, "sent_date": str(as_of - timedelta(rng.randint(1, 120))),
            "invoice_ids": [rng.choice(invoices)["invoice_id"]],
        })  # fmt: skip


def _payment(
    data: DemoData, rng: random.Random, base: dict, cur: str, invs: list[dict], as_of: date,
    st: dict[str, int], reasons: list[str],
) -> None:  # fmt: skip
    st["pay"] += 1
    lines, total = [], Decimal(0)
    for inv in invs:
        gross = Decimal(inv["gross_amount"])
        line: dict[str, Any] = {"invoice_id": inv["invoice_id"], "amount_paid": str(gross)}
        inv.update(open_amount="0.00", status=InvoiceStatus.PAID, version=2)
        if rng.random() < 0.12:
            ded = (gross * Decimal(rng.choice([2, 5, 10])) / 100).quantize(Decimal("0.01"))
            reason = reasons[st["dsp"] % len(reasons)]
            line["amount_paid"] = str(gross - ded)
            line["deductions"] = [{"amount": str(ded), "reason_code": reason}]
            inv.update(open_amount=str(ded), status=InvoiceStatus.DISPUTED)
            _dispute(data, rng, base, cur, [inv], ded, as_of, st, reasons, reason)
        total += Decimal(line["amount_paid"])
        lines.append(line)
    due = max(date.fromisoformat(i["due_date"]) for i in invs)
    data.add("payment", {
        **base, "payment_id": f"PAY-{st['pay']}", "amount": str(total), "currency": cur,
        "received_date": str(min(as_of, due + timedelta(rng.randint(-5, 15)))),
        "method": rng.choice(["wire", "ach", "sepa", "check"]), "reference": f"RA-{st['pay']}",
        "lines": lines,
    })  # fmt: skip


def _dispute(
    data: DemoData, rng: random.Random, base: dict, cur: str, invs: list[dict], amount: Decimal,
    as_of: date, st: dict[str, int], reasons: list[str], reason: str | None = None,
) -> None:  # fmt: skip
    st["dsp"] += 1
    reason = reason or reasons[st["dsp"] % len(reasons)]
    status = rng.choice([
        DisputeStatus.OPEN, DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW, DisputeStatus.RESOLVED,
        DisputeStatus.REJECTED,
    ])  # fmt: skip
    row: dict[str, Any] = {
        **base, "dispute_id": f"DSP-{st['dsp']}", "invoice_ids": [i["invoice_id"] for i in invs],
        "disputed_amount": _money(float(max(amount, Decimal("1.00")))), "currency": cur,
        "reason_code": reason, "status": status,
        "opened_date": str(as_of - timedelta(rng.randint(5, 60))),
        "description": f"{rng.choice(T.DISPUTE_TEXT[reason])} {rng.choice(T.DISPUTE_DETAIL)}",
    }  # fmt: skip
    for inv in invs:
        if status in OPEN_DISPUTE_STATUSES:
            inv.update(status=InvoiceStatus.DISPUTED)
    if status not in OPEN_DISPUTE_STATUSES:
        row["resolution"] = T.RESOLUTIONS[int(status == DisputeStatus.REJECTED)]
        row["resolved_date"] = str(as_of - timedelta(rng.randint(0, 4)))
    data.add("dispute", row)
    if status == DisputeStatus.RESOLVED:
        st["cm"] += 1
        data.add("credit_memo", {
            **base, "credit_memo_id": f"CM-{st['cm']}", "invoice_id": invs[0]["invoice_id"],
            "issue_date": row["resolved_date"], "amount": row["disputed_amount"],
            "currency": cur, "reason_code": reason, "description": T.RESOLUTIONS[0],
        })  # fmt: skip


FILES = {
    "tenant": "tenants.jsonl", "customer": "customers.jsonl", "invoice": "invoices.csv",
    "payment": "payments.jsonl", "credit_memo": "credit_memos.jsonl", "dispute": "disputes.jsonl",
    "contract_clause": "contract_clauses.jsonl", "collection_note": "collection_notes.jsonl",
    "correspondence": "correspondence.jsonl",
}  # fmt: skip


def write(data: DemoData, out: Path) -> dict[str, int]:
    """Write one file per record type (invoices as CSV, the rest JSONL)."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for rtype, rows in data.rows.items():
        path = out / FILES[rtype]
        if path.suffix == ".csv":
            cols = sorted({k for r in rows for k in r})
            with path.open("w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=cols)
                w.writeheader()
                w.writerows(rows)
        else:
            with path.open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r, sort_keys=True) + "\n" for r in rows)
        counts[rtype] = len(rows)
    return counts
