"""Word banks shared by the generators: products, companies, identifiers, amounts, dates."""

from __future__ import annotations

import random
from datetime import date, timedelta

from retrieval.grounding import LEGAL_FORMS

PRODUCTS = [
    "A4 copy paper",
    "hydraulic hoses",
    "stainless steel bolts M8",
    "frozen berry mix",
    "organic oat drink 1L",
    "LED panel lights",
    "safety gloves size L",
    "printer toner cartridges",
    "PET bottles 500ml",
    "cardboard boxes 40x30",
    "laptop docking stations",
    "olive oil 5L tins",
    "ball bearings 6204",
    "pallet wrap film",
    "vitamin C tablets",
    "ceramic floor tiles",
    "espresso beans 1kg",
    "nitrile exam gloves",
    "circuit breakers 16A",
    "office chairs",
    "detergent concentrate",
    "shrink sleeves",
    "pasta 500g",
    "copper cable 2.5mm",
    "paint rollers",
    "baby wipes",
    "industrial adhesive",
    "glass jars 370ml",
    "fan belts",
    "canned tomatoes",
    "USB-C chargers",
    "cat litter 10kg",
    "garden hoses",
    "motor oil 5W-30",
]

COMPANY_STEMS = [
    "Brightwater",
    "Nordhafen",
    "Alpenblick",
    "Riverside",
    "Kestrel",
    "Bluepeak",
    "Oakmont",
    "Sunfield",
    "Greystone",
    "Lindqvist",
    "Marlow",
    "Castellano",
    "Vandermeer",
    "Harborline",
    "Redwood",
    "Silverbirch",
    "Morningstar",
    "Eastgate",
    "Fairhaven",
    "Duval",
    "Rossi",
    "Westbrook",
    "Kranich",
    "Polaris",
    "Amberline",
    "Tidewater",
    "Hollowell",
    "Ironbridge",
    "Quayside",
    "Meridian",
    "Stellar",
    "Crescent",
    "Lakeshore",
    "Bergmann",
    "Ostrava",
]
COMPANY_KINDS = [
    "Foods",
    "Retail",
    "Logistics",
    "Trading",
    "Industries",
    "Supplies",
    "Wholesale",
    "Distribution",
    "Markets",
    "Hardware",
    "Pharma",
    "Components",
    "Beverages",
    "Home",
]
COMMON_LEGAL_FORMS = LEGAL_FORMS[:11]  # the forms generated company names end in

CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "PLN", "DKK", "CAD"]
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

CARRIERS = [
    "DHL Freight",
    "DB Schenker",
    "UPS",
    "the forwarder",
    "our haulier",
    "Kuehne+Nagel",
    "FedEx",
    "the carrier",
    "Geodis",
    "DSV",
]
PROMOS = [
    "spring feature",
    "end-cap display",
    "Q3 co-op advertising",
    "summer flyer",
    "BOGO promo",
    "new listing / slotting",
    "back-to-school campaign",
    "TPR 10% off",
    "Christmas catalogue",
    "volume rebate programme",
    "in-store demo week",
]


def company(rng: random.Random) -> str:
    return (
        f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_KINDS)} {rng.choice(COMMON_LEGAL_FORMS)}"
    )


def invoice_no(rng: random.Random) -> str:
    style = rng.randrange(6)
    if style == 0:
        return f"INV-{rng.randint(10000, 99999)}"
    if style == 1:
        return f"{rng.randint(2025, 2026)}-{rng.randint(1, 99999):05d}"
    if style == 2:
        return str(rng.randint(90000000, 99999999))
    if style == 3:
        return f"SI{rng.randint(100000, 999999)}"
    if style == 4:
        return f"INV{rng.randint(2025, 2026)}/{rng.randint(1000, 9999)}"
    return f"F-{rng.randint(1000, 99999)}"


def po_no(rng: random.Random) -> str:
    return rng.choice(
        [
            f"PO-{rng.randint(1000, 99999)}",
            f"PO {rng.randint(400000, 499999)}",
            f"45{rng.randint(10000000, 99999999)}",
            f"P{rng.randint(10000, 99999)}",
        ]
    )


def money(rng: random.Random, low: float = 40.0, high: float = 25000.0) -> float:
    return round(rng.uniform(low, high), 2)


def fmt_money(value: float, currency: str, rng: random.Random | None = None) -> str:
    style = rng.randrange(4) if rng else 0
    text = f"{value:,.2f}"
    if style == 1 and currency in CURRENCY_SYMBOLS:
        return f"{CURRENCY_SYMBOLS[currency]}{text}"
    if style == 2:
        return f"{currency} {text}"
    if style == 3:
        return f"{value:.2f} {currency}"
    return f"{text} {currency}"


def some_date(rng: random.Random, start: date = date(2026, 1, 5), days: int = 330) -> date:
    return start + timedelta(days=rng.randrange(days))


def fmt_date(day: date, rng: random.Random | None = None) -> str:
    style = rng.randrange(5) if rng else 0
    if style == 1:
        return day.strftime("%d.%m.%Y")
    if style == 2:
        return f"{day.day} {day.strftime('%B %Y')}"
    if style == 3:
        return day.strftime("%B %d, %Y").replace(" 0", " ")
    if style == 4:
        return day.strftime("%d/%m/%Y")
    return day.isoformat()
