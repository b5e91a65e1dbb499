"""Money amounts of an article as :class:`.model.Amount` objects, normalised to US dollars.

``usd`` is set for amounts in dollars ("$", "US$", "dollars", "USD"); other currencies keep their
``value`` and ``currency`` with ``usd=None`` (no exchange rate is applied offline). A scaled number
with no currency ("à 200 milliards ?") takes the currency of the previous amount in the same
paragraph (``currency_inferred=True``); without one it is left out.
"""

from __future__ import annotations

from .model import Amount
from .numbers import find_money
from .text import Segmented


def find_amounts(seg: Segmented, language: str) -> list[tuple[int, Amount]]:
    """Amounts with the index of their sentence, in text order."""
    out: list[tuple[int, Amount]] = []
    last_currency: dict[int, str] = {}
    for money in find_money(seg.norm, language):
        sentence = seg.sentence_at(money.start)
        if sentence is None:
            continue
        currency, inferred = money.currency, False
        if currency is None:
            currency = last_currency.get(sentence.paragraph)
            inferred = True
            if currency is None:
                continue
        else:
            last_currency[sentence.paragraph] = currency
        out.append((sentence.index, Amount(
            usd=money.value if currency == "USD" else None,
            text=seg.original[money.start:money.end].strip(),
            sentence=seg.original_of(sentence),
            value=money.value,
            currency=currency,
            approximate=money.approximate,
            qualifier=money.qualifier,
            currency_inferred=inferred,
        )))
    return out
