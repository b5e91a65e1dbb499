"""Which events an article describes, which one is the main event, and what to call it.

An event needs a *trigger*: a word of announcement, deal, launch, results, listing or policy
(:data:`KINDS`, English and French), or a market move set off by news (:mod:`.moves`).

* A launch needs something launched: "launched its R1 model", "lance le projet Stargate", "the
  launch of Blackwell", "R1 was released" make a launch; "shares launched higher", "launched a
  probe" or "released a statement" do not.
* A market move is a sell-off or a rally: a sell-off word ("rout", "sell-off", "krach", "débâcle"),
  or a verb of movement of securities or markets ("tumbled", "plunged", "soared", "a chuté",
  "s'envole", "dégringole") with its cause, news ("after DeepSeek said ...", "following the
  announcement", "après l'annonce de ..."). It is named after the cause ("Market sell-off after
  DeepSeek announcement"). A deal, results or a listing in the same sentences names the event
  instead ("Oracle soared after it reported quarterly results" is an earnings release).

A trigger sentence is linked to a date when the date is in the
same sentence, or in the sentence just after it (or just before it, within the same paragraph) when
the trigger sentence has no date of its own ("Le 21 janvier, ... Trump a invité ..." followed by
"Lors d'une conférence de presse, Trump a annoncé ..."). The headline is linked to the main event.

The main event is the date (day or month precision) with the highest score::

    score = 3 x linked trigger sentences + mentions of the date + 0.5 x firms named (up to 6)
            + 1 if the date is a day + 2 if it sits within 30 characters of a trigger word
            ("the announcement of January 21"; not a market-move word: the news a market reacts
            to comes first) - 2 if every mention of the date is in a sentence reporting a price
            move (a data date, such as "les données de SoSoValue du 22 janvier")

Other dates become secondary events when a trigger is next to them, or shares a sentence with no
other date. An article with triggers
but no dated one gives one undated event; an article without any trigger gives none.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from .dates import DateMention
from .entities import Mention
from .lexicon import DIRECTION
from .moves import MarketMove, MoveDay, find_market_move
from .text import Segmented
from .timing import find_session_timing, find_time

#: Event kinds: (kind, label used in the event's name, trigger pattern). Order breaks ties.
KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, label, re.compile(rf"(?<![\w])(?:{rx})(?![\w])", re.I)) for kind, label, rx in (
        ("joint_venture", "joint venture announcement",
         r"joint[- ]venture|coentreprise|co-entreprise|nouvelle (?:entreprise|société|coentreprise)|"
         r"new (?:company|venture|joint venture)|s'associer|s'associent|s'associeront|team(?:s|ed)? up"),
        ("acquisition", "acquisition announcement",
         r"acquisition|acquire[sd]?|rachat|rachète|racheter|takeover|take over|buyout|agreed to buy|to buy|fusion|"
         r"merger|to merge|tak(?:e|en|ing) private|go(?:es|ing)? private|retrait de la cote|sortie de la cote|"
         r"offre publique d'achat|OPA|tender offer"),
        ("earnings", "earnings release",
         r"earnings|quarterly results|annual results|résultats (?:trimestriels|annuels|semestriels)|"
         r"publié ses résultats|publie ses résultats|reported (?:quarterly )?(?:results|revenue|profit)"),
        ("ipo", "IPO", r"IPO|initial public offering|introduction en bourse|entrée en bourse|goes public|went public"),
        ("listing", "listing", r"listed on|will list|lists|listing on|cotée sur|listé sur|listera"),
        ("partnership", "partnership announcement",
         r"partenariat|partnership|alliance|collaboration|strategic agreement|accord stratégique"),
        ("sell_off", "sell-off", r"(?!)"),  # sell-offs and rallies are found by moves.find_market_move
        ("rally", "rally", r"(?!)"),
        ("launch", "launch",
         r"lancement|lancent|lance|lancée?s?|lancera|lanceront|launch(?:es|ed|ing)?|dévoil\w+|unveil\w*|"
         r"release[sd]?|sortie de|debut(?:s|ed)?"),
        ("policy", "policy announcement",
         r"décret|executive order|droits de douane|tariffs?|sanctions|interdiction|ban(?:s|ned)|"
         r"approved|approval|approbation|approuvé"),
        ("announcement", "announcement",
         r"annon[cç]\w*|announc\w+|conférence de presse|press conference|news conference|conférence|conference|"
         r"communiqué|press release|statement"),
    ))
#: Kinds that are the market's reaction to news, not the news itself.
MARKET_MOVE_KINDS = ("sell_off", "rally")

# --- launches: something must be launched --------------------------------------------------------
_PRODUCT = re.compile(
    r"(?<![\w])(?:products?|models?|chips?|processors?|GPUs?|services?|platforms?|apps?|applications?|devices?|"
    r"phones?|smartphones?|software|tools?|features?|versions?|systems?|tokens?|coins?|funds?|ETFs?|projects?|"
    r"programmes?|programs?|initiatives?|ventures?|networks?|mainnet|satellites?|rockets?|vehicles?|cars?|"
    r"consoles?|games?|assistants?|chatbots?|agents?|LLMs?|offerings?|series|editions?|brands?|stores?|"
    r"produits?|modèles?|puces?|processeurs?|plateformes?|applis?|appareils?|téléphones?|logiciels?|outils?|"
    r"fonctionnalités?|systèmes?|jetons?|fonds|projets?|réseaux?|fusées?|véhicules?|voitures?|jeux?|"
    r"assistants?|gammes?|marques?|magasins?)(?![\w])", re.I)
#: Words after which the object of "launched" has ended ("launched in January", "lancé lundi").
_OBJECT_END = re.compile(
    r"(?:in|on|at|for|to|with|by|from|after|before|and|as|since|while|en|à|au|aux|pour|avec|par|après|avant|et|"
    r"dans|sur|depuis|lors|higher|lower|up|down|hausse|baisse)$", re.I)
_DETERMINER = re.compile(r"(?:a|an|the|its|their|his|her|our|new|latest|first|own|un|une|le|la|les|l|son|sa|ses|"
                         r"leur|leurs|nouveau|nouvel|nouvelle|nouveaux|nouvelles|premier|première|dernier|"
                         r"dernière|propre|de|du|des|d|of)$", re.I)
#: Before a launch word: a passive ("was released", "a été lancé") or an aside ("R1, released last week").
_PASSIVE_LAUNCH = re.compile(
    r"(?:\s(?:was|were|is|are|has been|have been|had been|will be|a été|ont été|est|sont|sera|seront|été)|,)\s*$",
    re.I)


def _launches(text: str, start: int, end: int) -> str | None:
    """What the launch word at ``text[start:end]`` launches: a product's name ("R1"), "" for a
    product or project without a name, or None when nothing is launched.

    A product word or a name must follow ("launched its R1 model", "lance le projet Stargate", "the
    launch of Blackwell"), or the word is a passive after one ("R1 was released", "le projet a été
    lancé", "R1, released last week").
    """
    others = 0
    name = ""
    tokens = re.findall(r"[\w$'.-]+|[,;:()]", text[end:end + 80])[:8]
    for k, token in enumerate(tokens):
        if token in ",;:()":
            break
        bare = token.strip("'.").split("'")[-1]  # "d'un" -> "un", "l'IA" -> "IA"
        if not bare:
            continue
        if _OBJECT_END.fullmatch(bare):
            break
        if _PRODUCT.fullmatch(bare):
            follow = tokens[k + 1].strip("'.") if k + 1 < len(tokens) else ""
            if not name and follow not in _NOT_NAMES and re.fullmatch(r"[A-Z][\w.-]*|\w*\d\w*", follow) \
                    and re.search(r"[A-Z]", follow):
                return follow  # "son nouveau modèle R1"
            return name
        if _DETERMINER.fullmatch(bare):
            continue
        if others <= 1 and bare not in _NOT_NAMES and (bare[:1].isupper() or re.search(r"[A-Z]\d|\d[A-Z]", bare)):
            name = f"{name} {bare}".strip()
            continue  # "launched R1", "lance Gemini", "unveiled Blackwell chips"
        if name:
            return name
        others += 1  # an adjective ("its cheaper open-source model"), or the object was something else
        if others > 3:
            break
    if name:
        return name
    before = text[max(0, start - 60):start]
    passive = _PASSIVE_LAUNCH.search(before)
    if passive is None:
        return None
    words = re.findall(r"[\w$'.-]+", before[:passive.start()])
    if not words:
        return None
    last = words[-1].split("'")[-1]
    if _PRODUCT.fullmatch(last):
        named = [w for w in words[-3:-1] if w[:1].isupper() and w not in _NOT_NAMES]
        return named[-1] if named else ""
    return last if last[:1].isupper() and last not in _NOT_NAMES else None


_NOT_NAMES = frozenset(
    "The A An Its Their This That It He She They We Le La Les Un Une Son Sa Ses Ce Cette Il Elle Ils On In At "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Wall Street".split())

_INVESTMENT = re.compile(r"(?<![\w])(?:investissement|investment|invest(?:ir|it|ira|iront|s|ed|ing)?)(?![\w])", re.I)
_LABELS = {kind: label for kind, label, _ in KINDS}


@dataclass
class EventDraft:
    """An event before its entities, claims and amounts are attached."""

    kind: str
    name: str
    date: dt.date | None
    precision: str | None
    date_text: str | None
    sentence: int
    sentences: set[int] = field(default_factory=set)
    time: dt.time | None = None
    timezone: str | None = None
    timing: str | None = None
    primary: bool = False
    score: float = 0.0
    own_trigger: bool = False
    news_date: dt.date | None = None
    news_date_text: str | None = None
    move_sentence: int | None = None
    rule: str | None = None


#: A date this close (characters) after a trigger word, or before it, is the trigger's own date
#: ("l'annonce du 21 janvier", "announced on Tuesday"; "Trump on Tuesday announced").
NEAR_AFTER, NEAR_BEFORE = 20, 12


@functools.lru_cache(maxsize=4096)
def triggers(text: str, securities: tuple[tuple[int, int], ...] = ()) -> tuple[tuple[str, int, int], ...]:
    """Every trigger of a sentence: (kind, start, end), offsets into ``text`` (``securities``: see
    :func:`find_market_move`)."""
    out = []
    for kind, _, pattern in KINDS:
        if kind in MARKET_MOVE_KINDS:
            continue
        for t in pattern.finditer(text):
            if kind == "launch" and _launches(text, t.start(), t.end()) is None:
                continue
            out.append((kind, t.start(), t.end()))
    move = find_market_move(text, securities)
    if move is not None:
        out.append((move.kind, move.start, move.end))
    return tuple(out)


def _near_trigger(seg: Segmented, mention: DateMention) -> bool:
    sentence = seg.sentence_at(mention.start)
    if sentence is None:
        return False
    for kind, start, end in triggers(sentence.text):
        if kind in MARKET_MOVE_KINDS:
            continue  # the date of a reaction: the news it reacts to is dated first when the text says
        start, end = start + sentence.start, end + sentence.start
        if 0 <= mention.start - end <= NEAR_AFTER or 0 <= start - mention.end <= NEAR_BEFORE:
            return True
    return False


def _kinds_in(text: str, securities: tuple[tuple[int, int], ...] = ()) -> list[str]:
    return list(dict.fromkeys(kind for kind, _, _ in triggers(text, securities)))


def security_spans(seg: Segmented, mentions: list[Mention]) -> dict[int, tuple[tuple[int, int], ...]]:
    """Spans of the listed securities of each sentence, as offsets into the sentence."""
    out: dict[int, list[tuple[int, int]]] = {}
    for m in mentions:
        if m.is_security:
            start = seg.sentences[m.sentence].start
            out.setdefault(m.sentence, []).append((m.start - start, m.end - start))
    return {i: tuple(v) for i, v in out.items()}


def detect_events(seg: Segmented, dates: tuple[DateMention, ...], mentions: list[Mention],
                  claim_sentences: set[int], move: MoveDay | None = None,
                  published: dt.date | None = None) -> list[EventDraft]:
    """Events in the text, the main one first (see the module docstring for the date of the main one)."""
    n = len(seg.sentences)
    if n == 0:
        return []
    spans = security_spans(seg, mentions)
    kinds = [_kinds_in(s.text, spans.get(s.index, ())) for s in seg.sentences]
    dated_sentences: dict[int, list[DateMention]] = {}
    for d in dates:
        s = seg.sentence_at(d.start)
        if s is not None:
            dated_sentences.setdefault(s.index, []).append(d)
    firms: dict[int, set[str]] = {}
    for m in mentions:
        if m.entity is not None:
            firms.setdefault(m.sentence, set()).add(m.entity.id)

    def linked(idx: int) -> set[int]:
        out = {idx} if kinds[idx] else set()
        for nb in (idx - 1, idx + 1):
            if not (0 <= nb < n) or not kinds[nb] or nb in dated_sentences:
                continue
            if nb == idx + 1 or seg.sentences[nb].paragraph == seg.sentences[idx].paragraph:
                out.add(nb)
        return out

    by_date: dict[dt.date, list[DateMention]] = {}
    for d in dates:
        # dates in a repeated paragraph (skipped by the segmenter) do not count twice
        if d.date is not None and d.precision in ("day", "month") and seg.sentence_at(d.start) is not None:
            by_date.setdefault(d.date, []).append(d)
    candidates: list[EventDraft] = []
    for when, ms in by_date.items():
        idxs = sorted({seg.sentence_at(m.start).index for m in ms})
        trig = set().union(*(linked(i) for i in idxs)) if idxs else set()
        if not trig:
            continue
        ents = set().union(*(firms.get(i, set()) for i in set(idxs) | trig)) if idxs else set()
        first = min(ms, key=lambda m: m.start)
        precision = "day" if any(m.precision == "day" for m in ms) else "month"
        close = any(_near_trigger(seg, m) for m in ms)
        score = (3 * len(trig) + len(ms) + 0.5 * min(len(ents), 6) + (1 if precision == "day" else 0)
                 + (2 if close else 0) - (2 if all(i in claim_sentences for i in idxs) else 0))
        head = seg.sentence_at(first.start).index
        # a secondary event needs its own trigger, next to the date or alone with it in the sentence
        own_trigger = close or any(kinds[i] and len(dated_sentences.get(i, [])) == 1 for i in idxs)
        candidates.append(EventDraft("", "", when, precision, first.text.strip(), head, {head} | trig,
                                     score=score, own_trigger=own_trigger))
    candidates.sort(key=lambda c: (-c.score, c.sentence))
    if published is not None:
        # a day still to come ("the tariffs start on April 3") is not what the article reports
        future = [c for c in candidates if c.date is not None and c.date > published + dt.timedelta(days=1)]
        candidates = [c for c in candidates if c not in future] + future
    events: list[EventDraft] = []
    if move is not None and move.votes.get(move.date, 0.0) < LEAD_VOTES and candidates \
            and candidates[0].date is not None and candidates[0].precision == "day" \
            and not 0 <= (move.date - candidates[0].date).days <= NEWS_BEFORE_MOVE_DAYS \
            and (published is None or candidates[0].date <= published + dt.timedelta(days=1)):
        move = None  # a move told in passing, far from the dated news the article is about: background
    if move is not None:
        main = _on_move_day(seg, candidates, move, kinds)
        events.append(main)
        events += [c for c in candidates if c is not main and c.own_trigger and c.date != main.date
                   and c.sentence not in main.sentences]
    elif candidates and not (published is not None and candidates[0].date > published + dt.timedelta(days=1)):
        main = candidates[0]
        main.primary = True
        main.rule = "the date of the news the article reports (its trigger words are next to it)"
        events.append(main)
        events += [c for c in candidates[1:]
                   if c.own_trigger and c.date != main.date and c.sentence not in main.sentences]
    elif any(kinds):
        head = next(i for i, k in enumerate(kinds) if k)
        events.append(EventDraft("", "", None, None, None, head, {i for i, k in enumerate(kinds) if k}, primary=True,
                                 rule="no date found for the news"))
        events += [c for c in candidates if c.own_trigger]
    else:
        return []
    main = events[0]
    if kinds[0]:
        main.sentences.add(0)  # the headline belongs to the main event
    for ev in events:
        _name(seg, ev, kinds, mentions, dates, spans)
        _timing(seg, ev, dates)
    return events


#: Votes a move day needs to be the main event's date when the article dates its news another day
#: (a move of the headline or the first paragraph has them; one told in passing further down has not).
LEAD_VOTES = 2.0
#: Days the news a move reacts to may come before the move (a Friday-evening announcement, a weekend).
NEWS_BEFORE_MOVE_DAYS = 4


#: Words that place news after the session's close: its market reaction is the next session's.
_AFTER_CLOSE_NEWS = re.compile(
    r"(?<![\w])(?:late\s+(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|sunday)|(?:monday|tuesday|wednesday|"
    r"thursday|friday|sunday)\s+(?:evening|night)|(?:lundi|mardi|mercredi|jeudi|vendredi|dimanche)\s+soir|"
    r"in the evening|dans la soirée|overnight)(?![\w])", re.I)


def _after_close(seg: Segmented, news: EventDraft) -> bool:
    """True when the news sentence places it after the close (session word or an evening)."""
    if not 0 <= news.sentence < len(seg.sentences):
        return False
    text = seg.sentences[news.sentence].text
    return find_session_timing(text) == "after_close" or bool(_AFTER_CLOSE_NEWS.search(text))


def _on_move_day(seg: Segmented, candidates: list[EventDraft], move: MoveDay, kinds: list[list[str]]) -> EventDraft:
    """The main event when the article dates its main price move: the news it reacts to (dated that
    day or up to :data:`NEWS_BEFORE_MOVE_DAYS` days before), dated on the move's day, else the move itself."""
    news = next((c for c in candidates if c.date is not None
                 and 0 <= (move.date - c.date).days <= NEWS_BEFORE_MOVE_DAYS), None)
    if news is not None and not move.text and news.date < move.date and not _after_close(seg, news):
        # the move has no day of its own (it stands for the publication date), the news has one; news
        # told after the close ("late Monday", "jeudi soir, après la clôture") moves the market the next
        # session, so an undated move reported later stays on its own (publication) day
        news.primary = True
        news.rule = ("the date of the news the article reports; its price moves have no day of their own "
                     "(the publication date is later)")
        return news
    if news is not None:
        main = news
        if news.date != move.date:
            main.news_date, main.news_date_text = news.date, news.date_text
            main.date, main.precision = move.date, "day"
            main.date_text = move.text or None
            main.move_sentence = move.sentence
            main.sentences.add(move.sentence)
            main.rule = (f"{move.rule}; the news it reacts to is dated {news.date.isoformat()} "
                         f"({(news.date_text or '').strip()!r})")
        else:
            main.rule = f"{move.rule}; the news it reacts to is dated the same day"
            main.move_sentence = move.sentence
    else:
        main = EventDraft("", "", move.date, "day", move.text or None, move.sentence, {move.sentence}, rule=move.rule,
                          move_sentence=move.sentence)
        if any(k in MARKET_MOVE_KINDS for k in kinds[move.sentence]):
            main.sentences |= {i for i in (move.sentence - 1, move.sentence + 1) if 0 <= i < len(kinds)
                               and kinds[i] and seg.sentences[i].paragraph == seg.sentences[move.sentence].paragraph}
    main.primary = True
    return main


def _name(seg: Segmented, ev: EventDraft, kinds: list[list[str]], mentions: list[Mention],
          dates: tuple[DateMention, ...] = (), spans: dict[int, tuple[tuple[int, int], ...]] | None = None) -> None:
    order = [ev.sentence] + sorted(ev.sentences - {ev.sentence})
    spans = spans if spans is not None else security_spans(seg, mentions)
    moves = {i: find_market_move(seg.sentences[i].text, spans.get(i, ())) for i in order
             if any(k in MARKET_MOVE_KINDS for k in kinds[i])}
    counts: Counter[str] = Counter()
    for i in order:
        for k in kinds[i]:
            if k == "announcement":
                continue
            if k in MARKET_MOVE_KINDS and _dated_by_cause(seg.sentences[i], moves.get(i), ev, dates):
                continue  # "rallied on Wednesday, a day after the announcement of January 21": the announcement
            counts[k] += 1
    text = " ".join(seg.sentences[i].text for i in sorted(ev.sentences))
    if counts:
        kind_order = [k for k, _, _ in KINDS]
        ev.kind = max(counts, key=lambda k: (counts[k], -kind_order.index(k)))
    elif ev.move_sentence is not None and ev.news_date is None:
        ev.kind = "market_move"
        ev.name = _plain_move_name(seg, ev.move_sentence, mentions)
        return
    elif _INVESTMENT.search(text):
        ev.kind = "investment"
    else:
        ev.kind = "announcement"
    label = _LABELS.get(ev.kind, "investment announcement")
    if ev.kind in MARKET_MOVE_KINDS:
        ev.name = _market_move_name(seg, ev, order, moves, mentions, label)
        return
    if ev.kind == "launch":
        agent = _launch_agent(seg, order, mentions)
        if agent is not None:
            ev.name = f"{agent} {label}"
            return
    inside = [m for m in mentions if m.sentence in ev.sentences and m.entity is not None]
    projects = [m for m in inside if m.entity.asset_class == "project"]
    unmapped = [m for m in mentions if m.sentence in ev.sentences and m.entity is None and m.role != "source"
                and m.kind_hint in ("company", "equity", "ticker")]
    if projects:
        top = Counter(m.entity.id for m in projects).most_common(1)[0][0]
        project = next(m.entity for m in projects if m.entity.id == top)
        short = min(project.all_aliases() or (project.name,), key=len)
        ev.name = f"{short} {label}"
    elif inside:
        top = Counter(m.entity.id for m in inside).most_common(1)[0][0]
        first = next(m for m in inside if m.entity.id == top)
        ev.name = f"{first.text} {label}"
    elif unmapped:
        ev.name = f"{Counter(m.text for m in unmapped).most_common(1)[0][0]} {label}"
    else:
        ev.name = label[:1].upper() + label[1:]


def _plain_move_name(seg: Segmented, index: int, mentions: list[Mention]) -> str:
    """"CAC 40 fall", "Bitcoin rise", "Market fall": a move with no news named, after who moved."""
    sentence = seg.sentences[index]
    direction = DIRECTION.search(sentence.text)
    word = "move" if direction is None else ("rise" if direction.group("up") else "fall")
    movers = list(dict.fromkeys(m.text for m in mentions
                                if m.sentence == index and m.entity is not None and m.is_security))
    return f"{movers[0]} {word}" if len(movers) == 1 else f"Market {word}"


def _dated_by_cause(sentence, move: MarketMove | None, ev: EventDraft, dates: tuple[DateMention, ...]) -> bool:
    """True when the event's date is written inside the news a market move reacts to."""
    news_day = ev.news_date or ev.date
    if move is None or move.cause_start is None or news_day is None:
        return False
    lo, hi = sentence.start + move.cause_start, sentence.start + move.cause_end
    return any(d.date == news_day and lo <= d.start < hi for d in dates)


#: Nouns for the news a market reacts to, by the kind of its trigger.
_NEWS_NOUNS = {"launch": "launch", "earnings": "results", "acquisition": "deal", "joint_venture": "joint venture",
               "partnership": "partnership", "policy": "policy announcement", "ipo": "IPO", "listing": "listing"}
_AGENT_BEFORE_NEWS = re.compile(
    r"(?P<name>[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,2})(?:'s)?\s+(?:has\s+|had\s+|a\s+|have\s+)?"
    r"(?:said|says|announc\w*|unveil\w*|releas\w*|launch\w*|report\w*|revealed|disclosed|published|warned|"
    r"claimed|annon[cç]\w*|dévoil\w*|lanc\w*|publi\w*|déclar\w*|statement|announcement|results|earnings)(?![\w])")
_AGENT_AFTER_NEWS = re.compile(
    r"(?:annonce|announcement|lancement|launch|publication|release|résultats|results|décision|decision|"
    r"déclarations?|comments?|propos)\s+(?:de\s+|d'|du\s+|des\s+|by\s+|from\s+|of\s+)(?:la\s+|le\s+|l'|the\s+)?"
    r"(?:[a-zà-ÿ-]+\s+){0,2}?(?P<name>[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,2})")


def _market_move_name(seg: Segmented, ev: EventDraft, order: list[int], moves: dict[int, MarketMove | None],
                      mentions: list[Mention], label: str) -> str:
    """"Market sell-off after DeepSeek announcement": the move, and the news and who made it."""
    for i in order:
        move = moves.get(i)
        if move is None or move.cause_start is None:
            continue
        sentence = seg.sentences[i]
        lo, hi = sentence.start + move.cause_start, sentence.start + move.cause_end
        cause = sentence.text[move.cause_start:move.cause_end]
        agents = [m for m in mentions if lo <= m.start < hi and m.role != "source"
                  and (m.entity is None or m.entity.asset_class != "project")]
        found = _AGENT_BEFORE_NEWS.search(cause) or _AGENT_AFTER_NEWS.search(cause)
        if agents:
            agent = agents[0].text
        elif found and found.group("name").split()[0] not in _NOT_NAMES:
            agent = found.group("name").rstrip(".")
        else:
            agent = None
        corporate = [k for k, _, _ in triggers(cause) if k not in MARKET_MOVE_KINDS and k != "announcement"]
        if corporate:
            noun = _NEWS_NOUNS.get(corporate[0], "news")
        elif re.search(r"comments?|remarks|propos|déclarations", cause, re.I):
            noun = "remarks"
        elif re.search(r"said|says|announc|statement|annon[cç]|déclar|communiqué|claim|revendiqu", cause, re.I):
            noun = "announcement"
        else:
            noun = "news"
        # who moved: the one security named before the verb, outside the news ("Bitcoin dégringole ...")
        movers = {m.text for m in mentions if m.sentence == i and m.is_security and m.entity is not None
                  and not lo <= m.start < hi and m.end <= sentence.start + move.start}
        subject = movers.pop() if len(movers) == 1 else "Market"
        return f"{subject} {label} after {agent} {noun}" if agent else f"{subject} {label} after the {noun}"
    for i in order:  # no cause given: "DeepSeek rout" names who set it off
        move = moves.get(i)
        if move is None:
            continue
        sentence = seg.sentences[i]
        before = [m for m in mentions if m.sentence == i and m.end <= sentence.start + move.start
                  and not sentence.text[m.end - sentence.start:move.start].strip()]
        if before:
            return f"{before[-1].text} {label}"
    return f"Market {label}"


def _launch_agent(seg: Segmented, order: list[int], mentions: list[Mention]) -> str | None:
    """Who launches what: the firm named just before the launch word, in its clause, and the
    product's name ("DeepSeek R1" for "DeepSeek launched its R1 model"); None when neither is given."""
    for i in order:
        sentence = seg.sentences[i]
        for kind, start, end in triggers(sentence.text):
            if kind != "launch":
                continue
            product = _launches(sentence.text, start, end) or ""
            at = sentence.start + start
            before = [m for m in mentions if m.sentence == i and m.end <= at and m.role != "source"
                      and (m.entity is None or m.entity.asset_class != "project")
                      and not re.search(r"[,;:]", seg.norm[m.end:at]) and at - m.end <= 40]
            agent = before[-1].text if before else ""
            if product and agent and product.split()[0] == agent.split()[-1]:
                product = ""
            named = f"{agent} {product}".strip()
            if named:
                return named
    return None


def _timing(seg: Segmented, ev: EventDraft, dates: tuple[DateMention, ...]) -> None:
    """Clock time, time zone and session timing of an event, from its sentences. When the event is
    dated on the day of the market's move rather than the day of the news (``news_date`` set), only
    the move's sentence counts: the news's time ("announced at 4:30 p.m.") is not the move's."""
    if ev.news_date is not None and ev.move_sentence is not None:
        order = [ev.move_sentence]
    else:
        order = [ev.sentence] + sorted(ev.sentences - {ev.sentence})
    for i in order:
        when, zone, _ = find_time(seg.sentences[i].text)
        if when is not None:
            ev.time, ev.timezone = when, zone
            break
    for i in order:
        session = find_session_timing(seg.sentences[i].text)
        if session:
            ev.timing = session
            break
    if ev.timing is None:
        head = seg.sentences[order[0]]
        for d in dates:
            if d.kind == "relative" and d.date == ev.date and head.start <= d.start < head.end:
                prefix = re.search(r"(?:\bon\s+|\bthis\s+|\bce\s+)$", seg.norm[max(head.start, d.start - 6):d.start], re.I)
                ev.timing = (seg.original[d.start - len(prefix.group(0)):d.end] if prefix else d.text).strip()
                break
