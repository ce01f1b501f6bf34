import json
from pathlib import Path

import pytest

from adapters.pii import find_pii, scrub
from adapters.pii_check import PiiFoundError, require_clean, scan_files


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Best regards,\nAnna Schmidt\nAccounts Payable", "PERSON", "Anna Schmidt"),
        ("Dear Mr. Jansen, please check.", "PERSON", "Jansen"),
        ("Hi Peter,\nthe invoice is wrong.", "PERSON", "Peter"),
        ("Thanks,\nLisa van den Berg", "PERSON", "Lisa van den Berg"),
        ("mail me at j.doe+ar@example.co.uk today", "EMAIL", "j.doe+ar@example.co.uk"),
        ("Tel. +49 (0)30 1234 5678", "PHONE", "+49 (0)30 1234 5678"),
        ("Mobile 0612 345 678", "PHONE", "0612 345 678"),
        ("call 555-123-4567 anytime", "PHONE", "555-123-4567"),
        ("Pay to DE89 3704 0044 0532 0130 00 please", "IBAN", "DE89 3704 0044 0532 0130 00"),
        ("our IBAN GB29NWBK60161331926819.", "IBAN", "GB29NWBK60161331926819"),
        ("bank account no. 12345678 at the bank", "ACCOUNT", "12345678"),
        ("routing number: 021000021", "ACCOUNT", "021000021"),
        ("Office: 221 Baker Street, London NW1 6XE", "ADDRESS", "221 Baker Street, London NW1 6XE"),
        ("Hauptstraße 5, 10115 Berlin", "ADDRESS", "Hauptstraße 5, 10115 Berlin"),
        ("12, rue de la Paix, 75002 Paris", "ADDRESS", "12, rue de la Paix, 75002 Paris"),
        ("Via Roma 12, 20121 Milano", "ADDRESS", "Via Roma 12, 20121 Milano"),
    ],
)
def test_finds_each_kind(text: str, kind: str, value: str) -> None:
    found = [(f.kind, f.text) for f in find_pii(text)]
    assert (kind, value) in found


def test_scrub_uses_typed_placeholders() -> None:
    text = "Dear Anna Schmidt,\ncall +44 20 7946 0958 or write to anna@example.com.\nRegards"
    out, findings = scrub(text)
    assert out == "Dear <PERSON>,\ncall <PHONE> or write to <EMAIL>.\nRegards"
    assert [f.kind for f in findings] == ["PERSON", "PHONE", "EMAIL"]


@pytest.mark.parametrize(
    "text",
    [
        "Invoice INV-10023, PO PO-5531, issued 2026-09-01, due 2026-10-01, open 1,250.00 EUR",
        "Dear Brightwater Foods GmbH team,",
        "Dear Rossi Trading S.r.l. team, we deducted 3,420.70 DKK on 04.02.2026.",
        "Remittance advice 2026-04-27\nPaid: 2025-52077 3,018.99 CHF",
        "We ordered 100 units of ball bearings 6204 on PO 466586 but got 74.",
        "Dear Sir or Madam,\nKind regards,\nAccounts Receivable Team",
        "Invoice 96175827 for 366.65 EUR was due 30 days ago.",
        "[customer:C-0042@v3] Customer: Kestrel Retail S.A.; terms NET30; currency EUR",
        "Best regards,\n<PERSON>\nMobile <PHONE>",
    ],
)
def test_no_false_positives_on_ar_text(text: str) -> None:
    assert find_pii(text) == []


def test_require_clean_says_where(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    rows = [
        {"text": "Price is wrong on INV-1.", "label": "pricing_discrepancy"},
        {"text": "Call me on +31 6 1234 5678. Thanks, Femke", "label": "other"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with pytest.raises(PiiFoundError) as exc:
        require_clean("dispute-classifier", [path])
    locations = exc.value.locations
    assert {(loc.line, loc.kind) for loc in locations} == {(2, "PHONE"), (2, "PERSON")}
    assert f"{path}:2: PHONE" in str(exc.value)


def test_committed_datasets_are_clean() -> None:
    root = Path(__file__).resolve().parents[2] / "adapters" / "datasets"
    for task in ("dispute-classifier", "ar-email-drafter"):
        files = sorted((root / task).glob("*.jsonl"))
        assert len(files) == 3
        assert scan_files(task, files) == []
