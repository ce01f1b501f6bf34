"""The checkable values a context block states: what a draft may repeat."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Statement:
    """Identifiers, amounts, currencies, dates and names stated by fact lines."""

    ids: frozenset[str] = field(default_factory=frozenset)
    amounts: frozenset[Decimal] = field(default_factory=frozenset)
    currencies: frozenset[str] = field(default_factory=frozenset)
    dates: frozenset[date] = field(default_factory=frozenset)
    names: frozenset[str] = field(default_factory=frozenset)  # companies and people
    customer_names: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        ids: Iterable[str] = (),
        amounts: Iterable[Decimal] = (),
        currencies: Iterable[str] = (),
        dates: Iterable[date] = (),
        names: Iterable[str] = (),
        customer_names: Iterable[str] = (),
    ) -> Statement:
        return cls(
            frozenset(ids),
            frozenset(Decimal(a).quantize(Decimal("0.01")) for a in amounts),
            frozenset(currencies),
            frozenset(dates),
            frozenset(names),
            frozenset(customer_names),
        )

    def __or__(self, other: Statement) -> Statement:
        return Statement(
            self.ids | other.ids,
            self.amounts | other.amounts,
            self.currencies | other.currencies,
            self.dates | other.dates,
            self.names | other.names,
            self.customer_names | other.customer_names,
        )
