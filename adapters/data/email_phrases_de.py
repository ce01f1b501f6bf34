"""German house phrasings of `email_writers_de`: several per sentence, Sie-form, facts only as
`{slot}` placeholders that the writer fills with merge fields."""

from __future__ import annotations

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
