"""Which events an article describes, which one is the main event, and what to call it.

An event needs a *trigger*: a word of announcement, deal, launch, results, listing or policy
(:data:`KINDS`, English and French). A trigger sentence is linked to a date when the date is in the
same sentence, or in the sentence just after it (or just before it, within the same paragraph) when
the trigger sentence has no date of its own ("Le 21 janvier, ... Trump a invité ..." followed by
"Lors d'une conférence de presse, Trump a annoncé ..."). The headline is linked to the main event.

The main event is the date (day or month precision) with the highest score::

    score = 3 x linked trigger sentences + mentions of the date + 0.5 x firms named (up to 6)
            + 1 if the date is a day + 2 if it sits within 30 characters of a trigger word
            ("the announcement of January 21") - 2 if every mention of the date is in a sentence
            reporting a price move (a data date, such as "les données de SoSoValue du 22 janvier")

Other dates become secondary events when a trigger is next to them, or shares a sentence with no
other date. An article with triggers
but no dated one gives one undated event; an article without any trigger gives none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from .dates import DateMention
from .entities import Mention
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
        ("launch", "launch",
         r"lancement|lance|lancé|lancera|launch(?:es|ed|ing)?|dévoil\w+|unveil\w*|released|sortie de"),
        ("policy", "policy announcement",
         r"décret|executive order|droits de douane|tariffs?|sanctions|interdiction|ban(?:s|ned)|"
         r"approved|approval|approbation|approuvé"),
        ("announcement", "announcement",
         r"annon[cç]\w*|announc\w+|conférence de presse|press conference|news conference|conférence|conference|"
         r"communiqué|press release|statement"),
    ))
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


#: A date this close (characters) after a trigger word, or before it, is the trigger's own date
#: ("l'annonce du 21 janvier", "announced on Tuesday"; "Trump on Tuesday announced").
NEAR_AFTER, NEAR_BEFORE = 20, 12


def _near_trigger(seg: Segmented, mention: DateMention) -> bool:
    sentence = seg.sentence_at(mention.start)
    if sentence is None:
        return False
    for _, _, pattern in KINDS:
        for t in pattern.finditer(seg.norm, sentence.start, sentence.end):
            if 0 <= mention.start - t.end() <= NEAR_AFTER or 0 <= t.start() - mention.end <= NEAR_BEFORE:
                return True
    return False


def _kinds_in(text: str) -> list[str]:
    return [kind for kind, _, pattern in KINDS if pattern.search(text)]


def detect_events(seg: Segmented, dates: tuple[DateMention, ...], mentions: list[Mention],
                  claim_sentences: set[int]) -> list[EventDraft]:
    """Events in the text, the main one first."""
    n = len(seg.sentences)
    if n == 0:
        return []
    kinds = [_kinds_in(s.text) for s in seg.sentences]
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
    events: list[EventDraft] = []
    if candidates:
        main = candidates[0]
        main.primary = True
        events.append(main)
        events += [c for c in candidates[1:]
                   if c.own_trigger and c.date != main.date and c.sentence not in main.sentences]
    elif any(kinds):
        head = next(i for i, k in enumerate(kinds) if k)
        events.append(EventDraft("", "", None, None, None, head, {i for i, k in enumerate(kinds) if k}, primary=True))
    else:
        return []
    main = events[0]
    if kinds[0]:
        main.sentences.add(0)  # the headline belongs to the main event
    for ev in events:
        _name(seg, ev, kinds, mentions)
        _timing(seg, ev, dates)
    return events


def _name(seg: Segmented, ev: EventDraft, kinds: list[list[str]], mentions: list[Mention]) -> None:
    counts = Counter(k for i in ev.sentences for k in kinds[i] if k != "announcement")
    text = " ".join(seg.sentences[i].text for i in sorted(ev.sentences))
    if counts:
        order = [k for k, _, _ in KINDS]
        ev.kind = max(counts, key=lambda k: (counts[k], -order.index(k)))
    elif _INVESTMENT.search(text):
        ev.kind = "investment"
    else:
        ev.kind = "announcement"
    label = _LABELS.get(ev.kind, "investment announcement")
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


def _timing(seg: Segmented, ev: EventDraft, dates: tuple[DateMention, ...]) -> None:
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
        head = seg.sentences[ev.sentence]
        for d in dates:
            if d.kind == "relative" and d.date == ev.date and head.start <= d.start < head.end:
                prefix = re.search(r"(?:\bon\s+|\bthis\s+|\bce\s+)$", seg.norm[max(head.start, d.start - 6):d.start], re.I)
                ev.timing = (seg.original[d.start - len(prefix.group(0)):d.end] if prefix else d.text).strip()
                break
