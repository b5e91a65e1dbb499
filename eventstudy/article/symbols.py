"""Symbols written in an article, read as evidence for a security.

Forms read (each resolved against the gazetteer's ids, synonym ids, tickers, listings and Reuters
codes; a symbol that resolves to nothing is left to :mod:`.entities`' unmapped names):

* an exchange and a ticker: "(NYSE: GE)", "(EPA:BNPP)", "(Euronext Paris: MC)", "NASDAQ:AAPL",
  "(LSE: BARC)", "(TSE: 9984)": the exchange picks the market (``eventstudy.reference.markets``),
  so "EPA: AIR" is Airbus in Paris, not AAR Corp in New York;
* a Yahoo or Reuters symbol: "MC.PA", "LVMH.PA", "AAPL.O", "NESN.S", "7203.T" (Reuters suffixes
  map to Yahoo's: ``.S`` -> ``.SW``, ``.O``/``.N`` -> US);
* a ticker alone in parentheses right after a name: "Barclays (BCS)", "General Electric (GE)": it
  counts only when the name just before it is the same security, or when the ticker names a
  single US listing and a capitalised name precedes it. Cashtags ("$AAPL") are matched with the
  names (:mod:`.name_index`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..reference.gazetteer import Entity, Gazetteer
from ..reference.markets import BY_REUTERS, BY_WRITTEN

_EXCHANGES = sorted({w for w in BY_WRITTEN if w not in ("paris", "london", "amsterdam", "brussels", "bruxelles",
                                                          "madrid", "milan", "helsinki", "stockholm", "copenhagen",
                                                          "oslo", "vienna", "tokyo", "toronto", "frankfurt",
                                                          "shanghai", "euronext")}
                    | {"euronext", "otc", "otcqx", "otcmkts", "otc markets"}, key=len, reverse=True)
#: "(NYSE: GE)", "EPA:BNPP", "Euronext Paris: MC" — the exchange and the ticker.
EXCHANGE_TICKER = re.compile(
    r"(?<![\w])(?P<ex>" + "|".join(re.escape(e) for e in _EXCHANGES) + r")\s*:\s*"
    r"(?-i:(?P<tk>[A-Z0-9][A-Z0-9]{0,7}(?:[.\-][A-Z]{1,2})?))(?![\w])", re.I)
#: "MC.PA", "LVMH.PA", "AAPL.O", "NESN.S": a code and a market suffix (Yahoo or Reuters).
_SUFFIXES = sorted({"PA", "AS", "BR", "LS", "IR", "DE", "L", "SW", "S", "VX", "MC", "MI", "HE", "ST", "CO", "OL",
                    "VI", "T", "HK", "KS", "SS", "TO", "AX", "O", "N", "OQ", "K"}, key=len, reverse=True)
SUFFIXED = re.compile(r"(?<![\w.$])(?P<code>[A-Z0-9]{1,6}(?:[-_][A-Za-z0-9]{1,2}|[a-z]{1,2})?)\.(?P<sfx>"
                      + "|".join(_SUFFIXES) + r")(?![\w.])")
PAREN_TICKER = re.compile(r"\((?P<tk>[A-Z]{2,5})\)")
#: "under the symbol SNAP", "with the ticker ABNB", "sous le symbole FDJ", "sous le code mnémonique ALO".
SYMBOL_PHRASE = re.compile(r"(?:under|with|using)\s+the\s+(?:ticker|stock|trading)?\s*(?:symbol|ticker)\s+[\"“']?"
                           r"(?P<tk>[A-Z][A-Z0-9.\-]{0,7})(?![\w])|sous\s+le\s+(?:symbole|code(?:\s+mnémonique)?|"
                           r"mnémonique|ticker)\s+[\"«“']?\s*(?P<tk2>[A-Z][A-Z0-9.\-]{0,7})(?![\w])")
#: Capitals in parentheses that are never a ticker on their own.
_NOT_TICKERS = frozenset("AI IA CEO CFO PDG DG US USA UK UE EU ETF ETFS IPO GDP PIB SEC FED BCE ECB IMF FMI OPEC "
                         "OPEP CPU GPU API NFT DAO DEX TVL APY ATH EPS PER BPA CA EBIT EBITDA FY RHS LHS YOY QOQ "
                         "AMF CNIL ONU UN OMS WHO EV VE R&D TV IT RH HR NYSE LSE TSE".split())


@dataclass(frozen=True)
class SymbolHit:
    start: int
    end: int
    entity: Entity | None
    candidates: tuple[str, ...]
    why: str
    exchange: str | None = None


def _unique(entities: list[Entity]) -> Entity | None:
    ids = {e.id for e in entities}
    if len(ids) == 1:
        return entities[0]
    listed = [e for e in entities if e.asset_class in ("equity", "etf")]
    return listed[0] if len({e.id for e in listed}) == 1 else None


def resolve_exchange_ticker(gazetteer: Gazetteer, exchange: str, ticker: str) -> tuple[Entity | None, list[Entity]]:
    """The security ``ticker`` names on ``exchange`` ("EPA", "BNPP" -> BNP Paribas), and the candidates."""
    ticker = ticker.upper()
    market = BY_WRITTEN.get(exchange.lower())
    found: list[Entity] = []
    if market is not None:
        yahoo = ticker if market.suffix == "" else f"{ticker}.{market.suffix}"
        found += gazetteer.by_symbol(yahoo)
        for ric in market.reuters:  # "EPA:BNPP" is the RIC root of BNP.PA
            found += gazetteer.by_symbol(f"{ticker}.{ric}")
        if not found:
            found += [e for e in gazetteer.by_symbol(ticker) if e.calendar == market.calendar]
        on_market = [e for e in found if e.calendar == market.calendar]
        if on_market:  # "NYSE: ARC" is the New York line, not a London company whose ticker is also ARC
            found = on_market
    else:  # OTC: a US line
        found += [e for e in gazetteer.by_symbol(ticker) if e.calendar == "XNYS"]
    return _unique(found), found


def resolve_suffixed(gazetteer: Gazetteer, code: str, suffix: str) -> tuple[Entity | None, list[Entity]]:
    """"MC.PA", "LVMH.PA" (a RIC), "AAPL.O", "NESN.S" -> the security."""
    found = gazetteer.by_symbol(f"{code}.{suffix}")
    if not found and suffix in BY_REUTERS:
        market = BY_REUTERS[suffix]
        found = gazetteer.by_symbol(code if market.suffix == "" else f"{code}.{market.suffix}")
    return _unique(found), found


def _abbreviation_of(tk: str, prefix: str) -> bool:
    """True when ``tk`` is the initials of the capitalised words written just before it
    ("Associated Press (AP)", "Banque centrale européenne (BCE)", "Bank of England (BoE)")."""
    words = re.findall(r"[A-Za-zÀ-ÿ][\w'’-]*", prefix)[-len(tk) - 3:]
    initials = "".join(w[0] for w in words if w[0].isupper())
    return len(tk) >= 2 and initials.endswith(tk.upper())


def find_symbols(norm: str, gazetteer: Gazetteer, named_before) -> list[SymbolHit]:
    """Symbols in ``norm`` that resolve to a known security (or to several: ``entity`` None).

    ``named_before(offset)`` gives the entity named by the mention ending just before ``offset``
    (within a few characters), or None: a ticker in parentheses must agree with it.
    """
    hits: list[SymbolHit] = []
    for m in EXCHANGE_TICKER.finditer(norm):
        entity, found = resolve_exchange_ticker(gazetteer, m.group("ex"), m.group("tk"))
        if found:
            hits.append(SymbolHit(m.start("tk"), m.end("tk"), entity, tuple(dict.fromkeys(e.id for e in found)),
                                  f"listed as {m.group(0).strip()}", exchange=m.group("ex")))
    for m in SUFFIXED.finditer(norm):
        entity, found = resolve_suffixed(gazetteer, m.group("code"), m.group("sfx"))
        if found:
            hits.append(SymbolHit(m.start(), m.end(), entity, tuple(dict.fromkeys(e.id for e in found)),
                                  f"symbol {m.group(0)}"))
    for m in SYMBOL_PHRASE.finditer(norm):
        group = "tk" if m.group("tk") else "tk2"
        tk = m.group(group)
        found = [e for e in gazetteer.by_symbol(tk) if e.ticker == tk or f"${tk}" in e.cashtags or e.id == tk]
        entity = _unique(found)
        if entity is not None:
            hits.append(SymbolHit(m.start(group), m.end(group), entity, (entity.id,), f"its symbol ({tk}) is named"))
    for m in PAREN_TICKER.finditer(norm):
        tk = m.group("tk")
        if tk in _NOT_TICKERS:
            continue
        before = named_before(m.start())
        found = [e for e in gazetteer.by_symbol(tk) if f"${tk}" in e.cashtags or e.ticker == tk or tk in e.listings]
        if before is not None:
            if any(e.id == before.id for e in found):
                hits.append(SymbolHit(m.start("tk"), m.end("tk"), before, (before.id,),
                                      f"its ticker ({tk}) follows the name"))
            continue
        us = [e for e in found if f"${tk}" in e.cashtags]
        prefix = norm[max(0, m.start() - 60):m.start()]
        if _abbreviation_of(tk, prefix):
            continue  # "Associated Press (AP)", "European Central Bank (ECB)": an abbreviation defined
        if re.search(r"(?<![\w])[A-Z]{2,}(?:\s+[A-Z]{2,})*\s*$", prefix):
            continue  # a dateline ("NEW YORK (AP)"), not a company's name and ticker
        us = [e for e in us if not e.source.endswith("equities_wide")]  # a small company: only after its name
        if len({e.id for e in us}) == 1 and re.search(r"[A-Z][\w&.'-]+\s*$", prefix):
            hits.append(SymbolHit(m.start("tk"), m.end("tk"), us[0], (us[0].id,), f"ticker ({tk}) after a name"))
    hits.sort(key=lambda h: h.start)
    out: list[SymbolHit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out
