"""check_email's attribution, type-fit, language and length checks (the ones serving and the
evaluation harness share)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.data import email_real
from adapters.evaluation.email_checks import check_email, email_metrics
from adapters.language import detect_language, language_matches
from adapters.manifest import read_manifest
from tests.retrieval.test_grounding import BLOCK

REGISTRY = Path(__file__).parents[2] / "adapters" / "registry" / "ar-email-drafter"
DATASET = Path(__file__).parents[2] / "adapters" / "datasets" / "ar-email-drafter"


def email(*body: str) -> str:
    return "\n\n".join(
        [
            "Subject: Payment reminder: invoice INV-1",
            "Dear Brightwater Foods GmbH team,",
            *body,
            "Please arrange payment at your earliest convenience, or let us know if anything "
            "prevents payment so that we can find a solution together with your team.",
            "Kind regards,\nAccounts Receivable Team",
        ]
    )


REMINDER = email(
    "Our records show that invoice INV-1 for 1000.00 EUR was due on 2026-01-20 and is now "
    "40 days overdue. Your open balance with us is 3500.00 EUR."
)


def test_a_right_reminder_passes_every_check() -> None:
    c = check_email(REMINDER, BLOCK, "reminder_overdue_1")
    assert c.grounded and not c.problems and not c.missing_elements and not c.type_issues
    assert c.length_ok and c.language == "en" and c.language_ok


def test_a_misattributed_amount_is_not_grounded() -> None:
    swapped = REMINDER.replace("INV-1 for 1000.00", "INV-1 for 2500.00")
    c = check_email(swapped, BLOCK, "reminder_overdue_1")
    assert c.unsupported == [] and c.misattributed == ["amount 2500.00 attached to INV-1"]
    assert not c.grounded and c.problems == c.misattributed
    as_balance = REMINDER.replace("balance with us is 3500.00", "balance with us is 1000.00")
    assert check_email(as_balance, BLOCK, "reminder_overdue_1").misattributed == [
        "amount 1000.00 attached to the balance"
    ]
    days = REMINDER.replace("40 days", "30 days")
    assert not check_email(days, BLOCK, "reminder_overdue_1").grounded


def test_a_disputed_invoice_is_never_dunned() -> None:
    dunning = email(
        "Invoice INV-2 for 2500.00 EUR was due on 2026-01-30 and is now 30 days overdue. "
        "We ask you to settle it in full."
    )
    for email_type in ("reminder_pre_due", "reminder_overdue_2", "final_notice"):
        c = check_email(dunning, BLOCK, email_type)
        assert c.disputed_dunned == ["INV-2"] and "disputed invoice INV-2 dunned" in c.problems
    # named by its PO number
    by_po = dunning.replace("Invoice INV-2 for", "Your order PO-22, invoiced at")
    assert check_email(by_po, BLOCK, "reminder_overdue_1").disputed_dunned == ["INV-2"]
    reviewed = dunning.replace(
        "We ask you to settle it in full.",
        "Invoice INV-2 is under review (dispute DSP-9); we will come back to you.",
    )
    assert check_email(reviewed, BLOCK, "reminder_overdue_1").disputed_dunned == []
    # acknowledging the dispute is not dunning it
    assert check_email(dunning, BLOCK, "dispute_acknowledgement").disputed_dunned == []


def test_a_final_notice_states_consequence_and_deadline() -> None:
    final = email(
        "This is our final notice: invoice INV-1 for 1000.00 EUR is 40 days overdue. "
        "Otherwise we will pass the matter to collections."
    )
    assert "deadline" in check_email(final, BLOCK, "final_notice").missing_elements
    dated = final.replace("Otherwise", "If we do not receive payment within 7 days,")
    assert check_email(dated, BLOCK, "final_notice").missing_elements == []
    vague = dated.replace("pass the matter to collections", "be disappointed")
    assert check_email(vague, BLOCK, "final_notice").missing_elements == ["consequence"]


def test_a_first_reminder_claims_no_reminder_the_records_do_not_show() -> None:
    claim = REMINDER.replace("Our records show", "Despite our previous reminder, our records show")
    issue = ["claims an earlier reminder at dunning level 0"]
    assert check_email(claim, BLOCK, "reminder_overdue_1").type_issues == issue
    reminded = BLOCK.replace("Dunning level: 0.", "Dunning level: 1.")
    assert check_email(claim, reminded, "reminder_overdue_1").type_issues == []
    assert check_email(REMINDER, BLOCK, "reminder_overdue_1").type_issues == []


def test_length_is_40_to_200_words() -> None:
    short = (
        "Subject: Invoice INV-1\n\nDear Brightwater Foods GmbH team,\n\nInvoice INV-1 for "
        "1000.00 EUR is 40 days overdue. Please arrange payment this week.\n\n"
        "Kind regards,\nAccounts Receivable Team"
    )
    assert 25 < check_email(short, BLOCK, "reminder_overdue_1").words < 40
    assert not check_email(short, BLOCK, "reminder_overdue_1").length_ok
    long = email(" ".join(["We thank you for your business with us."] * 21))
    assert 200 < check_email(long, BLOCK, "reminder_overdue_1").words < 220
    assert not check_email(long, BLOCK, "reminder_overdue_1").length_ok


GERMAN = """Subject: Zahlungserinnerung: Rechnung INV-1

Sehr geehrte Damen und Herren,

die Rechnung INV-1 über 1000.00 EUR war am 2026-01-20 fällig und ist seit 40 Tagen überfällig.
Bitte überweisen Sie den Betrag bis zum Monatsende. Wenn Sie bereits bezahlt haben, ist diese
Nachricht gegenstandslos.

Mit freundlichen Grüßen
Ihre Debitorenbuchhaltung"""
FRENCH = (
    "Madame, Monsieur, nous vous remercions de régler la facture INV-1 avant la fin du mois. "
    "Si le paiement a déjà été effectué, veuillez ne pas tenir compte de ce message. Cordialement"
)


def test_the_draft_is_in_the_requested_language() -> None:
    assert (detect_language(GERMAN), detect_language(REMINDER)) == ("de", "en")
    assert detect_language(FRENCH) == "fr" and detect_language("INV-1 1000.00 EUR") == "und"
    de = check_email(GERMAN, BLOCK, "reminder_overdue_1", language="de-DE")
    assert de.language == "de" and de.language_ok and de.misattributed == []
    en_for_de = check_email(REMINDER, BLOCK, "reminder_overdue_1", language="de")
    assert not en_for_de.language_ok and en_for_de.problems == [
        "not in the requested language (detected: en)"
    ]
    # a language the detector cannot tell: not recognisably another one
    assert not language_matches(REMINDER, "es") and language_matches("INV-1", "es")


VERSIONS = sorted((p.name for p in REGISTRY.iterdir() if p.is_dir()), key=int)


@pytest.mark.parametrize("version", VERSIONS)
def test_drafter_manifests_declare_the_language_of_their_data(version: str) -> None:
    """Versions 1-6 were trained on English rows only; from 7 the data set is English and
    German (`email_real.LANGUAGE_SHARES`)."""
    expected = ["en"] if int(version) <= 6 else ["de", "en"]
    assert read_manifest(REGISTRY / version).languages == expected


def test_the_drafter_data_is_in_the_languages_it_is_built_for() -> None:
    """The committed data set (merge fields, English and German) is what the next version
    trains on; its manifest then declares these languages (`run.py` reads them off the rows)."""
    declared = set(email_real.LANGUAGE_SHARES)
    for split in ("train", "validation", "test"):
        for line in (DATASET / f"{split}.jsonl").read_text().splitlines():
            assert detect_language(json.loads(line)["email"]) in declared


def test_metrics_report_each_new_check() -> None:
    wrong = REMINDER.replace("INV-1 for 1000.00", "INV-1 for 2500.00")
    m = email_metrics([check_email(t, BLOCK, "reminder_overdue_1") for t in (REMINDER, wrong)])
    assert m["attribution_rate"] == 0.5 and m["grounded_rate"] == 0.5
    assert m["no_disputed_dunned_rate"] == m["type_fit_rate"] == m["language_rate"] == 1.0
