"""Price moves an article reports ("le cours d'Oracle a grimpé d'environ 7 %", "(ORCL+7.18%)",
"Toyota Motor rose 1.14%, Honda Motor 0.79% and Nissan Motor 2.96%", "the AI-agent sector rose
10.47% in 24 hours").

For every percentage in a sentence:

1. **Subject** — see :mod:`.subjects` (its own clause's subject; rows of figures shared out in
   order, "respectively"; joint subjects "Toyota and Honda both fell 2%" give one claim each;
   "le titre", "the index", "il" refer back; a market place is its benchmark index; a name the
   gazetteer does not know gives an unmapped claim, never the previous security's).
2. **Only price moves** — a percentage is not a claim when it measures something else: a noun of
   revenue, profit, volume, tariffs, a stake, a premium, a forecast ... between the subject and the
   figure or right after it ("Billings climbed 17%", "ses revenus avaient chuté de 99 %",
   "expectations for a 12 percent drop"); a share ("40% of the vehicles", "pesant 11 % de la
   capitalisation"); the figure used as an attribute of a noun ("25% tariffs", "a 45% premium");
   a change in points ("25 points de base"). Each skip is noted.
3. **Sign** — the written sign, else the nearest verb or noun of movement before it ("grimpé",
   "avance", "fell", "down"), else one just after ("7 % de hausse", "26.6p, or 4%, lower", with a
   trading verb "ended 45 percent above"), else the previous claim's in the same sentence (a
   list: "Honda Motor 0.79%"). A percentage with no direction (a stake, a share) is not a move.
4. **Horizon** (vocabulary in :data:`.model.HORIZONS`), first that applies: a horizon phrase of
   its own (each phrase belongs to the percentage nearest to it; "closed down", "to close at",
   "on the day" = 1d; "in mid-afternoon trading", "as much as" = intraday; "sur 24 heures" =
   24h; "this week", "depuis lundi" = 1w ...); a session cue of its sentence (a clock time, "ce
   matin", "à la mi-séance" = intraday; "closed", "a terminé", "la séance de" = 1d); for a listed
   security, the tense (French present or imperfect, English "was down" = intraday; French passé
   composé or plus-que-parfait = 1d); the cue of an earlier sentence of its paragraph; the cue of
   the article's lead (headline and first two paragraphs); else "1d" when the move is dated to a
   day. A period the vocabulary has no word for ("over the last six months", "depuis le 14
   juillet") leaves it null. For a crypto token, a day ("sur la journée", "on the day") is "24h".
   The headline's words never reach a sentence of the body, and a sentence's cue never reaches
   another paragraph.
5. **Date** — the day-precision date of its own sentence nearest to it, unless a reference point:
   a date after "après", "after", "since", "depuis", "before", "avant", "until", "(quarter)
   ended", "l'annonce du", inside an aside, or after the publication date (unless written with its
   year: then it is taken as written, and the extraction's notes say it contradicts publication). The day of the
   article's main move is given to the undated claims afterwards (:func:`carry_move_day`).
6. **Source** — "selon X", "d'après les données de X", "according to X", "X data".
7. A sentence that opens with a connector ("Par ailleurs", "Meanwhile", ...) and gives no horizon,
   date or source takes them from the previous sentence of the paragraph, when that one had claims;
   the claim's ``note`` says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from .dates import DateMention
from .entities import SOURCE, Mention
from .lexicon import (BACK_REFERENCE, CLOSE_CUE, DIRECTION, DIRECTION_AFTER, DONE_VERB_FR, HORIZON_PHRASES, INTRADAY_CUE, LEVEL_AFTER,
                      LIVE_VERB_EN, LIVE_VERB_FR, METRIC, MOVE_FOLLOWERS, SHARE_OF, SHARE_VERB, TRADING_VERB, VALUE_OF)
from .model import Claim
from .numbers import PercentMatch, find_percents
from .subjects import (NAME_STOP, SentenceSubjects, Subject, coreference, noun_phrase, respectively_after, run_of)
from .text import Segmented, Sentence

__all__ = ["DIRECTION", "HORIZON_PHRASES", "carry_move_day", "find_claims"]

_CONNECTOR = re.compile(
    r"^\s*(?:par ailleurs|de plus|en outre|de même|dans le même temps|parallèlement|quant à|pour sa part|"
    r"meanwhile|also|in addition|likewise|similarly|elsewhere|separately)\b", re.I)
#: Words before a date that make it a reference point, not the day of the move.
REFERENCE_BEFORE = re.compile(
    r"(?:après|after|since|depuis|avant|before|until|jusqu'au|jusqu'à|ahead of|prior to|dès|as of|"
    r"(?:quarter|period|year|months?|weeks?|trimestre|période|semaines?)\s+(?:that\s+)?(?:ended|ending|to|clos|achevé)(?:\s+on)?|"
    r"(?:ended|ending|clos|close|closing)\s+(?:on\s+)?|"
    r"(?:annonce|announcement|conférence|conference|réunion|meeting|investiture|inauguration|vote|scrutin|"
    r"publication|décision|decision|assemblée|summit)\s+(?:du|de|d'|of|on|le)|"
    r"(?:record|sommet|pic|peak|high|low|plus haut|plus bas|niveau|level|IPO|introduction)\b[^.;,]{0,40}?"
    r"(?:du|of|on|set on|atteint le|le)|"
    r"(?:effect|effet|vigueur|start|starts|begin|begins|commence|débute|applicable|due|prévue?s?|scheduled|"
    r"expected|attendue?s?|jusqu'au)\s+(?:on\s+|le\s+)?|"
    r"(?:amorcée?s?|entamée?s?|commencée?s?|initiée?s?|engagée?s?|begun|began|started|which began|that began)\s+"
    r"(?:on\s+|le\s+|dès\s+)?|"
    r"(?:launched|lancée?s?|announced|annoncée?s?|unveiled|dévoilée?s?|presented|présentée?s?|introduced|"
    r"published|publiée?s?|released|priced|fixée?)\s+(?:on\s+|le\s+)?)\s*(?:le\s+|the\s+|l'|on\s+)?$", re.I)
_POINTS = re.compile(r"^\s*(?:de\s+)?(?:base\s+)?points?(?![\w])|^\s*(?:percentage\s+|basis\s+)?points?(?![\w])", re.I)
#: A period the horizon vocabulary has no word for: the claim's horizon stays null.
_OTHER_PERIOD = re.compile(
    r"(?<![\w])(?:(?:over|in|during)\s+the\s+(?:past|last|previous)\s+(?:\w+\s+){0,2}(?:months|weeks|years|sessions|"
    r"days|quarters)|(?:sur|en)\s+(?:les\s+)?(?:\w+\s+)?(?:derniers|dernières)?\s*(?:\d+|deux|trois|quatre|cinq|six)\s+"
    r"(?:mois|semaines|ans|séances|jours)|since\s+(?:\w+\s+){0,2}\d|depuis\s+(?:le\s+|la\s+|l')?(?:\w+\s+){0,2}"
    r"(?:\d|début|mi-|novembre|décembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|son|sa)|"
    r"since\s+(?:last\s+|early\s+|late\s+|mid-?)?(?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December|the start of|the beginning of)|"
    r"over\s+(?:the\s+)?(?:\w+\s+)?(?:six|three|two|\d+)\s+(?:months|weeks|years)|on\s+(?:the|this)\s+series|"
    r"sur\s+cette\s+série|en\s+un\s+an\s+et\s+demi)", re.I)

_SECTOR_FR = re.compile(r"(?<![\w])(?P<head>secteurs?|segment)\s+(?:des\s+|du\s+|de\s+la\s+|de\s+l'|d'|de\s+)?", re.I)
_SECTOR_NAME_BEFORE = re.compile(r"(?<![\w&'-])(?P<name>(?:[\w&'-]+\s+){0,2}[\w&'-]+)\s+$", re.I)
_SECTOR_WORD = re.compile(r"(?<![\w])(?:sector|segment)(?![\w])", re.I)
_CAP_FORWARD = re.compile(
    r"^\s*(?:de\s+la\s+|du\s+|de\s+|d'|of\s+(?:the\s+)?|in\s+(?:the\s+)?)?(?:capitalisation|capitalization|market\s+cap\w*)"
    r"\s+(?:boursière\s+|totale\s+|globale\s+|total\s+)*(?:des\s+|du\s+|de\s+la\s+|de\s+l'|d'|de\s+|of\s+(?:the\s+)?|for\s+)",
    re.I)
_SECTOR_STOP = frozenset(
    "a ont est sont était étaient avait avaient qui que dont avec sur pour dans par en affiche affichant affichait "
    "se s'est à au aux le la les ce cette rose fell jumped gained lost was were is are has have had with "
    "and et on in of for to by as at after avant après".split())


# --- sentence-level pieces ------------------------------------------------------------------------

def _sector_name(norm: str, start: int, limit: int) -> tuple[int, int] | None:
    """Span of a sector name beginning at ``start``: up to four words, stopping at a verb or mark."""
    end = start
    words = 0
    for m in re.finditer(r"[\w'&-]+|[^\w\s]", norm[start:limit]):
        token = m.group(0)
        if not re.match(r"[\w]", token) or token.lower() in _SECTOR_STOP or DIRECTION.fullmatch(token) or words == 4:
            break
        end = start + m.end()
        words += 1
    return (start, end) if end > start else None


def _sectors(seg: Segmented, sentence: Sentence) -> list[Subject]:
    out: list[Subject] = []
    norm = seg.norm
    for m in _SECTOR_FR.finditer(norm, sentence.start, sentence.end):
        span = _sector_name(norm, m.end(), sentence.end)
        if span:
            out.append(Subject(m.start(), span[1], seg.original[m.start():span[1]],
                               sector=seg.original[span[0]:span[1]], how="sector"))
    for key in _SECTOR_WORD.finditer(norm, sentence.start, sentence.end):  # the head word first: fast
        m = _SECTOR_NAME_BEFORE.search(norm, max(sentence.start, key.start() - 60), key.start())
        if m is None:
            continue
        words = m.group("name").split()
        while words and words[0].lower() in ("the", "entire", "whole", "broader", "broad", "overall", "wider", "of",
                                             "in", "for", "and"):
            words.pop(0)
        if words and not any(o.start <= m.start() < o.end for o in out):
            start = norm.find(words[0], m.start(), m.end())
            out.append(Subject(start, key.end(), seg.original[start:key.end()], sector=" ".join(words), how="sector"))
    return out


def _capitalisation_of(seg: Segmented, p: PercentMatch, after: str, subjects: SentenceSubjects) -> Subject | None:
    """"une baisse de 10 % de la capitalisation des jetons d'IA": the capitalisation of a security or a sector."""
    cap = _CAP_FORWARD.match(after)
    if not cap:
        return None
    start = p.end + cap.end()
    for c in subjects.candidates:
        if c.start == start:
            return c
    span = _sector_name(seg.norm, start, min(len(seg.norm), start + 80))
    if span is None:
        return None
    lead = re.match(r"\s*(?:de\s+la\s+|du\s+|de\s+|d'|of\s+(?:the\s+)?|in\s+(?:the\s+)?)?", after)
    begin = p.end + lead.end()
    return Subject(begin, span[1], seg.original[begin:span[1]].strip(), sector=seg.original[span[0]:span[1]],
                   how="sector")


def _distance(start: int, end: int, p: PercentMatch) -> int:
    if start < p.end and p.start < end:
        return 0
    return min(abs(start - p.end), abs(p.start - end))


def _owned(phrases: list[tuple[int, int, Any]], percents: list[PercentMatch]) -> dict[int, Any]:
    """Each phrase goes to the percentage nearest to it; for each percentage, its nearest own phrase."""
    best: dict[int, tuple[int, Any]] = {}
    for start, end, value in phrases:
        dists = [_distance(start, end, p) for p in percents]
        k = min(range(len(percents)), key=lambda i: dists[i])
        if k not in best or dists[k] < best[k][0]:
            best[k] = (dists[k], value)
    return {k: v for k, (_, v) in best.items()}


#: A horizon phrase for a period the vocabulary has no word for ("over the last six months").
_OTHER = "other"


def _horizon_phrases(seg: Segmented, sentence: Sentence) -> list[tuple[int, int, str | None]]:
    """Horizon phrases of a sentence, except those inside an aside without a figure ("Nvidia shares,
    which have tripled over the past year, rose 2%": the year is the aside's)."""
    out: list[tuple[int, int, str | None]] = []
    asides = [(m.start(), m.end()) for m in _ASIDE_SPAN.finditer(seg.norm, sentence.start, sentence.end)
              if not re.search(r"\d\s?%|\d\s?(?:percent|pour cent|per cent)", m.group(0))]
    for name, pattern in HORIZON_PHRASES:
        for m in pattern.finditer(seg.norm, sentence.start, sentence.end):
            if any(a <= m.start() < b for a, b in asides):
                continue
            if not any(m.start() < e and s < m.end() for s, e, _ in out):
                out.append((m.start(), m.end(), name))
    return out


def _other_periods(seg: Segmented, sentence: Sentence, percents: list[PercentMatch]) -> set[int]:
    """Percentages with a period of their own the vocabulary has no word for, written right after or
    right before them ("chuté de 18 % depuis le 14 juillet", "lost 35.1% over the past 12 months"); one
    written after a comma is the apposition's ("bondi de 4 %, son plus fort gain depuis mars")."""
    out = set()
    for m in _OTHER_PERIOD.finditer(seg.norm, sentence.start, sentence.end):
        # a period after a comma belongs to the phrase in apposition, not to the move ("a bondi de 4 %, son
        # plus fort gain depuis septembre dernier", "rose 3%, its best day since last March")
        near = [(min(abs(m.start() - p.end), abs(p.start - m.end())), k) for k, p in enumerate(percents)
                if (0 <= m.start() - p.end <= OTHER_PERIOD_REACH and "," not in seg.norm[p.end:m.start()])
                or 0 <= p.start - m.end() <= OTHER_PERIOD_REACH]
        if near:
            out.add(min(near)[1])
    return out


#: Characters between a percentage and a period phrase for the phrase to be the percentage's.
OTHER_PERIOD_REACH = 25


def is_reference_date(norm: str, d: DateMention, lo: int) -> bool:
    """True when a date is a reference point, not the day of a move ("après le 21 janvier", "the quarter
    that ended April 29", "take effect April 3", "an initiative announced Sept. 9", "depuis le 13 juin")."""
    return bool(REFERENCE_BEFORE.search(norm[max(lo, d.start - 40):d.start]))


def _date_phrases(seg: Segmented, sentence: Sentence, dates: list[DateMention],
                  published: dt.date | None) -> list[tuple[int, int, dt.date]]:
    out = []
    for d in dates:
        if not (sentence.start <= d.start < sentence.end) or d.date is None or d.precision != "day":
            continue
        if is_reference_date(seg.norm, d, sentence.start):
            continue
        if published is not None and d.date > published and d.kind != "explicit":
            continue  # a day still to come is not when a move happened (one written with its year is kept)
        out.append((d.start, d.end, d.date))
    return out


def _source(seg: Segmented, sentence: Sentence) -> str | None:
    m = SOURCE.search(seg.norm, sentence.start, sentence.end)
    return seg.original[m.start("name"):m.end("name")] if m else None


def session_cue(text: str) -> str | None:
    """"intraday" or "1d" when a sentence places its moves in the session or at its close."""
    intraday, close = INTRADAY_CUE.search(text), CLOSE_CUE.search(text)
    if intraday and close:
        return "intraday" if intraday.start() > close.start() else "1d"
    return "intraday" if intraday else "1d" if close else None


def _tense_cue(text: str, language: str) -> str | None:
    """The horizon a verb's tense gives a listed security's move (see rule 4)."""
    if language == "fr":
        live, done = LIVE_VERB_FR.search(text), DONE_VERB_FR.search(text)
        if live and done:
            return "intraday" if live.start() > done.start() else "1d"
        return "intraday" if live else "1d" if done else None
    return "intraday" if LIVE_VERB_EN.search(text) else None


@dataclass
class _Context:
    """What the claims of a paragraph carry from sentence to sentence."""

    paragraph: int = -1
    cue: str | None = None
    previous: dict[str, Any] | None = None
    last_subject: Subject | None = None
    last_paragraph: int = -1
    last_sentence: int = -1
    main: Mention | None = None
    paragraph_start: int = 0


# --- the non-price filter ------------------------------------------------------------------------

#: An aside between commas ("Nvidia, whose revenue doubled, fell 3%"): its words are not the move's.
_ASIDE_SPAN = re.compile(r",\s*(?:which|who|whose|that|a|an|the|its|dont|qui|que|owner|maker|parent)"
                         r"(?![\w])(?:[^,;]|,(?=\d))*,(?!\d)", re.I)

def _not_a_price(norm: str, p: PercentMatch, gap_from: int, after: str, subject: Subject | None) -> str | None:
    """Why the percentage at ``p`` is not a price move (rule 2), or None."""
    level = _TO_LEVEL.search(norm, max(gap_from, p.start - 60), p.start)
    if level is not None:  # "la part de marché a reculé à 16 %", "yields rose to 4.2%": a ratio's level
        return f"a level ({level.group(0).strip()!r} {p.text!r}: a ratio that stands at a value, not a price move)"
    gap = _ADJUNCT.sub(" ", norm[gap_from:p.start])  # ", on volumes seven times the average, before closing"
    gap = _ASIDE_SPAN.sub(" ", gap)  # "Arm, the SoftBank-owned chip designer, rose 5%"
    metric = METRIC.search(gap)
    if metric:
        return f"a change in {metric.group(0)!r}"
    if subject is not None and subject.how in ("unknown", "phrase") and METRIC.search(subject.name):
        return f"a change in {subject.name!r}"
    share = SHARE_VERB.search(gap)
    if share:
        return f"a share ({share.group(0)!r})"
    tail = re.sub(r"^\s*(?:de|des|du|d'|of|in)\s+(?:ses|leur|son|sa|its|their|the)?\s*", "", after[:50])
    on = re.match(r"^\s*(?:sur|on|for|pour)\s+(?:(?:ses|leur|son|sa|le|la|les|l'|its|their|the)\s*)?", after)
    if on and METRIC.match(after, on.end()):  # "de -1 à -2 % sur le chiffre d'affaires publié"
        return f"a change of {METRIC.match(after, on.end()).group(0)!r}"
    if METRIC.match(tail) and SHARE_OF.match(after):
        return f"a share or change of {METRIC.match(tail).group(0)!r}"
    if SHARE_OF.match(after) and not VALUE_OF.match(after):
        follow = re.match(r"^\s*(?:of|de|d'|du|des)\s*(?:(?:the|la|le|les|l'|its|their|sa|son|ses)\s+)?([\w'-]+)", after)
        word = follow.group(1).lower() if follow else ""
        if word and not re.fullmatch(r"\d.*|[A-Z].*", follow.group(1)) and word not in ("plus", "moins", "près"):
            return f"a share ({after.strip()[:30]!r})"
    noun = _MOVE_NOUN_AFTER.match(after)
    if noun:
        tail = re.match(r"\s*(?:in|of|de|des|du|d')\s+(?:(?:its|their|the|ses|son|sa|leur|leurs|la|le|les|l')\s*)?"
                        r"([^,;.]{0,40})", after[noun.end():])
        if tail and METRIC.search(tail.group(1)):
            return f"a change in {METRIC.search(tail.group(1)).group(0)!r}"
    det = _DETERMINER_BEFORE.search(norm[max(gap_from, p.start - 12):p.start])
    if det and not _MOVE_NOUN_AFTER.match(after):
        return f"a quantity ({det.group(0).strip()!r} {p.text!r}: a stake or a share, not a move)"
    rel = re.match(r"^\s*(?:qu'|que\s+|that\s+|which\s+)[^,;.]{0,60}", after)
    if rel and (SHARE_VERB.search(rel.group(0)) or METRIC.search(rel.group(0))):
        return f"a stake ({rel.group(0).strip()!r})"
    word = re.match(r"^[\s-]*([a-zà-öø-ÿ][\w'-]*)", after)
    if word and word.group(1).lower() not in MOVE_FOLLOWERS and not DIRECTION.fullmatch(word.group(1)) \
            and not re.match(r"^\s*-?\s*(?:year|day|week|month)", after):
        return f"an attribute of {word.group(1)!r} (not a move)"
    if _POINTS.match(after):
        return "a change in points"
    return None


#: A prepositional adjunct between commas followed by a verb of its own clause ("sank 14 percent, on
#: volumes seven times the average, before closing 8.7 percent lower"): its nouns are not the figure's.
_ADJUNCT = re.compile(r",\s*(?:on|amid|with|in|sur fond d[e']|avec|dans|malgré|despite)\s[^,;]*(?=,\s*(?:before|after|then|"
                      r"and|avant de|puis|et|pour)\s)", re.I)
#: A verb of movement, then "to"/"à" right before a figure: the level a ratio moved to (a price is never
#: quoted in percent), unless "up to"/"jusqu'à"/"as much as" (an intraday extreme of a move).
_TO_LEVEL = re.compile(rf"(?:{DIRECTION.pattern})\s+(?:[\w'-]+\s+){{0,2}}?(?<!jusqu')(?<![Uu]p )(?:to|à)\s*$", re.I)
#: A determiner right before a figure makes it a quantity ("les 26,87 % que Vale détenait", "its 49.9%
#: stake"), unless a noun of movement follows ("a 31% gain", "the 10% drop").
_DETERMINER_BEFORE = re.compile(r"(?<![\w'])(?:les|la|le|l'|ses|son|sa|leurs?|its|their|the|his|her|ce|ces|this|"
                                r"these)\s*$", re.I)
_MOVE_NOUN_AFTER = re.compile(r"^[\s-]*(?:[a-z]+(?:-[a-z]+)*\s+)?(?:gain|gains|rise|jump|drop|fall|decline|loss|plunge|slide|"
                              r"rally|surge|increase|decrease|advance|slump|hausse|baisse|repli|recul|chute|bond|"
                              r"progression|envolée|plongeon|rebound|spike|tumble|dip|slip|retreat|sell-off|selloff|"
                              r"rebond|dégringolade|décrochage|glissade|flambée|embellie|correction)(?![\w])", re.I)


_DOWN_NOUN = re.compile(r"(?<![\w])(?:drop|fall|decline|loss|plunge|slide|decrease|slump|baisse|repli|recul|chute|"
                        r"plongeon|tumble|dip|slip|retreat|sell-off|selloff|dégringolade|décrochage|glissade|"
                        r"correction)(?![\w])", re.I)


def _sign(norm: str, p: PercentMatch, gap_from: int, lo: int, after: str, prev_sign: int | None,
          listed: bool, names: tuple[tuple[int, int], ...] = ()) -> int | None:
    """The sign of a move (rule 3). ``names``: spans of the sentence's names, whose words are never a
    verb of movement ("Monte dei Paschi", "Advance Auto Parts", "Rising Sun")."""
    if p.signed:
        return 1 if p.value >= 0 else -1
    word = re.search(r"(?<![\w'])(?P<w>minus|moins|plus)\s*$", norm[max(lo, p.start - 8):p.start], re.I)
    if word and not re.match(r"\s*(?:de|d'|que|than)\b", after):  # "BAM (minus 1.8 percent)", "(plus 2 percent)"
        return -1 if word.group("w").lower() in ("minus", "moins") else 1
    own = _MOVE_NOUN_AFTER.match(after)
    if own:  # "a 31% gain", "a 54% rise": the figure's own noun
        return -1 if _DOWN_NOUN.search(own.group(0)) else 1
    spans = [(s, e) for s, e in names if s < p.start and e > lo]  # the names of the figure's window only

    def verb_sign(a: int, b: int) -> int | None:
        last = None
        for m in DIRECTION.finditer(norm, a, b):
            if any(s <= m.start() < e for s, e in spans):
                continue
            last = 1 if m.group("up") else -1
        return last

    sign = verb_sign(gap_from, p.start)
    if sign is not None:
        return sign
    m = DIRECTION_AFTER.match(after)
    if m and not (re.match(r"\s*(?:higher|lower|plus haut|plus bas)\s+(?:than|que)", after)
                  and not TRADING_VERB.search(norm, gap_from, p.start)):
        # the figure's own word after it ("HSBC was 2.1 per cent lower") before a verb of an earlier clause;
        # "75% higher than that price" is a comparison, not a move
        return 1 if m.group("up") else -1
    sign = verb_sign(lo, p.start)
    if sign is not None:
        return sign
    level = LEVEL_AFTER.match(after)
    if level and TRADING_VERB.search(norm, gap_from, p.start):  # "ended their first day 45 percent above"
        return 1 if level.group("up") else -1
    return prev_sign if listed else None


#: Where a new clause may open after a metric ("cut its outlook on Sept. 12, when the stock lost 9%").
_METRIC_CLAUSE = re.compile(r"[;:]|,\s*(?:when|as|while|whereas|but|and|after which|lorsque|quand|alors qu|tandis qu|"
                            r"mais|et|puis)(?![\w])|(?<![\w])(?:while|whereas|tandis qu|alors qu)", re.I)


def _in_subject_aside(norm: str, subjects: SentenceSubjects, prev: PercentMatch, p: PercentMatch) -> bool:
    """True when ``prev`` sits in an aside between commas that opens right after a name ("Ferrari, whose
    shares are up 30% this year, slipped 1.2%", "Société Générale, en hausse de 25 % depuis janvier,
    recule de 1,5 %") and ``p`` is after the aside's closing comma."""
    opening = norm.rfind(",", 0, prev.start)
    closing = norm.find(",", prev.end, p.start)
    if opening < 0 or closing < 0 or ";" in norm[opening:closing]:
        return False
    return any(c.end == opening for c in subjects.in_window(max(0, opening - 80), opening))


def _new_subject_start(norm: str, subjects: SentenceSubjects, lo: int, hi: int) -> int | None:
    """Where the last subject of ``[lo, hi)`` begins: a name, or words that refer back to a security or
    an index ("its shares", "le titre", "l'indice"); None when there is none (no new clause)."""
    starts = [c.start for c in subjects.in_window(lo, hi)]
    ref = coreference(norm, lo, hi)
    if ref is not None and ref[0] in ("security", "index"):
        at = norm.rfind(ref[1], lo, hi)
        if at >= 0:
            # "ses ventes et son titre": the words that refer back start at their own determiner
            dets = list(_DET_WORD.finditer(ref[1]))
            starts.append(at + (dets[-1].start() if dets else 0))
    return max(starts) if starts else None


_DET_WORD = re.compile(r"(?<![\w'])(?:the|le|la|les|l'|its|their|his|her|ses|son|sa|leur|leurs|this|that|ce|cette|"
                       r"ces|cet)(?![\w'])", re.I)


# --- the claims ----------------------------------------------------------------------------------

def find_claims(seg: Segmented, mentions: list[Mention], dates: list[DateMention], language: str,
                published: dt.date | None = None,
                place_entity=None) -> tuple[list[tuple[int, Claim]], list[Mention], list[str], list[str | None]]:
    """Claims with the index of their sentence, extra mentions found as claim subjects (unmapped names,
    market places read as their index), notes, and for each claim the session cue of its context
    (the horizon it takes if it is later dated to the main move's day; None when it states its own).

    ``place_entity(yahoo, start, end)`` returns a mention of the index with that Yahoo symbol at that
    span, or None when the gazetteer has none (market places are then not read as subjects).
    """
    norm = seg.norm
    claims: list[tuple[int, Claim]] = []
    extra: list[Mention] = []
    notes: list[str] = []
    cues: list[str | None] = []
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    # what "the stock" may refer to: listed securities, and names written as securities the gazetteer
    # lacks ("Electronics For Imaging (NASDAQ: EFII)"), which then give an unmapped claim
    history = [m for m in mentions if m.is_security and m.role != "source"]
    lead = _lead_cue(seg)
    ctx = _Context(main=_main_security(history))
    for sentence in seg.sentences:
        if sentence.paragraph != ctx.paragraph:
            ctx = _Context(paragraph=sentence.paragraph, last_subject=ctx.last_subject, main=ctx.main,
                           last_paragraph=ctx.last_paragraph, last_sentence=ctx.last_sentence,
                           paragraph_start=sentence.index)
        cue = session_cue(sentence.text)
        percents = find_percents(norm, language, sentence.start, sentence.end)
        if not percents:
            ctx.previous = None
            ctx.cue = cue or ctx.cue
            continue
        found = _sentence_claims(seg, sentence, percents, by_sentence.get(sentence.index, []), dates, language,
                                 published, place_entity, ctx, history, lead, cue, extra, notes, cues)
        claims.extend((sentence.index, c) for c in found)
        ctx.cue = cue or ctx.cue
    return claims, extra, notes, cues


def _lead_cue(seg: Segmented) -> str | None:
    """The session cue of the article's lead: its first two paragraphs after the headline."""
    for s in seg.sentences:
        if s.paragraph == 0 or s.paragraph > 2:
            continue
        cue = session_cue(s.text)
        if cue:
            return cue
    return None


def _sentence_claims(seg, sentence, percents, mentions, dates, language, published, place_entity, ctx: _Context,
                     history, lead, cue, extra, notes, cues) -> list[Claim]:
    norm = seg.norm
    subjects = SentenceSubjects(seg, sentence, mentions, _sectors(seg, sentence), place_entity)
    name_spans = tuple((c.start, c.end) for c in subjects.candidates if c.sector is None)
    phrases = _horizon_phrases(seg, sentence)
    own_horizon = _owned(phrases, percents)
    for k in _other_periods(seg, sentence, percents):
        own_horizon.setdefault(k, _OTHER)
    own_date = _owned(_date_phrases(seg, sentence, dates, published), percents)
    source = _source(seg, sentence)
    tense = _tense_cue(sentence.text, language)
    carried: dict[str, Any] = {}
    note = None
    previous = ctx.previous
    if (not own_horizon and not own_date and source is None and previous is not None
            and _CONNECTOR.match(sentence.text)):
        carried = previous
        source = previous["source"]
        note = (f"horizon, date and source carried over from the previous sentence "
                f"({_CONNECTOR.match(sentence.text).group(0).strip()!r})")
    found: list[Claim] = []
    assigned: dict[int, list[Subject]] = {}
    prev_end = sentence.start
    skipped_end = sentence.start  # end of the last figure not taken as a claim (a metric, a share ...)
    prev_subject: Subject | None = None
    prev_sign: int | None = None
    horizon: str | None = carried.get("horizon")
    date: dt.date | None = carried.get("date")
    k = 0
    while k < len(percents):
        j = run_of(norm, percents, k)
        if j > k and k not in assigned:
            start = percents[k - 1].end if k > 0 else sentence.start
            first = subjects.backward(start, percents[k].start)
            group = subjects.members(first, start, percents[k].start) if first is not None else []
            n = j - k + 1
            if len(group) == n or (respectively_after(norm, percents[j].end) and len(group) >= n):
                for i, member in enumerate(group[-n:]):
                    assigned[k + i] = [replace(member, how="list")]
        k = j + 1

    for k, p in enumerate(percents):
        next_start = percents[k + 1].start if k + 1 < len(percents) else sentence.end
        after = norm[p.end:min(next_start, p.end + 80)]
        after = re.sub(r"^\s*[»”\"]", " ", after)  # "un recul « de l'ordre de 10 % » de son chiffre d'affaires"
        where = f"sentence {sentence.index + 1}: {p.text!r}"
        claim_note = note
        lo = prev_end
        group, listed_after_previous = _subject_group(seg, sentence, subjects, p, after, lo, assigned.get(k, []),
                                                      prev_subject, ctx, history)
        subject = group[-1] if group else None
        gap_from = subject.end if subject is not None and lo <= subject.end <= p.start else lo
        # "LVMH forecast sales growth of 5% to 7%, and its shares rose 3%": a figure skipped as a metric
        # leaves its noun behind when a new subject (a name, "its shares", "le titre") and a verb of
        # movement follow it; "revenue rose 5% and 7%", "a lower floor than its range of 20%" stay metrics
        metric_from = gap_from
        if gap_from < skipped_end <= p.start:
            opened = _new_subject_start(norm, subjects, skipped_end, p.start)
            if opened is not None and DIRECTION.search(norm, opened, p.start):
                metric_from = opened
        breaks = list(_METRIC_CLAUSE.finditer(norm, metric_from, p.start))
        if breaks:  # "a 5% drop in Kering's sales; the stock lost 3.1%": the figure's own clause
            opened = _new_subject_start(norm, subjects, breaks[-1].end(), p.start)
            if opened is not None and DIRECTION.search(norm, opened, p.start):
                metric_from = opened
        why = _not_a_price(norm, p, metric_from, after, subject)
        if why is not None:  # the window of the next figure still starts after the last claim
            notes.append(f"{where} is {why}, not a price: not taken as a claim")
            skipped_end = p.end
            continue
        if subject is None:
            notes.append(f"{where}: no security or sector it refers to; not taken as a claim")
            continue
        listed = listed_after_previous or subject.how in ("list", "unknown", "named", "place") and \
            not DIRECTION.search(norm, gap_from, p.start)
        sign = _sign(norm, p, gap_from, lo, after, prev_sign, listed, name_spans)
        if sign is None:
            notes.append(f"{where}: no rise or fall stated (a share or a stake?); not taken as a claim")
            continue
        if k in own_horizon:
            horizon = own_horizon[k]
        elif k > 0 and _in_subject_aside(norm, subjects, percents[k - 1], p):
            # "Ferrari, whose shares are up 30% this year, slipped 1.2%": the previous figure is in an aside
            # right after the subject, so its horizon does not carry to the main clause's move
            horizon = carried.get("horizon")
        date = own_date.get(k, date)
        for member in group:
            mention = member.mention
            entity = mention.entity if mention is not None else None
            member_note = member.note or subject.note
            if mention is not None and entity is None and member.how in ("unknown",):
                extra.append(mention)
                member_note = member_note or (f"its subject {member.name!r} is not in the gazetteer: left unmapped")
            elif member.how == "place" and mention is not None:
                extra.append(mention)
            crypto = entity is not None and entity.asset_class == "crypto"
            own_tense = _tense_cue(norm[lo:p.start], language) or tense
            if date is not None and published is not None and date < published:
                context = cue  # a past day's session is over: only a cue of its own sentence says intraday
            else:
                context = cue or (None if crypto else own_tense) or ctx.cue or lead
            claim_horizon = _horizon(horizon, context, date, crypto)
            found.append(Claim(
                ticker=entity.id if entity is not None else None,
                name=member.name,
                percent=abs(p.value) * sign,
                horizon=claim_horizon,
                date=date,
                sentence=seg.original_of(sentence),
                approximate=p.approximate,
                scope="sector" if member.sector is not None else "security",
                sector=member.sector,
                source_attribution=source,
                text=seg.original[p.start:p.end].strip(),
                asset_class=entity.asset_class if entity is not None else None,
                note="; ".join(x for x in (member_note, claim_note) if x) or None,
            ))
            cues.append(_OTHER if horizon == _OTHER else context if horizon is None else None)
        prev_end, prev_subject, prev_sign = p.end, subject, sign
        if subject.mention is not None:
            ctx.last_subject, ctx.last_paragraph, ctx.last_sentence = subject, sentence.paragraph, sentence.index
    found = _without_quote_boxes(seg, sentence, found, notes)
    ctx.previous = ({"horizon": horizon, "source": source, "date": date} if found else None)
    return found


#: A quote box a site prints after a name: "Ciena (CIEN -0.48%)".
_QUOTE_BOX = re.compile(r"\(\s*[A-Z][A-Z0-9.]{1,9}\s+[+\-]?\s?\d[\d.,]*\s?%\s*\)")


def _without_quote_boxes(seg: Segmented, sentence: Sentence, found: list[Claim], notes: list[str]) -> list[Claim]:
    """Drop a figure in a quote box ("Shares of Ciena (CIEN -0.48%) tumbled 10.2%") when the sentence
    states another move of the same security: the box is the live quote of the page, not the move
    told (a box alone, "Oracle (ORCL+7.18%) led the gains", stays a claim)."""
    boxes = [m.group(0) for m in _QUOTE_BOX.finditer(seg.norm, sentence.start, sentence.end)]
    if not boxes:
        return found
    out = []
    for c in found:
        boxed = any(c.text.replace(" ", "") in b.replace(" ", "") for b in boxes)
        if boxed and any(o is not c and o.ticker == c.ticker and o.name == c.name for o in found):
            notes.append(f"sentence {sentence.index + 1}: {c.text!r} is a quote box beside the name, not the move "
                         "the text states: not taken as a claim")
            continue
        out.append(c)
    return out


def _subject_group(seg: Segmented, sentence: Sentence, subjects: SentenceSubjects, p: PercentMatch, after: str,
                   lo: int, assigned: list[Subject], prev_subject: Subject | None, ctx: _Context,
                   history: list[Mention]) -> tuple[list[Subject], bool]:
    """The subject(s) of the percentage ``p`` whose window starts at ``lo`` (rules of :mod:`.subjects`),
    and whether it continues a list of the previous claim's ("Honda Motor 0.79%")."""
    norm = seg.norm
    if assigned:
        return assigned, True
    subject = _capitalisation_of(seg, p, after, subjects) or subjects.forward(p, after)
    if subject is not None:
        return [subject], False
    group = _GROUP_AFTER.match(after)
    if group is not None:  # "a 3% decline for the Stoxx banks index": a sector the text names after the figure
        start, end = p.end + group.start("np"), p.end + group.end("np")
        words = seg.original[start:end]
        return [Subject(start, end, words, sector=words, how="sector",
                        note=f"{words!r} is a group of securities named after the figure: a sector-level figure")], False
    market = _MARKET_BETWEEN.search(norm, lo, p.start)
    if market is not None and DIRECTION.search(market.group("move")):
        # "..., et Mediobanca 2,9 %, dans un marché global en repli de 1,64 %": the market's own figure
        start, end = market.start("np"), market.end("np")
        return [Subject(start, end, seg.original[start:end], how="phrase",
                        note=f"its subject {seg.original[start:end]!r} is the market, not a security the gazetteer "
                             "knows: left unmapped" + (f" (not given to {prev_subject.name})" if prev_subject else ""))], False
    if _POSSESSIVE_MOVE.search(norm, max(lo, p.start - 60), p.start) or (
            _POSSESSIVE_BEFORE.search(norm, max(lo, p.start - 12), p.start) and _MOVE_NOUN_AFTER.match(after)) or \
            _PARTICIPLE_AFTER_COMMA.search(norm, max(lo, p.start - 40), p.start):
        # "BNP Paribas a entraîné le CAC 40 dans sa chute de 3 %", "Apple dragged the Nasdaq lower with its 4%
        # drop", "Tesla outpaced Ford, gaining 6%": the move is the clause's subject's, not the object's
        main = subjects.clause_subject(lo, p.start)
        if main is not None:
            return [replace(main, how="named")], False
    rel = _WHOSE_SHARES.search(norm, lo, p.start)
    if rel is not None:
        # "Bouygues détient 45 % du capital d'Alstom, dont l'action a bondi de 4 %": the name right before
        owner = [c for c in subjects.in_window(lo, rel.start() + 1) if rel.start() - c.end <= 3]
        if owner:
            return [replace(owner[-1], how="named", complement=False)], False
    subject = subjects.backward(lo, p.start) or subjects.fronted(p)
    if subject is not None and subject.sector is None and subject.end <= p.start:
        # "La part de marché de Stellantis en Europe a reculé, et son action a cédé 1,8 %": words that refer
        # back, nearer the figure than the name, are its subject
        ref = coreference(norm, subject.end, p.start)
        ref_at = norm.rfind(ref[1], subject.end, p.start) if ref is not None else -1
        verb = norm[ref_at + len(ref[1]):p.start] if ref_at >= 0 else ""
        if ref is not None and ref[0] == "security" and "," not in verb and DIRECTION.search(verb):
            antecedent = _antecedent(ref[0], prev_subject, ctx, history, sentence, ref_at)
            if antecedent is not None and antecedent.mention is not None and antecedent.mention.entity is not None:
                return [replace(antecedent, how="reference",
                                note=f"{ref[1].strip()!r} read as {antecedent.name}")], False
    if subject is not None and subject.complement and subject.sector is None:
        # "Le titre du groupe de luxe de François-Henri Pinault a perdu 15 %": a name in a complement of
        # words that refer back is not the subject; what they refer to is
        ref = coreference(norm, lo, subject.start)
        if ref is not None and ref[0] == "security":
            ref_at = lo + norm[lo:subject.start].rfind(ref[1])
            antecedent = _antecedent(ref[0], prev_subject, ctx, history, sentence, ref_at)
            if antecedent is not None:
                return [replace(antecedent, how="reference",
                                note=f"{ref[1].strip()!r} read as {antecedent.name}")], False
    if subject is not None:
        if subject.sector is not None:
            return [subject], False
        return subjects.members(subject, lo, p.start), False
    ref = coreference(norm, lo, p.start)
    if ref is not None and ref[0] == "other index":
        start = lo + norm[lo:p.start].rfind(ref[1])
        words = seg.original[start:start + len(ref[1])].strip()
        return [Subject(start, start + len(ref[1]), words, sector=words, how="sector",
                        note=f"{words!r} is an index the text does not name: a sector-level figure")], False
    if ref is not None:
        ref_at = lo + norm[lo:p.start].rfind(ref[1])  # what it refers to is named before the words that refer
        antecedent = _antecedent(ref[0], prev_subject, ctx, history, sentence, ref_at if ref_at >= lo else p.start)
        if antecedent is not None:
            return [replace(antecedent, how="reference", note=f"{ref[1].strip()!r} read as {antecedent.name}")], False
    phrase = noun_phrase(seg, lo, p.start)
    if phrase is not None:
        return [replace(phrase, note=f"its subject {phrase.name!r} is not a security the gazetteer knows: left "
                                     "unmapped" + (f" (not given to {prev_subject.name})" if prev_subject else ""))], False
    window = norm[lo:p.start]
    listed_np = _LISTED_PHRASE.search(window)
    if listed_np is not None and not BACK_REFERENCE.search(listed_np.group("np")):
        # "BNP Paribas a cédé 3 %, Société Générale 4 % et le secteur dans son ensemble 3,5 %": a new subject
        # of its own in a list whose verb is left out, not the previous claim's
        start, end = lo + listed_np.start("np"), lo + listed_np.end("np")
        return [Subject(start, end, seg.original[start:end], how="phrase",
                        note=f"its subject {seg.original[start:end]!r} is not a security the gazetteer knows: left "
                             "unmapped" + (f" (not given to {prev_subject.name})" if prev_subject else ""))], True
    capital = next((w for w in re.findall(r"(?<![\w'])[A-ZÀ-ÖØ-Þ][\w'-]*", window) if w not in NAME_STOP), None)
    if prev_subject is not None and (capital is None or re.fullmatch(r"[\s,;]*(?:and|et|&|puis|then)?[\s\w,']*",
                                                                     window)):
        return [replace(prev_subject, how="ellipsis")], True  # "Microsoft rose 5% on Monday and 3% on Tuesday"
    last = ctx.last_subject
    if (prev_subject is None and last is not None and last.mention is not None and capital is None
            and 0 <= sentence.index - ctx.last_sentence <= CONTINUATION_SENTENCES and DIRECTION.search(window)):
        # "La baisse s'est poursuivie ..., soit 3,5 % sous les 125 000 dollars": the story's subject goes on
        return [replace(last, how="reference", note=f"no subject of its own: read as {last.name}, the subject of "
                                                    "the previous claim")], False
    return [], False


#: Between a name and a figure: a market named as the figure's own subject ("dans un marché global en
#: repli de", "in a broader market down"); the name before it is not the figure's subject.
#: Only a market in a complement ("in a market", "dans un marché") whose move is an attribute ("down",
#: "en repli de", "qui cède"): "Google's shares on the German market slipped 0.1%" keeps its subject.
_MARKET_BETWEEN = re.compile(
    r"(?<![\w'])(?:in|into|dans|sur|on|amid|within|au sein d'|au sein de)\s+"
    r"(?P<np>(?:un|une|le|la|l'|a|an|the)\s*(?:[\w-]+\s+){0,2}?(?:marché|market)(?:\s+(?:global|globale|"
    r"général|large|entier|wider|broader|overall|as a whole))?)\s+(?P<move>(?:en\s+[\w'-]+(?:\s+de)?|"
    r"(?:that|which|qui)\s+(?:(?:was|is|a|had|has)\s+)?[\w'-]+(?:\s+(?:de|by))?|"
    r"(?:down|up|off|lower|higher)(?:\s+by)?))\s*$", re.I)
#: A possessive before the figure's own noun of movement ("dans sa chute de", "with its 4% drop", "leur
#: hausse de"): the move of the clause's subject.
_POSSESSIVE_MOVE = re.compile(r"(?<![\w'])(?:sa|son|leur)\s+(?:[\w-]+\s+){0,2}?(?:chute|baisse|hausse|repli|recul|"
                              r"progression|bond|envolée|plongeon|dégringolade|glissade|rebond)\s+(?:de|d')\s*$", re.I)
_POSSESSIVE_BEFORE = re.compile(r"(?<![\w'])(?:its|their|his|her)\s*$", re.I)
#: A participle right after a comma ("Tesla outpaced Ford, gaining 6%"): it says the move of the subject.
_PARTICIPLE_AFTER_COMMA = re.compile(r",\s*(?:(?:gaining|losing|rising|falling|dropping|adding|shedding|climbing|"
                                     r"jumping|sliding|slipping|advancing|declining|tumbling|plunging|soaring)|"
                                     r"(?:en\s+)?(?:gagnant|perdant|cédant|reculant|progressant|grimpant|chutant|"
                                     r"abandonnant|lâchant|avançant|bondissant|plongeant))(?:\s+(?:by|de|d'))?\s*$", re.I)
#: A relative clause about a name's price ("..., whose shares rose 3%", "..., dont l'action a bondi de 4 %").
_WHOSE_SHARES = re.compile(r",?\s*(?:whose|dont)\s+(?:l'action|le titre|les actions|le cours|la valeur|shares|stock|"
                           r"share price|stock price)(?![\w])[^,;]*$", re.I)
#: After a figure: its noun of movement and the group it is about ("a 3% decline for the Stoxx banks index",
#: "une baisse de 2 % pour l'indice des valeurs bancaires").
_GROUP_AFTER = re.compile(
    r"^\s*(?:[a-z-]+\s+)?(?:decline|drop|fall|loss|gain|rise|jump|slide|hausse|baisse|repli|recul|progression|chute)\s+"
    r"(?:for|in|of|pour|de|du|chez)\s+(?P<np>(?:the|le|la|les|l')\s*(?:[\w&'.-]+\s+){0,3}?"
    r"(?:index|indices|indice|sector|secteur|stocks|valeurs|shares|market|marché))(?![\w])", re.I)
#: At the end of a figure's window: "and"/"et" or a comma, then a determiner and a lower-case noun phrase:
#: a subject of its own in a list with its verb left out ("..., et le secteur dans son ensemble 3,5 %").
_LISTED_PHRASE = re.compile(
    r"(?:,|(?<![\w])(?:and|et))\s+(?P<np>(?:the|le|la|les|l')\s*[a-zà-öø-ÿ][\w'-]*(?:\s+[a-zà-öø-ÿ][\w'-]*){0,4})\s*$")
#: How many sentences back a move with no subject of its own may continue the previous claim's subject.
CONTINUATION_SENTENCES = 2


def _horizon(stated: str | None, context: str | None, date: dt.date | None, crypto: bool) -> str | None:
    """The horizon of one claim (rule 4 of the module docstring): its own phrase (``"other"``: a period
    the vocabulary has no word for), else, for a move dated to a day, the session cue of its context or "1d"."""
    if stated == _OTHER:
        return None
    h = stated if stated is not None else ((context or "1d") if date is not None else None)
    return "24h" if crypto and h == "1d" else h


def _antecedent(kind: str, prev_subject: Subject | None, ctx: _Context, history: list[Mention],
                sentence: Sentence, at: int) -> Subject | None:
    """What "il", "the index" or "le titre" refers to (rule 5 of :mod:`.subjects`).

    A pronoun: the previous claim's subject in the sentence, else the subject of the last claim or
    the security named last in the two sentences before. "The index": the index named last.
    "Le titre", "the stock", "the company": the security (an index for "the index") named last in
    this paragraph and at most two sentences before, else the previous claim's subject when it is
    in this paragraph, else the article's main security (the listed one it names most) when it was named
    in the last :data:`REFERENCE_SENTENCES` sentences, else the security named last."""
    last = ctx.last_subject
    last_sentence = ctx.last_sentence if last is not None else None
    if kind == "pronoun":
        if prev_subject is not None:
            return prev_subject
        candidates = [m for m in history if m.start < at and 0 <= sentence.index - m.sentence <= 2]
        if last_sentence is not None and 0 <= sentence.index - last_sentence <= 2 and \
                not any(m.start > last.end for m in candidates):
            return last
        if candidates:
            m = candidates[-1]
            return Subject(m.start, m.end, m.text, m, how="reference")
        return last if last_sentence is not None and sentence.index - last_sentence <= 2 else None
    want_index = kind == "index"
    here = [m for m in history if m.start < at and _is_index(m) == want_index
            and 0 <= sentence.index - m.sentence <= 2 and m.sentence >= ctx.paragraph_start]
    if here:  # "Tesla ... edged up 0.4%. The stock is still down 30% this year": the one named just before
        mapped = [m for m in here if m.entity is not None]  # before a name the gazetteer lacks ("Siris Capital LLC")
        m = (mapped or here)[-1]
        return Subject(m.start, m.end, m.text, m, how="reference")
    if not want_index and last is not None and last.mention is not None and last.mention.entity is not None \
            and last.mention.entity.asset_class != "index" and ctx.last_paragraph == sentence.paragraph:
        return last
    recent = [m for m in history if m.start < at and sentence.index - m.sentence <= REFERENCE_SENTENCES
              and _is_index(m) == want_index]
    if not recent:
        return None
    main = ctx.main
    if not want_index and main is not None and any(m.key == main.key for m in recent):
        m = next(m for m in reversed(recent) if m.key == main.key)
    else:
        m = recent[-1]
    return Subject(m.start, m.end, m.text, m, how="reference")


def _is_index(m: Mention) -> bool:
    return m.entity is not None and m.entity.asset_class == "index"


#: How far back (sentences) "le titre", "the index" look for what they refer to.
REFERENCE_SENTENCES = 12


def _main_security(mentions: list[Mention]) -> Mention | None:
    """The listed security (not an index) the article names most, first named on a tie."""
    counts: dict[str, int] = {}
    first: dict[str, Mention] = {}
    for m in mentions:
        if m.entity is not None and m.entity.is_listed and m.entity.asset_class != "index":
            counts[m.entity.id] = counts.get(m.entity.id, 0) + 1
            first.setdefault(m.entity.id, m)
    if not counts:
        return None
    top = max(counts, key=lambda k: (counts[k], -first[k].start))
    return first[top]


# --- the day of the main move, given to undated claims ---------------------------------------------

#: Words that move a paragraph away from the main move's day ("the next day", "le lendemain").
OTHER_DAY = re.compile(
    r"(?<![\w])(?:(?:next|following|previous|prior) (?:day|session|week)|days? (?:later|earlier|before)|"
    r"the day before|earlier|later|lendemain|la veille|jour suivant|séance suivante|séance précédente|plus tard|"
    r"plus tôt|auparavant|précédemment|last week|la semaine dernière|la semaine passée|previous session)(?![\w])",
    re.I)
#: Horizons a day can be given to.
_DAY_HORIZONS = (None, "1d", "intraday", "24h")
#: A French pluperfect ("avait cédé", "s'était replié"): a move before the story's day. (English "had
#: gained" also reports a snapshot, "by 0204 GMT the Topix had gained 0.83%", so it says nothing.)
_PLUPERFECT = re.compile(r"(?<![\w'])(?:avait|avaient|s'était|s'étaient)\s+(?:\w+\s+){0,2}?\w+(?:é|i|u|is|it)(?![\w])",
                         re.I)


def carry_move_day(seg: Segmented, claims: list[tuple[int, Claim]], day: dt.date, head: int,
                   dates: list[DateMention], why: str, cues: list[str | None] | None = None,
                   move_sentence=None) -> list[tuple[int, Claim]]:
    """Give the day of the article's main move to its undated claims: every claim with no date of its
    own and no longer or other horizon, in the main move's paragraph from its sentence on, or in a
    later paragraph, until a sentence about another day (another date that is not a reference
    point, in a sentence that reports a move; "the next day", "la veille", a French pluperfect "avait
    cédé", outside an aside) ends the reach in its paragraph, and a paragraph that opens with a move
    on another day ends it for the paragraphs that follow (until one opens on the main day again). ``why`` is said in the claim's note; the horizon is the claim's own, else
    its context's session cue (``cues``), else "1d" ("24h" for a crypto token)."""
    dated: dict[int, list[DateMention]] = {}
    for d in dates:
        s = seg.sentence_at(d.start)
        if s is not None and d.date is not None:
            dated.setdefault(s.index, []).append(d)
    if not 0 <= head < len(seg.sentences):
        return claims
    head_paragraph = seg.sentences[head].paragraph
    claim_sentences = {i for i, _ in claims}
    if move_sentence is None:
        def move_sentence(s: Sentence) -> bool:
            return s.index in claim_sentences or bool(DIRECTION.search(s.text))
    # sentences the day reaches: from the head on in its paragraph, and later paragraphs, each until a
    # sentence about another day (another date, "the next day", "la veille", a pluperfect)
    reached: set[int] = set()
    stopped: set[int] = set()
    moved_away = False
    for s in seg.sentences:
        if s.paragraph < head_paragraph or (s.paragraph == head_paragraph and s.index < head):
            continue
        other_date = any(d.date != day and d.precision == "day" and not is_reference_date(seg.norm, d, s.start)
                         for d in dated.get(s.index, []))
        first_of_paragraph = s.index == 0 or seg.sentences[s.index - 1].paragraph != s.paragraph
        if first_of_paragraph and s.paragraph != head_paragraph:
            if other_date and move_sentence(s):
                moved_away = True  # "On Tuesday, ...": the story has moved to another day
            elif any(d.date == day and d.precision == "day" for d in dated.get(s.index, [])):
                moved_away = False
        main_clause = _ASIDE_SPAN.sub(" ", s.text)
        other = s.index != head and ((other_date and move_sentence(s)) or OTHER_DAY.search(main_clause)
                                     or _PLUPERFECT.search(main_clause))
        if other:
            stopped.add(s.paragraph)
        if s.paragraph not in stopped and not moved_away:
            reached.add(s.index)
    out = []
    for pos, (idx, claim) in enumerate(claims):
        if idx in reached and claim.date is None and claim.horizon in _DAY_HORIZONS and \
                not (cues is not None and cues[pos] == _OTHER):
            note = f"date {day.isoformat()} carried from {why}"
            horizon = claim.horizon or (cues[pos] if cues is not None else None) or "1d"  # the context's cue
            claim = replace(claim, date=day, horizon="24h" if claim.asset_class == "crypto" and horizon == "1d" else horizon,
                            note=f"{claim.note}; {note}" if claim.note else note)
        out.append((idx, claim))
    return out
