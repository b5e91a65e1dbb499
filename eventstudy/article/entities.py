"""Find the companies, tokens, funds, indices and projects an article names, through the gazetteer.

Matching
    Every alias, the ticker (when it has a letter) and the cashtags of each gazetteer entry are
    matched as whole words. Short names (4 characters or fewer), tickers, cashtags and the entry's
    ``common_words`` must match with the exact case; longer names match in any case.

Ambiguity (recorded in ``Mention.resolution``)
    A name shared by several entries ("ARC": the AI Rig Complex token or ARC Document Solutions on
    the NYSE) goes to the entry with the most evidence around it; a name that is also an ordinary
    word ("Arm", "Oracle", "Virtual") is kept only with enough evidence. Evidence, counted in the
    sentence and its neighbours within the paragraph: a cashtag or "NYSE: ..." prefix (decisive),
    the entry's ``context`` words, words typical of its asset class ("token", "24 heures" for
    crypto; "shares", "NYSE", "séance" for equities), other entities of the same kind named in the
    same sentence, a percentage or a firm's verb right after the name ("Oracle a annoncé", "Arm
    shares"), a capital letter away from the start of
    the sentence and, for a mention still in doubt, the same entity read with confidence elsewhere in
    the article. An ordinary-word name needs 2 points; a tie between entries leaves the name
    unmapped, with its candidates.

Universe and symbols
    The gazetteer holds the securities universe (:mod:`eventstudy.reference.universe`); names are
    found by token n-grams over one names table (:mod:`.name_index`). Symbols written in the text are
    read first and are decisive (:mod:`.symbols`): "(NYSE: GE)", "(EPA:BNPP)", "MC.PA", "LVMH.PA",
    "Barclays (BCS)". A legal form after a name ("Peugeot SA", "Alphabet Inc.") is part of the
    mention. The article's market counts as evidence for a name in doubt: the market most named
    ("Bourse de Paris", "CAC 40", "Wall Street", "FTSE") and of the securities read with confidence,
    with one vote for Paris in a French article; a candidate listed on it gets a point ("Orange",
    "Total" in a French article about the Paris market). A price verb after the name ("Orange
    recule", "Apple rose") is a point; a definite article before an ordinary-word name of a company
    ("the Nasdaq fell") caps its points below the threshold, unless a firm's verb follows.

Fuzzy fallback (rapidfuzz)
    Only for a capitalised name followed by a legal form or company word that matched no name
    exactly ("Deutsche Telekon AG"): it is compared with the universe's names (accents folded,
    legal forms removed) and mapped when the best ratio is at least 90 (``FUZZY_MIN_SCORE``), the
    name has at least 6 characters, the matched name is not an ordinary word, and no other security
    scores within 4 points; otherwise it stays unmapped (:mod:`.fuzzy`). It never
    runs on a bare word, so an ordinary word cannot be pulled to a company.

Unmapped names
    Cashtags and "(NYSE: XYZ)" tickers the gazetteer does not know, all-caps names next to
    "tokens"/"jetons", names ending in a company word ("Dune Analytics", "Fox News", "Acme Inc.")
    and data sources ("selon McKinsey", "données de SoSoValue") are reported with ``unmapped=True``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..reference.gazetteer import Entity, Gazetteer
from ..reference.markets import BY_WRITTEN
from ..reference.names import LEGAL_SUFFIX_AFTER, name_key
from .name_index import Form, find_names, name_index
from .symbols import EXCHANGE_TICKER, find_symbols
from .text import Segmented, Sentence

from .fuzzy import fuzzy_security

#: The layer of the wider equity universe (small companies; see eventstudy.reference.build.build_wide).
WIDE_LAYER = "universe:equities_wide"
#: Words typical of each asset class near a mention (lower case, whole words).
CLASS_CONTEXT: dict[str, tuple[str, ...]] = {
    "crypto": ("token", "tokens", "jeton", "jetons", "crypto", "cryptos", "cryptomonnaie", "cryptomonnaies",
               "cryptocurrency", "cryptocurrencies", "coin", "coins", "memecoin", "memecoins", "meme coin",
               "meme tokens", "blockchain", "defi", "dex", "on-chain", "solana", "ethereum", "binance", "bybit",
               "coinbase", "sosovalue", "coingecko", "coinmarketcap", "stablecoin", "altcoin", "altcoins",
               "protocole", "protocol", "agents d'ia", "ai agent", "ai agents", "ai-agent", "24 heures", "24h",
               "24 hours", "airdrop", "wallet", "dune analytics"),
    "equity": ("action", "actions", "actionnaire", "actionnaires", "share", "shares", "stock", "stocks", "nyse",
               "nasdaq", "wall street", "bourse", "séance", "premarket", "pre-market", "after-hours", "earnings",
               "dividende", "dividend", "s&p 500", "titre", "résultats trimestriels", "quarterly", "inc", "corp",
               "listed", "cotée", "coté", "analysts", "analystes", "investors", "investisseurs", "guidance",
               "chiffre d'affaires", "revenue", "bénéfice", "profit", "résultats", "results", "groupe", "company",
               "société", "firm", "entreprise", "capitalisation", "market value", "valorisation boursière"),
    "institution": ("taux", "rates", "rate", "monetary", "monétaire", "inflation", "policy", "politique monétaire",
                    "central bank", "banque centrale", "regulator", "régulateur", "gendarme", "governor", "gouverneur",
                    "ministry", "ministère", "minister", "ministre", "authority", "autorité", "supervisor",
                    "investigation", "enquête", "approval", "approbation", "listed", "cotée", "coté", "cotées"),
    "private": ("startup", "start-up", "valorisation", "valuation", "levée de fonds", "funding round", "fonds",
                "fund", "investment fund", "private", "privée", "non cotée"),
}
#: Words naming a market (lower case): the article's market, for names in doubt.
MARKET_WORDS: dict[str, tuple[str, ...]] = {
    "XPAR": ("bourse de paris", "place de paris", "place parisienne", "cac 40", "cac40", "sbf 120", "euronext paris",
             "paris bourse", "paris-listed"),
    "XNYS": ("wall street", "nyse", "nasdaq", "s&p 500", "dow jones", "new york stock exchange"),
    "XLON": ("london stock exchange", "bourse de londres", "ftse 100", "ftse", "london-listed", "city de londres"),
    "XETR": ("bourse de francfort", "frankfurt stock exchange", "dax", "xetra", "frankfurt-listed"),
    "XTKS": ("tokyo stock exchange", "bourse de tokyo", "nikkei", "topix"),
    "XSWX": ("six swiss exchange", "bourse suisse", "swiss market index", "smi", "zurich"),
    "XAMS": ("euronext amsterdam", "bourse d'amsterdam", "aex"),
    "XMAD": ("bourse de madrid", "ibex"),
    "XMIL": ("bourse de milan", "piazza affari", "ftse mib"),
    "XHKG": ("hong kong stock exchange", "bourse de hong kong", "hang seng"),
}
#: A French article counts one vote for Paris.
LANGUAGE_MARKET = {"fr": "XPAR"}
_MARKET_OF_WORD = {w: cal for cal, words in MARKET_WORDS.items() for w in words}
_MARKET_RX = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in sorted(_MARKET_OF_WORD, key=len, reverse=True))
                        + r")(?![\w])")
#: A move verb right after a name ("Orange recule", "Apple rose", "Airbus a bondi").
_MOVE_AFTER = re.compile(
    r"(?:'s)?\s+(?:shares\s+|stock\s+)?(?:a\s+|ont\s+|has\s+|have\s+)?(?:rose|fell|jumped|gained|climbed|dropped|slid|sank|"
    r"rises|falls|jumps|gains|climbs|drops|slides|sinks|tumbles|soars|surges|plunges|slumps|rallies|dips|"
    r"tumbled|soared|surged|plunged|plummeted|rallied|slumped|advanced|declined|lost|added|edged|slipped|rebounded|"
    r"recul\w*|progress\w*|grimp\w*|c[èé]d\w*|gagn\w*|perd\w*|s'envol\w*|plong\w*|chut\w*|bondi\w*|bondit|avan[cç]\w*|"
    r"baiss\w*|mont\w*|dévissé?\w*|flamb\w*|s'effondr\w*|décroch\w*|s'adjug\w*|lâch\w*|abandonn\w*|rebond\w*|"
    r"termin\w*|clôtur\w*|ouvr\w*|s'affich\w*|pris)(?![\w])", re.I)
_DEFINITE_BEFORE = re.compile(r"(?<![\w])(?:the|le|la|les)\s+$", re.I)
_CLASS_GROUP = {"equity": "equity", "etf": "equity", "index": "equity", "crypto": "crypto",
                "private": "private", "project": "project", "institution": "institution"}

#: "(NYSE: ARC)", "(EPA:BNPP)", "Euronext Paris: MC" (see :mod:`.symbols`).
_EXCHANGE_PREFIX = EXCHANGE_TICKER
_CASHTAG = re.compile(r"(?<![\w$])\$(?P<tk>[A-Za-z][A-Za-z0-9]{0,9})(?![\w])")
_TOKEN_LIST = re.compile(
    r"(?<![\w])(?:tokens?|jetons?|memecoins?|meme ?coins?|coins?|cryptos?)\s+"
    r"(?P<names>[A-Z][A-Z0-9]{1,9}(?:\s*(?:,|et|and|&)\s*[A-Z][A-Z0-9]{1,9})*)(?![\w])"
)
_TOKEN_BEFORE = re.compile(r"(?<![\w$])(?P<name>[A-Z][A-Z0-9]{1,9})\s+(?:token|tokens|jeton|jetons|coin|memecoin)(?![\w])")
_COMPANY_SUFFIX = re.compile(
    r"(?<![\w])(?P<name>(?:[A-Z][\w&'.-]*\s+){0,2}[A-Z][\w&'.-]*)\s+"
    r"(?P<suffix>Inc\.|Inc|Corp\.|Corp|Corporation|Ltd\.?|plc|PLC|S\.A\.|SA|SE|AG|N\.V\.|LLC|Group|Holdings|"
    r"Capital|Partners|Ventures|Labs|Technologies|Analytics|Research|Securities|Asset Management|Investments|"
    r"News|Media|Robotics|Systems|Therapeutics|Pharmaceuticals)(?![\w])"
)
#: A data source or firm cited for a figure ("selon McKinsey", "d'après les données de SoSoValue").
SOURCE = re.compile(
    r"(?:(?:données|chiffres|statistiques|estimations|data|figures|estimates|numbers)(?:\s+[a-zé]+){0,2}\s+"
    r"(?:de|du|d'|from|by|compiled by|of)\s*"
    r"|(?i:selon|d'après|according to|per|cited by|citing)\s+(?:les\s+(?:données|chiffres)\s+(?:de\s+|d'|du\s+))?)"
    r"(?P<name>[A-Z][\w&.-]*[a-zA-Z](?:\s+[A-Z][\w&.-]*[a-zA-Z])?)"
)
#: Words right after a name that show it acting as a firm ("Oracle a annoncé", "Arm shares", "Oracle Corp").
_FIRM_AFTER = re.compile(
    r"(?:'s)?\s+(?:a\s+|has\s+|have\s+|had\s+|will\s+|va\s+|vont\s+|also\s+|aussi\s+)?"
    r"(?:annon[cç]\w*|announc\w*|said|says|dit|déclar\w*|report\w*|publi\w*|acqui\w*|rach[eè]t\w*|lanc\w*|"
    r"launch\w*|unveil\w*|dévoil\w*|sign\w*|invest\w*|shares|stock|action|titre|Inc\b|Corp\b|CEO|PDG)", re.I)
#: A name used as a stock exchange, not as its index ("Nasdaq-listed", "listed on the Nasdaq", "Nasdaq: NVDA").
_EXCHANGE_AFTER = re.compile(r"-listed|-traded|\s+(?:listed|traded|Stock Market|Stock Exchange|exchange|"
                             r"market operator)(?![\w])|(?-i:\s*:\s*[A-Z][A-Z0-9.]{0,9}(?![\w]))", re.I)
_EXCHANGE_BEFORE = re.compile(r"(?:listed|traded|trades|trading|quoted|floated|debut(?:ed)?|IPO)\s+(?:on|in)\s+(?:the\s+)?$|"
                              r"(?:cotée?s?|introduite?s?|échangée?s?|entrée?s?)\s+(?:au|sur\s+le)\s+$|"
                              r"(?:sur\s+le|au)\s+$", re.I)
_STOP_NAMES = frozenset(
    "Le La Les L Un Une Des Du De The A An This That These Those Its Their His Her Our Selon Après Avant Pour Par "
    "Dans Sur Et Mais Or Il Elle Ils Elles Ce Cette Ces Son Sa Ses According In On At By For With From Of To "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December IA AI CEO PDG USD EUR IPO ETF GPU CPU US USA UE EU".split()
)


@dataclass(frozen=True)
class Mention:
    """One occurrence of a name in the text (offsets into the article)."""

    start: int
    end: int
    text: str
    sentence: int
    entity: Entity | None
    resolution: str | None = None
    unmapped: bool = False
    candidates: tuple[str, ...] = ()
    kind_hint: str | None = None
    role: str | None = None
    exchange: str | None = None

    @property
    def key(self) -> str:
        """Gazetteer id, or the name itself for an unmapped mention."""
        return self.entity.id if self.entity is not None else self.text

    @property
    def is_security(self) -> bool:
        """True when the mention can carry a price move (listed entity or an unmapped ticker/token)."""
        if self.entity is not None:
            return self.entity.is_listed
        return self.role != "source" and self.kind_hint in (
            "ticker", "crypto token", "equity", "company", "security (from a price claim)")


_Form = Form


@functools.lru_cache(maxsize=256)
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternation = "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])")


def _window(seg: Segmented, sentence: Sentence, blank: tuple[int, int] | None = None) -> str:
    """The sentence with its neighbours in the same paragraph, lower-cased; the ``blank`` span (the
    name being read) is left out so that a name is never its own evidence ("Nasdaq" is an equity word)."""
    parts = []
    for idx in (sentence.index - 1, sentence.index, sentence.index + 1):
        if 0 <= idx < len(seg.sentences) and seg.sentences[idx].paragraph == sentence.paragraph:
            s = seg.sentences[idx]
            text = s.text
            if blank is not None and s.start <= blank[0] and blank[1] <= s.end:
                a, b = blank[0] - s.start, blank[1] - s.start
                text = text[:a] + " " * (b - a) + text[b:]
            parts.append(text)
    return " \n ".join(parts).lower()


def _article_market(seg: Segmented, settled: list[Mention], language: str | None) -> str | None:
    """The market the article is about: the calendar with most votes (market words in the text,
    securities read with confidence, a French article's vote for Paris), None on a tie or no vote."""
    votes: dict[str, int] = {}
    for word in _MARKET_RX.findall(seg.norm.lower()):
        cal = _MARKET_OF_WORD[word]
        votes[cal] = votes.get(cal, 0) + 1
    for m in settled:
        e = m.entity
        if e is not None and e.calendar and e.asset_class in ("equity", "etf", "index"):
            votes[e.calendar] = votes.get(e.calendar, 0) + 1
    if language in LANGUAGE_MARKET:
        votes[LANGUAGE_MARKET[language]] = votes.get(LANGUAGE_MARKET[language], 0) + 1
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def _extend_legal_form(seg: Segmented, entity: Entity, start: int, end: int) -> int:
    """The end of a mention with the legal form written after it ("Peugeot SA", "Alphabet Inc.")."""
    if entity.asset_class != "equity":
        return end
    m = LEGAL_SUFFIX_AFTER.match(seg.norm, end)
    return m.end() if m else end


def find_mentions(seg: Segmented, gazetteer: Gazetteer, language: str | None = None,
                  published: dt.date | None = None) -> tuple[list[Mention], list[str]]:
    """Every gazetteer mention and every unmapped name, in text order, plus notes on rejected readings.

    ``language`` ("fr", "en") is one vote for the article's market (see the module docstring).
    ``published``: a delisted line ("Twitter", delisted 2022-10-28) is not read in an article
    published after its delisting (the name then is a brand or the successor's).
    """
    index = name_index(gazetteer)
    norm = seg.norm
    notes: list[str] = []
    names = []
    for start, end, written, fits in find_names(index, norm):
        if published is not None:
            live = [f for f in fits if not (f.entity.delisted and f.entity.delisted < published.isoformat())]
            if len(live) < len(fits):
                gone = next(f.entity for f in fits if f not in live)
                notes.append(f"{written!r} not read as {gone.name}: delisted {gone.delisted}, before the article "
                             f"({published.isoformat()})")
            fits = live
        if fits:
            names.append((start, end, written, fits))

    # symbols written in the text: decisive
    ends = {e: (s, fits) for s, e, _, fits in names}

    def named_before(offset: int) -> Entity | None:
        for back in range(1, 4):
            hit = ends.get(offset - back)
            if hit is not None and len({f.entity.id for f in hit[1]}) == 1:
                return hit[1][0].entity
        return None

    settled: dict[int, Mention] = {}
    symbol_spans: list[tuple[int, int]] = []
    symbol_entities: set[str] = set()
    for hit in find_symbols(norm, gazetteer, named_before):
        sentence = seg.sentence_at(hit.start)
        if sentence is None:
            continue
        original = seg.original[hit.start:hit.end]
        symbol_spans.append((hit.start, hit.end))
        if hit.entity is None:
            settled[hit.start] = Mention(hit.start, hit.end, original, sentence.index, None, unmapped=True,
                                         candidates=hit.candidates, kind_hint="ticker", exchange=hit.exchange,
                                         resolution=f"{original!r} ({hit.why}) can name {', '.join(hit.candidates)}; "
                                                    "nothing else settles it")
            continue
        symbol_entities.add(hit.entity.id)
        settled[hit.start] = Mention(hit.start, hit.end, original, sentence.index, hit.entity,
                                     resolution=f"{original!r}: {hit.why}, read as {hit.entity.name}",
                                     exchange=hit.exchange or hit.entity.exchange)

    taken = _Spans(symbol_spans)
    raw: list[tuple[int, int, str, list[_Form], Sentence]] = []
    longer: list[Mention] = []
    for start, end, written, fits in names:
        if taken.overlaps(start, end):
            continue
        sentence = seg.sentence_at(start)
        if sentence is None:
            continue
        person = _after_first_name(seg, sentence, start, written, index)
        if person:
            notes.append(f"{written!r} in sentence {sentence.index + 1} follows {person!r}: part of a person's or "
                         f"another name, not {fits[0].entity.name}")
            continue
        span = _longer_name(seg, sentence, start, end, index)
        if span is not None and _inside_own_name(seg.norm[span[0]:span[1]], fits):
            # "Monte dei Paschi di Siena" for Banca Monte dei Paschi di Siena: a longer part of its own name
            start, end = span
            written = seg.norm[start:end]
            span = None
        if span is not None:
            first, cont = span
            text = seg.original[first:cont]
            taken.add(first, cont)
            longer.append(Mention(first, cont, text, sentence.index, None, unmapped=True, kind_hint="company",
                                  resolution=f"{text!r} is a longer name than {fits[0].entity.name}'s "
                                             f"{written!r}: another firm, not in the gazetteer; add it to a "
                                             "gazetteer file to map it"))
            continue
        if any(f.common for f in fits) and re.match(r"-[A-Za-z]", norm[end:end + 2]):
            notes.append(f"{written!r} in sentence {sentence.index + 1} is part of a compound word "
                         f"({norm[start:end + 12].split()[0]!r}), not a name")
            continue
        raw.append((start, end, written, fits, sentence))

    # pass 1: names with a single, ordinary reading
    for start, end, written, fits, sentence in raw:
        entities = {f.entity.id: f for f in fits}
        if len(entities) == 1 and not any(f.common for f in fits):
            f = fits[0]
            end2 = _extend_legal_form(seg, f.entity, start, end)
            settled[start] = Mention(start, end2, seg.original[start:end2], sentence.index, f.entity,
                                     resolution=_rename_note(f.entity, written), exchange=f.entity.exchange)

    market = _article_market(seg, list(settled.values()), language)
    # pass 2: ambiguous names, read with the evidence around them
    by_sentence: dict[int, list[Mention]] = {}
    for mention in settled.values():
        by_sentence.setdefault(mention.sentence, []).append(mention)
    # an entity read with confidence somewhere supports its other mentions (round 2)
    for round_ in (1, 2):
        accepted = {m.entity.id for m in settled.values() if m.entity is not None} | symbol_entities
        round_notes: list[str] = []
        for start, end, written, fits, sentence in raw:
            if start in settled:
                continue
            mention = _resolve(seg, sentence, start, end, written, fits, by_sentence.get(sentence.index, []),
                               round_notes, accepted if round_ == 2 else frozenset(), market)
            if mention is not None:
                settled[start] = mention
    notes.extend(round_notes)

    mentions = [settled[i] for i in sorted(settled)] + longer
    mentions += _market_places(seg, gazetteer, mentions)
    mentions += _unmapped(seg, gazetteer, mentions)
    mentions.sort(key=lambda m: m.start)
    # central banks, regulators, ministries and exchanges were read so that nothing else is read in
    # their place ("Swiss National Bank" is not National Bank Holdings); they are not securities
    # and are left out of the entities, with a note
    kept = []
    for m in mentions:
        if m.entity is not None and m.entity.asset_class == "institution":
            notes.append(f"{m.text!r} in sentence {m.sentence + 1} is {m.entity.name}, an institution, not a security")
        else:
            kept.append(m)
    return kept, notes


#: Capitalised words after a name that still name the same firm ("Airbus Group", "Oracle Corp",
#: "Arm shares", "Nvidia CEO"), or that start something else (a weekday, a title, a verb in capitals).
_SAME_FIRM_WORDS = frozenset(
    "Group Groupe Holdings Holding Inc Corp Corporation Company Co SA SE AG NV PLC Plc Ltd Limited LLC Shares Stock "
    "Chairman Chief President Founder Executive Director CEO CFO PDG Said Says Global Motor Motors Laboratories "
    "Industries Technologies Technology Systems Pharmaceuticals Therapeutics Brands Entertainment Communications "
    "Enterprises International Worldwide Platforms Airlines Energy Financial".split())
_CONTINUATION = re.compile(r"(?:[ \t]+(?:[A-Z][A-Za-z&.'-]*[A-Za-z]|&)){1,3}")


_FIRST_NAME_BEFORE = re.compile(r"(?<![\w'-])([A-Z][a-zà-ÿ]{2,})[ ]$")


def _after_first_name(seg: Segmented, sentence: Sentence, start: int, written: str, index) -> str | None:
    """The capitalised word right before a one-word name inside a sentence ("Jerome Powell",
    "Warren Buffett"): the name is then a person's (or another firm's) last word, not the entity.
    Not at the start of a sentence ("Carmaker Renault", "Insurer Axa" name the firm), nor after a
    known name or a stop word ("Alphabet Google" is not a pattern; "Le Renault" is)."""
    if " " in written or "-" in written:
        return None
    m = _FIRST_NAME_BEFORE.search(seg.norm, max(sentence.start, start - 20), start)
    if m is None:
        return None
    word = m.group(1)
    if m.start(1) <= sentence.start or word in _STOP_NAMES or index.knows_proper(word):
        return None
    if word in _SAME_FIRM_WORDS or word in ("Groupe", "Banco", "Rival", "Lender", "Insurer") or word.lower() in BY_WRITTEN:
        return None  # "Xetra Dax", "Nasdaq Composite": an exchange's name before its index
    return word


#: Capitalised words right before a multi-word name that make it part of a longer proper name
#: ("Swiss National Bank", "Qatar National Bank"), and "of"/"de" + capitalised words after one
#: ("National Bank of Greece", "Société Générale de Surveillance").
_BEFORE_NAME = re.compile(r"(?:(?<![\w'-])[A-Z][A-Za-zÀ-ÿ&.'-]*[A-Za-zÀ-ÿ][ \t]+){1,3}$")
_OF_AFTER = re.compile(r"[ \t]+(?:of|de|du|des|d'|for|di|del)[ \t]*(?:the[ \t]+|la[ \t]+|l')?"
                       r"(?:[A-Z][A-Za-zÀ-ÿ&'-]*[A-Za-zÀ-ÿ])(?:[ \t]+[A-Z][A-Za-zÀ-ÿ&'-]*[A-Za-zÀ-ÿ]){0,2}")


#: A capitalised role noun at the start of a sentence ("Carmaker", "Lender", "Insurer", "Rival").
_ROLE_NOUN = re.compile(r"[A-Z][a-z]+(?:er|ers|or|ors|ist|ists)|Rival|Peer|Shares|Stock|Bank|Firm|Group|Company|Unit")
#: Place adjectives that describe a firm rather than begin its name ("French Crédit Agricole").
_PLACE_WORDS = frozenset("french german british american us u.s. japanese chinese swiss dutch spanish italian "
                         "european asian belgian swedish korean indian canadian australian rival".split())


def _longer_name(seg: Segmented, sentence: Sentence, start: int, end: int, index) -> tuple[int, int] | None:
    """The span of a longer proper name the match is part of, when that name is not known itself,
    else None (the rule, in both languages):

    * a match followed by capitalised words ("Nomura Zephyrine Estate", "Hang Seng Bank") that are
      not the same firm's (:data:`_SAME_FIRM_WORDS`) nor a known name of something else;
    * a match of two words or more followed by "of"/"de"/"du" and capitalised words ("National
      Bank of Greece", "Société Générale de Surveillance");
    * a match of two words or more preceded, inside the sentence, by capitalised words that are not
      a known name, a stop word or the sentence's first word ("Swiss National Bank", "Qatar
      National Bank"; a one-word name after a capitalised word is the first-name rule's);

    never in a title-cased sentence (a headline capitalises every word)."""
    if _title_cased(sentence.text):
        return None
    written = seg.norm[start:end]
    multi = " " in written.strip()
    first = start
    if multi:
        b = _BEFORE_NAME.search(seg.norm, max(sentence.start, start - 40), start)
        if b is not None:
            words = b.group(0).split()
            keep = []
            for w in reversed(words):
                if (w in _STOP_NAMES or w in _SAME_FIRM_WORDS or index.knows_proper(w)
                        or re.search(r"['’]s?$", w) or w.lower() in _PLACE_WORDS):
                    break  # "Japan's Nikkei 225", "Hong Kong's Hang Seng Bank": a place's, not a longer name
                keep.insert(0, w)
            if keep:
                first = start - len(" ".join(keep)) - (len(b.group(0)) - len(" ".join(words)))
                first = seg.norm.rfind(keep[0], max(sentence.start, start - 40), start)
                if first <= sentence.start + 1 and _ROLE_NOUN.fullmatch(keep[0]):
                    first = start  # a role noun opening the sentence: "Lender National Bank" names the firm
        of = _OF_AFTER.match(seg.norm, end, sentence.end)
        if of is not None and not index.knows_proper(seg.norm[start:of.end()]):
            return first, of.end()
    after = _continuation_end(seg, sentence, end, index)
    if after is not None:
        return first, after
    if first < start and not index.knows_proper(seg.norm[first:end]):
        return first, end
    return None


@functools.lru_cache(maxsize=256)
def _title_cased(text: str) -> bool:
    """True when most words of a sentence are capitalised (a headline); computed once per sentence."""
    tokens = re.findall(r"[A-Za-zÀ-ÿ]+", text)
    return bool(tokens) and sum(t[0].isupper() for t in tokens) / len(tokens) > 0.6


def _inside_own_name(text: str, fits: list) -> bool:
    """True when ``text`` (a longer name around a match) is, word for word, part of the full name or
    an alias of the entity matched ("Monte dei Paschi di Siena" inside "Banca Monte dei Paschi di Siena")."""
    key = f" {name_key(text)} "
    for f in fits:
        e = f.entity
        for n in (e.name, *(a for names in e.aliases.values() for a in names)):
            if key in f" {name_key(n)} ":
                return True
    return False


def _continuation_end(seg: Segmented, sentence: Sentence, end: int, index) -> int | None:
    m = _CONTINUATION.match(seg.norm, end, sentence.end)
    if m is None:
        return None
    words = m.group(0).split()
    if words[0] in _SAME_FIRM_WORDS or words[0] in _STOP_NAMES or words[0].isupper() and len(words[0]) <= 1:
        return None
    if index.knows_proper(words[0]):
        return None  # "Shell and BP", "Apple Microsoft": another known name, not one longer name
    n = 0
    for w in words:
        if w in _SAME_FIRM_WORDS or w in _STOP_NAMES or index.knows_proper(w):
            break
        n += 1
    ends = [mm.end() for mm in re.finditer(r"\S+", seg.norm[end:m.end()])]
    return end + ends[n - 1] if n else None


def _rename_note(entity: Entity, written: str) -> str | None:
    """A note when the name read is an old name of the entity, or names a delisted line."""
    if entity.delisted:
        after = f"; successor {entity.successor}" if entity.successor else ""
        return f"{written!r} is {entity.name}, delisted {entity.delisted} ({entity.note or 'no note'}{after})"
    if entity.note and written in entity.former_names:
        return f"{written!r} is an earlier name of {entity.name}: {entity.note}"
    return None



#: Capitalised words before an ordinary-word name that do not make it part of a longer name.
_LONGER_NAME_STOP = frozenset("The A An Le La Les Un Une Des Shares Stock Actions Titre Rival Rivals Peer Peers "
                              "Unlike Like Both And Et Or Ou But Mais While Whereas Selon According Today Yesterday "
                              "Meanwhile Then Now Also Still Even Only Hier Aujourd'hui Puis Ensuite Aussi Encore "
                              "Chez Pour For With Avec By Par From De Du In En On Sur At To Of After Après Before "
                              "Avant When Quand If Si As Comme Since Depuis Investors Analysts Traders".split())


def _resolve(seg: Segmented, sentence: Sentence, start: int, end: int, written: str, fits: list[_Form],
             neighbours: list[Mention], notes: list[str], elsewhere: frozenset[str] | set[str],
             market: str | None = None) -> Mention | None:
    norm = seg.norm
    window = _window(seg, sentence, (start, end))
    before = norm[max(sentence.start, start - 24):start]
    as_exchange = (_EXCHANGE_AFTER.match(norm, end, min(sentence.end, end + 30))
                   or _EXCHANGE_BEFORE.search(norm[max(sentence.start, start - 30):start]))
    exchange = _EXCHANGE_PREFIX.search(norm[max(sentence.start, start - 20):end])
    moves_after = _MOVE_AFTER.match(norm, end, min(sentence.end, end + 40))
    definite_before = _DEFINITE_BEFORE.search(before)
    percent_after = re.search(r"\d\s?%", norm[end:min(sentence.end, end + 40)])
    acts_as_firm = _FIRM_AFTER.match(norm, end, min(sentence.end, end + 40))
    common_noun = (re.search(r"(?<![\w])(?:the|a|an|le|la|un|une|l')\s*$", before, re.I)
                   and re.match(r"\s+(?:of|de|du|des|d')(?![\w])", norm[end:end + 6]))
    capitalised_inside = start > sentence.start + 2 and written[:1].isupper() and not re.search(r"[.!?:]\s*$", before)
    # "Bloomberg News", "Sky News": an ordinary-word name right after another capitalised word (not the
    # sentence's first) is the end of that longer name, not a company of its own
    longer = re.search(r"(?<![\w'&.-])([A-ZÀ-ÖØ-Þ][\w&'-]+) $", before)
    in_longer_name = (longer is not None and longer.group(1) not in _LONGER_NAME_STOP
                      and not re.search(r"-[a-z]+$|['’]s$", longer.group(1)))  # "SoftBank-backed Arm", "Apple's"
    scores: dict[str, tuple[int, list[str], _Form]] = {}
    for f in fits:
        if f.entity.id in scores:
            continue
        points, why = 0, []
        if f.is_tag:
            points, why = points + 3, why + [f"cashtag {written}"]
        if exchange and exchange.group("tk") == written:
            ex = exchange.group("ex").lower()
            if f.entity.exchange and f.entity.exchange.lower().startswith(ex.split()[0]):
                points, why = points + 3, why + [f"listed as {exchange.group(0)}"]
            else:
                points -= 3
        own = _word_pattern(tuple(f.entity.context))
        if own is not None:
            hits = sorted(set(own.findall(window)))
            points += len(hits)
            why += [repr(h) for h in hits[:3]]
        group = _CLASS_GROUP.get(f.entity.asset_class, "")
        cls = _word_pattern(CLASS_CONTEXT.get(group, ()))
        if cls is not None:
            hits = sorted(set(cls.findall(window)) - {h.lower() for h in f.entity.context})
            points += min(2, len(hits))
            why += [repr(h) for h in hits[:2]]
        peers = sorted({n.entity.name for n in neighbours if n.entity is not None and n.entity.id != f.entity.id
                        and _CLASS_GROUP.get(n.entity.asset_class) == group and n.entity.is_listed == f.entity.is_listed
                        and (n.entity.asset_class == "index") == (f.entity.asset_class == "index")})
        points += min(2, len(peers))
        why += [f"named with {', '.join(peers[:3])}"] if peers else []
        if percent_after and f.entity.is_listed:
            points, why = points + 1, why + ["a price move follows"]
        if acts_as_firm and f.common:
            points, why = points + 2, why + [f"followed by {acts_as_firm.group(0).strip()!r}"]
        elif moves_after and f.common and f.entity.is_listed:
            points, why = points + 1, why + [f"followed by {moves_after.group(0).strip()!r}"]
        if market and f.entity.calendar == market and f.entity.asset_class in ("equity", "etf", "index"):
            points, why = points + 1, why + [f"the article's market ({market})"]

        if common_noun and f.common:
            points, why = points - 2, why + ["used as a common noun ('the ... of')"]
        if as_exchange and f.entity.asset_class == "institution":
            points, why = points + 3, why + [f"names the exchange ({as_exchange.group(0).strip()!r})"]
        elif as_exchange and f.common:  # decisive: the exchange, whatever else is around
            points, why = min(points, 0) - 1, why + [f"names the exchange ({as_exchange.group(0).strip()!r})"]
        if f.entity.id in elsewhere and len(fits) == 1:
            points, why = points + 1, why + ["named elsewhere in the article"]
        generated = f.entity.source.startswith("universe:e")  # an all-caps generated name ("NOW") is no evidence
        own_caps_name = written.isupper() and written == f.entity.name  # "BP", "SAP": the company's own name
        if f.common and ((capitalised_inside and not (generated and written.isupper() and not own_caps_name))
                         or (written.isupper() and (not generated or own_caps_name))):
            points, why = points + 1, why + ["capitalised inside the sentence" if capitalised_inside else "in capitals"]
        if definite_before and f.common and f.entity.asset_class == "equity" and not acts_as_firm:
            points, why = min(points, 1), why + ["a definite article before the name (not a company's usage)"]
        if f.common and f.entity.source == WIDE_LAYER:
            # an ordinary-word name of a small company: only evidence about this very mention counts
            # (a cashtag or exchange ticker, its own context words, a firm's or a price verb or a
            # percentage right after it), not the finance words every market article has
            specific = ((3 if f.is_tag else 0) + (3 if exchange and exchange.group("tk") == written else 0)
                        + (len(set(own.findall(window))) if own is not None else 0)
                        + (2 if acts_as_firm else 1 if moves_after else 0) + (1 if percent_after else 0)
                        + (1 if f.entity.id in elsewhere and len(fits) == 1 else 0))
            if specific < points:
                points, why = specific, why + ["a small company's ordinary-word name: only specific evidence counts"]
        if f.common and in_longer_name and not f.is_tag:
            points, why = min(points, 0) - 1, why + [f"the end of a longer name ({longer.group(1)} {written})"]
        if f.entity.asset_class == "institution" and f.common:
            # a shared name ("Nasdaq", "BCE") is the institution only with evidence for it: the
            # exchange's usage ("listed on the Nasdaq") or its own and its kind's words
            inst = (3 if as_exchange else 0) + (len(set(own.findall(window))) if own is not None else 0)
            if cls is not None:
                inst += min(2, len(set(cls.findall(window))))
            points = min(points, inst)
        scores[f.entity.id] = (points, why, f)
    ranked = sorted(scores.values(), key=lambda s: s[0], reverse=True)
    if len(ranked) > 1:
        # an institution (an exchange's, a central bank's name) is a reading only with evidence for
        # it ("listed on the Nasdaq"); without, the name is read as if it were not there
        kept = [r for r in ranked if r[2].entity.asset_class != "institution" or r[0] > 0]
        ranked = kept or ranked
    best_points, best_why, best = ranked[0]
    where = f"sentence {sentence.index + 1}"
    original = seg.original[start:end]
    if len(ranked) > 1:
        names = " or ".join(f"{s[2].entity.name} ({s[2].entity.asset_class})" for s in ranked)
        if best_points <= 0 or best_points == ranked[1][0]:
            return Mention(start, end, original, sentence.index, None, unmapped=True,
                           candidates=tuple(s[2].entity.id for s in ranked),
                           resolution=f"{original!r} can name {names}; the context does not settle it ({where})")
        note = (f"{original!r} can name {names}: read as {best.entity.name} "
                f"({'; '.join(best_why) or 'more evidence'})")
        end = _extend_legal_form(seg, best.entity, start, end)
        return Mention(start, end, seg.original[start:end], sentence.index, best.entity, resolution=note,
                       candidates=tuple(s[2].entity.id for s in ranked), exchange=best.entity.exchange)
    if best_points >= 2:
        note = f"{original!r} is also an ordinary word: read as {best.entity.name} ({'; '.join(best_why)})"
        end = _extend_legal_form(seg, best.entity, start, end)
        return Mention(start, end, seg.original[start:end], sentence.index, best.entity, resolution=note,
                       exchange=best.entity.exchange)
    notes.append(f"{original!r} in {where} read as an ordinary word, not {best.entity.name} "
                 f"(not enough context: {'; '.join(best_why) or 'none'})")
    return None


class _Spans:
    """Non-overlapping spans kept sorted, for fast overlap tests (bisect)."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(spans):
            self.add(start, end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)  # spans starting before `end`; their ends are sorted too
        return i > 0 and self._ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


#: A market figure right after a city's name: "Milan 0.19 %", "Frankfurt was up 0.2%", "London's
#: market closed 1.1% lower", "Paris a perdu 3 %", "Tokyo fell 2%" (a percentage within a few words).
_PLACE_FIGURE = re.compile(
    r"(?:'s)?(?:\s+(?:stock\s+)?(?:market|bourse|index|benchmark))?"
    r"(?:,\s+(?=(?:up|down|higher|lower|off|en\s+hausse|en\s+baisse)\s)|\s+)"
    r"(?:(?:was|were|is|closed|ended|finished|traded|a|ont|est|était|terminait|termine)\s+)?"
    r"(?:(?:rose|fell|gained|lost|added|dropped|slipped|edged|climbed|advanced|declined|slid|jumped|rallied|sank|"
    r"perdu|gagné|perd\w*|gagn\w*|c[èé]d\w*|recul\w*|progress\w*|avan[cç]\w*|grimp\w*|lâch\w*|pris|prend\w*|"
    r"abandonn\w*|termin\w*|fini\w*|clôtur\w*|bondi\w*|chut\w*)\s+)?"
    r"(?:(?:up|down|higher|lower|off|flat|en\s+hausse|en\s+baisse)\s+)?"
    r"(?:de\s+|by\s+)?\(?[+\-−–]?\s?\d+(?:[.,]\d+)?\s?(?:%|per\s?cent|percent|pour\s?cent)", re.I)


_LOCATION_BEFORE = re.compile(r"(?<![\w])(?:in|at|from|to|of|near|outside|à|en|de|dans|depuis|vers|du)\s+$", re.I)


def _market_places(seg: Segmented, gazetteer: Gazetteer, known: list[Mention]) -> list[Mention]:
    """A market place named with a market figure ("Milan 0.19 %, Frankfurt 0.18 %", "Paris a perdu
    3 %", "Tokyo fell 2%") is a mention of its benchmark index (the city -> index table of
    :data:`eventstudy.article.subjects.PLACE_INDEX`); a city without a percentage within a few
    words after it ("based in London", "Paris-based", "a Tokyo court") or after a preposition
    ("sales in London rose 5%") is not."""
    from .subjects import PLACE_INDEX  # subjects imports this module

    places = getattr(_market_places, "_rx", None)
    if places is None:
        names = sorted((c for c in PLACE_INDEX if c[:1].isalpha() and c != "parisienne"), key=len, reverse=True)
        places = re.compile(r"(?<![\w-])(" + "|".join(re.escape(c.title()) for c in names) + r")(?![\w-])")
        _market_places._rx = places
    taken = _Spans((m.start, m.end) for m in known)
    out: list[Mention] = []
    for m in places.finditer(seg.norm):
        if taken.overlaps(m.start(), m.end()):
            continue
        sentence = seg.sentence_at(m.start())
        if sentence is None or not _PLACE_FIGURE.match(seg.norm, m.end(), min(sentence.end, m.end() + 45)):
            continue
        if _LOCATION_BEFORE.search(seg.norm[max(sentence.start, m.start() - 12):m.start()]):
            continue  # "sales in London rose 5%", "la Bourse de Paris": a location, or the place rule's shape
        entity = gazetteer.get(PLACE_INDEX[m.group(1).lower()])
        if entity is None or entity.asset_class != "index":
            continue
        text = seg.original[m.start():m.end()]
        taken.add(m.start(), m.end())
        out.append(Mention(m.start(), m.end(), text, sentence.index, entity, kind_hint="index (market place)",
                           exchange=entity.exchange,
                           resolution=f"{text!r}, a market place named with a market figure, read as its "
                                      f"benchmark index {entity.name}"))
    return out


def _unmapped(seg: Segmented, gazetteer: Gazetteer, known: list[Mention]) -> list[Mention]:
    norm = seg.norm
    out: list[Mention] = []
    index = name_index(gazetteer)
    taken = _Spans((m.start, m.end) for m in known)
    person_like: dict[str, bool] = {}

    def add(start: int, end: int, hint: str, role: str | None = None, exchange: str | None = None) -> None:
        sentence = seg.sentence_at(start)
        if sentence is None or taken.overlaps(start, end):
            return
        text = seg.original[start:end]
        if text.lower() in index.all_forms or text in _STOP_NAMES:
            return
        taken.add(start, end)
        out.append(Mention(start, end, text, sentence.index, None, unmapped=True, kind_hint=hint, role=role,
                           exchange=exchange,
                           resolution=f"{text!r} is not in the gazetteer ({hint}); add it to a gazetteer file to map it"))

    for m in _CASHTAG.finditer(norm):
        add(m.start(), m.end(), "ticker")
    for m in _EXCHANGE_PREFIX.finditer(norm):
        add(m.start("tk"), m.end("tk"), "equity", exchange=m.group("ex"))
    for m in _TOKEN_LIST.finditer(norm):
        for n in re.finditer(r"[A-Z][A-Z0-9]{1,9}", m.group("names")):
            add(m.start("names") + n.start(), m.start("names") + n.end(), "crypto token")
    for m in _TOKEN_BEFORE.finditer(norm):
        add(m.start("name"), m.end("name"), "crypto token")
    for m in SOURCE.finditer(norm):
        name = m.group("name")
        if name.split()[0] in _STOP_NAMES:
            continue
        if " " not in name and name not in person_like:
            person_like[name] = any(p.group(1) not in _STOP_NAMES for p in re.finditer(
                rf"(?<![\w])([A-Z][a-z]+)\s+{re.escape(name)}(?![\w])", norm))
        if person_like.get(name):
            continue  # "selon Trump" when the text also says "Donald Trump": a person, not a firm
        add(m.start("name"), m.end("name"), "data source or firm", role="source")
    for m in _COMPANY_SUFFIX.finditer(norm):
        words = m.group("name").split()
        while words and words[0] in _STOP_NAMES:
            words.pop(0)
        if not words:
            continue
        start = m.start("name") + m.group("name").find(words[0])
        entity, score, others = fuzzy_security(gazetteer, " ".join(words))
        sentence = seg.sentence_at(start)
        if entity is not None and sentence is not None and not taken.overlaps(start, m.end()):
            taken.add(start, m.end())
            text = seg.original[start:m.end()]
            out.append(Mention(start, m.end(), text, sentence.index, entity, exchange=entity.exchange,
                               resolution=f"{text!r} matches no name exactly; read as {entity.name} "
                                          f"(fuzzy match, rapidfuzz ratio {score:.0f})"))
            continue
        add(start, m.end(), "company")
    return out

