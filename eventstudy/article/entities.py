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

Unmapped names
    Cashtags and "(NYSE: XYZ)" tickers the gazetteer does not know, all-caps names next to
    "tokens"/"jetons", names ending in a company word ("Dune Analytics", "Fox News", "Acme Inc.")
    and data sources ("selon McKinsey", "données de SoSoValue") are reported with ``unmapped=True``.
"""

from __future__ import annotations

import bisect
import functools
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..reference.gazetteer import Entity, Gazetteer
from .text import Segmented, Sentence

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
               "listed", "cotée", "coté"),
    "private": ("startup", "start-up", "valorisation", "valuation", "levée de fonds", "funding round", "fonds",
                "fund", "investment fund", "private", "privée", "non cotée"),
}
_CLASS_GROUP = {"equity": "equity", "etf": "equity", "index": "equity", "crypto": "crypto",
                "private": "private", "project": "project"}

_EXCHANGE_PREFIX = re.compile(
    r"(?P<ex>NYSE American|NYSE Arca|NYSE|NASDAQ|Nasdaq|TSE|TYO|LSE|Euronext(?: Paris)?|HKEX|SIX)\s*:\s*"
    r"(?P<tk>[A-Z][A-Z0-9.]{0,9})(?![\w])"
)
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


@dataclass(frozen=True)
class _Form:
    entity: Entity
    form: str
    exact_case: bool
    common: bool
    is_tag: bool


@dataclass
class _Index:
    pattern: re.Pattern[str] | None
    forms: dict[str, list[_Form]] = field(default_factory=dict)
    all_forms: frozenset[str] = frozenset()


_INDEXES: "weakref.WeakKeyDictionary[Gazetteer, _Index]" = weakref.WeakKeyDictionary()


def _index(gazetteer: Gazetteer) -> _Index:
    cached = _INDEXES.get(gazetteer)
    if cached is not None:
        return cached
    forms: dict[str, list[_Form]] = {}
    for entity in gazetteer:
        surface: dict[str, bool] = {}
        for alias in entity.all_aliases():
            surface.setdefault(alias, False)
        if entity.ticker and re.fullmatch(r"[A-Z][A-Z0-9.]{1,9}", entity.ticker):
            surface.setdefault(entity.ticker, False)
        for tag in entity.cashtags:
            surface[tag] = True
        for text, is_tag in surface.items():
            common = text in entity.common_words
            exact = is_tag or common or len(text) <= 4 or text == entity.ticker
            forms.setdefault(text.lower(), []).append(_Form(entity, text, exact, common, is_tag))
    if forms:
        alternation = "|".join(re.escape(f) for f in sorted({f.form for fs in forms.values() for f in fs},
                                                              key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w$])(?:{alternation})(?![\w])", re.I)
    else:
        pattern = None
    index = _Index(pattern, forms, frozenset(forms))
    _INDEXES[gazetteer] = index
    return index


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


def find_mentions(seg: Segmented, gazetteer: Gazetteer) -> tuple[list[Mention], list[str]]:
    """Every gazetteer mention and every unmapped name, in text order, plus notes on rejected readings."""
    index = _index(gazetteer)
    norm = seg.norm
    notes: list[str] = []
    raw: list[tuple[int, int, str, list[_Form], Sentence]] = []
    if index.pattern is not None:
        for m in index.pattern.finditer(norm):
            sentence = seg.sentence_at(m.start())
            if sentence is None:
                continue
            written = m.group(0)
            fits = [f for f in index.forms.get(written.lower(), []) if not f.exact_case or f.form == written]
            if fits:
                raw.append((m.start(), m.end(), written, fits, sentence))

    # pass 1: names with a single, ordinary reading
    settled: dict[int, Mention] = {}
    for i, (start, end, written, fits, sentence) in enumerate(raw):
        entities = {f.entity.id: f for f in fits}
        if len(entities) == 1 and not any(f.common for f in fits):
            f = fits[0]
            settled[i] = Mention(start, end, seg.original[start:end], sentence.index, f.entity,
                                 exchange=f.entity.exchange)

    # pass 2: ambiguous names, read with the evidence around them
    by_sentence: dict[int, list[Mention]] = {}
    for mention in settled.values():
        by_sentence.setdefault(mention.sentence, []).append(mention)
    # an entity read with confidence somewhere supports its other mentions (round 2)
    for round_ in (1, 2):
        accepted = {m.entity.id for m in settled.values() if m.entity is not None}
        round_notes: list[str] = []
        for i, (start, end, written, fits, sentence) in enumerate(raw):
            if i in settled:
                continue
            mention = _resolve(seg, sentence, start, end, written, fits, by_sentence.get(sentence.index, []),
                               round_notes, accepted if round_ == 2 else frozenset())
            if mention is not None:
                settled[i] = mention
    notes.extend(round_notes)

    mentions = [settled[i] for i in sorted(settled)]
    mentions += _unmapped(seg, gazetteer, mentions)
    mentions.sort(key=lambda m: m.start)
    return mentions, notes


def _resolve(seg: Segmented, sentence: Sentence, start: int, end: int, written: str, fits: list[_Form],
             neighbours: list[Mention], notes: list[str], elsewhere: frozenset[str] | set[str]) -> Mention | None:
    norm = seg.norm
    window = _window(seg, sentence, (start, end))
    before = norm[max(sentence.start, start - 24):start]
    as_exchange = (_EXCHANGE_AFTER.match(norm, end, min(sentence.end, end + 30))
                   or _EXCHANGE_BEFORE.search(norm[max(sentence.start, start - 30):start]))
    exchange = _EXCHANGE_PREFIX.search(norm[max(sentence.start, start - 20):end])
    percent_after = re.search(r"\d\s?%", norm[end:min(sentence.end, end + 40)])
    acts_as_firm = _FIRM_AFTER.match(norm, end, min(sentence.end, end + 40))
    common_noun = (re.search(r"(?<![\w])(?:the|a|an|le|la|un|une|l')\s*$", before, re.I)
                   and re.match(r"\s+(?:of|de|du|des|d')(?![\w])", norm[end:end + 6]))
    capitalised_inside = start > sentence.start + 2 and written[:1].isupper() and not re.search(r"[.!?:]\s*$", before)
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
                        and _CLASS_GROUP.get(n.entity.asset_class) == group and n.entity.is_listed == f.entity.is_listed})
        points += min(2, len(peers))
        why += [f"named with {', '.join(peers[:3])}"] if peers else []
        if percent_after and f.entity.is_listed:
            points, why = points + 1, why + ["a price move follows"]
        if acts_as_firm and f.common:
            points, why = points + 2, why + [f"followed by {acts_as_firm.group(0).strip()!r}"]
        if common_noun and f.common:
            points, why = points - 2, why + ["used as a common noun ('the ... of')"]
        if as_exchange and f.common:  # decisive: the exchange, whatever else is around
            points, why = min(points, 0) - 1, why + [f"names the exchange ({as_exchange.group(0).strip()!r})"]
        if f.entity.id in elsewhere and len(fits) == 1:
            points, why = points + 1, why + ["named elsewhere in the article"]
        if f.common and (capitalised_inside or written.isupper()):
            points, why = points + 1, why + ["capitalised inside the sentence" if capitalised_inside else "in capitals"]
        scores[f.entity.id] = (points, why, f)
    ranked = sorted(scores.values(), key=lambda s: s[0], reverse=True)
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
        return Mention(start, end, original, sentence.index, best.entity, resolution=note,
                       candidates=tuple(s[2].entity.id for s in ranked), exchange=best.entity.exchange)
    if best_points >= 2:
        note = f"{original!r} is also an ordinary word: read as {best.entity.name} ({'; '.join(best_why)})"
        return Mention(start, end, original, sentence.index, best.entity, resolution=note,
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


def _unmapped(seg: Segmented, gazetteer: Gazetteer, known: list[Mention]) -> list[Mention]:
    norm = seg.norm
    out: list[Mention] = []
    index = _index(gazetteer)
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
        add(m.start("name") + m.group("name").find(words[0]), m.end(), "company")
    return out
