"""Merge fields: the adapter writes the prose, the server writes the facts.

An e-mail adapter trained on template `ar-email-drafter/2` never writes an invoice number,
amount, date, balance, day count or payment reference itself: it writes `{{invoice1.open}}`,
and the server fills the field from the context block's fact line it names. The prompt lists
exactly the fields this block has, so a field either exists (and is then right by construction)
or is unknown (left out and reported, never guessed). One owner: training writes its target
e-mails with `MergeFields.ref`, serving and the evaluation harness fill with `fill`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from retrieval.block import match_fact_line, parse_block
from retrieval.statements import Statement
from retrieval.taxonomy import reason_name

FIELD_RE = re.compile(r"\{\{\s*([A-Za-z_]+\d*(?:\.[A-Za-z_]+)?)\s*\}\}")
HEADER = "## Merge fields"
#: a final notice's deadline: this many days after the block's as-of date (the house rule)
FINAL_NOTICE_DAYS = 7
_DEDUCTION_RE = re.compile(r"; deduction (-?\d+\.\d{2} [A-Z]{3}) \((\w+)\) on (\S+?)(?=;|$)")


class UnknownRecordError(KeyError):
    """A writer asked for a field of a record the block does not show."""


def format_amount(rendered: str, language: str) -> str:
    """`1234.50 EUR` as a reader of the language writes it (`1234,50 EUR` in German)."""
    if language == "de":
        return re.sub(r"(\d)\.(\d{2})\b", r"\1,\2", rendered)
    return rendered


def format_date(value: date, language: str) -> str:
    return value.strftime("%d.%m.%Y") if language == "de" else value.isoformat()


@dataclass(frozen=True)
class Filled:
    """A draft with its fields filled: the text, the fields it used, the unknown ones."""

    text: str
    used: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FieldValue:
    kind: str  # text, amount, date, reason
    raw: str  # as the block renders it (amount `12.50 EUR`, ISO date)

    def render(self, language: str) -> str:
        if self.kind == "amount":
            return format_amount(self.raw, language)
        if self.kind == "date":
            return format_date(date.fromisoformat(self.raw), language)
        if self.kind == "reason":
            return reason_name(self.raw, language)
        return self.raw


@dataclass
class MergeFields:
    """The fields of one context block, in block order, and the record ids they belong to."""

    values: dict[str, FieldValue] = field(default_factory=dict)
    slots: dict[str, str] = field(default_factory=dict)  # record id -> slot (`invoice1`)

    def names(self) -> list[str]:
        return list(self.values)

    def ref(self, record_id: str | None, name: str) -> str:
        """The merge field a writer emits: `ref("INV-1", "open")` is `{{invoice1.open}}`;
        `ref(None, "balance.open")` names an account field."""
        key = name if record_id is None else f"{self._slot(record_id)}.{name}"
        if key not in self.values:
            raise UnknownRecordError(key)
        return "{{" + key + "}}"

    def _slot(self, record_id: str) -> str:
        if record_id not in self.slots:
            raise UnknownRecordError(record_id)
        return self.slots[record_id]

    def render(self, language: str = "en") -> str:
        """The prompt's list of the fields that exist, one row per record (the values are the
        block's): `{{invoice1.*}} INV-1000: id, due, open`. Compact, as the block is long."""
        groups: dict[str, list[str]] = {}
        for name in self.values:
            head, _, leaf = name.rpartition(".")
            groups.setdefault(head, []).append(leaf)
        ids = {slot: rid for rid, slot in self.slots.items()}
        rows = []
        for head, leaves in groups.items():
            if not head:
                rows.append(", ".join("{{" + leaf + "}}" for leaf in leaves))
            else:
                rid = f" {ids[head]}" if head in ids else ""
                rows.append(f"{{{{{head}.*}}}}{rid}: {', '.join(leaves)}")
        return HEADER + "\n" + "\n".join(rows)

    def fill(self, draft: str, language: str = "en") -> Filled:
        used: list[str] = []
        unknown: list[str] = []

        def one(m: re.Match[str]) -> str:
            name = m[1]
            if name in self.values:
                used.append(name)
                return self.values[name].render(language)
            unknown.append(name)
            return ""

        text = FIELD_RE.sub(one, draft)
        # a dropped field leaves a double space or a space before punctuation
        text = re.sub(r"[ \t]{2,}", " ", re.sub(r" +([.,;:)])", r"\1", text)) if unknown else text
        return Filled(text, list(dict.fromkeys(used)), list(dict.fromkeys(unknown)))

    def derived(self) -> Statement:
        """Values the server derives rather than reads (the final notice's deadline): a draft
        may state them, so the grounding check counts them as stated."""
        if "deadline" not in self.values:
            return Statement()
        return Statement.of(dates={date.fromisoformat(self.values["deadline"].raw)})

    def _add(self, name: str, kind: str, raw: str | None) -> None:
        if raw:
            self.values[name] = FieldValue(kind, raw)

    def _record(self, kind: str, record_id: str) -> str:
        count = sum(1 for s in self.slots.values() if s.startswith(kind)) + 1
        slot = self.slots.setdefault(record_id, f"{kind}{count}")
        return slot


def merge_fields(context: str) -> MergeFields:
    """The fields of a rendered block's fact lines (passages have none: free text is not a
    record)."""
    out = MergeFields()
    for line in parse_block(context).fact_lines:
        if (matched := match_fact_line(line)) is None:
            continue
        kind, m = matched
        if kind == "customer":
            out._add("customer.name", "text", m["name"])
            out._add("customer.id", "text", m["id"])
            out._add("customer.terms", "text", m["terms"])
            out._add("credit_limit", "amount", m["limit"])
        elif kind == "balance":
            out._add("as_of", "date", m["as_of"])
            out._add("balance.open", "amount", m["open"])
            out._add("balance.overdue", "amount", m["overdue"])
            out._add("balance.oldest_days", "text", m["days"])
            deadline = date.fromisoformat(m["as_of"]) + timedelta(days=FINAL_NOTICE_DAYS)
            out._add("deadline", "date", deadline.isoformat())
        elif kind == "invoice" and m["id"] not in out.slots:
            s = out._record("invoice", m["id"])
            out._add(f"{s}.id", "text", m["id"])
            out._add(f"{s}.po", "text", m["po"])
            out._add(f"{s}.issued", "date", m["issued"])
            out._add(f"{s}.due", "date", m["due"])
            out._add(f"{s}.gross", "amount", m["gross"])
            out._add(f"{s}.open", "amount", m["open"])
            out._add(f"{s}.days_overdue", "text", m["days"])
            out._add(f"{s}.last_reminder", "date", m["reminded"])
        elif kind == "dispute" and m["id"] not in out.slots:
            s = out._record("dispute", m["id"])
            out._add(f"{s}.id", "text", m["id"])
            out._add(f"{s}.reason", "reason", m["reason"])
            out._add(f"{s}.invoices", "text", m["invoices"])
            out._add(f"{s}.amount", "amount", m["amount"])
            out._add(f"{s}.opened", "date", m["opened"])
        elif kind == "payment" and m["id"] not in out.slots:
            s = out._record("payment", m["id"])
            out._add(f"{s}.id", "text", m["id"])
            out._add(f"{s}.received", "date", m["received"])
            out._add(f"{s}.amount", "amount", m["amount"])
            if m["invoices"] != "unapplied":
                out._add(f"{s}.invoices", "text", m["invoices"])
            for amount, reason, invoice in _DEDUCTION_RE.findall(m["deductions"])[:1]:
                out._add(f"{s}.deduction", "amount", amount)
                out._add(f"{s}.deduction_reason", "reason", reason)
                out._add(f"{s}.deduction_invoice", "text", invoice)
    return out


def literal_facts(draft: str) -> str:
    """The draft's text outside its merge fields: what the adapter wrote itself."""
    return FIELD_RE.sub(" ", draft)
