"""Drafts for the hand-made e-mail requests, checked against the records independently of the
server's own grounding check.

    make serve   # in another terminal; then, with the key it printed:
    python -m benchmarks.email_handmade --url http://127.0.0.1:8000 --api-key KEY

The requests (benchmarks/data/email_handmade_requests.json) were written one by one for the
demo tenant; the checks read the demo data files, not the server's context block: each id the
draft states belongs to the customer, each amount is one of the customer's, the expected
values are there, no invoice under an open dispute is demanded, the language is the one
asked for, a subject and 40 to 200 words. Writes benchmarks/reports/email_handmade.md/.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx

from adapters.language import detect_language
from retrieval.grounding import dates_in

HERE = Path(__file__).resolve().parent
REQUESTS = HERE / "data" / "email_handmade_requests.json"
TENANT = "acme-foods"
IDS = re.compile(r"\b(?:INV|PAY|DSP|CM|PO|RA)-\d+\b")
AMOUNT = re.compile(r"(?<![\w.,])\d{1,3}(?:[.,]\d{3})*[.,]\d{2}(?![\d])")
CHECKS = ("ok", "ids", "amounts", "expected", "no_disputed_demand", "language", "length")


def _amount(text: str) -> Decimal | None:
    digits = re.sub(r"[.,](?=\d{3}\b)", "", text).replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def customer_facts(data: Path) -> dict[str, dict[str, set[Any]]]:
    """Per customer of the tenant: the ids and amounts its records hold."""
    facts: dict[str, dict[str, set[Any]]] = defaultdict(lambda: {"ids": set(), "amounts": set()})
    with (data / "invoices.csv").open(encoding="utf-8") as fh:
        rows: list[dict[str, Any]] = [r | {"_t": "invoice"} for r in csv.DictReader(fh)]
    for name in ("payments", "disputes", "credit_memos"):
        rows += [json.loads(x) | {"_t": name} for x in (data / f"{name}.jsonl").open()]
    open_by_customer: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r.get("tenant_id") != TENANT:
            continue
        f = facts[r["customer_id"]]
        for key, value in r.items():
            if key.endswith("_id") and isinstance(value, str) and IDS.fullmatch(value):
                f["ids"].add(value)
            if key in ("po_number", "reference") and value:
                f["ids"].add(str(value))
            if "amount" in key and value not in (None, ""):
                f["amounts"].add(Decimal(str(value)))
        if r["_t"] == "invoice" and r.get("status") not in ("paid", "cancelled"):
            open_by_customer[r["customer_id"]] += Decimal(r["open_amount"])
    for customer, total in open_by_customer.items():
        facts[customer]["amounts"].add(total)
    return facts


def _mentions(text: str, amounts: list[Decimal], value: str) -> bool:
    """An id verbatim; an amount or a date in whichever notation the draft's language uses."""
    if re.fullmatch(r"\d+\.\d{2}", value):
        return Decimal(value) in amounts
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value) in dates_in(text)
    return value in text


def check(case: dict[str, Any], status: int, body: dict[str, Any], facts: dict) -> dict[str, bool]:
    req, expect = case["request"], case.get("expect", {})
    if status != 200:
        return {c: False for c in CHECKS}
    text = f"{body['subject']}\n{body['body']}"
    mine = facts[req["customer_id"]]
    amounts = [a for a in (_amount(m) for m in AMOUNT.findall(text)) if a is not None]
    sentences = re.split(r"(?<=[.!?])\s+", text)
    demanded = [
        inv for inv in expect.get("must_not_demand", [])
        for s in sentences
        if inv in s and not re.search(r"disput|review|klär|prüf|beanstand|strittig", s, re.I)
    ]  # fmt: skip
    words = len(body["body"].split())
    return {
        "ok": True,
        "ids": all(i in mine["ids"] for i in IDS.findall(text)),
        "amounts": all(a in mine["amounts"] for a in amounts),
        "expected": all(_mentions(text, amounts, str(v)) for v in expect.get("must_mention", [])),
        "no_disputed_demand": not demanded,
        "language": detect_language(body["body"]) == req.get("language", "en"),
        "length": bool(body["subject"].strip()) and 40 <= words <= 200,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--data", type=Path, default=Path.home() / ".cache/arserve/demo-data")
    ap.add_argument("--out", type=Path, default=HERE / "reports")
    args = ap.parse_args()
    cases = json.loads(REQUESTS.read_text())
    facts = customer_facts(args.data)
    headers = {"Authorization": f"Bearer {args.api_key}"}
    results = []
    with httpx.Client(base_url=args.url, headers=headers, timeout=600) as client:
        for case in cases:
            t0 = time.perf_counter()
            r = client.post("/v1/ar/emails", json=case["request"])
            body = r.json()
            checks = check(case, r.status_code, body, facts)
            results.append({
                "id": case["id"], "status": r.status_code, "checks": checks,
                "all": all(checks.values()), "seconds": round(time.perf_counter() - t0, 1),
                "adapter": body.get("adapter"), "draft": body if r.status_code == 200 else None,
                "error": body.get("error"),
            })  # fmt: skip
            print(case["id"], r.status_code, "all" if results[-1]["all"] else checks)
    rates = {c: sum(x["checks"][c] for x in results) / len(results) for c in CHECKS}
    rates["all checks"] = sum(x["all"] for x in results) / len(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "email_handmade.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [f"# Hand-made e-mail requests ({len(results)})", "", "| check | rate |", "|---|---|"]
    lines += [f"| {c} | {v:.2f} |" for c, v in rates.items()]
    (args.out / "email_handmade.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
