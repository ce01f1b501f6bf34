"""Name and street lexicons for the PII scrubber, read from Faker's locale providers."""

from __future__ import annotations

import importlib
from functools import lru_cache

LOCALES = [
    "en_US",
    "en_GB",
    "en_IE",
    "en_CA",
    "en_AU",
    "de_DE",
    "de_AT",
    "de_CH",
    "fr_FR",
    "nl_NL",
    "it_IT",
    "es_ES",
    "pt_PT",
    "pl_PL",
    "sv_SE",
    "da_DK",
    "fi_FI",
    "no_NO",
    "cs_CZ",
    "hu_HU",
    "ro_RO",
    "tr_TR",
    "pt_BR",
    "es_MX",
]
GLUED = [
    "straße",
    "strasse",
    "str",
    "weg",
    "gasse",
    "platz",
    "allee",
    "ring",
    "damm",
    "ufer",
    "straat",
    "laan",
    "gracht",
    "plein",
    "kade",
    "singel",
    "gatan",
    "vägen",
    "stigen",
    "gränd",
    "backe",
    "vej",
    "gade",
    "tie",
    "katu",
    "polku",
    "veien",
    "gata",
    "torget",
    "pad",
    "dreef",
    "hof",
    "baan",
    "steeg",
    "boulevard",
    "markt",
    "plantsoen",
]
EXTRA_SUFFIXES = [
    "Street",
    "St",
    "Road",
    "Rd",
    "Avenue",
    "Ave",
    "Lane",
    "Ln",
    "Drive",
    "Dr",
    "Boulevard",
    "Blvd",
    "Way",
    "Court",
    "Ct",
    "Place",
    "Pl",
    "Square",
    "Sq",
    "Terrace",
    "Crescent",
    "Close",
    "Parkway",
    "Pkwy",
    "Highway",
    "Hwy",
]
EXTRA_PREFIXES = [
    "rue",
    "avenue",
    "boulevard",
    "chemin",
    "place",
    "allée",
    "impasse",
    "quai",
    "Rue",
    "Avenue",
    "Via",
    "via",
    "Viale",
    "Piazza",
    "Corso",
    "Calle",
    "Avenida",
    "Paseo",
    "Plaza",
    "Camino",
    "Rua",
    "ulica",
    "ul.",
    "aleja",
    "al.",
    "plac",
    "pl.",
    "Piazza",
    "Strada",
    "Borgo",
    "Vicolo",
    "Canale",
    "Contrada",
    "Rotonda",
]


def _names(attr: str) -> set[str]:
    out: set[str] = set()
    for loc in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ModuleNotFoundError:
            continue
        for name in getattr(provider, attr, ()):
            out.update(part for part in name.replace("-", " ").split() if len(part) > 1)
    return out


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    return frozenset(
        _names("first_names") | _names("first_names_male") | _names("first_names_female")
    )


@lru_cache(maxsize=1)
def last_names() -> frozenset[str]:
    return frozenset(_names("last_names"))


@lru_cache(maxsize=1)
def street_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    suffixes, prefixes, glued = set(EXTRA_SUFFIXES), set(EXTRA_PREFIXES), set(GLUED)
    for loc in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.address.{loc}").Provider
        except ModuleNotFoundError:
            continue
        for word in getattr(provider, "street_suffixes", ()):
            if word[:1].islower():
                glued.add(word)
            elif loc.startswith("en_"):
                suffixes.add(word)
            elif len(word) > 2:
                prefixes.add(word)
        if not loc.startswith("sv_"):
            prefixes.update(p for p in getattr(provider, "street_prefixes", ()) if len(p) > 2)
    return frozenset(suffixes), frozenset(prefixes), frozenset(glued)
