# ruff: noqa: E501 - prose (messages) reads better unwrapped
"""German dispute statements per label, in the registers German AP teams write in (formal
Sie-form, short ERP notes, Du-form chat, annoyed), and the pieces that wrap them.
Slots as in dispute_phrases."""

from __future__ import annotations

CORE_DE: dict[str, list[str]] = {
    "pricing_discrepancy": [
        "Der Stückpreis für {product} auf Rechnung {inv} beträgt {p_billed}, vereinbart war jedoch {p_agreed}.",
        "Leider stimmt der Preis auf der Rechnung {inv} nicht mit unserer Bestellung {po} überein. Wir haben die Differenz von {amt} gekürzt.",
        "Preisdifferenz Re. {inv}: berechnet {p_billed}, laut Kontrakt {p_agreed}. Bitte Gutschrift.",
        "Sie haben uns den alten Listenpreis berechnet. Der neue Preis gilt seit dem {date} und wurde nicht berücksichtigt.",
        "Die Menge ist korrekt, aber der Einzelpreis nicht: wir zahlen {p_agreed} und nicht {p_billed}.",
        "Abzug {amt} wegen Preisabweichung zur Auftragsbestätigung, Pos. 2 ({product}).",
        "Die angekündigte Preiserhöhung gilt erst für Bestellungen nach dem {date}. Unsere Bestellung {po} war vorher, daher akzeptieren wir {p_billed} nicht.",
        "hallo, auf der rechnung {inv} ist der preis zu hoch, abgemacht waren {p_agreed} pro stück. kannst du das korrigieren?",
        "Zum wiederholten Mal wird {product} teurer abgerechnet als in der Rahmenvereinbarung festgelegt. Das ist so nicht in Ordnung.",
        "Der Kundenrabatt laut Konditionsvereinbarung wurde auf {inv} nicht angewendet, alles ist zum Standardpreis berechnet.",
        "Rechnungsbetrag liegt um {amt} über dem Bestellwert, weil jede Einheit mit {p_billed} statt {p_agreed} berechnet wurde.",
        "Der berechnete Frachtzuschlag von {amt} wurde nie vereinbart; laut Angebot ist die Lieferung frei Haus.",
    ],
    "short_shipment": [
        "Wir haben {n_ord} Stück {product} bestellt (Bestellung {po}), geliefert wurden aber nur {n_recv}. Die Rechnung {inv} berechnet alle {n_ord}.",
        "Die Lieferung zu Rechnung {inv} war unvollständig: laut Wareneingang fehlen {n_missing} Kartons.",
        "Fehlmenge bei Wareneingang: {n_missing} Einheiten weniger als auf dem Lieferschein. Wir kürzen um {amt}.",
        "Mengendifferenz Re. {inv} - berechnet {n_ord}, erhalten {n_recv}.",
        "Bei der Anlieferung am {date} fehlte eine komplette Palette, der Rest war in Ordnung. Der Fahrer hat die Fehlmenge quittiert.",
        "Teillieferung zu Bestellung {po}: {n_missing} Stück {product} stehen noch aus und dürfen noch nicht berechnet werden.",
        "Wir zahlen nur die tatsächlich gelieferte Menge. Es kamen {n_recv} statt {n_ord} Stück an.",
        "Minderlieferung! Statt {n_ord} nur {n_recv} {product} im Paket. Bitte Rechnung anpassen.",
        "Die Ware kam in einwandfreiem Zustand an, aber es waren nur {n_recv} von {n_ord} Stück. Die fehlenden {n_missing} bitte gutschreiben.",
        "Unser Lager hat beim Entladen nachgezählt: {n_missing} Kisten weniger als berechnet. Zählprotokoll anbei.",
        "hi, in der lieferung waren nur {n_recv} stück drin, berechnet habt ihr {n_ord}. bitte gutschrift über die differenz",
    ],
    "damaged_goods": [
        "{n_dmg} Stück {product} aus der Rechnung {inv} sind beschädigt angekommen und unbrauchbar.",
        "Die Lieferung zu Bestellung {po} hat einen Transportschaden: eingedrückte Kartons, ausgelaufene Behälter. Fotos anbei.",
        "Transportschaden, {n_dmg} Kartons zerdrückt, vom Fahrer ({carrier}) auf dem Lieferschein vermerkt. Wir kürzen den Betrag.",
        "Die Menge stimmt, aber {n_dmg} Einheiten sind zerbrochen. Diese zahlen wir nicht.",
        "Die Kühlkette wurde unterbrochen, die Ware kam warm an und musste entsorgt werden.",
        "Qualitätsmangel: {product} von Rechnung {inv} fällt bei unserer Wareneingangsprüfung durch, {n_dmg} Stück defekt.",
        "Paletten waren nass und die Verpackung gerissen, der Inhalt ist nicht mehr verkaufsfähig.",
        "Das Mindesthaltbarkeitsdatum der gelieferten Ware war bei Anlieferung bereits abgelaufen.",
        "Reklamation Re. {inv}: {n_dmg} Geräte defekt, Bruch bei Anlieferung. Bitte Gutschrift.",
        "leider waren {n_dmg} flaschen kaputt als die lieferung kam, fotos schick ich mit. bitte von der rechnung abziehen",
        "Die Ware ist vollständig, jedoch zerkratzt und verbogen. Unser Kunde nimmt sie so nicht ab.",
    ],
    "duplicate_billing": [
        "Die Rechnung {inv2} ist offensichtlich eine Doppelberechnung von {inv}: gleiche Bestellung {po}, gleicher Betrag {amt}.",
        "Sie haben dieselbe Lieferung zweimal berechnet: {inv} und {inv2}.",
        "Die Rechnung {inv} haben wir am {date} bereits bezahlt, mit {inv2} wird dieselbe Ware erneut berechnet.",
        "Doppelte Rechnung! {inv2} = {inv}. Wir zahlen nicht zweimal.",
        "Unser System hat {inv2} als mögliche Dublette erkannt: gleicher Betrag, gleicher Lieferschein.",
        "Die Monatsgebühr wurde doppelt belastet, einmal auf {inv} und noch einmal auf {inv2}.",
        "Bitte stornieren Sie {inv2}, das ist eine erneute Ausstellung von {inv}, die schon überwiesen wurde.",
        "Diese Position erscheint zweimal auf Ihrem Kontoauszug. Bitte eine davon ausbuchen.",
        "ihr habt uns die bestellung {po} zweimal in rechnung gestellt, mit unterschiedlichen nummern",
    ],
    "returned_goods": [
        "Wir haben {n_dmg} Stück {product} mit Retourennummer {rma} zurückgeschickt, eine Gutschrift haben wir noch nicht erhalten.",
        "Die Retoure zu Rechnung {inv} ist laut Sendungsverfolgung am {date} bei Ihnen eingegangen. Wir verrechnen den Betrag von {amt}.",
        "Rücksendung {rma} wurde noch nicht gutgeschrieben, daher kürzen wir die Zahlung entsprechend.",
        "Die Ware wurde in Absprache mit Ihrem Außendienst zurückgegeben. Bitte Gutschrift über {amt} erstellen.",
        "Abzug {amt} = Retoure {rma}, Ware ist seit drei Wochen bei Ihnen.",
        "Wir haben die Überlieferung wie vereinbart zurückgesandt und erwarten eine Gutschrift, bevor wir {inv} bezahlen.",
        "Die nicht verkaufte Saisonware ist gemäß Rückgaberecht an Sie zurückgegangen, die Gutschrift fehlt.",
        "hallo, die retoure {rma} ist doch längst bei euch, wann kommt die gutschrift?",
    ],
    "promotional_allowance": [
        "Der Werbekostenzuschuss für die Aktion {promo} in Höhe von {amt} wurde wie vereinbart von der Zahlung abgezogen.",
        "Abzug {amt}: WKZ laut Jahresvereinbarung, noch nicht gutgeschrieben.",
        "Wir haben die vereinbarte Listungsgebühr für die neuen Artikel mit Rechnung {inv} verrechnet.",
        "Der Aktionsrabatt für die {promo} ist auf der Rechnung nicht berücksichtigt, wir ziehen {amt} ab.",
        "Ihre Beteiligung an unserem Handzettel (Aktion {promo}) steht noch aus, wir haben sie einbehalten.",
        "Die Platzierungskosten für die Zweitplatzierung wurden gemäß Vereinbarung mit Ihrem Key Account einbehalten.",
        "Abzug Marketingzuschuss {promo} - {amt} - laut Aktionsvereinbarung.",
        "Das ist kein Skonto: die {pct} sind die Aktionsvergütung für die {promo}, wie mit Ihrem Vertrieb abgestimmt.",
        "Der Jahresbonus bzw. die Rückvergütung für Werbemaßnahmen ist noch nicht gutgeschrieben, daher die Kürzung.",
    ],
    "tax_discrepancy": [
        "Auf Rechnung {inv} wurden {rate_billed} MwSt. berechnet, richtig wären {rate_ok}.",
        "Falscher Steuersatz: für {product} gilt der ermäßigte Satz von {rate_ok}, nicht {rate_billed}.",
        "Wir sind eine innergemeinschaftliche Lieferung (Reverse Charge), bitte Rechnung ohne Umsatzsteuer neu ausstellen. Unsere USt-IdNr. liegt Ihnen vor.",
        "Die Umsatzsteuer auf {inv} ist falsch berechnet, es fehlt die Steuerbefreiung.",
        "USt-Betrag stimmt nicht. {rate_billed} statt {rate_ok}, Differenz {amt}.",
        "Die Rechnung weist die Mehrwertsteuer doppelt aus, einmal auf den Nettobetrag und einmal auf die Fracht.",
        "Für den Export in die Schweiz darf keine deutsche MwSt. berechnet werden. Bitte korrigieren.",
        "mwst ist falsch auf {inv}, {rate_ok} wäre korrekt",
    ],
    "early_payment_discount": [
        "Wir haben innerhalb von {days} Tagen gezahlt und daher {pct} Skonto abgezogen.",
        "Skontoabzug {pct} laut Zahlungsbedingungen, Zahlung erfolgte fristgerecht am {date}.",
        "Die Differenz von {amt} ist das Skonto, wir haben innerhalb der Skontofrist überwiesen.",
        "Ihre Mahnung über {amt} verstehe ich nicht: das ist unser Skonto, die Zahlung ging am {date} raus, also innerhalb der Frist.",
        "Laut Vertrag gilt {pct} Skonto bei Zahlung binnen {days} Tagen. Das haben wir genutzt.",
        "Es handelt sich nicht um eine Preisdifferenz, sondern um den Skontoabzug von {pct} für vorzeitige Zahlung.",
        "Zahlung abzüglich {pct} Skonto, da innerhalb von {days} Tagen nach Rechnungsdatum bezahlt.",
        "der restbetrag von {amt} ist skonto, wir haben doch pünktlich bezahlt",
    ],
    "goods_not_received": [
        "Die Ware zu Rechnung {inv} ist bei uns nie angekommen. Bitte senden Sie uns einen unterschriebenen Liefernachweis.",
        "Wir haben die Lieferung zu Bestellung {po} bis heute nicht erhalten, die Rechnung {inv} zahlen wir erst nach Eingang.",
        "Laut {carrier} wurde zugestellt, bei uns ist aber nichts angekommen. Niemand hat unterschrieben.",
        "Ware nicht erhalten. Re. {inv} wird bis zur Klärung gesperrt.",
        "Die Sendung ist seit dem {date} verschollen, die Sendungsverfolgung zeigt keine Bewegung.",
        "Sie berechnen uns eine Lieferung, die nie bei uns eingegangen ist. Es gibt keinen Wareneingang dazu.",
        "Die Dienstleistung auf Rechnung {inv} wurde nicht erbracht, der Techniker ist nie erschienen.",
        "wo ist unsere bestellung {po}? rechnung ist da, ware nicht",
    ],
    "other": [
        "Können Sie uns bitte eine Kopie der Rechnung {inv} schicken? Wir finden sie in unserem System nicht.",
        "Bitte ändern Sie unsere Rechnungsadresse, wir sind umgezogen. Die neue Anschrift finden Sie in der Signatur.",
        "Könnten Sie uns einen Kontoauszug für die letzten sechs Monate zusenden?",
        "Für unsere Wirtschaftsprüfung benötigen wir eine Saldenbestätigung zum {date}.",
        "Wir haben heute {amt} überwiesen. Könnten Sie uns bitte mitteilen, welchen Rechnungen Sie die Zahlung zuordnen?",
        "Die Zahlung für {inv} verzögert sich um eine Woche, weil unser Freigeber im Urlaub ist.",
        "Bitte senden Sie künftig alle Rechnungen an unser neues Postfach der Kreditorenbuchhaltung.",
        "Auf der Rechnung fehlt unsere Bestellnummer {po}, daher lehnt unser System sie ab. Bitte mit Bestellnummer neu ausstellen.",
        "Wir stellen gerade auf ein neues ERP-System um, Zahlungen können sich daher einige Tage verzögern.",
        "Bitte bestätigen Sie uns Ihre Bankverbindung schriftlich, bevor wir die erste Zahlung freigeben.",
        "Können wir für die offenen Posten eine Ratenzahlung vereinbaren?",
        "Ich kann mich nicht in Ihr Kundenportal einloggen, um die Rechnungen herunterzuladen.",
        "Wir haben die Rechnung {inv} nicht erhalten, bitte per E-Mail nochmals zusenden.",
    ],
}

OPENERS_DE = [
    "Sehr geehrte Damen und Herren,",
    "Guten Tag,",
    "Hallo zusammen,",
    "Hallo {first},",
    "Sehr geehrte Frau {last},",
    "Sehr geehrter Herr {last},",
    "Liebe Kolleginnen und Kollegen,",
    "Moin,",
    "Servus,",
    "",
]

CONTEXT_DE = [
    "es geht um Ihre Rechnung {inv} vom {date}.",
    "bezugnehmend auf Ihre Zahlungserinnerung zu {inv}:",
    "zu unserer Bestellung {po} folgende Anmerkung:",
    "unsere heutige Zahlung deckt die Rechnung {inv} nicht vollständig ab, und zwar aus folgendem Grund.",
    "wie eben telefonisch besprochen:",
    "zu Ihrem Kontoauszug vom {date}:",
    "",
    "",
]

REQUESTS_DE = [
    "Bitte senden Sie uns eine Gutschrift.",
    "Bitte korrigieren Sie die Rechnung und senden Sie sie erneut zu.",
    "Bis zur Klärung halten wir den Betrag zurück.",
    "Für Rückfragen stehe ich gerne zur Verfügung.",
    "Bitte um kurze Rückmeldung.",
    "Wir bitten um zeitnahe Klärung.",
    "",
]

CLOSINGS_DE = [
    "Mit freundlichen Grüßen",
    "Mit freundlichen Grüßen,",
    "Viele Grüße",
    "Beste Grüße",
    "MfG",
    "Freundliche Grüße aus Hamburg",
    "Gruß",
    "",
]

SIGNATURES_DE = [
    "{first} {last}",
    "{first} {last}\nKreditorenbuchhaltung\n{company}",
    "{first} {last} | Buchhaltung | {company}\nTel. {phone}\n{email}",
    "{first}\n{company}",
    "i.A. {first} {last}\nFinanzbuchhaltung\n{address}",
    "",
]

DISCLAIMERS_DE = [
    "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen. Wenn Sie nicht der richtige Adressat sind, informieren Sie bitte sofort den Absender und vernichten Sie diese Mail.",
    "{company} | Sitz der Gesellschaft: Köln | Registergericht: Amtsgericht Köln HRB 48213 | Geschäftsführer: {first} {last}",
    "Bitte denken Sie an die Umwelt, bevor Sie diese E-Mail ausdrucken.",
]
