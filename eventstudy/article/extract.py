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
from collections import Counter
from collections.abc import Iterable

from ..errors import ArticleError
from ..reference.gazetteer import Gazetteer
from .amounts import find_amounts
from .claims import carry_event_date, find_claims
from .dates import resolve_dates
from .entities import Mention, find_mentions
from .events import MARKET_MOVE_KINDS, EventDraft, detect_events
from .language import SUPPORTED, detect_language
from .model import Amount, Claim, EntityMention, ExtractedEvent, Extraction
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

    resolution = resolve_dates(seg.norm, seg.original, language, published)
    mentions, entity_notes = find_mentions(seg, gazetteer, language, published)
    claims, extra, claim_notes = find_claims(seg, mentions, list(resolution.mentions), language)
    mentions = sorted(mentions + extra, key=lambda m: m.start)
    roles = assign_roles(seg, mentions)
    amounts, amount_notes = find_amounts(seg, language)
    drafts = detect_events(seg, resolution.mentions, mentions, {i for i, _ in claims})
    for d in drafts:
        if d.kind in MARKET_MOVE_KINDS and d.date is not None and d.precision == "day":
            claims = carry_event_date(seg, claims, d.sentence, d.date, list(resolution.mentions))

    all_entities = _aggregate(mentions, roles, range(len(mentions)))
    events = _assemble(seg, drafts, mentions, roles, all_entities, claims, amounts)
    notes += entity_notes + claim_notes + amount_notes
    return Extraction(
        language=language,
        published=published,
        date_rule=resolution.rule,
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
        ))
    return events
