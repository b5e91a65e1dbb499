"""Money amounts of an article as :class:`.model.Amount` objects, normalised to US dollars.

``usd`` is set for amounts in dollars ("$", "US$", "dollars", "USD"); other currencies keep their
``value`` and ``currency`` with ``usd=None`` (no exchange rate is applied offline). A scaled number
with no currency ("à 200 milliards ?") takes the currency of the previous amount in the same
paragraph (``currency_inferred=True``); without one it is left out.

A price level is not an amount: a figure a price moves past or trades at ("Bitcoin briefly fell
below $98,000", "traded at $3,200", "est passé sous la barre des 98 000 dollars", "the $100,000
mark", "un bitcoin vaut 6 719 dollars", "se traite à 121 400 dollars") says where a price stood,
not how much money the event involves, so it is left out and the extraction's notes say so. "Rose to $5 billion" is kept (revenue or a valuation reaching a figure is
an amount).
"""

from __future__ import annotations

import re

from .model import Amount
from .numbers import find_money
from .text import Segmented

_LEVEL_BEFORE = re.compile(
    r"(?:(?<![\w])(?:fell|falls?|falling|dropped|drops?|dropping|slipped|slips?|slid|slides?|sank|sinks?|dipped|dips?|"
    r"plunged|plunges?|tumbled|tumbles?|crashed|rose|rises?|rising|climbed|climbs?|jumped|jumps?|surged|surges?|"
    r"soared|soars?|rallied|rall(?:y|ies)|moved|broke|breaks?|pushed|pulled|retreated|recovered|rebounded|"
    r"hovered|hovers?|hovering|traded|trades?|trading|closed|ended|"
    r"opened|settled|changed hands)"
    r"(?:\s+\w+ly)?\s+(?:back\s+)?(?:below|above|under|beneath|past|beyond|through|near|around)"
    r"|(?<![\w])(?:traded|trades?|trading|changed hands|closed|ended|opened|settled|hovered|hovering|priced|sold)"
    r"(?:\s+\w+ly)?\s+at"
    r"|(?<![\w])(?:passée?s?|repassée?s?|tombée?s?|descendue?s?|chutée?|glissée?|remontée?s?|restée?|évolue|évoluait|"
    r"s'échange|s'échangeait|cote|cotait|oscille|oscillait|se maintient|se maintenait)"
    r"(?:\s+\w+ment)?\s+(?:sous|au-dessus|au-dessous|en dessous|en deçà|au-delà|autour|près)"
    r"|(?<![\w])(?:franchi|dépassé|enfoncé|crevé|cassé|broken|crossed|topped|breached)(?:\s+\w+ment)?"
    r"|(?<![\w'])(?:vaut|valait|valent|valaient|se traite|se traitait|s'échange|s'échangeait|cote|cotait|culminant|"
    r"culminé|trading|trades at|traded at)"
    r"(?:\s+\w+ment)?(?:\s+(?:à|a|at|autour de|aux alentours de|près de|environ|around|about|some))?)"
    r"(?:\s+(?:de|des|du|d'|the|la|le|les))?(?:\s+(?:barre|seuil|niveau|cap|mark|level|threshold))?"
    r"(?:\s+(?:de|des|du|d'|of))?\s*$",
    re.I)
_LEVEL_AFTER = re.compile(r"\s*(?:mark|level|threshold|barrier|handle|price level|line)(?![\w])", re.I)


def price_level(norm: str, start: int, end: int, lo: int) -> str | None:
    """The words that make the money figure at ``norm[start:end]`` a price level, or None."""
    before = _LEVEL_BEFORE.search(norm, max(lo, start - 60), start)
    if before:
        return before.group(0).strip()
    after = _LEVEL_AFTER.match(norm, end)
    if after and re.search(r"(?<![\w])the\s*$", norm[max(lo, start - 6):start], re.I):
        return f"the ... {after.group(0).strip()}"
    return None


def find_amounts(seg: Segmented, language: str) -> tuple[list[tuple[int, Amount]], list[str]]:
    """Amounts with the index of their sentence, in text order, and notes on figures left out."""
    out: list[tuple[int, Amount]] = []
    notes: list[str] = []
    last_currency: dict[int, str] = {}
    for money in find_money(seg.norm, language):
        sentence = seg.sentence_at(money.start)
        if sentence is None:
            continue
        level = price_level(seg.norm, money.start, money.end, sentence.start)
        if level is not None:
            notes.append(f"sentence {sentence.index + 1}: {money.text!r} is a price level ({level!r}), not an amount "
                         "of the event: left out of the amounts")
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
    return out, notes
