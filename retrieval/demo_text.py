"""Phrase banks of the demo generator (prose only: ids and amounts live in structured fields)."""

from __future__ import annotations

DISPUTE_TEXT: dict[str, list[str]] = {
    "pricing_discrepancy": [
        "Customer says the unit price billed is higher than the price in the signed quote.",
        "Buyer claims the invoice ignores the contract price list and charges list price.",
        "The invoiced price per case does not match the agreed price agreement.",
    ],
    "short_shipment": [
        "Customer received fewer cartons than shown on the invoice.",
        "Warehouse reports two pallets missing from the delivery compared with the bill.",
        "Proof of delivery shows a quantity short of what was invoiced.",
    ],
    "damaged_goods": [
        "Goods arrived damaged; the receiving team photographed crushed boxes.",
        "Several units were broken in transit and cannot be sold.",
        "Customer reports water damage on the shipment and rejects the damaged items.",
    ],
    "duplicate_billing": [
        "The same delivery appears on two invoices; customer paid the first one.",
        "Customer says this invoice duplicates an earlier bill for the same order.",
        "Billing system issued the invoice twice for one shipment.",
    ],
    "returned_goods": [
        "Customer returned unsold stock under the return agreement and expects a credit.",
        "Goods were sent back with a return authorisation; credit note not yet issued.",
        "Returned items were received at our warehouse but the invoice was not reduced.",
    ],
    "promotional_allowance": [
        "Customer deducted a promotional allowance for an in-store campaign.",
        "Deduction taken for marketing support agreed with the sales team.",
        "Buyer withheld a co-op advertising allowance from the payment.",
    ],
    "tax_discrepancy": [
        "Customer says VAT was charged at the wrong rate.",
        "Sales tax was applied although the customer provided an exemption certificate.",
        "Tax amount on the invoice does not match the tax on the order confirmation.",
    ],
    "early_payment_discount": [
        "Customer took the early payment discount although payment arrived after the window.",
        "Cash discount deducted on a late payment; terms allow it only within ten days.",
        "Buyer claims the prompt payment discount applies because the bank was closed.",
    ],
    "goods_not_received": [
        "Customer claims the shipment never arrived at the delivery address.",
        "No proof of delivery; the buyer says nothing was received.",
        "Carrier lost the consignment and the customer refuses to pay.",
    ],
    "other": [
        "Customer disputes the invoice because the order was placed without authorisation.",
        "Invoice sent to the wrong billing entity; customer asks for reissue.",
        "Customer refuses payment pending an audit of the account.",
    ],
}
DISPUTE_DETAIL = [
    "Sales has been asked to confirm.",
    "We requested supporting documents.",
    "Logistics is checking the delivery records.",
    "The account manager is aware.",
    "Customer will pay the undisputed part.",
    "Awaiting the customer's evidence.",
]
RESOLUTIONS = [
    "Credit note issued for the disputed amount.",
    "Dispute rejected after review of the delivery documents; customer to pay in full.",
    "Partial credit agreed; remaining balance to be paid.",
]

CLAUSES: dict[str, list[tuple[str, str]]] = {
    "payment_terms": [
        ("Payment terms", "Invoices are payable within {days} days of the invoice date."),
        (
            "Payment terms",
            "Payment is due {days} days after delivery; late payments accrue "
            "interest at {pct}% per month.",
        ),
    ],
    "discount": [
        (
            "Early payment discount",
            "A {pct}% cash discount applies if payment is received "
            "within 10 days of the invoice date; otherwise the net amount is due.",
        ),
        (
            "Volume rebate",
            "A rebate of {pct}% is granted on annual purchases above the agreed "
            "volume, settled by credit note at year end.",
        ),
    ],
    "allowance": [
        (
            "Promotional allowance",
            "The customer may deduct a promotional allowance of {pct}% "
            "for agreed in-store campaigns, only with prior written approval.",
        ),
        (
            "Damage allowance",
            "A flat damage allowance of {pct}% covers minor transit damage; "
            "no further claims for damaged goods are accepted.",
        ),
    ],
    "price_agreement": [
        (
            "Price agreement",
            "Prices are fixed for twelve months per the attached price list; "
            "changes need {days} days written notice.",
        ),
        (
            "Price adjustment",
            "Prices may be adjusted quarterly in line with raw material "
            "costs, capped at {pct}% per quarter.",
        ),
    ],
    "penalty": [
        (
            "Late delivery penalty",
            "For deliveries later than {days} days the customer may "
            "deduct {pct}% of the order value.",
        ),
    ],
}
PCTS = [1, 2, 3, 5]
DAYS = [10, 14, 30, 45, 60]

NOTES = [
    "Called accounts payable; invoice is approved and scheduled for the next payment run.",
    "Left a voicemail for the payables team about the overdue balance.",
    "Customer promised to pay the overdue invoices by the end of the week.",
    "Customer confirmed receipt of the reminder and promised payment after month end.",
    "Payables says the invoice was never received; resent a copy by email.",
    "Customer asks for a payment plan because of cash flow problems.",
    "Escalated to the sales manager because the account is far over its credit limit.",
    "Customer disputes part of the balance; undisputed amount will be paid.",
    "Sent second dunning letter; no response yet.",
    "Customer requested proof of delivery before releasing payment.",
    "Account placed on credit hold until the overdue balance is cleared.",
    "Customer says payment was sent by wire; asked for the remittance advice.",
]
NEXT_ACTIONS = [
    "Follow up by phone", "Send dunning letter", "Check payment receipt",
    "Escalate to credit manager", "Send copy invoice", "Review dispute",
]  # fmt: skip

MAILS: list[tuple[str, str, str]] = [
    ("inbound", "Request for invoice copy", "Please send us a copy of the invoice; we cannot "
     "find it in our system."),
    ("inbound", "Remittance advice", "Please find the remittance advice for our latest "
     "payment attached."),
    ("inbound", "Question about charges", "We do not understand the freight charges on the "
     "last invoice; please explain them."),
    ("outbound", "Payment reminder", "This is a friendly reminder that the invoices listed "
     "below are past due. Please arrange payment."),
    ("outbound", "Account statement", "Attached is your current statement of account."),
    ("inbound", "Change of bank details", "Please note that our accounts payable address "
     "has changed; send invoices to the new mailbox."),
    ("outbound", "Final notice before collection", "Despite earlier reminders the balance "
     "remains unpaid. Without payment we will hand the account to a collection agency."),
    ("inbound", "Payment delay", "Our payment run was postponed; payment will follow next "
     "week."),
]  # fmt: skip

PRODUCTS = [
    "office chairs", "pallet wrap", "frozen vegetables", "industrial valves", "printer toner",
    "safety gloves", "espresso beans", "LED panels", "steel fasteners", "cleaning supplies",
]  # fmt: skip
