"""Numbers, percentages and money amounts as French and English articles write them.

French: decimal comma and spaced thousands ("10,47 %", "+104,82 %", "100 000", "500 milliards de
dollars", "1,5 Md$"); English: decimal point and comma thousands ("7.18%", "1,000", "$100-billion",
"$500bn", "US$5 million"). Every function works on the normalised text (see :mod:`.text`), where
no-break and thin spaces are plain spaces and the minus sign is ``-``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A number: spaced thousands, comma thousands, dotted thousands (two groups or more), or plain.
NUM = r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d+(?:[.,]\d+)?"

_RANGE = r"(?:\s?(?:-|–|—|à|to|(?<=\d)\s(?:and|et)(?=\s\d))\s?(?P<num2>{num}))?"

PERCENT = re.compile(
    rf"(?P<sign>[+\-–](?=\s?\d))?\s?(?<![\w.,])(?P<num>{NUM})(?![\d])"
    + _RANGE.format(num=NUM)
    + r"\s?(?P<unit>%|pour\s?cents?\b|per\s?cent\b|percent\b|pct\b|pc\b)"
)

#: Words and phrases before a number that make it approximate (compared on lower-case text).
APPROX_BEFORE = re.compile(
    r"(?:\b(?:d'environ|environ|près de|presque|quelque|approximativement|à peu près|plus de|moins de|"
    r"jusqu'à|au moins|about|around|nearly|almost|roughly|approximately|some|close to|more than|over|under|"
    r"less than|up to|at least)|~|≈)\s*$"
)

_SCALE_WORDS_FR = {
    "mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
    "billion": 1e12, "billions": 1e12, "md": 1e9, "mds": 1e9, "mrd": 1e9, "mrds": 1e9,
}
_SCALE_WORDS_EN = {
    "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
    "trillion": 1e12, "trillions": 1e12, "bn": 1e9, "bln": 1e9, "mn": 1e6, "mln": 1e6, "tn": 1e12,
    "trn": 1e12, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12,
}
_SCALE = (r"(?P<scale>trillions?|billions?|millions?|milliards?|thousand|mille|bn|bln|mn|mln|tn|trn|"
          r"Mds?|Mrds?|[kKMBT](?![\w]))")
_CURRENCY_WORDS = {
    "usd": "USD", "us$": "USD", "$us": "USD", "$": "USD", "dollar": "USD", "dollars": "USD",
    "eur": "EUR", "€": "EUR", "euro": "EUR", "euros": "EUR",
    "gbp": "GBP", "£": "GBP", "livre": "GBP", "livres": "GBP", "pound": "GBP", "pounds": "GBP",
    "jpy": "JPY", "¥": "JPY", "yen": "JPY", "yens": "JPY",
    "cny": "CNY", "yuan": "CNY", "yuans": "CNY", "chf": "CHF", "francs": "CHF",
}
_CUR_PREFIX = r"(?P<cur>US\$|\$US|\$|€|£|¥|USD|EUR|GBP|JPY|CHF|CNY)"
_CUR_SUFFIX = (r"(?P<cur>dollars?(?:\s+(?:américains|US|des États-Unis))?|US\s+dollars?|euros?|"
               r"livres(?:\s+sterling)?|pounds?(?:\s+sterling)?|yens?|yuans?|francs\s+suisses|"
               r"USD|EUR|GBP|JPY|CNY|CHF|\$|€|£|¥)")

_MONEY_PREFIX = re.compile(
    rf"(?<![\w$]){_CUR_PREFIX}\s?(?<![\w.,])(?P<num>{NUM})(?![\d])" + _RANGE.format(num=NUM)
    + rf"(?:[\s-]?{_SCALE})?(?![\w])", re.I,
)
_MONEY_SUFFIX = re.compile(
    rf"(?<![\w.,$])(?P<num>{NUM})(?![\d])" + _RANGE.format(num=NUM)
    + rf"\s?(?:{_SCALE}\s?)?(?:de\s+|d')?{_CUR_SUFFIX}(?![\w])", re.I,
)
_MONEY_BARE = re.compile(
    rf"(?<![\w.,$])(?P<num>{NUM})(?![\d])" + _RANGE.format(num=NUM)
    + r"\s?(?P<scale>milliards?|billions?|trillions?|millions?|bn|Mds?)"
    + r"(?=\s*(?:[.,;:!?)»\"]|$|(?:en|in|pour|for|dans|into|à|au|aux|sur|over)\b))", re.I,
)


def parse_number(text: str, language: str = "en") -> float:
    """A number as written in ``language``: "10,47" (fr) = 10.47, "1,000" (en) = 1000, "100 000" = 100000.

    A lone comma is a decimal comma except in English when it groups thousands ("1,250"); when both
    a comma and a point occur, the last one is the decimal separator. In French a lone point before
    exactly three digits groups thousands ("3.000 milliards", "17.603 dollars"); before one, two or
    four digits and more it is a decimal point, as crypto sites write ("21.34 %").
    """
    s = text.replace(" ", "")
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if dec == "," else ",", "").replace(dec, ".")
    elif "," in s:
        if s.count(",") > 1 or (language == "en" and re.fullmatch(r"\d{1,3}(?:,\d{3})+", s)):
            s = s.replace(",", "")
        else:
            s = s.replace(",", ".")
    elif s.count(".") > 1 or (language == "fr" and re.fullmatch(r"\d{1,3}\.\d{3}", s)):
        s = s.replace(".", "")  # "3.000 milliards", "17.603 dollars": French thousands written with a point
    return float(s)


@dataclass(frozen=True)
class PercentMatch:
    """A percentage in the text: signed value (None sign = not written), span and range."""

    value: float
    signed: bool
    start: int
    end: int
    text: str
    is_range: bool = False
    approximate: bool = False


def _number_or_range(m: re.Match, language: str) -> float | None:
    """The number of a match, or the midpoint of its range ("7 à 8"); None when unreadable."""
    try:
        value = parse_number(m.group("num"), language)
        if m.group("num2"):
            value = (value + parse_number(m.group("num2"), language)) / 2
    except ValueError:
        return None
    return value


_BETWEEN = re.compile(r"(?<![\w])(?:between|entre)\s*$", re.I)


def find_percents(text: str, language: str = "en", start: int = 0, end: int | None = None) -> list[PercentMatch]:
    """Every percentage in ``text[start:end]``; a range ("7 à 8 %", "between 11 and 15 percent") gives its
    midpoint, flagged approximate."""
    end = len(text) if end is None else end
    out: list[PercentMatch] = []
    for m in PERCENT.finditer(text, start, end):
        if m.group("num2") and re.search(r"\s(?:and|et)\s", m.group(0)) and \
                not _BETWEEN.search(text[max(start, m.start() - 12):m.start()]):
            # "3 and 2 percent" is no range ("between 11 and 15 percent" is): the second figure alone
            m = PERCENT.search(text, m.start("num2"), end)
            if m is None:
                continue
        value = _number_or_range(m, language)
        if value is None:
            continue
        sign = m.group("sign")
        if sign and sign != "+":
            value = -value
        before = text[max(start, m.start() - 25):m.start()].lower()
        approx = bool(APPROX_BEFORE.search(before)) or bool(m.group("num2"))
        out.append(PercentMatch(value, sign is not None, m.start(), m.end(), m.group(0).strip(),
                                bool(m.group("num2")), approx))
    return out


@dataclass(frozen=True)
class MoneyMatch:
    """A money amount in the text: value in units of ``currency`` (None currency = not written)."""

    value: float
    currency: str | None
    start: int
    end: int
    text: str
    approximate: bool
    qualifier: str | None


def _scale(word: str | None, language: str, french_billion: bool) -> float:
    if not word:
        return 1.0
    low = word.lower()
    if word in ("M", "B", "T", "k", "K"):
        return _SCALE_WORDS_EN[low]
    if low in ("billion", "billions"):
        return 1e12 if language == "fr" and french_billion else 1e9  # "un billion de dollars" is 10^12
    return _SCALE_WORDS_FR.get(low) or _SCALE_WORDS_EN.get(low) or 1.0


def _currency(word: str) -> str | None:
    low = " ".join(word.lower().split())
    if low in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[low]
    head = low.split()[0] if low.split() else low
    if head == "us":
        return "USD"
    return _CURRENCY_WORDS.get(head)


def find_money(text: str, language: str = "en", start: int = 0, end: int | None = None) -> list[MoneyMatch]:
    """Money amounts in ``text[start:end]``, with or without a written currency (bare "200 milliards").

    Scales: million 10^6, milliard/billion/bn/Md 10^9, trillion 10^12; in French text "billion(s) de"
    is 10^12 (the long scale). Amounts with a written currency win over bare ones at the same place. A range gives its midpoint,
    flagged approximate.
    """
    end = len(text) if end is None else end
    found: list[MoneyMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_MONEY_PREFIX, _MONEY_SUFFIX, _MONEY_BARE):
        for m in pattern.finditer(text, start, end):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            value = _number_or_range(m, language)
            if value is None:
                continue
            scale_word = m.group("scale")
            cur_word = m.groupdict().get("cur")
            french_billion = pattern is not _MONEY_PREFIX and bool(re.search(r"billions?\s+(?:de\s|d')", m.group(0)))
            value *= _scale(scale_word, language, french_billion)
            before = text[max(start, m.start() - 25):m.start()].lower()
            q = APPROX_BEFORE.search(before)
            qualifier = q.group(0).strip() if q else None
            found.append(MoneyMatch(value, _currency(cur_word) if cur_word else None, m.start(), m.end(),
                                    m.group(0).strip(), bool(q) or bool(m.group("num2")),
                                    qualifier or ("range" if m.group("num2") else None)))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda x: x.start)
    return found
