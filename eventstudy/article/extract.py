"""Extract market events from an article's text.

Returns typed, JSON-serialisable objects: the events (name, date, timing, source sentence), the
entities named (with tickers from the gazetteer), the price moves the article claims and the
money amounts it names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

import dateparser

from ..errors import ArticleError


@dataclass(frozen=True)
class EntityMention:
    name: str
    ticker: str | None
    asset_class: str | None
    exchange: str | None = None
    role: str | None = None
    gazetteer_id: str | None = None


@dataclass(frozen=True)
class Claim:
    """A price move the article reports. ``percent`` is signed, in percent (7.18 = +7.18 %)."""

    ticker: str | None
    name: str
    percent: float
    horizon: str | None
    date: dt.date | None
    sentence: str
    approximate: bool = False


@dataclass(frozen=True)
class Amount:
    """A money amount, normalised to US dollars."""

    usd: float
    text: str
    sentence: str


@dataclass(frozen=True)
class ExtractedEvent:
    name: str
    date: dt.date | None
    sentence: str
    time: dt.time | None = None
    timezone: str | None = None
    timing: str | None = None
    entities: tuple[EntityMention, ...] = ()
    claims: tuple[Claim, ...] = ()
    amounts: tuple[Amount, ...] = ()


@dataclass(frozen=True)
class Extraction:
    """What was extracted from one article, and how dates were resolved."""

    language: str
    published: dt.date | None
    date_rule: str
    events: tuple[ExtractedEvent, ...] = field(default_factory=tuple)
    source: str | None = None

    @property
    def primary(self) -> ExtractedEvent:
        if not self.events:
            raise ArticleError(f"{self.source or 'the article'}: no dated event found; give `[event] date` in the study")
        return self.events[0]

    def to_dict(self) -> dict:
        def conv(obj):
            if isinstance(obj, (dt.date, dt.time)):
                return obj.isoformat()
            if isinstance(obj, dict):
                return {k: conv(v) for k, v in obj.items()}
            if isinstance(obj, (list, tuple)):
                return [conv(v) for v in obj]
            return obj

        return conv(asdict(self))


_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|"
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_EXPLICIT = re.compile(rf"\b(\d{{1,2}}(?:er)?)\s+({_MONTHS})(?:\s+(\d{{4}}))?\b", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTHS})\s+(\d{{4}})\b", re.I)
_FRENCH_HINTS = re.compile(r"\b(le|la|les|des|et|une|dans|avec|pour|sur)\b", re.I)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?»])\s+|\n+", text) if s.strip()]


def extract_events(text: str, *, published: dt.date | None = None, source: str | None = None) -> Extraction:
    """Find the article's main dated event.

    Dates without a year are resolved against ``published`` when given, else against the latest
    explicit (month, year) in the text; the rule used is returned in ``date_rule``.
    """
    if not text or not text.strip():
        raise ArticleError(f"{source or 'the article'}: the text is empty")
    language = "fr" if len(_FRENCH_HINTS.findall(text)) > 5 else "en"
    years = [int(m.group(2)) for m in _MONTH_YEAR.finditer(text)] + [
        int(m.group(3)) for m in _EXPLICIT.finditer(text) if m.group(3)
    ]
    if published is not None:
        base = dt.datetime.combine(published, dt.time())
        rule = f"dates without a year resolved against the publication date {published}"
        prefer = "past"
    elif years:
        latest = max(years)
        base = dt.datetime(latest, 12, 31)
        rule = (f"no publication date: dates without a year resolved against the latest explicit date in the text "
                f"(year {latest}), as the first such date after it")
        prefer = "future"
    else:
        base = None
        rule = "no publication date and no explicit year in the text: dates without a year are unresolved"
        prefer = "past"
    dated: list[tuple[dt.date, str]] = []
    for sentence in _sentences(text):
        for m in _EXPLICIT.finditer(sentence):
            if base is None and not m.group(3):
                continue
            settings = {"PREFER_DATES_FROM": prefer, "REQUIRE_PARTS": ["day", "month"]}
            if base is not None:
                settings["RELATIVE_BASE"] = base
            parsed = dateparser.parse(m.group(0), languages=[language], settings=settings)
            if parsed is not None:
                dated.append((parsed.date(), sentence))
    events: list[ExtractedEvent] = []
    if dated:
        counts = Counter(d for d, _ in dated)
        best = max(counts, key=lambda d: (counts[d], -[x for x, _ in dated].index(d)))
        sentence = next(s for d, s in dated if d == best)
        events.append(ExtractedEvent(name=_title(text), date=best, sentence=sentence))
    return Extraction(language=language, published=published, date_rule=rule, events=tuple(events), source=source)


def _title(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "event")
    return first[:120]
