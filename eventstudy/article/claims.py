"""Price moves an article reports ("le cours d'Oracle a grimpé d'environ 7 %", "(ORCL+7.18%)",
"PIPPIN (+104,82 %)", "the AI-agent sector rose 10.47% in 24 hours").

For every percentage in a sentence:

1. **Subject** — a sector phrase or a security named right after it ("une baisse de 10 % de la
   capitalisation des jetons d'IA", "a 7% gain for Oracle"); else the nearest security or sector
   named before it since the previous percentage ("..., Nvidia de 2,3 %, et celui d'Arm de 4,1 %");
   else the previous claim's subject in the same sentence; else a capitalised name just before a
   verb of movement (reported unmapped); else, after "le titre", "l'action", "the stock", the
   listed security the article names most.
2. **Not a price** — a percentage of revenue, volume, jobs, market share... ("ses revenus avaient
   chuté de 99 %") is skipped, and the skip is noted.
3. **Sign** — the written sign, else the nearest verb or noun of movement before it ("grimpé",
   "hausse", "fell", "down"), else one just after ("7 % de hausse", "3% lower"), else the previous
   claim's in the same sentence. A percentage with no direction (a stake, a share) is not a move.
4. **Horizon** (vocabulary in :data:`.model.HORIZONS`) and **date** — each horizon phrase and each
   day-precision date of the sentence belongs to the percentage nearest to it ("le CAC 40 a cédé
   0,4 % mercredi, tandis que Nvidia perdait 1,1 % avant l'ouverture"); a percentage with none of
   its own takes those of the previous claim in the sentence ("... sur 24 heures, avec PIPPIN
   (+104,82 %), ARC (+44,63 %)"). A date that is a reference point ("après le 21 janvier", "since
   Monday", "l'annonce du 21 janvier") is not the move's date. A move dated to a day with no
   stated horizon is "1d".
5. **Source** — "selon X", "d'après les données de X", "according to X", "X data".
6. A sentence that opens with a connector ("Par ailleurs", "Meanwhile", ...) and gives no horizon,
   date or source takes them from the previous sentence of the paragraph, when that one had claims;
   the claim's ``note`` says so.
7. **Date of a market-move event** (:func:`carry_event_date`) — when the event is a sell-off or a
   rally dated to a day in its own sentence ("Chip stocks tumbled on Monday, January 27, 2025,
   after DeepSeek said ..."), the claims of that paragraph that follow it and give no date
   ("Nvidia closed down nearly 17%") take the event's date, with horizon "1d" when none is stated;
   the claim's ``note`` says so. It stops at the next sentence that gives a date of its own or
   moves in time ("the next day", "le lendemain"), and never applies to a claim with a longer or
   other horizon ("this week", "after hours") or to a sentence that names another date ("since
   January"). Other events are not carried over: a move reported after an announcement may be on
   the next session ("announced after the close"), so its date stays ``None``.

Subjects
    The subject of a percentage is the nearest security named before it in its clause; a name in
    a compound modifier ("SoftBank-backed Arm") or in an aside between commas ("Nvidia, which
    supplies Microsoft, fell 3%") is not. A name the gazetteer does not know ("and the Nasdaq fell
    3.1%", or "the broader market") makes an unmapped claim (ticker ``None``, with a note), never
    one for the previous claim's security. Percentages listed in a row go, in order, to as many
    names listed before them ("Nvidia, Microsoft and Oracle fell 3%, 2% and 1%").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from .dates import DateMention
from .entities import _STOP_NAMES, SOURCE, Mention
from .model import Claim
from .numbers import PercentMatch, find_percents
from .text import Segmented, Sentence

_UP = (r"hausse|grimp\w*|augment\w*|progress\w*|bondi\w*|bondit|gagn\w*|envol\w*|flamb\w*|rebond\w*|"
       r"mont(?:e|é|ée|ent|ait|a|er)|appréci\w*|s'apprécie|up(?!\s+to\b)|rose|rises?|rising|risen|gain(?:s|ed|ing)?|"
       r"jump(?:s|ed|ing)?|climb(?:s|ed|ing)?|soar(?:s|ed|ing)?|surg(?:e|es|ed|ing)|rall(?:y|ied|ies|ying)|"
       r"advanc(?:e|es|ed|ing)|added|adds|higher|increas(?:e|es|ed|ing)|spik(?:e|es|ed)|popped|skyrocket\w*|"
       r"rocket(?:s|ed)?|rebound(?:s|ed)?")
_DOWN = (r"baisse|chut\w*|recul\w*|perd\w*|perte|plong\w*|dégringol\w*|céd(?:é|ait|ant)|cède|gliss\w*|repli\w*|"
         r"effondr\w*|décroch\w*|lâch\w*|down|fell|falls?|falling|fallen|drop(?:s|ped|ping)?|slid(?:e|es)?|"
         r"plummet(?:s|ed|ing)?|"
         r"slipp(?:ed|ing)|slips?|plung(?:e|es|ed|ing)|tumbl(?:e|es|ed|ing)|sank|sinks?|sinking|lost|los(?:e|es|ing)|"
         r"declin(?:e|es|ed|ing)|lower|decreas(?:e|es|ed|ing)|shed|sheds|crash(?:ed|es)?|slump(?:s|ed)?|"
         r"retreat(?:s|ed)?|dipp(?:ed|ing)|dips?|tank(?:s|ed)?")
#: A verb or noun of movement, with group ``up`` or ``down`` ("grimpé", "fell", "hausse").
DIRECTION = re.compile(rf"(?<![\w])(?:(?P<up>{_UP})|(?P<down>{_DOWN}))(?![\w])", re.I)

_METRIC = re.compile(
    r"(?<![\w])(?:revenus?|revenues?|chiffres? d'affaires|ventes|sales|bénéfices?|profits?|earnings|résultat net|"
    r"net income|volumes?|emplois|jobs|dépenses|spending|marges?|margins?|utilisateurs|users|clients|customers|"
    r"inflation|taux|rates?|PIB|GDP|production|parts? de marché|market share|dividendes?|dividends?|capex|"
    r"effectifs|workforce|headcount|hashrate|TVL|frais|fees|probabilit\w+|chances?|salaires?|wages?|"
    r"participation|stake|détient|holds|owns|intérêts?|interest|rendement|yield|prévisions?|guidance|"
    r"croissance économique|economic growth|demande|demand|consommation|consumption|population|"
    r"carnet de commandes|commandes|backlog|orders|bookings|emploi|employment|chômage|unemployment)(?![\w])", re.I)
#: Words that refer back to the security of an earlier claim ("le titre", "the stock").
_COREFERENCE = re.compile(r"(?<![\w])(?:le titre|l'action|les actions|ses actions|le cours|the stock|the shares|"
                          r"its shares|its stock|the company's shares)(?![\w])", re.I)
_POINTS = re.compile(r"^\s*(?:de\s+)?points?(?![\w])|^\s*(?:percentage\s+)?points?(?![\w])", re.I)

HORIZON_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((h, re.compile(rf"(?<![\w])(?:{rx})(?![\w])", re.I))
                                                                  for h, rx in (
    ("24h", r"(?:sur|en|au cours des|over(?: the)?(?: past| last)?|in(?: the)?(?: past| last)?|during the past|"
            r"dans les)\s+24\s?(?:h|heures|hours|hrs)|24\s?h|24-hour|24 heures|24 hours|vingt-quatre heures"),
    ("premarket", r"pre-?market|pré-?ouverture|avant l'ouverture|before the (?:opening )?bell|before the open"),
    ("after_hours", r"after-? ?hours|extended trading|après la clôture|after the (?:closing )?bell|after the close|"
                    r"post-?market|hors séance"),
    ("intraday", r"intraday|at one point|à un moment|en cours de séance|in early trading|in morning trading|"
                 r"midday|mid-day|en début de séance|en séance"),
    ("1w", r"(?:sur|en)\s+(?:la|une)\s+semaine|cette semaine|this week|over the (?:past |last )?week|"
           r"(?:sur|en)\s+(?:7|sept) jours|(?:over|in) (?:the )?(?:past |last )?(?:7|seven) days|weekly|hebdomadaire"),
    ("1m", r"(?:sur|en)\s+un mois|ce mois-ci|this month|over the (?:past |last )?month|(?:sur|en)\s+30 jours|"
           r"(?:over|in) (?:the )?(?:past |last )?30 days|monthly|mensuel\w*"),
    ("ytd", r"depuis le début de l'année|year[- ]to[- ]date|YTD|this year|cette année|depuis janvier"),
    ("1y", r"(?:sur|en)\s+(?:un an|une année|douze mois|12 mois)|over the (?:past |last )?(?:year|12 months)|"
           r"in the (?:past |last )?(?:year|12 months)|annual|sur un an"),
    ("1d", r"sur la journée|en une journée|on the day|in the session|lors de la séance|à la clôture|at the close|"
           r"closed (?:up|down|higher|lower)|a clôturé|a terminé|ended the day|finished the day|daily|en une séance|"
           r"in a single session|in one session"),
))

_CONNECTOR = re.compile(
    r"^\s*(?:par ailleurs|de plus|en outre|de même|dans le même temps|parallèlement|quant à|pour sa part|"
    r"meanwhile|also|in addition|likewise|similarly|elsewhere|separately)\b", re.I)
_REFERENCE_BEFORE = re.compile(
    r"(?:après|after|since|depuis|avant|before|until|jusqu'au|(?:annonce|announcement|conférence|conference|"
    r"réunion|meeting|investiture|inauguration)\s+(?:du|de|d'|of|on))\s*(?:le\s+|the\s+|l')?$", re.I)

_SECTOR_FR = re.compile(r"(?<![\w])(?P<head>secteurs?|segment)\s+(?:des\s+|du\s+|de\s+la\s+|de\s+l'|d'|de\s+)?", re.I)
_SECTOR_EN = re.compile(r"(?P<name>(?:[\w&'-]+\s+){0,2}[\w&'-]+)\s+(?:sector|segment)(?![\w])", re.I)
_CAP_FORWARD = re.compile(
    r"^\s*(?:de\s+la\s+|du\s+|de\s+|d'|of\s+(?:the\s+)?|in\s+(?:the\s+)?)?(?:capitalisation|capitalization|market\s+cap\w*)"
    r"\s+(?:boursière\s+|totale\s+|globale\s+|total\s+)*(?:des\s+|du\s+|de\s+la\s+|de\s+l'|d'|de\s+|of\s+(?:the\s+)?|for\s+)",
    re.I)
_FOR_FORWARD = re.compile(r"^\s*(?:pour|for|chez|at|in|de|d'|of)\s+(?:l'action\s+|le\s+titre\s+|les\s+actions\s+|"
                          r"(?:the\s+)?shares\s+of\s+|le\s+cours\s+)?(?:de\s+|d')?$", re.I)
_SECTOR_STOP = frozenset(
    "a ont est sont était étaient avait avaient qui que dont avec sur pour dans par en affiche affichant affichait "
    "se s'est à au aux le la les ce cette rose fell jumped gained lost was were is are has have had with "
    "and et on in of for to by as at after avant après".split())
_NAME_BEFORE_VERB = re.compile(
    rf"(?P<name>[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){{0,2}})(?:'s)?\s+(?:shares?\s+|stock\s+|token\s+)?"
    rf"(?:a\s+|ont\s+|has\s+|have\s+|était\s+)?(?:{_UP}|{_DOWN})(?![\w])")
_NAME_STOP = frozenset("Le La Les L Un Une The A An Il Elle Ils Its It Their This Ce Cette Par De Et Mais But And "
                       "Selon After Après Meanwhile Also".split()) | _STOP_NAMES
#: A lower-case noun phrase with an article, subject of a verb of movement ("and the broader market
#: fell 2%", "et la capitalisation des jetons a chuté"): a subject the gazetteer cannot map.
_NP_BEFORE_VERB = re.compile(
    r"(?<![\w'])(?P<np>(?:[Tt]he|[Ll]e|[Ll]a|[Ll]es|[Ll]')\s*(?:[a-zà-öø-ÿ][\w&'-]*\s+){0,3}?[a-zà-öø-ÿ][\w&-]*)"
    r"(?:'s)?\s+(?:(?i:closed|ended|finished|a\s+clôturé|a\s+terminé|a|ont|has|have|had|was|were|était|avait)\s+)?"
    rf"(?i:{_UP}|{_DOWN})(?![\w])")
#: The start of an aside between commas (a relative clause or an apposition).
_ASIDE_OPEN = re.compile(r",\s*(?:which|who|whose|that|a|an|the|its|dont|qui|que|un|une|le|la|les|l'|lui-même|itself)"
                         r"(?![\w])", re.I)
_CLAUSE_BREAK = re.compile(r"[;:]|,?\s+(?:while|whereas|but|tandis\s+qu(?:e|')|alors\s+qu(?:e|')|mais)(?![\w'])", re.I)
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and|et)?|and|et|&)\s*", re.I)
#: Head words of a noun phrase that refers back to a security already named ("the stock", "le groupe").
_BACK_REFERENCE = re.compile(
    r"(?<![\w])(?:stocks?|shares?|company|group|firm|chipmaker|chip designer|index|titre|titres|actions?|groupe|"
    r"entreprise|société|indice|valeur|cours|token|jeton)(?![\w])", re.I)


@dataclass(frozen=True)
class _Subject:
    start: int
    end: int
    name: str
    mention: Mention | None = None
    sector: str | None = None


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


def _sectors(seg: Segmented, sentence: Sentence) -> list[_Subject]:
    out: list[_Subject] = []
    norm = seg.norm
    for m in _SECTOR_FR.finditer(norm, sentence.start, sentence.end):
        span = _sector_name(norm, m.end(), sentence.end)
        if span:
            out.append(_Subject(m.start(), span[1], seg.original[m.start():span[1]],
                                sector=seg.original[span[0]:span[1]]))
    for m in _SECTOR_EN.finditer(norm, sentence.start, sentence.end):
        words = m.group("name").split()
        while words and words[0].lower() in ("the", "entire", "whole", "broader", "broad", "overall", "wider", "of",
                                             "in", "for", "and"):
            words.pop(0)
        if words and not any(o.start <= m.start() < o.end for o in out):
            name = " ".join(words)
            start = norm.find(words[0], m.start(), m.end())
            out.append(_Subject(start, m.end(), seg.original[start:m.end()], sector=name))
    return out


def _direction_in(text: str) -> int | None:
    last = None
    for m in DIRECTION.finditer(text):
        last = 1 if m.group("up") else -1
    return last


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


def _horizon_phrases(seg: Segmented, sentence: Sentence) -> list[tuple[int, int, str]]:
    out = []
    for name, pattern in HORIZON_PHRASES:
        for m in pattern.finditer(seg.norm, sentence.start, sentence.end):
            if not any(m.start() < e and s < m.end() for s, e, _ in out):
                out.append((m.start(), m.end(), name))
    return out


def _date_phrases(seg: Segmented, sentence: Sentence, dates: list[DateMention]) -> list[tuple[int, int, dt.date]]:
    out = []
    for d in dates:
        if not (sentence.start <= d.start < sentence.end) or d.date is None or d.precision != "day":
            continue
        if _REFERENCE_BEFORE.search(seg.norm[max(sentence.start, d.start - 30):d.start]):
            continue
        out.append((d.start, d.end, d.date))
    return out


def _source(seg: Segmented, sentence: Sentence) -> str | None:
    m = SOURCE.search(seg.norm, sentence.start, sentence.end)
    return seg.original[m.start("name"):m.end("name")] if m else None


def _main_security(mentions: list[Mention]) -> Mention | None:
    """The listed security the article names most (first named on a tie): what "le titre" refers to."""
    counts: dict[str, int] = {}
    first: dict[str, Mention] = {}
    for m in mentions:
        if m.entity is not None and m.entity.is_listed:
            counts[m.entity.id] = counts.get(m.entity.id, 0) + 1
            first.setdefault(m.entity.id, m)
    if not counts:
        return None
    top = max(counts, key=lambda k: (counts[k], -first[k].start))
    return first[top]


def find_claims(seg: Segmented, mentions: list[Mention], dates: list[DateMention],
                language: str) -> tuple[list[tuple[int, Claim]], list[Mention], list[str]]:
    """Claims with the index of their sentence, extra (unmapped) mentions found as claim subjects, notes."""
    norm = seg.norm
    claims: list[tuple[int, Claim]] = []
    extra: list[Mention] = []
    notes: list[str] = []
    previous: dict[str, Any] | None = None
    main = _main_security(mentions)
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.is_security:
            by_sentence.setdefault(m.sentence, []).append(m)
    for sentence in seg.sentences:
        percents = find_percents(norm, language, sentence.start, sentence.end)
        if not percents:
            if previous is not None and previous["paragraph"] != sentence.paragraph:
                previous = None
            continue
        securities = by_sentence.get(sentence.index, [])
        sectors = _sectors(seg, sentence)
        own_horizon = _owned(_horizon_phrases(seg, sentence), percents)
        own_date = _owned(_date_phrases(seg, sentence, dates), percents)
        source = _source(seg, sentence)
        respective = _respectively(norm, securities, percents, sentence.start)
        carried: dict[str, Any] = {}
        note = None
        if (not own_horizon and not own_date and source is None and previous is not None
                and previous["paragraph"] == sentence.paragraph and _CONNECTOR.match(sentence.text)):
            carried = previous
            source = previous["source"]
            connector = _CONNECTOR.match(sentence.text).group(0).strip()
            note = f"horizon, date and source carried over from the previous sentence ({connector!r})"
        found: list[Claim] = []
        prev_end = sentence.start
        prev_subject: _Subject | None = None
        prev_sign: int | None = None
        horizon: str | None = carried.get("horizon")
        date: dt.date | None = carried.get("date")
        for k, p in enumerate(percents):
            next_start = percents[k + 1].start if k + 1 < len(percents) else sentence.end
            after = norm[p.end:min(next_start, p.end + 80)]
            where = f"sentence {sentence.index + 1}: {p.text!r}"
            if _POINTS.match(after):
                prev_end = p.end
                continue
            claim_note = note
            subject = _forward_subject(seg, p, after, securities)
            if subject is None and k in respective:
                m = respective[k]
                subject = _Subject(m.start, m.end, m.text, m)
            if subject is None:
                subject = _backward_subject(securities, sectors, prev_end, p.start, norm)
            if subject is None:
                # a name the gazetteer does not know, acting as the subject of this clause ("and the
                # Nasdaq fell 3.1%"), comes before the previous claim's subject: never the wrong ticker
                subject = _named_before_verb(seg, sentence, prev_end, p.start)
                if subject is not None and subject.mention is not None:
                    extra.append(subject.mention)
            if subject is None:
                subject = _unnamed_subject(seg, prev_end, p.start)
                if subject is not None:
                    claim_note = (f"its subject {subject.name!r} is not a security the gazetteer knows: left unmapped"
                                  + (f" (not given to {prev_subject.name})" if prev_subject is not None else "")
                                  + (f"; {note}" if note else ""))
            if subject is None:
                subject = prev_subject
            if subject is None and main is not None:
                ref = _COREFERENCE.search(norm, prev_end, p.start)
                if ref:
                    subject = _Subject(main.start, main.end, main.text, main)
                    claim_note = (f"{ref.group(0)!r} read as {main.text}, the security the article names most"
                                  + (f"; {note}" if note else ""))
            gap_from = subject.end if subject is not None and prev_end <= subject.end <= p.start else prev_end
            metric = _METRIC.search(norm, gap_from, p.start) or _METRIC.match(
                re.sub(r"^\s*(?:de|des|du|d'|of|in)\s+(?:ses|leur|son|sa|its|their|the)?\s*", "", after[:40]))
            if metric:
                notes.append(f"{where} is a change in {metric.group(0)!r}, not a price: not taken as a claim")
                prev_end = p.end
                continue
            if subject is None:
                notes.append(f"{where}: no security or sector it refers to; not taken as a claim")
                prev_end = p.end
                continue
            if p.signed:
                sign = 1 if p.value >= 0 else -1
            else:
                sign = (_direction_in(norm[prev_end:p.start]) or _direction_in(after[:30]) or prev_sign)
            if sign is None:
                notes.append(f"{where}: no rise or fall stated (a share or a stake?); not taken as a claim")
                prev_end = p.end
                continue
            # own phrases first, else those of the previous claim of the sentence ("..., ARC (+44,63 %)")
            horizon = own_horizon.get(k, horizon)
            date = own_date.get(k, date)
            claim_horizon = horizon if horizon is not None else ("1d" if date is not None else None)
            mention = subject.mention
            entity = mention.entity if mention is not None else None
            found.append(Claim(
                ticker=entity.id if entity is not None else None,
                name=subject.name,
                percent=abs(p.value) * sign,
                horizon=claim_horizon,
                date=date,
                sentence=seg.original_of(sentence),
                approximate=p.approximate,
                scope="sector" if subject.sector is not None else "security",
                sector=subject.sector,
                source_attribution=source,
                text=seg.original[p.start:p.end].strip(),
                asset_class=entity.asset_class if entity is not None else None,
                note=claim_note,
            ))
            prev_end, prev_subject, prev_sign = p.end, subject, sign
        claims.extend((sentence.index, c) for c in found)
        previous = ({"paragraph": sentence.paragraph, "horizon": horizon, "source": source, "date": date}
                    if found else None)
    return claims, extra, notes


def _forward_subject(seg: Segmented, p: PercentMatch, after: str, securities: list[Mention]) -> _Subject | None:
    cap = _CAP_FORWARD.match(after)
    if cap:
        start = p.end + cap.end()
        span = _sector_name(seg.norm, start, min(len(seg.norm), start + 80))
        for m in securities:
            if m.start == start:
                return _Subject(m.start, m.end, m.text, m)
        if span:
            lead = re.match(r"\s*(?:de\s+la\s+|du\s+|de\s+|d'|of\s+(?:the\s+)?|in\s+(?:the\s+)?)?", after)
            begin = p.end + lead.end()
            return _Subject(begin, span[1], seg.original[begin:span[1]].strip(), sector=seg.original[span[0]:span[1]])
    for m in securities:
        if m.start >= p.end and _FOR_FORWARD.match(seg.norm[p.end:m.start]):
            return _Subject(m.start, m.end, m.text, m)
    return None


def _respectively(norm: str, securities: list[Mention], percents: list[PercentMatch], lo: int) -> dict[int, Mention]:
    """Percentages listed one after another that go, in order, to a list of as many names before them
    ("Nvidia, Microsoft and Oracle fell 3%, 2% and 1%"), by percentage index."""
    out: dict[int, Mention] = {}
    k = 0
    while k < len(percents):
        j = k
        while j + 1 < len(percents) and _LIST_SEP.fullmatch(norm[percents[j].end:percents[j + 1].start]):
            j += 1
        n = j - k + 1
        if n >= 2:
            start = percents[k - 1].end if k > 0 else lo
            names = [m for m in securities if start <= m.start and m.end <= percents[k].start]
            group = names[-1:]
            for m in reversed(names[:-1]):
                if not _LIST_SEP.fullmatch(norm[m.end:group[0].start]):
                    break
                group.insert(0, m)
            if len(group) == n:
                out.update({k + i: m for i, m in enumerate(group)})
        k = j + 1
    return out


def _modifier_or_aside(norm: str, m: Mention, lo: int, hi: int) -> bool:
    """True when a name before a percentage is not the subject of its clause: part of a compound
    modifier ("SoftBank-backed Arm") or inside an aside between commas ("Nvidia, which supplies
    Microsoft, fell 3%"; "Arm, the SoftBank-owned chip designer, rose 5%")."""
    if re.match(r"-[a-zà-ÿ]", norm[m.end:m.end + 2]):
        return True
    breaks = list(_CLAUSE_BREAK.finditer(norm, lo, m.start))
    since = breaks[-1].end() if breaks else lo
    return _ASIDE_OPEN.search(norm, since, m.start) is not None and "," in norm[m.end:hi]


def _backward_subject(securities: list[Mention], sectors: list[_Subject], lo: int, hi: int,
                      norm: str = "") -> _Subject | None:
    best: _Subject | None = None
    for m in securities:
        if norm and _modifier_or_aside(norm, m, lo, hi):
            continue
        if lo <= m.start and m.end <= hi and (best is None or m.end > best.end):
            best = _Subject(m.start, m.end, m.text, m)
    for s in sectors:
        if lo <= s.start and s.end <= hi and (best is None or s.end > best.end):
            best = s
    return best


def _unnamed_subject(seg: Segmented, lo: int, hi: int) -> _Subject | None:
    """The last lower-case noun phrase acting as a subject in ``[lo, hi)`` ("the broader market fell"),
    unless it refers back to a security already named ("the stock", "le titre")."""
    best = None
    for m in _NP_BEFORE_VERB.finditer(seg.norm, lo, hi):
        best = m
    if best is None or _BACK_REFERENCE.search(best.group("np")):
        return None
    start, end = best.start("np"), best.end("np")
    return _Subject(start, end, seg.original[start:end])


def _named_before_verb(seg: Segmented, sentence: Sentence, lo: int, hi: int) -> _Subject | None:
    best = None
    for m in _NAME_BEFORE_VERB.finditer(seg.norm, lo, hi):
        words = m.group("name").split()
        while words and words[0] in _NAME_STOP:
            words.pop(0)
        if words:
            best = m
            name = " ".join(words)
    if best is None:
        return None
    start = seg.norm.find(name, best.start("name"), best.end("name"))
    end = start + len(name)
    text = seg.original[start:end]
    mention = Mention(start, end, text, sentence.index, None, unmapped=True, kind_hint="security (from a price claim)",
                      resolution=f"{text!r} is not in the gazetteer; it is named with a price move, so it is reported "
                                 "unmapped; add it to a gazetteer file to map it")
    return _Subject(start, end, text, mention)


#: Words that move a paragraph away from its event's day ("the next day", "le lendemain").
_OTHER_DAY = re.compile(
    r"(?<![\w])(?:(?:next|following|previous|prior) (?:day|session|week)|days? (?:later|earlier|before)|"
    r"the day before|earlier|later|lendemain|la veille|jour suivant|séance suivante|plus tard|plus tôt|"
    r"auparavant|précédemment)(?![\w])", re.I)
#: Horizons a market-move event's day can be given to.
_DAY_HORIZONS = (None, "1d", "intraday")


def carry_event_date(seg: Segmented, claims: list[tuple[int, Claim]], head: int, day: dt.date,
                     dates: list[DateMention]) -> list[tuple[int, Claim]]:
    """Give the day of a market-move event, written in sentence ``head``, to the undated claims of
    the same paragraph that follow it (rule 7 of the module docstring)."""
    event_sentence = seg.sentences[head]
    dated: dict[int, list[DateMention]] = {}
    for d in dates:
        s = seg.sentence_at(d.start)
        if s is not None:
            dated.setdefault(s.index, []).append(d)
    own = [d for d in dated.get(head, []) if d.date == day]
    if not own:
        return claims
    written = own[0].text.strip()
    stop = None
    for s in seg.sentences[head + 1:]:
        if s.paragraph != event_sentence.paragraph:
            stop = s.index
            break
        if dated.get(s.index) or _OTHER_DAY.search(s.text):
            stop = s.index
            break
    stop = len(seg.sentences) if stop is None else stop
    out = []
    for idx, claim in claims:
        others = [d for d in dated.get(idx, []) if d not in own]
        if (head <= idx < stop and claim.date is None and claim.horizon in _DAY_HORIZONS and not others
                and not (idx == head and _OTHER_DAY.search(seg.sentences[idx].text))):
            note = (f"date {day.isoformat()} carried from the event sentence earlier in the paragraph "
                    f"({written!r})")
            claim = replace(claim, date=day, horizon=claim.horizon or "1d",
                            note=f"{claim.note}; {note}" if claim.note else note)
        out.append((idx, claim))
    return out
