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
from dataclasses import dataclass, field

import datetime as dt

from .dates import DateMention
from .lexicon import DIRECTION, INTRADAY_CUE
from .model import Claim
from .text import Segmented

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
    r"capitalisation|market value|market cap\w*|CAC|DAX|FTSE|Nikkei|Topix|Stoxx|Hang Seng|Kospi|place|cote|"
    r"blue chips|valeurs?|Paris|Francfort|Frankfurt|Londres|London|Tokyo|Milan|Madrid|Zurich|Hong Kong|New York|"
    r"ether|ethereum|dogecoin|altcoins?|cryptomonnaies?|cryptocurrenc\w+|actifs numériques)(?![\w])", re.I)


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


# --- the day of the article's main move ------------------------------------------------------------

#: Words of a market's state, that report a move without a verb of movement ("dans le rouge", "in the
#: red", "marque le pas", "a clôturé", "finished").
MARKET_STATE = re.compile(
    r"(?<![\w])(?:dans le (?:rouge|vert)|in the (?:red|green)|marque\w* le pas|sans tendance|en ordre dispersé|"
    r"a clôturé|ont clôturé|a terminé|ont terminé|a fini|ont fini|finit|finissent|clôtur\w+|closed|closing|"
    r"finished|ended (?:up|down|higher|lower|flat)|started (?:\w+ )?(?:higher|lower)|opened (?:higher|lower)|"
    r"did better|did worse|outperform\w*|underperform\w*|sous pression|chahuté\w*|secoué\w*|sanctionné\w*|"
    r"débuts? (?:réussis|en bourse)|premiers pas|first day|debut(?:s|ed)?|first-day|trading debut|first steps|"
    r"(?:began|begins|started|starts|start) trading|opened at|opens at|first trade|premier jour de cotation|"
    r"première cotation|commencé à (?:coter|s'échanger)|coté pour la première fois|"
    r"en (?:net |nette |léger |légère |fort |forte )?(?:retrait|repli|hausse|baisse|progression|recul)|"
    r"in (?:negative|positive) territory|tendance (?:baissière|haussière)|(?:bearish|bullish) trend)(?![\w])", re.I)
#: A verb in the pluperfect: a move before the story's day ("avait cédé", "had soared").
_PLUPERFECT = re.compile(r"(?<![\w'])(?:avait|avaient|had|s'était|s'étaient)\s+(?:\w+\s+){0,2}?\w+(?:é|i|u|ed|en)(?![\w])",
                         re.I)
#: Before a date: the data a figure comes from ("les données de SoSoValue du 22 janvier", "data as of May 3").
#: Such a date dates its claims (the end of their window) but not the story's move.
_DATA_DATE_BEFORE = re.compile(r"(?:données|data|chiffres|figures|statistiques|stats|prices|cours)\b[^.;]{0,40}?"
                               r"(?:du|de|d'|of|as of|on|from|au)\s*(?:le\s+|the\s+)?$", re.I)
_ASIDE = re.compile(r",\s*(?:which|who|whose|qui|dont|lequel|laquelle)\b(?:[^,;]|,(?=\d))*(?:,(?!\d)|$)", re.I)

#: Horizons of a move that can date the story's day (a week's or a year's move cannot).
_DAY_HORIZONS = (None, "1d", "intraday", "24h", "premarket", "after_hours")


@dataclass(frozen=True)
class MoveDay:
    """The day of an article's main price move, and how it was found (see :func:`main_move_day`)."""

    date: dt.date
    sentence: int
    text: str
    rule: str
    votes: dict[dt.date, float] = field(default_factory=dict, compare=False)


def is_move_sentence(text: str, securities: tuple[tuple[int, int], ...] = (), has_claims: bool = False) -> bool:
    """True when a sentence reports a market or price move: a verb of movement or a market state
    ("a clôturé", "in the red") together with a market word, a security, or a price claim."""
    if has_claims:
        return True
    text = _SESSION_TIME.sub(" ", text)  # "publié jeudi soir, après la clôture de Wall Street": a time, not a state
    move = DIRECTION.search(text) or MARKET_STATE.search(text)
    if move is None:
        return False
    return bool(securities) or bool(_MARKET_WORDS.search(text))


#: Phrases that say when something happened relative to the session, not how the market moved.
_SESSION_TIME = re.compile(r"(?<![\w])(?:après la (?:clôture|fermeture)|avant l'ouverture|after the (?:close|closing bell|bell)|"
                           r"before the (?:open|opening bell|bell)|after (?:the )?markets? closed?)(?![\w])", re.I)

#: A paragraph this long (characters) is body text even without a final stop.
HEADING_CHARS = 120


def lead_paragraphs(seg: Segmented) -> set[int]:
    """The article's lead: the headline (paragraph 0) and the first paragraph of the body that is
    not a heading or a list item (it ends with a stop, or has :data:`HEADING_CHARS` characters or more)."""
    texts: dict[int, list[str]] = {}
    for s in seg.sentences:
        texts.setdefault(s.paragraph, []).append(s.text)
    def is_body(p: int) -> bool:
        text = " ".join(texts[p]).strip()
        return (len(text) >= HEADING_CHARS or bool(re.search(r"[.!?…»\"]\s*$", text))) and not re.match(r"[-*•–]\s", text)
    body = next((p for p in sorted(texts) if p > 0 and is_body(p)), None)
    return {0} | ({body} if body is not None else set())


def main_move_day(seg: Segmented, dates: tuple[DateMention, ...], claims: list[tuple[int, Claim]],
                  security_spans: dict[int, tuple[tuple[int, int], ...]], published: dt.date | None,
                  is_reference) -> MoveDay | None:
    """The day of the article's main price move, by votes of the sentences that report a move.

    A sentence that reports a move (:func:`is_move_sentence`; a claim of a week, month or year, or
    after hours, does not count) votes for each of its day-precision dates that is not a reference
    point (``is_reference(norm, date, sentence_start)``: "depuis le 13 juin", "announced Sept. 9"),
    not inside an aside (", which ... ,") or the news the move reacts to ("after Trump said on
    Monday"), not the date of the data a figure comes from ("les données de SoSoValue du 22 janvier":
    a data vendor's window, not the session of the story), and not after the publication date unless
    written with its year (then the text is taken as written: the date or the publication date is
    wrong, ``notes`` says so and the study warns). Weights: 2 in the headline or the first paragraph,
    else 1 (:func:`lead_paragraphs`: a heading does not count as the first paragraph); +0.5 when the sentence states a price claim; half for a pluperfect ("avait cédé 0,34 %",
    "had soared"); +1 for the article's first dated move (not a pluperfect). A move reported without a date in the headline (weight 1) or the first paragraph
    (1.5) votes for the publication date: a news report's undated moves are those of its own day;
    in the lead, one that follows a dated sentence of its paragraph (a move, or the news: "Le 21
    janvier, Trump a présenté Stargate. Oracle a grimpé de 7 % dans la foulée") votes for that day
    instead, with its full weight.
    An undated after-hours move in the article's first sentences, told just after a dated one (the
    news: "results on Tuesday after the close ... the stock jumped 9% after hours"), gives that day
    first: the reaction starts after hours on the news's day (the corpus convention).
    Otherwise the day with the most votes wins (ties: a day the text writes over the publication date presumed
    for undated moves, then the one written first). None when nothing votes.
    """
    by_sentence: dict[int, list[DateMention]] = {}
    for d in dates:
        s = seg.sentence_at(d.start)
        if s is not None and d.date is not None and d.precision == "day":
            by_sentence.setdefault(s.index, []).append(d)
    claims_by: dict[int, list[Claim]] = {}
    for i, c in claims:
        claims_by.setdefault(i, []).append(c)
    votes: dict[dt.date, float] = {}
    first: dict[dt.date, tuple[int, int, str]] = {}
    paragraph_day: dict[int, DateMention] = {}
    lead = lead_paragraphs(seg)

    def vote(day: dt.date, weight: float, sentence: int, start: int, text: str) -> None:
        votes[day] = votes.get(day, 0.0) + weight
        if day not in first or (not first[day][2] and text) or (bool(text) == bool(first[day][2])
                                                                and (sentence, start) < first[day][:2]):
            first[day] = (sentence, start, text)

    seen: dict[tuple[int, bool], bool] = {}

    def moving(s, has_claims: bool) -> bool:
        key = (s.index, has_claims)
        if key not in seen:
            seen[key] = is_move_sentence(s.text, security_spans.get(s.index, ()), has_claims)
        return seen[key]

    def usable_dates(s, cause=None, asides=()) -> list[DateMention]:
        out = []
        for d in by_sentence.get(s.index, []):
            if is_reference(seg.norm, d, s.start):
                continue
            if published is not None and d.date > published and d.kind != "explicit":
                continue  # a day still to come ("the tariffs start on April 3"); one written with its year is kept
            if _DATA_DATE_BEFORE.search(seg.norm[max(s.start, d.start - 60):d.start]):
                continue
            if cause and cause[0] <= d.start < cause[1]:
                continue
            if any(a <= d.start < b for a, b in asides):
                continue
            out.append(d)
        return out

    last_dated: tuple[int, DateMention] | None = None  # the last sentence with a day of its own (news or move)
    after_hours_day: tuple[DateMention, int] | None = None

    def pluperfect_of(s) -> bool:
        return bool(_PLUPERFECT.search(s.text))

    for s in seg.sentences:
        own = claims_by.get(s.index, [])
        day_claims = [c for c in own if c.horizon in _DAY_HORIZONS]
        before = last_dated
        own_days = usable_dates(s, asides=[(s.start + m.start(), s.start + m.end()) for m in _ASIDE.finditer(s.text)])
        if own_days:
            last_dated = (s.index, own_days[0])
        if s.paragraph in lead and s.paragraph not in paragraph_day and not (own and not day_claims) \
                and not moving(s, bool(day_claims)):
            # "Le 21 janvier, Trump a présenté Stargate. Oracle a grimpé de 7 % dans la foulée": the lead's
            # day goes on to the undated move that follows it in its paragraph
            found = usable_dates(s, asides=[(s.start + m.start(), s.start + m.end()) for m in _ASIDE.finditer(s.text)])
            if found:
                paragraph_day[s.paragraph] = found[0]
        if after_hours_day is None and before is not None and 0 < s.index - before[0] <= 2 and s.index <= 4 and \
                any(c.horizon == "after_hours" and c.date is None for c in own) and not pluperfect_of(s):
            # "Oracle a publié ses résultats mardi, après la clôture. L'action a bondi de 9,5 % dans les échanges
            # après la clôture": the first reaction to the news is after hours on the news's day
            after_hours_day = (before[1], s.index)
        if own and not day_claims:
            continue  # "had soared 70% this week": a longer move does not date the story's day
        if not moving(s, bool(day_claims)):
            continue
        weight = 2.0 if s.paragraph in lead else 1.0
        if day_claims:
            weight += 0.5
        pluperfect = bool(_PLUPERFECT.search(s.text))
        if pluperfect:
            weight /= 2
        move = find_market_move(s.text, security_spans.get(s.index, ()))
        cause = (s.start + move.cause_start, s.start + move.cause_end) if move and move.cause_start is not None else None
        asides = [(s.start + m.start(), s.start + m.end()) for m in _ASIDE.finditer(s.text)]
        usable = usable_dates(s, cause, asides)
        if usable:
            for d in {d.date: d for d in reversed(usable)}.values():
                first_dated = not pluperfect and not any(first[x][2] for x in first)
                vote(d.date, weight + (1.0 if first_dated else 0.0), s.index, d.start, d.text.strip())
            paragraph_day.setdefault(s.paragraph, usable[0])
        elif s.paragraph in lead and not any(c.horizon == "after_hours" for c in own):
            # an undated after-hours move is on the day of its news, not of publication
            if s.paragraph in paragraph_day:  # "... on Monday. Nvidia fell 17%.": the same day goes on
                d = paragraph_day[s.paragraph]
                first_dated = not pluperfect and not any(first[x][2] for x in first)
                vote(d.date, weight + (1.0 if first_dated else 0.0), s.index, d.start, d.text.strip())
            elif published is not None:
                vote(published, 1.0 if s.paragraph == 0 else 1.5, s.index, s.start, "")
    if after_hours_day is not None:
        d, sentence = after_hours_day
        return MoveDay(d.date, sentence, d.text.strip(),
                       f"the day of the news {d.text.strip()!r}: its first market reaction is after hours that day "
                       f"(sentence {sentence + 1})", votes)
    if not votes:
        return None
    # ties: a day the text writes beats the publication date presumed for undated moves, then the first written
    best = max(votes, key=lambda d: (votes[d], bool(first[d][2]), -first[d][0], -first[d][1]))
    sentence, _, text = first[best]
    if text:
        rule = (f"the day of the article's main price move: {text!r} in sentence {sentence + 1} "
                f"({votes[best]:g} of {sum(votes.values()):g} votes)")
    else:
        rule = (f"the day of the article's main price move: the publication date {best.isoformat()} (the move is "
                f"reported without a day of its own in sentence {sentence + 1}, as of publication)")
    return MoveDay(best, sentence, text, rule, votes)
