# ruff: noqa: E501 - prose (messages) reads better unwrapped
"""Hard negatives: statements that name a neighbouring label's subject and rule it out
(short vs price vs damage, cash discount vs promotion vs price, goods vs invoice not
received), messages that dispute nothing, and framings that say which of two issues holds
the payment. Slots as in dispute_phrases."""

from __future__ import annotations

HARD: dict[str, list[str]] = {
    "short_shipment": [
        "The price on {inv} is correct, the problem is the quantity: we were billed for {n_ord} and received {n_recv}.",
        "Everything that arrived was in perfect condition, but {n_missing} cartons were simply not on the truck.",
        "No damage and no price issue - the delivery was just short by {n_missing} units of {product}.",
        "We short-paid {amt} because {n_missing} units never came with the consignment; the unit price is fine.",
        "Invoice line {product}: qty {n_ord} @ {p_agreed} - we counted {n_recv} on receipt, so we pay for {n_recv}.",
        "The goods we got are fine and priced right, there just weren't enough of them ({n_recv} of {n_ord}).",
    ],
    "pricing_discrepancy": [
        "All {n_ord} units arrived complete and undamaged; the issue is only the unit price, {p_billed} instead of {p_agreed}.",
        "Quantity and condition are fine. What we dispute is the price per case on {inv}.",
        "This is not a shortage: the full delivery arrived, but each unit is billed {p_billed} and our contract says {p_agreed}.",
        "This is not about the cash discount or any promotion: the base unit price on {inv} is simply higher than agreed.",
        "The {pct} you see missing is not skonto, it is the price difference between your invoice and our price agreement.",
        "We did not take any discount. The list price on {inv} is above the contract price of {p_agreed}, so we paid {p_agreed}.",
    ],
    "damaged_goods": [
        "The quantity was complete ({n_ord} of {n_ord}) but {n_dmg} units were broken, so we deduct those.",
        "Nothing is missing and the price is right; {n_dmg} cases arrived crushed and are unsellable.",
        "All cartons were delivered, but {n_dmg} of them were wet and the contents ruined. This is not a shortage claim.",
        "We are not disputing the price: {n_dmg} pieces of {product} arrived cracked and we will not pay for them.",
    ],
    "early_payment_discount": [
        "The {pct} deduction is our early payment discount, we paid within {days} days. It has nothing to do with the promotion.",
        "This is not a promotional deduction and not a price dispute: we paid early and took the {pct} cash discount per your terms.",
        "The prices are fine. The difference of {amt} is the prompt payment discount, payment left us on {date}.",
        "Your statement shows {amt} open on {inv}; that is the {pct} discount for paying inside {days} days.",
    ],
    "promotional_allowance": [
        "The {amt} is the agreed {promo} allowance, not a cash discount - we did not pay early on this one.",
        "This is not about the unit price: we deducted the co-op advertising funds for the {promo} as agreed with your sales rep.",
        "The {pct} we took off is the off-invoice deal for the {promo}, not an early payment discount.",
        "We are not claiming skonto here; the deduction is the slotting fee for the new listings.",
    ],
    "goods_not_received": [
        "We did get your invoice {inv}, but the goods on it never arrived.",
        "The paperwork is all fine, we just never received the shipment for PO {po}.",
        "This is not about the invoice copy: the delivery itself is missing, {carrier} has no proof of delivery.",
        "Your invoice came in on {date}; the goods have still not turned up, so we are holding payment.",
    ],
    "other": [
        "We have not received invoice {inv} itself - could you resend the PDF? The goods arrived fine.",
        "Nothing is wrong with the delivery or the price; we only need a statement of account for our year-end.",
        "Our remittance of {amt} covered {inv} and {inv2}. Could you confirm you have allocated it correctly?",
        "Please note our new address for invoices from {date}; everything else stays the same.",
        "Can you confirm which invoices the payment of {amt} on {date} was applied to? Our records show no open items.",
        "Please send us a copy of the credit note you mentioned, for our files. We have no open dispute.",
        "We changed our bank, payments will come from a new account from next month.",
        "Could you send the proof of delivery for {inv}? Our auditor wants it for the file; the delivery itself was fine.",
        "Quick question on the remittance advice: was the {pct} discount on {inv} approved by your side? Just checking our records.",
        "We will pay {inv} in full on {date}. Please stop the reminders.",
        "Please add our PO {po} to future invoices, our AP system needs it to match.",
        "We are a new contact in AP, please update your records and send statements to us.",
    ],
}

# Two issues, one of which holds the payment: (framing, secondary_first). {main} is the
# label's statement, {minor} another label's statement that is only mentioned.
HOLDING_FRAMES: dict[str, list[tuple[str, bool]]] = {
    "en": [
        (
            "{minor} We have paid that part in full and will discuss it with your sales rep. What we deducted is this: {main}",
            True,
        ),
        ("{main} Separately, {minor_lc} - but that is not why we short-paid, it can wait.", False),
        (
            "Two things. 1) {main} This is what we are holding the payment for. 2) {minor} No deduction for that one.",
            False,
        ),
        ("FYI {minor} (already paid in full). The open amount is for: {main}", True),
        ("{main}\n\nPS: {minor} Not urgent, not deducted.", False),
    ],
    "de": [
        (
            "{minor} Diesen Teil haben wir vollständig bezahlt. Gekürzt haben wir aus folgendem Grund: {main}",
            True,
        ),
        ("{main} Außerdem: {minor} Das ist aber nicht der Grund für die Kürzung.", False),
        (
            "Zwei Punkte: 1) {main} Deshalb halten wir die Zahlung zurück. 2) {minor} Hierfür kein Abzug.",
            False,
        ),
        ("{main}\n\nPS: {minor} Nicht dringend, nicht abgezogen.", False),
    ],
    "fr": [
        ("{minor} Cette partie a été payée intégralement. Ce que nous avons déduit : {main}", True),
        ("{main} Par ailleurs, {minor_lc} Mais ce n'est pas la raison de la déduction.", False),
        (
            "Deux points : 1) {main} C'est pour cela que le paiement est bloqué. 2) {minor} Pas de déduction pour ce point.",
            False,
        ),
        ("{main}\n\nPS : {minor} Pas urgent, rien de déduit.", False),
    ],
}

DISCLAIMERS_EN = [
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended solely for the addressee. If you have received it in error, please notify the sender and delete it.",
    "This message may contain privileged information. Any unauthorised use, disclosure or copying is prohibited.",
    "Please consider the environment before printing this e-mail.",
    "{company} is registered in England and Wales. Registered office: see our website.",
]
