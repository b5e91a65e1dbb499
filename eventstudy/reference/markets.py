"""Stock markets: Yahoo suffix, trading calendar, currency and the names an article gives them.

One row per market the universe lists securities on. The columns are conventions of the data
sources, not choices of ours:

* ``suffix``: Yahoo Finance's symbol suffix (``MC.PA``; US listings have none);
* ``calendar``: the exchange_calendars code of the market's sessions (``XPAR``);
* ``currency``: the quote currency (London quotes in pence: ``GBp``);
* ``isin``: ISIN country prefixes whose home market this is (ISO 6166: the issuer's country);
* ``google``: Google Finance's exchange prefix in pytickersymbols' ``google`` codes (``EPA:BNP``);
* ``reuters``: the Refinitiv (Reuters) RIC suffixes of the market (``BNPP.PA``, ``NESN.S``, ``AAPL.O``);
* ``written``: how an article names the exchange before a ticker ("(Euronext Paris: MC)",
  "(EPA:BNPP)", "NASDAQ:AAPL"), compared case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Market:
    suffix: str
    exchange: str
    calendar: str
    currency: str
    isin: tuple[str, ...]
    google: tuple[str, ...]
    reuters: tuple[str, ...]
    written: tuple[str, ...]


MARKETS: tuple[Market, ...] = (
    Market("", "NYSE/Nasdaq", "XNYS", "USD", ("US",), ("NYSE", "NASDAQ", "NYSEAMERICAN", "NYSEARCA"),
           ("N", "O", "OQ", "A", "K"),
           ("NYSE", "NYSE American", "NYSE Arca", "NASDAQ", "Nasdaq", "NasdaqGS", "NasdaqGM", "Nasdaq GS", "AMEX")),
    Market("PA", "Euronext Paris", "XPAR", "EUR", ("FR",), ("EPA",), ("PA",),
           ("Euronext Paris", "EPA", "Paris", "ENXTPA", "Euronext")),
    Market("AS", "Euronext Amsterdam", "XAMS", "EUR", ("NL",), ("AMS",), ("AS",),
           ("Euronext Amsterdam", "AMS", "Amsterdam", "ENXTAM")),
    Market("BR", "Euronext Brussels", "XBRU", "EUR", ("BE",), ("EBR",), ("BR",),
           ("Euronext Brussels", "EBR", "Brussels", "Bruxelles", "ENXTBR")),
    Market("LS", "Euronext Lisbon", "XLIS", "EUR", ("PT",), ("ELI",), ("LS",), ("Euronext Lisbon", "ELI")),
    Market("IR", "Euronext Dublin", "XDUB", "EUR", ("IE",), ("ISE",), ("I",), ("Euronext Dublin", "ISE")),
    Market("DE", "Xetra", "XETR", "EUR", ("DE",), ("ETR",), ("DE",),
           ("Xetra", "ETR", "FWB", "Frankfurt", "XETRA")),
    Market("L", "London Stock Exchange", "XLON", "GBp", ("GB", "JE", "GG", "IM"), ("LON",), ("L",),
           ("LSE", "LON", "London", "London Stock Exchange")),
    Market("SW", "SIX Swiss Exchange", "XSWX", "CHF", ("CH",), ("SWX", "VTX"), ("S", "VX"),
           ("SIX", "SWX", "VTX", "SIX Swiss Exchange")),
    Market("MC", "Bolsa de Madrid", "XMAD", "EUR", ("ES",), ("BME",), ("MC",), ("BME", "Madrid", "BMAD")),
    Market("MI", "Borsa Italiana", "XMIL", "EUR", ("IT",), ("BIT",), ("MI",), ("BIT", "Milan", "Borsa Italiana", "MIL")),
    Market("HE", "Nasdaq Helsinki", "XHEL", "EUR", ("FI",), ("HEL",), ("HE",), ("HEL", "Helsinki")),
    Market("ST", "Nasdaq Stockholm", "XSTO", "SEK", ("SE",), ("STO",), ("ST",), ("STO", "Stockholm")),
    Market("CO", "Nasdaq Copenhagen", "XCSE", "DKK", ("DK",), ("CPH",), ("CO",), ("CPH", "Copenhagen")),
    Market("OL", "Oslo Børs", "XOSL", "NOK", ("NO",), ("OSL",), ("OL",), ("OSL", "Oslo")),
    Market("VI", "Wiener Börse", "XWBO", "EUR", ("AT",), ("VIE",), ("VI",), ("VIE", "Vienna")),
    Market("T", "Tokyo Stock Exchange", "XTKS", "JPY", ("JP",), ("TYO",), ("T",), ("TSE", "TYO", "Tokyo")),
    Market("HK", "Hong Kong Exchanges", "XHKG", "HKD", ("HK", "KY", "BM", "CN"), ("HKG",), ("HK",), ("HKEX", "HKG", "SEHK")),
    Market("KS", "Korea Exchange", "XKRX", "KRW", ("KR",), ("KRX",), ("KS",), ("KRX", "KOSPI")),
    Market("SS", "Shanghai Stock Exchange", "XSHG", "CNY", (), ("SHA",), ("SS",), ("SSE", "SHA", "Shanghai")),
    # Shenzhen keeps Shanghai's sessions (exchange_calendars has one calendar for both, XSHG)
    Market("SZ", "Shenzhen Stock Exchange", "XSHG", "CNY", (), ("SHE",), ("SZ",), ("SZSE", "SHE", "Shenzhen")),
    Market("TW", "Taiwan Stock Exchange", "XTAI", "TWD", ("TW",), ("TPE",), ("TW",), ("TWSE", "TPE")),
    Market("NS", "National Stock Exchange of India", "XBOM", "INR", ("IN",), ("NSE",), ("NS",), ("NSE",)),
    Market("BO", "BSE (Bombay Stock Exchange)", "XBOM", "INR", (), ("BOM",), ("BO",), ("BSE", "BOM")),
    Market("SA", "B3 (São Paulo)", "BVMF", "BRL", ("BR",), ("BVMF",), ("SA",), ("B3", "BOVESPA", "BVMF")),
    Market("TO", "Toronto Stock Exchange", "XTSE", "CAD", ("CA",), ("TSE",), ("TO",), ("TSX", "Toronto")),
    Market("AX", "ASX", "XASX", "AUD", ("AU",), ("ASX",), ("AX",), ("ASX",)),
)

BY_SUFFIX: dict[str, Market] = {m.suffix: m for m in MARKETS}
BY_GOOGLE: dict[str, Market] = {g: m for m in MARKETS for g in m.google}
BY_ISIN_COUNTRY: dict[str, Market] = {c: m for m in MARKETS for c in m.isin}
BY_REUTERS: dict[str, Market] = {r: m for m in MARKETS for r in m.reuters}
#: Exchange names as written in articles (lower case) -> markets (a name can stand for one only).
BY_WRITTEN: dict[str, Market] = {w.lower(): m for m in MARKETS for w in m.written}


def market_of(yahoo: str) -> Market | None:
    """The market of a Yahoo symbol ("MC.PA" -> Euronext Paris, "AAPL" -> US), None for an index,
    a crypto pair or an unknown suffix."""
    if yahoo.startswith("^") or re.search(r"-USD[T]?$", yahoo):
        return None
    if "." not in yahoo:
        return BY_SUFFIX[""]
    return BY_SUFFIX.get(yahoo.rsplit(".", 1)[1])


def split_symbol(yahoo: str) -> tuple[str, str]:
    """("MC", "PA") for "MC.PA"; ("BRK-B", "") for "BRK-B"."""
    if "." in yahoo:
        code, suffix = yahoo.rsplit(".", 1)
        if suffix in BY_SUFFIX:
            return code, suffix
    return yahoo, ""
