"""The context block: the one owner of its format, rendering and parsing both.

A block is ``<context>``, ``## Customer facts`` (one cited line per structured fact), then
``## Relevant records`` (cited passages), then ``</context>``. Each fact line is rendered with
the values it states (`Statement`); `parse_block` reads them back and `match_fact_line` gives a
line's fields, so grounding and attribution read a data set row's text as serving's objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from retrieval.citations import Citation
from retrieval.facts import CustomerFacts, DisputeFacts, InvoiceFacts, PaymentFacts
from retrieval.results import Hit
from retrieval.statements import Statement

OPEN = "<context>"
CLOSE = "</context>"
FACTS_HEADER = "## Customer facts"
PASSAGES_HEADER = "## Relevant records"
MAX_PASSAGE_CHARS = 1200


@dataclass(frozen=True)
class FactLine:
    text: str
    citations: tuple[Citation, ...]
    statement: Statement


@dataclass
class ContextBlock:
    """What a request injects: ``text`` between <context> lines, what it cites, and the
    values its fact lines state (what a draft may state)."""

    text: str
    citations: list[Citation]
    facts: CustomerFacts
    passages: list[Hit] = field(default_factory=list)
    token_count: int = 0
    truncated: bool = False
    statement: Statement = field(default_factory=Statement)


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


def _balances(values: dict[str, Decimal]) -> str:
    return ", ".join(money(v, c) for c, v in sorted(values.items())) or "0.00"


def _money_values(values: dict[str, Decimal]) -> tuple[set[Decimal], set[str]]:
    return set(values.values()), set(values)


def customer_line(f: CustomerFacts) -> FactLine:
    contact = f" Contact: {f.contact_name}." if f.contact_name else ""
    collector = f" Collector: {f.collector}." if f.collector else ""
    text = (
        f"{f.citation.tag} Customer {f.customer_name} ({f.customer_id}).{contact} Terms: "
        f"{f.payment_terms} ({f.terms_days} days). Credit limit: "
        f"{money(f.credit_limit, f.currency)}. Risk: {f.risk_class}. "
        f"Dunning level: {f.dunning_level}.{collector}"
    )
    names = {f.customer_name} | {n for n in (f.contact_name, f.collector) if n}
    stated = Statement.of(
        ids={f.customer_id, f.payment_terms},
        amounts={f.credit_limit},
        currencies={f.currency},
        names=names,
        customer_names={f.customer_name},
    )
    return FactLine(text, (f.citation,), stated)


def balance_line(f: CustomerFacts) -> FactLine:
    text = (
        f"{f.citation.tag} As of {f.as_of}: {len(f.open_invoices)} open invoices, open balance "
        f"{_balances(f.open_balance)}, overdue {_balances(f.overdue_balance)}, oldest item "
        f"{f.max_days_overdue} days overdue, {len(f.open_disputes)} open disputes."
    )
    amounts, currencies = _money_values(f.open_balance)
    over_amounts, over_currencies = _money_values(f.overdue_balance)
    stated = Statement.of(
        amounts=amounts | over_amounts, currencies=currencies | over_currencies, dates={f.as_of}
    )
    return FactLine(text, (f.citation,), stated)


def invoice_line(i: InvoiceFacts) -> FactLine:
    po = f" (PO {i.po_number})" if i.po_number else ""
    rem = ""
    if i.last_reminder_date:
        lvl = f" level {i.last_reminder_level}" if i.last_reminder_level is not None else ""
        rem = f", last reminder {i.last_reminder_date}{lvl}"
    text = (
        f"{i.citation.tag} Invoice {i.invoice_id}{po}: issued {i.issue_date}, due {i.due_date}, "
        f"gross {money(i.gross_amount, i.currency)}, open {money(i.open_amount, i.currency)}, "
        f"status {i.status}, {i.days_overdue} days overdue{rem}."
    )
    dates: set[date] = {i.issue_date, i.due_date}
    if i.last_reminder_date:
        dates.add(i.last_reminder_date)
    stated = Statement.of(
        ids={i.invoice_id} | ({i.po_number} if i.po_number else set()),
        amounts={i.gross_amount, i.open_amount},
        currencies={i.currency},
        dates=dates,
    )
    return FactLine(text, (i.citation,), stated)


def dispute_line(d: DisputeFacts) -> FactLine:
    text = (
        f"{d.citation.tag} Dispute {d.dispute_id} ({d.reason_code}, {d.status}) on "
        f"{', '.join(d.invoice_ids)}: {money(d.disputed_amount, d.currency)}, "
        f"opened {d.opened_date}."
    )
    stated = Statement.of(
        ids={d.dispute_id, *d.invoice_ids},
        amounts={d.disputed_amount},
        currencies={d.currency},
        dates={d.opened_date},
    )
    return FactLine(text, (d.citation,), stated)


def payment_line(p: PaymentFacts) -> FactLine:
    deds = "".join(
        f"; deduction {money(a, p.currency)} ({r}) on {inv}" for inv, a, r in p.deductions
    )
    invs = ", ".join(p.invoice_ids) or "unapplied"
    text = (
        f"{p.citation.tag} Payment {p.payment_id} received {p.received_date}: "
        f"{money(p.amount, p.currency)} for {invs}{deds}."
    )
    stated = Statement.of(
        ids={p.payment_id, *p.invoice_ids, *(inv for inv, _, _ in p.deductions)},
        amounts={p.amount, *(a for _, a, _ in p.deductions)},
        currencies={p.currency},
        dates={p.received_date},
    )
    return FactLine(text, (p.citation,), stated)


def passage_line(h: Hit) -> str:
    text = " ".join(h.text.split())
    if len(text) > MAX_PASSAGE_CHARS:
        text = text[:MAX_PASSAGE_CHARS].rsplit(" ", 1)[0] + " ..."
    return f"{h.citation.tag} {text}"


def fact_lines(f: CustomerFacts) -> list[FactLine]:
    """Fact lines in priority order (the budget drops from the end)."""
    lines = [customer_line(f), balance_line(f)]
    shown: set[str] = set()
    for inv in f.focus_invoices:
        lines.append(invoice_line(inv))
        shown.add(inv.invoice_id)
    if f.focus_dispute:
        lines.append(dispute_line(f.focus_dispute))
    others = f.open_invoices if f.list_other_invoices else []
    for inv in sorted(others, key=lambda i: (-i.days_overdue, i.invoice_id)):
        if inv.invoice_id not in shown:
            lines.append(invoice_line(inv))
    for d in f.open_disputes:
        if not f.focus_dispute or d.dispute_id != f.focus_dispute.dispute_id:
            lines.append(dispute_line(d))
    lines.extend(payment_line(p) for p in f.recent_payments)
    return lines


# The parser: one pattern per line renderer above, read back into the same statement.
_TAG = r"^\[(?P<cid>[\w.-]+:[^\]@]+@v\d+)\] "
_MONEY = r"-?\d+\.\d{2} [A-Z]{3}"
_DATE = r"\d{4}-\d{2}-\d{2}"
_MONEY_RE = re.compile(r"(-?\d+\.\d{2}) ([A-Z]{3})")
_LINE_RES = {
    "customer": re.compile(
        _TAG + r"Customer (?P<name>.+?) \((?P<id>[^()]+)\)\.(?: Contact: (?P<contact>.+?)\.)?"
        rf" Terms: (?P<terms>.+?) \(\d+ days\)\. Credit limit: (?P<limit>{_MONEY})\. "
        r"Risk: \w+\. Dunning level: (?P<level>\d+)\.(?: Collector: (?P<collector>.+?)\.)?$"
    ),
    "balance": re.compile(
        _TAG + rf"As of (?P<as_of>{_DATE}): \d+ open invoices, open balance (?P<open>.+?), "
        r"overdue (?P<overdue>.+?), oldest item (?P<days>\d+) days overdue, \d+ open disputes\.$"
    ),
    "invoice": re.compile(
        _TAG + rf"Invoice (?P<id>\S+?)(?: \(PO (?P<po>[^()]+)\))?: issued (?P<issued>{_DATE}), "
        rf"due (?P<due>{_DATE}), gross (?P<gross>{_MONEY}), open (?P<open>{_MONEY}), "
        rf"status (?P<status>\w+), (?P<days>\d+) days overdue"
        rf"(?:, last reminder (?P<reminded>{_DATE})(?: level \d+)?)?\.$"
    ),
    "dispute": re.compile(
        _TAG + r"Dispute (?P<id>\S+) \((?P<reason>\w+), (?P<status>\w+)\) on (?P<invoices>.*?): "
        rf"(?P<amount>{_MONEY}), opened (?P<opened>{_DATE})\.$"
    ),
    "payment": re.compile(
        _TAG + rf"Payment (?P<id>\S+) received (?P<received>{_DATE}): (?P<amount>{_MONEY}) "
        r"for (?P<invoices>.*?)(?P<deductions>(?:; deduction .+? \(\w+\) on \S+?)*)\.$"
    ),
}
DEDUCTION_RE = re.compile(rf"; deduction ({_MONEY}) \(\w+\) on (\S+?)(?=;|$)")


def _money_of(text: str) -> tuple[set[Decimal], set[str]]:
    found = _MONEY_RE.findall(text)
    return {Decimal(a) for a, _ in found}, {c for _, c in found}


def _dates_of(*values: str | None) -> set[date]:
    return {date.fromisoformat(v) for v in values if v}


def _ids_of(listed: str) -> set[str]:
    return {i for i in listed.split(", ") if i and i != "unapplied"}


def _statement_of(kind: str, m: re.Match[str]) -> Statement:
    amounts, currencies = _money_of(" ".join(v for v in m.groupdict().values() if v))
    if kind == "customer":
        people = {n for n in (m["contact"], m["collector"]) if n}
        return Statement.of(
            ids={m["id"], m["terms"]}, amounts=amounts, currencies=currencies,
            names={m["name"], *people}, customer_names={m["name"]},
        )  # fmt: skip
    if kind == "balance":
        return Statement.of(amounts=amounts, currencies=currencies, dates=_dates_of(m["as_of"]))
    if kind == "invoice":
        return Statement.of(
            ids={m["id"]} | ({m["po"]} if m["po"] else set()), amounts=amounts,
            currencies=currencies, dates=_dates_of(m["issued"], m["due"], m["reminded"]),
        )  # fmt: skip
    ids = {m["id"], *_ids_of(m["invoices"])}
    when = m["opened"] if kind == "dispute" else m["received"]
    if kind == "payment":
        ids |= {inv for _, inv in DEDUCTION_RE.findall(m["deductions"])}
    return Statement.of(ids=ids, amounts=amounts, currencies=currencies, dates=_dates_of(when))


def match_fact_line(line: str) -> tuple[str, re.Match[str]] | None:
    """The kind of a fact line and its fields as rendered (None for an unknown line)."""
    for kind, pattern in _LINE_RES.items():
        m = pattern.match(line)
        if m and m["cid"].startswith(f"{kind if kind != 'balance' else 'customer'}:"):
            return kind, m
    return None


def parse_fact_line(line: str) -> tuple[str | None, Statement]:
    """The citation id of a fact line and the values it states (none for an unknown line)."""
    if matched := match_fact_line(line):
        kind, m = matched
        return m["cid"], _statement_of(kind, m)
    tag = re.match(_TAG, line)
    return (tag["cid"] if tag else None), Statement()


@dataclass(frozen=True)
class ParsedBlock:
    """A block read back from its text."""

    fact_lines: list[str]
    passage_lines: list[str]
    citation_ids: list[str]
    statement: Statement


def parse_block(text: str) -> ParsedBlock:
    """The fact lines, passages, citations and stated values of a rendered block.

    Passages are free text a customer or a colleague wrote: a number in them is not a fact a
    draft may state, so only the fact lines contribute to the statement."""
    lines = text.strip().splitlines()
    if not lines or lines[0] != OPEN or lines[-1] != CLOSE:
        return ParsedBlock([], [], [], Statement())
    facts: list[str] = []
    passages: list[str] = []
    citations: list[str] = []
    stated = Statement()
    section = None
    for line in lines[1:-1]:
        if line in (FACTS_HEADER, PASSAGES_HEADER):
            section = line
            continue
        if section == FACTS_HEADER:
            cid, statement = parse_fact_line(line)
            facts.append(line)
            stated = stated | statement
        else:
            tag = re.match(_TAG, line)
            cid = tag["cid"] if tag else None
            passages.append(line)
        if cid:
            citations.append(cid)
    return ParsedBlock(facts, passages, list(dict.fromkeys(citations)), stated)
