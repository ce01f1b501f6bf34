"""German reference e-mails, one writer per e-mail type, with the English writers' logic.

Same facts, same rules as `email_writers`: every fact a merge field (`MergeFields.ref`), an
invoice under an open dispute named as under review and never dunned, the final notice with
its consequence and deadline, the second reminder and the final notice referring to the
earlier reminder. Written in the Sie-form of a German AR clerk; subject prefix, greeting and
sign-off are the German house style (`adapters.house_style`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from adapters.data.email_phrasing import disputes_of, is_disputed, last_reminder
from adapters.house_style import style_for
from adapters.merge_fields import MergeFields

Lines = tuple[str, list[str]]
Writer = Callable[[Any, list[Any], MergeFields, random.Random, frozenset[str]], Lines]

# Every phrasing, by sentence; `{name}` slots take merge fields. "offener Betrag" is avoided
# next to an invoice's amount: the attribution check reads it as the account balance.
T: dict[str, tuple[str, ...]] = {
    "due": (
        "Die Rechnung {num}{po} über {amt} ist am {due} fällig.",
        "Die Rechnung {num}{po} über {amt} wird am {due} zur Zahlung fällig.",
        "Der Betrag von {amt} aus der Rechnung {num}{po} ist zum {due} fällig.",
    ),
    "late": (
        "Die Rechnung {num}{po} über {amt} war am {due} fällig und {late}.",
        "Die Rechnung {num}{po} über {amt} ist seit dem {due} überfällig.",
        "Der ausstehende Betrag von {amt} aus der Rechnung {num}{po} (fällig am {due}) ist bei "
        "uns noch nicht eingegangen.",
    ),
    "disputed": (
        "Die Rechnung {num} wird aufgrund Ihrer Reklamation{ref} derzeit geprüft; solange die "
        "Prüfung läuft, bitten wir Sie nicht um Zahlung dieser Rechnung.",
        "Die strittige Rechnung {num}{ref} haben wir ausgenommen, da sie derzeit geprüft wird.",
        "Die Rechnung {num} ist wegen der laufenden Klärung{ref} zurückgestellt und daher nicht "
        "Gegenstand dieses Schreibens.",
    ),
    "reminder_pre_due": (
        "Anstehende Zahlung: Rechnung {ids}",
        "Freundliche Erinnerung: Rechnung {ids} wird bald fällig",
        "Bald fällig: Rechnung {ids}",
    ),
    "pre_due_lead": (
        "Wir möchten Sie freundlich an eine anstehende Fälligkeit erinnern. ",
        "Mit dieser Nachricht weisen wir Sie auf eine bevorstehende Zahlung hin. ",
        "Gerne informieren wir Sie kurz über eine anstehende Fälligkeit. ",
    ),
    "pre_due_ask": (
        "Bitte veranlassen Sie die Zahlung rechtzeitig zum Fälligkeitsdatum.",
        "Wir wären Ihnen dankbar, wenn Sie die Überweisung rechtzeitig einplanen.",
        "Bitte stellen Sie sicher, dass die Zahlung fristgerecht bei uns eingeht.",
    ),
    "pre_due_close": (
        "Falls die Zahlung bereits veranlasst ist, danken wir Ihnen und bitten Sie, diese "
        "Nachricht als gegenstandslos zu betrachten.",
        "Bei Fragen zur Rechnung antworten Sie gerne einfach auf diese E-Mail.",
    ),
    "reminder_overdue_1": (
        "Zahlungserinnerung: Rechnung {ids}",
        "Überfällige Rechnung {ids}",
        "Erinnerung: offene Rechnung {ids}",
    ),
    "overdue_lead": (
        "Bei der Durchsicht unserer Buchhaltung ist uns Folgendes aufgefallen: ",
        "Leider konnten wir bislang keinen Zahlungseingang feststellen. ",
        "Nach unseren Unterlagen ist Ihr Konto noch nicht ausgeglichen. ",
    ),
    "overdue_ask": (
        "Bitte veranlassen Sie die Zahlung so bald wie möglich.",
        "Wir bitten Sie, den ausstehenden Betrag zeitnah zu begleichen.",
        "Könnten Sie uns bitte mitteilen, wann wir mit der Zahlung rechnen dürfen?",
        "Bitte überweisen Sie den überfälligen Betrag oder teilen Sie uns mit, falls etwas der "
        "Zahlung entgegensteht.",
    ),
    "overdue_close": (
        "Sollten Sie die Zahlung bereits veranlasst haben, betrachten Sie dieses Schreiben "
        "bitte als gegenstandslos.",
    ),
    "second_dated": (
        "Wir haben Sie bereits am {when} an die Zahlung erinnert, bislang ist jedoch keine "
        "Zahlung bei uns eingegangen.",
    ),
    "second": (
        "Dies ist bereits unsere zweite Zahlungserinnerung, und Ihre Zahlung ist noch nicht bei "
        "uns eingegangen.",
        "Wir haben Sie bereits an die Zahlung erinnert, der Betrag steht jedoch weiterhin aus.",
    ),
    "final_dated": (
        "Trotz unserer Zahlungserinnerung vom {when} ist bislang keine Zahlung eingegangen. ",
    ),  # fmt: skip
    "final_lead": (
        "Trotz unserer bisherigen Zahlungserinnerungen ist bislang keine Zahlung eingegangen. ",
        "Trotz mehrerer Erinnerungen steht die Zahlung weiterhin aus. ",
    ),
    "reminder_overdue_2": (
        "Zweite Zahlungserinnerung: Rechnung {ids}",
        "Zweite Mahnung: Rechnung {ids}",
    ),
    "second_lead": ("Zum heutigen Stand: ", "Zur Übersicht: "),
    "second_ask": (
        "Bitte begleichen Sie den ausstehenden Betrag umgehend oder melden Sie sich bei uns, "
        "falls es ein Problem gibt.",
        "Bitte veranlassen Sie die Zahlung ohne weitere Verzögerung oder teilen Sie uns mit, "
        "was einer Zahlung entgegensteht.",
    ),
    "final_notice": ("Letzte Mahnung: Rechnung {ids}", "Letzte Zahlungsaufforderung: {ids}"),
    "consequence": (
        "Sollte die Zahlung nicht bis zum {deadline} bei uns eingehen, müssen wir die "
        "Angelegenheit an ein Inkassounternehmen übergeben.",
        "Geht die Zahlung nicht bis zum {deadline} ein, werden wir weitere Schritte einleiten, "
        "bis hin zu einer Liefersperre für Ihr Konto.",
        "Ohne Zahlungseingang bis zum {deadline} übergeben wir die Forderung einem Inkassobüro.",
    ),
    "credit_hold_notice": (
        "Liefersperre für Kundenkonto {cid}",
        "Ihr Kundenkonto wurde für neue Lieferungen gesperrt",
    ),
    "hold_first": (
        "Wir haben für Ihr Kundenkonto eine Liefersperre eingerichtet.",
        "Wir haben Ihr Kundenkonto vorübergehend für neue Lieferungen gesperrt.",
    ),
    "hold_close": (
        "Neue Aufträge können wir freigeben, sobald der überfällige Betrag beglichen ist. Bitte "
        "setzen Sie sich mit uns in Verbindung, um das weitere Vorgehen abzustimmen.",
        "Wir heben die Sperre auf, sobald die überfälligen Rechnungen ausgeglichen sind.",
    ),
    "dispute_acknowledgement": (
        "Reklamation {did} erhalten: Rechnung {inv_ids}",
        "Ihre Reklamation {did}",
    ),
    "ack": (
        "Vielen Dank für Ihre Nachricht. Wir bestätigen den Eingang Ihrer Reklamation {did} "
        "zur Rechnung {inv_ids} (Grund: {why}, Betrag: {amt}).",
        "Ihre Reklamation {did} vom {opened} zur Rechnung {inv_ids} über {amt} (Grund: {why}) "
        "ist bei uns eingegangen.",
    ),
    "reviewing": (
        "Unser Team prüft den Vorgang und meldet sich mit dem Ergebnis bei Ihnen.",
        "Wir klären den Sachverhalt und informieren Sie, sobald unsere Prüfung abgeschlossen ist.",
    ),
    "remittance_request": (
        "Bitte um Zahlungsavis: Zahlung über {amt}",
        "Zahlung {pid}: Zahlungsavis",
    ),
    "paid_thanks": (
        "Vielen Dank für Ihre Zahlung über {amt}, die am {when} bei uns eingegangen ist.",
        "Vielen Dank für Ihre Zahlung {pid} über {amt}, die uns am {when} erreicht hat.",
    ),
    "remittance_ask": (
        "Damit wir den Betrag korrekt verbuchen können, senden Sie uns bitte das Zahlungsavis "
        "mit den Rechnungen, die mit dieser Zahlung beglichen werden.",
        "Könnten Sie uns bitte das Zahlungsavis zusenden, damit wir die Zahlung den richtigen "
        "Rechnungen zuordnen können?",
    ),
    "payment_confirmation": (
        "Zahlungseingang: Rechnung {ids}",
        "Vielen Dank für Ihre Zahlung über {amt}",
    ),
    "confirmed": (
        "Vielen Dank für Ihre Zahlung über {amt}, eingegangen am {when}.",
        "Wir bestätigen den Eingang Ihrer Zahlung über {amt} am {when}. Vielen Dank.",
    ),
    "confirm_close": (
        "Wir wissen Ihre pünktliche Zahlung sehr zu schätzen.",
        "Wir freuen uns auf die weitere gute Zusammenarbeit.",
    ),
}
#: Sie-form pronouns keep their capital after the greeting's comma; any other first word of
#: the body is lower-cased, as a German letter continues the greeting's sentence
SIE = ("Sie", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihnen")


def pick(rng: random.Random, key: str, **slots: str) -> str:
    return rng.choice(T[key]).format(**slots)


def id_list(invs: list[Any], fx: MergeFields) -> str:
    n = [fx.ref(i.invoice_id, "id") for i in invs]
    return n[0] if len(n) == 1 else ", ".join(n[:-1]) + " und " + n[-1]


def po_ref(inv: Any, fx: MergeFields, rng: random.Random, always: bool = False) -> str:
    if inv.po_number and (always or rng.random() < 0.35):
        return f" (Bestellnummer {fx.ref(inv.invoice_id, 'po')})"
    return ""


def one_line(inv: Any, fx: MergeFields, rng: random.Random, overdue: bool, po: bool) -> str:
    """One invoice as a main clause (the leads are sentences of their own)."""
    r = inv.invoice_id
    v = {"num": fx.ref(r, "id"), "amt": fx.ref(r, "open"), "due": fx.ref(r, "due")}
    v["po"] = po_ref(inv, fx, rng, po)
    if not overdue:
        return pick(rng, "due", **v)
    days = f"ist seit {fx.ref(r, 'days_overdue')} Tagen überfällig"
    return pick(rng, "late", late=days if rng.random() < 0.5 else "ist noch nicht beglichen", **v)


def bullets(invs: list[Any], fx: MergeFields, rng: random.Random, overdue: bool, po: bool) -> str:
    style = rng.randrange(3)
    rows = []
    for i in invs:
        r = i.invoice_id
        num, amt, due = fx.ref(r, "id"), fx.ref(r, "open"), fx.ref(r, "due")
        if style == 0:
            rows.append(f"- Rechnung {num}{po_ref(i, fx, rng, po)}: {amt}, fällig am {due}")
        elif style == 1:
            late = overdue and i.days_overdue
            days = f", seit {fx.ref(r, 'days_overdue')} Tagen überfällig" if late else ""
            rows.append(f"- {num}{po_ref(i, fx, rng, po)} (fällig am {due}): {amt}{days}")
        else:
            order = f" / Bestellnummer {fx.ref(r, 'po')}" if i.po_number else ""
            rows.append(f"- Rechnung {num}{order}, fällig am {due}, offen: {amt}")
    return "\n".join(rows)


def invoices_text(
    invs: list[Any], fx: MergeFields, rng: random.Random, overdue: bool, lead: str, po: bool
) -> str:
    if len(invs) == 1:
        return lead + one_line(invs[0], fx, rng, overdue, po)
    head = "sind überfällig:" if overdue else "werden in Kürze fällig:"
    return f"{lead}Folgende Rechnungen {head}\n" + bullets(invs, fx, rng, overdue, po)


def disputed_text(f: Any, inv: Any, fx: MergeFields, rng: random.Random) -> str:
    """A disputed invoice in a dunning e-mail: named as under review, its amount not asked."""
    ds = [d for d in disputes_of(f, inv) if d.dispute_id in fx.slots]
    ref = f" (Reklamation {fx.ref(ds[0].dispute_id, 'id')})" if ds else ""
    return pick(rng, "disputed", num=fx.ref(inv.invoice_id, "id"), ref=ref)


def _dunned(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random) -> tuple[list, list]:
    """The invoices a dunning e-mail asks to pay, and the sentences on the disputed ones."""
    payable = [i for i in invs if not is_disputed(f, i)]
    notes = [disputed_text(f, i, fx, rng) for i in invs if is_disputed(f, i)]
    return payable, notes


def _first(overdue: bool) -> Writer:
    """The pre-due reminder and the first overdue reminder: the same logic."""
    kind, close = ("overdue", 0.7) if overdue else ("pre_due", 0.6)

    def write(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
        payable, notes = _dunned(f, invs, fx, rng)
        subj = pick(
            rng, "reminder_overdue_1" if overdue else "reminder_pre_due", ids=id_list(invs, fx)
        )
        lead = pick(rng, f"{kind}_lead")
        lines = [invoices_text(payable, fx, rng, overdue, lead, "po" in asks)] if payable else []
        lines += [*notes, pick(rng, f"{kind}_ask")]
        if rng.random() < close:
            lines.append(pick(rng, f"{kind}_close"))
        return subj, lines

    return write


def _previous(invs: list[Any], fx: MergeFields, rng: random.Random, second: bool) -> str:
    """The earlier reminder: a sentence of its own (the final notice's is its lead)."""
    last = last_reminder(invs)
    if last is not None and rng.random() < 0.8:
        when = fx.ref(last.invoice_id, "last_reminder")
        return pick(rng, "second_dated" if second else "final_dated", when=when)
    return pick(rng, "second" if second else "final_lead")


def _overdue2(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    payable, notes = _dunned(f, invs, fx, rng)
    subj = pick(rng, "reminder_overdue_2", ids=id_list(invs, fx))
    lines = [_previous(invs, fx, rng, True)]
    if payable:
        lead = pick(rng, "second_lead")
        lines.append(invoices_text(payable, fx, rng, True, lead, "po" in asks))
    return subj, [*lines, *notes, pick(rng, "second_ask")]


def _final(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    payable, notes = _dunned(f, invs, fx, rng)
    subj = pick(rng, "final_notice", ids=id_list(invs, fx))
    lead = _previous(invs, fx, rng, False)
    lines = [invoices_text(payable, fx, rng, True, lead, "po" in asks)] if payable else [lead]
    consequence = pick(rng, "consequence", deadline=fx.ref(None, "deadline"))
    lines += [*notes, "Dies ist unsere letzte Mahnung. " + consequence]
    lines.append(
        "Falls die Zahlung zwischenzeitlich erfolgt ist, senden Sie uns bitte das Zahlungsavis."
    )
    return subj, lines


def _credit_hold(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    subj = pick(rng, "credit_hold_notice", cid=fx.ref(None, "customer.id"))
    cur = f.currency
    bal = f.open_balance.get(cur)
    single = len(f.open_balance) == 1 and len(f.overdue_balance) <= 1
    first = pick(rng, "hold_first")
    if single and bal is not None and bal > f.credit_limit and rng.random() < 0.7:
        first += (
            f" Ihr offener Saldo von {fx.ref(None, 'balance.open')} übersteigt Ihr Kreditlimit "
            f"von {fx.ref(None, 'credit_limit')}."
        )
    elif single and f.overdue_balance.get(cur) is not None:
        first += f" Der überfällige Saldo Ihres Kontos beträgt {fx.ref(None, 'balance.overdue')}."
    lines = [first]
    payable, notes = _dunned(f, invs, fx, rng)
    if payable:
        lines.append(invoices_text(payable, fx, rng, True, "", "po" in asks))
    return subj, [*lines, *notes, pick(rng, "hold_close")]


def _dispute_ack(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    r = f.focus_dispute.dispute_id
    v = {"did": fx.ref(r, "id"), "amt": fx.ref(r, "amount"), "inv_ids": fx.ref(r, "invoices")}
    v |= {"why": fx.ref(r, "reason"), "opened": fx.ref(r, "opened")}
    lines = [pick(rng, "ack", **v), pick(rng, "reviewing")]
    if rng.random() < 0.6:
        lines.append(
            "Der unstrittige Teil der Rechnung bleibt gemäß den vereinbarten Zahlungsbedingungen "
            "fällig."
        )
    return pick(rng, "dispute_acknowledgement", **v), lines


def _remittance(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    r = f.recent_payments[0].payment_id
    v = {"amt": fx.ref(r, "amount"), "when": fx.ref(r, "received"), "pid": fx.ref(r, "id")}
    subj = pick(rng, "remittance_request", **v)
    return subj, [pick(rng, "paid_thanks", **v), pick(rng, "remittance_ask")]


def _confirmation(f: Any, invs: list[Any], fx: MergeFields, rng: random.Random, asks: Any) -> Lines:
    p = f.recent_payments[0]
    r = p.payment_id
    v = {"amt": fx.ref(r, "amount"), "when": fx.ref(r, "received"), "ids": id_list(invs, fx)}
    noun = "der Rechnung" if len(invs) == 1 else "den Rechnungen"
    lines = [pick(rng, "confirmed", **v), f"Wir haben sie {noun} {v['ids']} zugeordnet."]
    if p.deductions and ("short_payment" in asks or rng.random() < 0.8):
        lines.append(
            f"Bitte beachten Sie den Abzug von {fx.ref(r, 'deduction')} "
            f"({fx.ref(r, 'deduction_reason')}) bei der Rechnung {fx.ref(r, 'deduction_invoice')}, "
            "den wir gesondert prüfen."
        )
    return pick(rng, "payment_confirmation", **v), [*lines, pick(rng, "confirm_close")]


WRITERS: dict[str, Writer] = {
    "reminder_pre_due": _first(False),
    "reminder_overdue_1": _first(True),
    "reminder_overdue_2": _overdue2,
    "final_notice": _final,
    "credit_hold_notice": _credit_hold,
    "dispute_acknowledgement": _dispute_ack,
    "remittance_request": _remittance,
    "payment_confirmation": _confirmation,
}


def write_email_de(
    email_type: str, facts: Any, fx: MergeFields, rng: random.Random, asks: frozenset[str]
) -> str:
    """One German reference e-mail, facts as merge fields; raises `UnknownRecordError` when
    the block lacks a record the e-mail needs (a budget cut)."""
    style = style_for("de")
    subject, lines = WRITERS[email_type](facts, list(facts.focus_invoices), fx, rng, asks)
    body = "\n\n".join(x.strip() for x in lines if x.strip())
    if body.split(" ", 1)[0] not in SIE:
        body = body[:1].lower() + body[1:]
    greeting = style.greeting(fx.ref(None, "customer.name"))
    return f"{style.subject_line(subject)}\n\n{greeting}\n\n{body}\n\n{style.sign_off_text()}"
