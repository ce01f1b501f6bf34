"""The per-language house style: which style a language gets, subject splitting, and the
keyword elements check_email reads from it."""

from __future__ import annotations

import pytest

from adapters.evaluation.email_checks import check_email
from adapters.house_style import ENGLISH, GERMAN, STYLES, SUPPORTED_STYLES, split_email, style_for
from tests.retrieval.test_grounding import BLOCK

GERMAN_REMINDER = """Betreff: Zahlungserinnerung: Rechnung INV-1

Sehr geehrtes Team von Brightwater Foods GmbH,

nach unseren Unterlagen ist die Rechnung INV-1 über 1000,00 EUR seit dem 20.01.2026 überfällig.
Bitte überweisen Sie den ausstehenden Betrag so bald wie möglich. Sollten Sie die Zahlung
bereits veranlasst haben, betrachten Sie dieses Schreiben bitte als gegenstandslos.

Mit freundlichen Grüßen
Ihr Team Debitorenbuchhaltung"""


def test_a_language_gets_its_base_languages_style() -> None:
    assert SUPPORTED_STYLES == ("en", "de") and set(STYLES) == {"en", "de"}
    assert style_for("de-DE") is GERMAN and style_for("DE") is GERMAN
    assert style_for("en-GB") is ENGLISH and style_for("es") is ENGLISH


@pytest.mark.parametrize("style", list(STYLES.values()))
def test_each_styles_greeting_matches_its_own_pattern(style: object) -> None:
    assert isinstance(style, type(ENGLISH))
    assert style.greeting_re.match(style.greeting("Brightwater Foods GmbH"))
    assert style.subject_line("X").startswith(style.subject_prefix)
    assert set(style.elements) == set(ENGLISH.elements)


def test_greetings_and_sign_offs_do_not_cross_languages() -> None:
    assert not GERMAN.greeting_re.match(ENGLISH.greeting("Acme GmbH"))
    assert not ENGLISH.greeting_re.match(GERMAN.greeting("Acme GmbH"))
    assert GERMAN.sign_off != ENGLISH.sign_off


def test_split_email_takes_the_languages_prefix_or_subject() -> None:
    assert split_email("Betreff: Mahnung\n\nText", "de") == ("Mahnung", "Text")
    assert split_email("Subject: Reminder\n\nText", "de-DE") == ("Reminder", "Text")
    assert split_email("Subject: Reminder\nText") == ("Reminder", "Text")
    # an English draft has no German subject line
    assert split_email("Betreff: Mahnung\n\nText", "en") == ("", "Betreff: Mahnung\n\nText")
    assert split_email("Dear X team,\n\nText", "de") == ("", "Dear X team,\n\nText")


def test_keyword_elements_are_the_languages_words() -> None:
    assert GERMAN.has_element("overdue", "die rechnung ist überfällig")
    assert not ENGLISH.has_element("overdue", "die rechnung ist überfällig")
    # previous_reminder needs both a reminder word and a word saying it was earlier
    assert not GERMAN.has_element("previous_reminder", "dies ist eine mahnung")
    assert GERMAN.has_element("previous_reminder", "trotz unserer zahlungserinnerung")
    assert ENGLISH.has_element("previous_reminder", "despite our reminder")


def test_check_email_reads_the_requested_languages_style() -> None:
    de = check_email(GERMAN_REMINDER, BLOCK, "reminder_overdue_1", language="de")
    assert de.style_ok and de.language == "de" and de.language_ok
    assert de.missing_elements == [] and de.length_ok and de.disputed_dunned == []
    # the same draft checked as English: wrong subject, greeting, sign-off and language
    en = check_email(GERMAN_REMINDER, BLOCK, "reminder_overdue_1", language="en")
    assert not (en.subject or en.greeting or en.sign_off or en.language_ok)
    assert set(en.missing_elements) == {"overdue", "pay_request"}
    # a German body under the English subject prefix is not the German house style
    mixed = GERMAN_REMINDER.replace("Betreff:", "Subject:")
    assert not check_email(mixed, BLOCK, "reminder_overdue_1", language="de").subject
