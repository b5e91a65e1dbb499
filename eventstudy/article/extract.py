"""Extract market events from an article's text: the one entry point, :func:`extract_events`.

The steps, one module each: :mod:`.text` (paragraphs, sentences), :mod:`.language` (lingua),
:mod:`.dates` (dateparser, the date rule), :mod:`.entities` (gazetteer, ambiguity),
:mod:`.roles`, :mod:`.claims` (price moves), :mod:`.amounts` (money), :mod:`.moves` (news-driven
sell-offs and rallies), :mod:`.events` (which events, the main one, names, timing). This module
only assembles their results into the typed objects of :mod:`.model`; it reads no file except the
project's gazetteer when none is given.
"""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from collections import Counter
from collections.abc import Iterable

from ..errors import ArticleError
from ..reference.gazetteer import Gazetteer
from .amounts import find_amounts
from .claims import carry_move_day, find_claims, is_reference_date
from .dates import dateline, resolve_dates
from .entities import Mention, find_mentions
from .events import EventDraft, detect_events, security_spans
from .language import SUPPORTED, detect_language
from .model import Amount, Claim, EntityMention, ExtractedEvent, Extraction
from .moves import is_move_sentence, main_move_day
from .read import split_header
from .roles import assign_roles
from .text import segment

__all__ = ["Amount", "Claim", "EntityMention", "ExtractedEvent", "Extraction", "extract_events", "MAX_CHARS"]

#: Longest text extracted, in characters (about 150 pages); longer input is refused.
MAX_CHARS = 500_000


@functools.lru_cache(maxsize=1)
def _project_gazetteer() -> Gazetteer:
    return Gazetteer.load()


def extract_events(text: str, *, published: dt.date | None = None, source: str | None = None,
                   gazetteer: Gazetteer | None = None) -> Extraction:
    """Events, entities, price claims and money amounts of an article.

    Parameters
    ----------
    text : the article as text (a ``published: YYYY-MM-DD`` header line is read when ``published``
        is not given).
    published : publication date; relative dates ("hier", "on Tuesday") and dates without a year
        are resolved against it (see :mod:`eventstudy.article.dates` for the full rule).
    source : where the text came from, used in messages.
    gazetteer : entities to recognise; default: the project's ``data/gazetteer.toml``.

    Returns
    -------
    Extraction, with ``events`` main event first and ``date_rule`` saying how dates were resolved.

    Raises
    ------
    ArticleError : the text is not a string, is empty or is longer than :data:`MAX_CHARS`.
    """
    where = source or "the article"
    if not isinstance(text, str):
        raise ArticleError(f"{where}: expected the article as text (str), got {type(text).__name__}; "
                           "use read_article(path) to read a file")
    if not text.strip():
        raise ArticleError(f"{where}: the text is empty")
    if len(text) > MAX_CHARS:
        raise ArticleError(f"{where}: {len(text):,} characters is too long for one article (limit {MAX_CHARS:,}); "
                           "keep only the article itself")
    header = split_header(text, where)
    if published is None:
        published = header.published
    body = header.body
    seg = segment(body)
    language, confidence = detect_language(seg.norm)
    notes: list[str] = []
    if language not in SUPPORTED:
        notes.append(f"language detected as {language!r} (confidence {confidence:.2f}); the extraction rules cover "
                     f"{' and '.join(SUPPORTED)}, so claims, roles and events may be missed")
    gazetteer = gazetteer if gazetteer is not None else _project_gazetteer()

    notes += _header_notes(seg, header.published, published)
    line = dateline(seg, language, published)
    if published is None and line is not None:
        published = line[0]
        notes.append(f"no publication date given: the dateline {line[1]!r} ({published.isoformat()}) is taken as the "
                     "publication date")
    resolution = resolve_dates(seg.norm, seg.original, language, published)
    notes += _contradictions(resolution.mentions, published, line)
    mentions, entity_notes = find_mentions(seg, gazetteer, language, published)
    claims, extra, claim_notes, cues = find_claims(seg, mentions, list(resolution.mentions), language, published,
                                                   _place_resolver(gazetteer, seg))
    mentions = sorted(mentions + extra, key=lambda m: m.start)
    roles = assign_roles(seg, mentions)
    amounts, amount_notes = find_amounts(seg, language)
    spans = security_spans(seg, mentions)
    claim_idx = {i for i, _ in claims}
    moving: dict[int, bool] = {}
    move = main_move_day(seg, resolution.mentions, claims, spans, published, is_reference_date)
    drafts = detect_events(seg, resolution.mentions, mentions, {i for i, _ in claims}, move, published)
    if drafts and drafts[0].date is not None and drafts[0].precision == "day" and drafts[0].move_sentence is not None:
        head = drafts[0]
        claims = carry_move_day(seg, claims, head.date, head.move_sentence, list(resolution.mentions),
                                f"the sentence of the article's main move (sentence {head.move_sentence + 1}"
                                + (f", {head.date_text!r})" if head.date_text else ", the publication date)"), cues,
                                lambda s: moving.setdefault(s.index, is_move_sentence(s.text, spans.get(s.index, ()),
                                                                                      s.index in claim_idx)))

    all_entities = _aggregate(mentions, roles, range(len(mentions)))
    events = _assemble(seg, drafts, mentions, roles, all_entities, claims, amounts)
    notes += entity_notes + claim_notes + amount_notes
    rule = resolution.rule
    if drafts and drafts[0].rule:
        rule += f"; main event: {drafts[0].rule}"
    return Extraction(
        language=language,
        published=published,
        date_rule=rule,
        events=tuple(events),
        source=source,
        title=header.title or seg.title,
        anchor=resolution.anchor,
        entities=tuple(all_entities),
        claims=tuple(c for _, c in claims),
        amounts=tuple(a for _, a in amounts),
        notes=tuple(dict.fromkeys(notes)),
    )


def _aggregate(mentions: list[Mention], roles: dict[int, list[str]], which: Iterable[int]) -> list[EntityMention]:
    """One :class:`EntityMention` per entity (or unmapped name), in order of first mention, named by
    its most frequent written form."""
    groups: dict[str, dict] = {}
    for i in which:
        m = mentions[i]
        key = m.key
        if m.entity is None and not m.candidates:
            # "Northwind" after "Northwind Robotics": the same unmapped firm
            key = next((k for k, g in groups.items() if g["first"].entity is None and not g["first"].candidates
                        and (k.startswith(key + " ") or key.startswith(k + " "))), key)
        g = groups.setdefault(key, {"first": m, "count": 0, "roles": [], "resolution": None, "written": []})
        g["count"] += 1
        g["written"].append(m.text)
        for role in roles.get(i, []) + ([m.role] if m.role else []):
            if role not in g["roles"]:
                g["roles"].append(role)
        if g["resolution"] is None and m.resolution:
            g["resolution"] = m.resolution
    out = []
    for g in groups.values():
        m: Mention = g["first"]
        e = m.entity
        written = Counter(g["written"])
        out.append(EntityMention(
            name=max(written, key=lambda w: (written[w], -g["written"].index(w))),
            ticker=e.ticker if e is not None else None,
            asset_class=e.asset_class if e is not None else None,
            exchange=(e.exchange if e is not None else m.exchange),
            role=", ".join(g["roles"]) or None,
            gazetteer_id=e.id if e is not None else None,
            resolution=g["resolution"],
            unmapped=e is None,
            roles=tuple(g["roles"]),
            canonical_name=e.name if e is not None else None,
            yahoo=e.yahoo if e is not None else None,
            mentions=g["count"],
            candidates=m.candidates,
            kind_hint=m.kind_hint,
        ))
    return out


def _assemble(seg, drafts: list[EventDraft], mentions: list[Mention], roles: dict[int, list[str]],
              all_entities: list[EntityMention], claims: list[tuple[int, Claim]],
              amounts: list[tuple[int, Amount]]) -> list[ExtractedEvent]:
    secondary_sentences = {i: d for d in drafts[1:] for i in d.sentences}
    events = []
    for k, d in enumerate(drafts):
        if k == 0:
            entities = all_entities
            ev_claims = [c for i, c in claims if i not in secondary_sentences]
            ev_amounts = [a for i, a in amounts if i not in secondary_sentences]
        else:
            entities = _aggregate(mentions, roles, [j for j, m in enumerate(mentions) if m.sentence in d.sentences])
            ev_claims = [c for i, c in claims if secondary_sentences.get(i) is d]
            ev_amounts = [a for i, a in amounts if secondary_sentences.get(i) is d]
        events.append(ExtractedEvent(
            name=d.name,
            date=d.date,
            sentence=seg.original_of(seg.sentences[d.sentence]),
            time=d.time,
            timezone=d.timezone,
            timing=d.timing,
            entities=tuple(entities),
            claims=tuple(ev_claims),
            amounts=tuple(ev_amounts),
            kind=d.kind,
            date_text=d.date_text,
            date_precision=d.precision,
            primary=k == 0,
            news_date=d.news_date,
            date_basis=_basis(d),
        ))
    return events


def _basis(d: EventDraft) -> str | None:
    """How an event's date was found: "move" (the day of the reported price move), "publication"
    (an undated move reported as of the publication date) or "news" (the date of the news)."""
    if d.date is None:
        return None
    if d.move_sentence is not None:
        return "move" if d.date_text else "publication"
    return "news"


#: Yahoo symbol -> entity, per gazetteer (built once).
_BY_YAHOO: "weakref.WeakKeyDictionary[Gazetteer, dict[str, object]]" = weakref.WeakKeyDictionary()


def _place_resolver(gazetteer: Gazetteer, seg):
    """``(yahoo, start, end) -> Mention`` of the gazetteer's index with that Yahoo symbol, or None."""
    table = _BY_YAHOO.get(gazetteer)
    if table is None:
        table = {}
        for e in gazetteer:
            if e.yahoo and e.asset_class == "index":
                table.setdefault(e.yahoo.upper(), e)
        _BY_YAHOO[gazetteer] = table

    def resolve(yahoo: str, start: int, end: int) -> Mention | None:
        entity = table.get(yahoo.upper())
        sentence = seg.sentence_at(start)
        if entity is None or sentence is None:
            return None
        text = seg.original[start:end]
        return Mention(start, end, text, sentence.index, entity, kind_hint="index (market place)",
                       resolution=f"{text!r}, the market place, read as its benchmark index {entity.name}",
                       exchange=entity.exchange)
    return resolve


def _header_notes(seg, header_published: dt.date | None, published: dt.date | None) -> list[str]:
    if header_published is not None and published is not None and header_published != published:
        return [f"the text's header says published {header_published.isoformat()}, but {published.isoformat()} was "
                "given: dates are counted from the date given"]
    return []


#: Days an explicit body date may follow the publication date (time zones around midnight).
PUBLICATION_SLACK_DAYS = 1


def _contradictions(mentions, published: dt.date | None, line) -> list[str]:
    """Notes when the body's dates contradict the publication date. The rule: relative dates are
    counted from the publication date; a body date written with its year after it (beyond
    :data:`PUBLICATION_SLACK_DAYS`) is taken as written and noted (it can be day 0: the study then
    warns); a date without a year is placed nearest to the publication date, and one that falls after
    it is a plan, never the day of a move; a dateline more than a day away is noted."""
    if published is None:
        return []
    out = []
    late = [m for m in mentions if m.kind == "explicit" and m.date is not None and m.precision == "day"
            and m.date > published + dt.timedelta(days=PUBLICATION_SLACK_DAYS)]
    if late:
        m = late[0]
        out.append(f"the text gives the date {m.text.strip()!r} ({m.date.isoformat()}), after its publication date "
                   f"{published.isoformat()}: one of the two is wrong (or the date is a plan); the date is taken as "
                   "written (it can date a move, and the study then warns that day 0 follows publication), and "
                   "relative dates are counted from the publication date")
    if line is not None and abs((line[0] - published).days) > PUBLICATION_SLACK_DAYS:
        out.append(f"the dateline {line[1]!r} ({line[0].isoformat()}) contradicts the publication date "
                   f"{published.isoformat()}: relative dates are counted from the publication date")
    for m in mentions:
        wd = getattr(m, "weekday_conflict", None)
        if wd:
            out.append(wd)
    return out
