"""Market moves that make an event: a sell-off or a rally set off by news.

A sentence holds a market move when it has

* a sell-off word ("rout", "sell-off", "meltdown", "krach", "débâcle", "dégringolade"), or
* a verb of movement (the claims' vocabulary: "tumbled", "plunged", "soared", "a chuté", "s'envole",
  "dégringole") whose subject is the market or a security (a market word such as "stocks", "le
  titre", "Wall Street" or a listed security before it, or a percentage right after it), together
  with its cause: news introduced by "after", "following", "on news that", "amid", "après", "suite
  à", "dans la foulée de"... ("after DeepSeek said ...", "après l'annonce de DeepSeek").

A move with no news behind it ("Nvidia shares rose 3% on Monday", "Arm gained 1.5% after hours")
is a price claim, not an event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .claims import DIRECTION

#: Words that are a sell-off by themselves ("DeepSeek rout", "le krach").
SELL_OFF_WORDS = (r"rout|sell-?offs?|selloffs?|meltdown|bloodbath|(?:market|stock|stock-market) crash|krach|"
                  r"débâcle|déroute|dégringolade|vente massive|ventes massives")

_CAUSE = re.compile(
    r"(?<![\w'])(?:after|following|in the wake of|in reaction to|in response to|on (?:the )?(?:news|reports?|word|fears?) "
    r"(?:that|of)|amid|après|suite à|à la suite de|dans la foulée de|en réaction à|au lendemain de|sur fond de)(?![\w])",
    re.I)
_NEWS = re.compile(
    r"(?<![\w])(?:said|says|announc\w*|unveil\w*|releas\w*|launch\w*|report\w*|revealed|disclosed|published|"
    r"warned|news|statement|comments?|remarks|annon[cç]\w*|dévoil\w*|lanc\w*|publi\w*|résultats|results|earnings|"
    r"déclar\w*|indiqué|affirmé|communiqué|décision|decision|propos|présent\w*|introduc\w*|debut\w*|"
    r"revendiqu\w*|claimed|claims)(?![\w])", re.I)
_MARKET_WORDS = re.compile(
    r"(?<![\w])(?:stocks?|shares?|equities|index|indices|indexes|markets?|Wall Street|Nasdaq|Dow|S&P|valeurs|"
    r"actions?|titres?|Bourses?|marchés?|cours|tokens?|jetons?|cryptos?|bitcoin|futures|sector|secteur|"
    r"capitalisation|market value|market cap\w*|CAC|DAX|FTSE|Nikkei|Stoxx|Hang Seng|Kospi)(?![\w])", re.I)


@dataclass(frozen=True)
class MarketMove:
    """A sell-off or a rally in a sentence, and the news that set it off (when the text says)."""

    kind: str
    start: int
    end: int
    cause_start: int | None = None
    cause_end: int | None = None


def find_market_move(text: str, securities: tuple[tuple[int, int], ...] = ()) -> MarketMove | None:
    """The sell-off or rally of a sentence (see the module docstring), or None.

    ``securities``: spans (offsets into ``text``) of the listed securities the sentence names; a
    verb of movement counts after one of them or after a market word ("stocks", "le titre", "Wall
    Street"), or before a percentage. Offsets are into ``text``. The cause runs from its word
    ("after", "après") to the end of the sentence (or of its clause: ";", ", while"); a cause that
    opens the sentence ("Après l'annonce de Stargate, le cours ...") ends at the first comma.
    """
    cause = None
    for c in _CAUSE.finditer(text):
        fronted = not text[:c.start()].strip(" \"«'(")
        rest = text[c.end():]
        stop = re.search(r"," if fronted else r";|,\s+(?:while|whereas|but|tandis|alors|mais)\b", rest)
        span_end = c.end() + min(stop.start() if stop else len(rest), 160)
        if _NEWS.search(text, c.end(), span_end):
            cause = (c.start(), span_end)
            break
    # "the sell-off of its stake" is a divestiture, not a market move
    noun = re.search(rf"(?<![\w])(?:{SELL_OFF_WORDS})(?![\w])(?!\s+of\s+(?:its|their|his|her|a|an)\b)", text, re.I)
    if cause is not None:
        for m in DIRECTION.finditer(text):
            if cause[0] <= m.start() < cause[1]:
                continue  # "after DeepSeek said its costs fell": part of the news, not the move
            if (noun or _MARKET_WORDS.search(text, 0, m.start()) or any(e <= m.start() for _, e in securities)
                    or re.match(r"[^.;%]{0,40}?\d\s?%", text[m.end():])):
                return MarketMove("rally" if m.group("up") else "sell_off", m.start(), m.end(), *cause)
    if noun:
        return MarketMove("sell_off", noun.start(), noun.end(), *(cause or (None, None)))
    return None
