# ruff: noqa: E501 - prose (messages, prompts) reads better unwrapped
"""Secondary mentions, misleading sentences and the pieces that wrap a core statement."""

from __future__ import annotations

# A minor second issue (the primary label stays the core statement's label).
MINOR: dict[str, list[str]] = {
    "pricing_discrepancy": [
        "The price on another line also looks a bit high, but that is minor.",
        "Separately, we may have a small price question on a different order, will revert.",
    ],
    "short_shipment": [
        "Also one carton was missing, but we can live with that.",
        "There was a small shortage too, which we will raise separately.",
    ],
    "damaged_goods": [
        "A couple of boxes had dents, nothing serious.",
        "One pallet wrap was torn but the goods inside were fine.",
    ],
    "duplicate_billing": [
        "By the way, I think we also got one invoice twice, but our AP team is checking that."
    ],
    "returned_goods": [
        "There is also an open return from last year, but that is a separate topic."
    ],
    "promotional_allowance": [
        "The promo allowance for spring is still to be settled too, but not urgent."
    ],
    "tax_discrepancy": [
        "The VAT line also looks odd to me, but our tax team will look at that separately."
    ],
    "early_payment_discount": ["We also took the usual cash discount, as always."],
    "goods_not_received": [
        "Also another small parcel has not arrived yet, but it may still be on its way."
    ],
    "other": [
        "Also, please send future invoices to our new AP address.",
        "And could you send a copy of the last statement?",
    ],
}

# Sentences that carry another label's keywords without changing the label.
MISLEADING = [
    "We have not received a credit note for this yet.",
    "Please return the corrected invoice to us by email.",
    "The price itself is fine, that is not the issue.",
    "I know this is short notice.",
    "This issue is damaging the trust between our companies.",
    "Net amount before tax is not the problem here.",
    "The duplicate copy of the delivery note is attached.",
    "Our promotion team is not involved in this.",
    "The discount on the invoice is correct.",
    "We received your reminder yesterday.",
    "Delivery was on time, the truck arrived in the morning.",
    "Amounts are quoted net of VAT.",
    "We paid all other invoices early as usual.",
]

OPENERS = [
    "Dear Sir or Madam,",
    "Hello,",
    "Hi team,",
    "Good morning,",
    "Dear accounts receivable team,",
    "To whom it may concern,",
    "Hi {first},",
    "Dear {first} {last},",
    "Hello {first},",
    "Dear colleagues,",
    "Dear Sirs,",
    "Hi there,",
    "Re: your reminder",
    "Hello AR,",
    "",
]

CONTEXT = [
    "I am writing regarding invoice {inv}.",
    "This is about your invoice {inv} dated {date}.",
    "Concerning PO {po}:",
    "Referring to your statement of {date}.",
    "Our payment of today does not cover the full amount of {inv}, here is why.",
    "We received your reminder for {inv}.",
    "Following up on my call with your colleague.",
    "Regarding the open items on our account:",
    "",
    "",
    "",
]

REQUESTS = [
    "Please issue a credit note.",
    "Kindly correct and resend the invoice.",
    "Please confirm and adjust your records.",
    "Let me know if you need anything else from us.",
    "We expect a corrected invoice before we release payment.",
    "Please advise how you want to proceed.",
    "Can you look into this asap?",
    "We would appreciate a quick resolution.",
    "Until this is solved, the amount stays on hold.",
    "",
    "",
    "",
]

CLOSINGS = [
    "Best regards,",
    "Kind regards,",
    "Regards,",
    "Thanks,",
    "Thank you,",
    "Cheers,",
    "Sincerely,",
    "BR",
    "Many thanks in advance,",
    "Mit freundlichen Gruessen,",
    "",
]

SIGNATURES = [
    "{first} {last}",
    "{first} {last}\nAccounts Payable\n{company}",
    "{first} {last} | AP Specialist | {company}\nTel. {phone}\n{email}",
    "{first}\n{company}",
    "{first} {last}\nFinance Department\n{address}\nPhone: {phone}",
    "{company} Accounts Payable\n{email}",
    "{first} {last}\nMobile {phone}",
    "--\n{first} {last}\nCredit Controller, {company}\n{address}\n{email}",
    "",
]

# Light non-native English rewrites applied to a finished message (regex, replacement).
NON_NATIVE = [
    (r"\bwe have not received\b", "we did not receive until now"),
    (r"\bplease\b", "kindly"),
    (r"\bPlease\b", "Kindly"),
    (r"\bthe goods\b", "the goods was"),
    (r"\bwere delivered\b", "was delivered"),
    (r"\bPlease find attached\b", "Attached you find"),
    (r"\bcannot\b", "can not"),
    (r"\bcheck\b", "control"),
    (r"\bas soon as possible\b", "at your earliest"),
    (r"\b[Tt]he invoice\b", "invoice"),
    (r"\bWe have\b", "We did"),
    (r"\bsince\b", "since already"),
]
