"""The house style of AR e-mails, per language: the one owner of the subject prefix, the
greeting, the sign-off and the words that satisfy a required element. The writers of the
reference e-mails and `check_email` both read it, so what is written is what is checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from adapters.language import base_language

#: an element holds when every group has at least one of its keywords in the lowered draft
Keywords = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class HouseStyle:
    """One language's house phrases for e-mails."""

    language: str
    subject_prefix: str
    greeting_template: str  # the customer name as `{name}`
    greeting_re: re.Pattern[str]
    sign_off: tuple[str, str]
    elements: Mapping[str, Keywords] = field(hash=False)

    def greeting(self, name: str) -> str:
        return self.greeting_template.format(name=name)

    def sign_off_text(self) -> str:
        return "\n".join(self.sign_off)

    def subject_line(self, subject: str) -> str:
        return f"{self.subject_prefix} {subject}"

    def has_element(self, element: str, lower: str) -> bool:
        """The lowered draft has the element's words (a conjunction of keyword groups)."""
        return all(any(w in lower for w in group) for group in self.elements[element])


def _kw(**elements: Keywords) -> Mapping[str, Keywords]:
    return MappingProxyType(elements)


ENGLISH = HouseStyle(
    language="en",
    subject_prefix="Subject:",
    greeting_template="Dear {name} team,",
    greeting_re=re.compile(r"^Dear .+,$"),
    sign_off=("Kind regards,", "Accounts Receivable Team"),
    elements=_kw(
        overdue=(("overdue", "past due", "outstanding", "open"),),
        pay_request=(("pay", "settle", "remit"),),
        previous_reminder=(
            ("reminder",),
            ("previous", "earlier", "sent", "second", "already", "despite"),
        ),
        final=(("final",),),
        consequence=(
            ("collection", "legal", "credit hold", "further action", "on hold", "suspend"),
        ),
        acknowledge=(("acknowledge", "received", "receipt"),),
        review=(("review", "investigat", "look into", "examin"),),
        remittance=(("remittance",),),
        thanks=(("thank",),),
        hold=(("hold",),),
    ),
)
GERMAN = HouseStyle(
    language="de",
    subject_prefix="Betreff:",
    greeting_template="Sehr geehrtes Team von {name},",
    greeting_re=re.compile(r"^Sehr geehrte[rs]? .+,$"),
    sign_off=("Mit freundlichen Grüßen", "Ihr Team Debitorenbuchhaltung"),
    elements=_kw(
        overdue=(("überfällig", "offen", "ausstehend", "nicht beglichen", "in verzug"),),
        pay_request=(("zahlen", "zahlung", "überweis", "begleich", "ausgleich"),),
        previous_reminder=(
            ("erinner", "mahnung"),
            ("bereits", "vorherig", "letzte", "zweite", "erneut", "trotz", "schon"),
        ),
        final=(("letzte mahnung", "letztmalig", "letzte zahlungsaufforderung", "endgültig"),),
        consequence=(
            (
                "inkasso",
                "rechtliche schritte",
                "gerichtlich",
                "mahnverfahren",
                "liefersperre",
                "kontosperre",
                "weitere schritte",
                "sperren",
            ),
        ),
        acknowledge=(("erhalten", "eingang", "eingegangen", "bestätigen"),),
        review=(("prüf", "untersuch", "klär"),),
        remittance=(("zahlungsavis", "avis"),),
        thanks=(("dank",),),
        hold=(("sperre", "gesperrt", "sperrung"),),
    ),
)
STYLES: dict[str, HouseStyle] = {"en": ENGLISH, "de": GERMAN}
SUPPORTED_STYLES = tuple(STYLES)


def style_for(language: str) -> HouseStyle:
    """The style of the base language (`de-DE` is `de`); English for any other, as the
    server refuses an unsupported language before it drafts."""
    return STYLES.get(base_language(language), ENGLISH)


def split_email(draft: str, language: str = "en") -> tuple[str, str]:
    """(subject, body): the first line's subject when it starts with the language's prefix
    or `Subject:`, else no subject and the whole draft as the body."""
    text = draft.strip()
    first, _, rest = text.partition("\n")
    for prefix in dict.fromkeys((style_for(language).subject_prefix, ENGLISH.subject_prefix)):
        if first.startswith(prefix):
            return first[len(prefix) :].strip(), rest.strip()
    return "", text
