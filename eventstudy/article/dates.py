"""Dates in an article: find the expressions, parse them with dateparser, resolve the relative ones.

Finding: candidate spans are spotted with patterns assembled from dateparser's own locale data
(month and weekday names, relative phrases such as "hier", "la semaine dernière", "last week"),
for the article's language plus English and French. Parsing: every span is handed to
:class:`dateparser.date.DateDataParser`, which returns the date and its precision (day, week,
month, year). Nothing here re-implements a date grammar.

Resolution rule (also returned as text, :attr:`Resolution.rule`):

1. Dates that carry a year ("21 janvier 2025", "décembre 2024", "in 2024") are taken as written.
2. The *anchor* is the publication date when known; otherwise the latest explicit date of step 1.
3. Dates without a year ("le 21 janvier", "Jan. 21", "en janvier") take the year that puts them
   nearest to the anchor (for a month anchor, nearest to that month).
4. Relative expressions ("hier", "yesterday", "mardi", "on Wednesday", "la semaine dernière") are
   resolved by dateparser against the publication date; without one, against the latest
   day-precision date found in steps 1 and 3 (the best stand-in for when the article was written).
   A bare weekday is the latest such day on or before that base (the same day counts); "mardi
   dernier" / "last Tuesday" is strictly before it; "prochain" / "next" after it. "Le week-end",
   "over the weekend" is the latest weekend on or before the base, dated to its last day (Sunday).
5. With neither a publication date nor any explicit year, steps 3 and 4 leave dates unresolved.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

_LANGS_WITH_RULES = ("en", "fr")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ENGLISH_MONTHS = frozenset(m.capitalize() for m in _MONTH_KEYS)


@dataclass(frozen=True)
class DateMention:
    """A date expression found in the text.

    ``kind``: "explicit" (carries a year), "partial" (day and/or month without a year) or
    "relative" (weekday, "hier", "last week"). ``date`` is ``None`` when it could not be resolved.
    ``start``/``end`` are offsets into the article text.
    """

    text: str
    start: int
    end: int
    kind: str
    precision: str
    date: dt.date | None = None
    modifier: str | None = None

    @property
    def interval(self) -> tuple[dt.date, dt.date] | None:
        """First and last day the mention covers."""
        if self.date is None:
            return None
        return self.date, _period_end(self.date, self.precision)


@dataclass(frozen=True)
class Resolution:
    """All date mentions of an article, resolved, with the rule used and its anchor."""

    mentions: tuple[DateMention, ...]
    rule: str
    anchor: dt.date | None
    relative_base: dt.date | None


def _period_end(day: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    if precision == "week":
        return day + dt.timedelta(days=6)
    return day


@functools.lru_cache(maxsize=8)
def _vocabulary(languages: tuple[str, ...]) -> dict[str, object]:
    """Month, weekday and relative-phrase alternations from dateparser's locale data."""
    from dateparser.languages.loader import default_loader

    months: set[str] = set()
    month_abbr: set[str] = set()
    weekdays: set[str] = set()
    relative: set[str] = set()
    relative_regex: list[str] = []
    for code in languages:
        try:
            info = default_loader.get_locale(code).info
        except Exception:  # an unknown locale: keep the others  # noqa: BLE001
            continue
        for key in _MONTH_KEYS:
            forms = [f for f in info.get(key, []) if len(f) >= 3 and not f.isdigit()]
            if forms:
                full = max(forms, key=len)
                months.add(full)
                month_abbr.update(f for f in forms if f != full)
        for key in _WEEKDAY_KEYS:
            forms = [f for f in info.get(key, []) if len(f) >= 4]
            if forms:
                weekdays.add(max(forms, key=len))
        for key, phrases in info.get("relative-type", {}).items():
            if any(unit in key for unit in ("day", "week", "month", "year")):
                relative.update(p for p in phrases if len(p) >= 3)
        for key, patterns in info.get("relative-type-regex", {}).items():
            if any(unit in key for unit in ("day", "week", "month", "year")):
                relative_regex.extend(p.replace("++", "+").replace("*+", "*") for p in patterns if "\\d" in p)

    def alt(words: set[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    month = rf"(?:{alt(months)}|(?:{alt(month_abbr)})\.)"
    weekday = alt(weekdays)
    ordinal = r"(?:er|e|st|nd|rd|th)?"
    # whole-word relative expressions, longest first; "il y a 3 jours" / "3 days ago" forms
    rel = alt(relative)
    rel_rx = "|".join(sorted(set(relative_regex), key=len, reverse=True))
    patterns = [
        ("explicit_or_partial", re.compile(
            rf"(?<![\w])(?:(?P<wd>{weekday}),?\s+)?(?:(?:le|the)\s+)?(?P<day>\d{{1,2}}){ordinal}\s+(?:of\s+|de\s+)?"
            rf"(?P<month>{month})(?:,?\s+(?P<year>(?:19|20)\d\d))?(?![\w])", re.I)),
        ("explicit_or_partial", re.compile(
            rf"(?<![\w])(?:(?P<wd>{weekday}),?\s+)?(?P<month>{month})\s+(?P<day>\d{{1,2}}){ordinal}(?![\w%.,]\d)(?!\s*%)"
            rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?(?![\w])", re.I)),
        ("month_year", re.compile(rf"(?<![\w])(?P<month>{month})\s+(?:de\s+|of\s+)?(?P<year>(?:19|20)\d\d)(?![\w])", re.I)),
        ("month_alone", re.compile(
            rf"(?<![\w])(?P<prep>en|in|début|fin|mi-|mid-|early|late|since|depuis|courant)\s*(?P<month>{month})(?![\w])",
            re.I)),
        ("iso", re.compile(r"(?<![\w-])(?P<iso>(?:19|20)\d\d-\d\d-\d\d)(?![\w-])")),
        ("numeric", re.compile(r"(?<![\w/])(?P<num>\d{1,2}/\d{1,2}/(?:19|20)\d\d)(?![\w/])")),
        ("year", re.compile(
            r"(?<![\w])(?P<prep>en|in|depuis|since|fin|début|mi-|mid-|end of|early|late|courant|during|durant|pendant)"
            r"\s*(?P<year>(?:19|20)\d\d)(?![\w])", re.I)),
        ("weekday", re.compile(
            rf"(?<![\w])(?:(?P<pre>last|next|this|ce|cette)\s+)?(?P<weekday>{weekday})(?![\w])"
            rf"(?:\s+(?P<mod>dernier|prochain|passé|last|next))?", re.I)),
    ]
    # "week-end" first (a literal: fast), the words before it are added by spot_dates
    patterns.append(("weekend", re.compile(r"(?<![\w'])week-?end(?:\s+(?:dernier|passé))?(?![\w])", re.I)))
    if rel:
        patterns.append(("relative", re.compile(rf"(?<![\w'])(?:{rel})(?![\w])", re.I)))
    if rel_rx:
        patterns.append(("relative", re.compile(rf"(?<![\w])(?:{rel_rx})(?![\w])", re.I)))
    return {"patterns": patterns}


@functools.lru_cache(maxsize=64)
def _parser(languages: tuple[str, ...], base: dt.date | None, prefer: str):
    from dateparser.date import DateDataParser

    settings = {"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": prefer,
                "RELATIVE_BASE": dt.datetime.combine(base or dt.date(2000, 6, 15), dt.time())}
    return DateDataParser(languages=list(languages), settings=settings)


@functools.lru_cache(maxsize=4096)
def _parse(text: str, languages: tuple[str, ...], base: dt.date | None, prefer: str) -> tuple[dt.date | None, str]:
    try:
        data = _parser(languages, base, prefer).get_date_data(text)
    except Exception:  # dateparser can fail on odd input; an unparsed span is just left out  # noqa: BLE001
        return None, "day"
    if data is None or data.date_obj is None:
        return None, "day"
    return data.date_obj.date(), data.period or "day"


@dataclass(frozen=True)
class _Raw:
    text: str
    start: int
    end: int
    kind: str
    has_year: bool
    modifier: str | None = None
    core: str | None = None


_WEEKEND_LEAD = re.compile(r"(?<![\w'])(?:(?:le|ce|the|this|over\s+the|pendant\s+le|durant\s+le|during\s+the|"
                           r"au\s+cours\s+du)\s+)?(?:mauvais\s+|last\s+|long\s+)?$", re.I)


def spot_dates(norm: str, original: str, language: str) -> list[_Raw]:
    """Candidate date spans (not yet parsed), longest first where they overlap."""
    languages = tuple(dict.fromkeys((language, *_LANGS_WITH_RULES)))
    vocab = _vocabulary(languages)
    raws: list[_Raw] = []
    for kind, pattern in vocab["patterns"]:  # type: ignore[union-attr]
        for m in pattern.finditer(norm):
            gd = m.groupdict()
            month = gd.get("month")
            if month and month.capitalize() in _ENGLISH_MONTHS and month.islower() and month not in ("mars", "mai"):
                continue  # English month names are capitalised ("may" is a verb)
            if kind == "weekday":
                mod = (gd.get("mod") or gd.get("pre") or "").lower() or None
                raws.append(_Raw(original[m.start():m.end()], m.start(), m.end(), "weekday", False, mod,
                                 gd["weekday"]))
            elif kind == "relative":
                raws.append(_Raw(original[m.start():m.end()], m.start(), m.end(), "relative", False))
            elif kind == "weekend":
                lead = _WEEKEND_LEAD.search(norm, max(0, m.start() - 30), m.start())
                start = lead.start() if lead else m.start()
                raws.append(_Raw(original[start:m.end()], start, m.end(), "weekend", False))
            else:
                has_year = kind in ("month_year", "iso", "numeric", "year") or bool(gd.get("year"))
                raws.append(_Raw(original[m.start():m.end()], m.start(), m.end(), kind, has_year))
    raws.sort(key=lambda r: (r.start, -(r.end - r.start)))
    kept: list[_Raw] = []
    for r in raws:
        if kept and r.start < kept[-1].end:
            if (r.end - r.start) > (kept[-1].end - kept[-1].start):
                kept[-1] = r
            continue
        kept.append(r)
    return kept


def _nearest_year(month: int, day: int, interval: tuple[dt.date, dt.date]) -> dt.date | None:
    lo, hi = interval
    best: tuple[int, dt.date] | None = None
    for year in (lo.year - 1, lo.year, hi.year, hi.year + 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            continue
        dist = 0 if lo <= cand <= hi else min(abs((cand - lo).days), abs((cand - hi).days))
        # ties go to the earlier date: news mostly looks back
        if best is None or (dist, cand) < (best[0], best[1]):
            best = (dist, cand)
    return best[1] if best else None


def _clean(text: str) -> str:
    """The span as dateparser reads it best (no leading article/preposition)."""
    return re.sub(r"^(?:le|the|on|en|in|since|depuis|courant|during|durant|pendant)\s+", "", text.strip(), flags=re.I)


def resolve_dates(norm: str, original: str, language: str, published: dt.date | None) -> Resolution:
    """Find, parse and resolve every date of the text (see the module docstring for the rule)."""
    languages = tuple(dict.fromkeys((language, *_LANGS_WITH_RULES)))
    raws = spot_dates(norm, original, language)
    explicit: list[DateMention] = []
    out: dict[int, DateMention] = {}
    for i, r in enumerate(raws):
        if r.has_year:
            when, period = _parse(_clean(norm[r.start:r.end]), languages, None, "past")
            if r.kind == "year":
                period = "year"
                when = dt.date(when.year, 1, 1) if when else None
            elif r.kind == "month_year" and when is not None:
                period, when = "month", when.replace(day=1)
            mention = DateMention(r.text, r.start, r.end, "explicit", period, when)
            out[i] = mention
            if when is not None:
                explicit.append(mention)

    if published is not None:
        anchor_interval: tuple[dt.date, dt.date] | None = (published, published)
        anchor = published
    elif explicit:
        latest = max(explicit, key=lambda m: (m.interval[1], -(m.interval[1] - m.interval[0]).days))
        anchor_interval = latest.interval
        anchor = latest.date
    else:
        anchor_interval, anchor = None, None

    for i, r in enumerate(raws):
        if i in out or r.kind in ("weekday", "relative", "weekend"):
            continue
        when, period = _parse(_clean(norm[r.start:r.end]), languages, anchor, "current_period")
        if r.kind == "month_alone":
            period = "month"
        if when is not None and anchor_interval is not None:
            when = _nearest_year(when.month, 1 if period == "month" else when.day, anchor_interval)
        else:
            when = None
        out[i] = DateMention(r.text, r.start, r.end, "partial", period, when)

    if published is not None:
        base = published
    else:
        days = [m.date for m in out.values() if m.date is not None and m.precision == "day"]
        base = max(days) if days else (anchor_interval[1] if anchor_interval else None)

    for i, r in enumerate(raws):
        if i in out:
            continue
        when: dt.date | None = None
        period = "day"
        if base is not None:
            if r.kind == "weekend":
                # "le week-end", "over the weekend": the weekend on or before the base, dated to its last day
                back = (base.weekday() - 6) % 7 if base.weekday() == 6 else base.weekday() + 1
                when = base - dt.timedelta(days=back) if base.weekday() != 5 else base
            elif r.kind == "weekday":
                mod = r.modifier or ""
                prefer = "future" if mod in ("prochain", "next") else "past"
                when, period = _parse(r.core or "", languages, base, prefer)
                if when is not None and mod not in ("last", "dernier", "passé") and when == base - dt.timedelta(days=7):
                    when = base  # a bare weekday naming the base day itself means that day
            else:
                when, period = _parse(norm[r.start:r.end], languages, base, "past")
                if when is not None and period == "week":
                    when -= dt.timedelta(days=when.weekday())  # a week starts on Monday
        out[i] = DateMention(r.text, r.start, r.end, "relative", period, when, r.modifier)

    mentions = tuple(out[i] for i in sorted(out))
    rule = _describe(published, anchor, anchor_interval, explicit, base, mentions)
    return Resolution(mentions, rule, anchor, base)


def _describe(published, anchor, interval, explicit, base, mentions) -> str:
    relative = [m.text for m in mentions if m.kind == "relative"]
    rel_txt = f" ({', '.join(repr(t) for t in dict.fromkeys(relative[:4]))})" if relative else ""
    if published is not None:
        return (f"publication date {published.isoformat()}: dates without a year take the year nearest to it; "
                f"relative dates{rel_txt} are counted from it")
    if anchor is not None:
        latest = max(explicit, key=lambda m: (m.interval[1], -(m.interval[1] - m.interval[0]).days))
        span = (interval[0].isoformat() if interval[0] == interval[1]
                else f"{interval[0].isoformat()}..{interval[1].isoformat()}")
        return (f"no publication date: dates without a year take the year nearest to the latest explicit date in "
                f"the text, {latest.text.strip()!r} ({span}); relative dates{rel_txt} are counted from the latest "
                f"date found, {base.isoformat()}")
    return ("no publication date and no date with a year in the text: dates without a year and relative dates are "
            "left unresolved (give the publication date, e.g. --published YYYY-MM-DD)")


_DATELINE = re.compile(
    r"^\s*(?P<place>[A-ZÀ-Þ]{2,}(?:[ -][A-ZÀ-Þ]{2,})*\.?(?:,\s*[A-Z][a-z]+\.?)?)\s*,\s*"
    r"(?P<when>[^-–—()\n]{4,40}?)\s*(?:\([^)]{1,40}\))?\s*[-–—]")


def dateline(seg, language: str, published: dt.date | None = None) -> tuple[dt.date, str] | None:
    """The date of an agency dateline opening the article's body ("LONDON, Wednesday, April 15, 2015 -",
    "NEW YORK, 28 mai (Reuters) -"), with the text as written; None without one. A dateline without
    a year takes the year nearest to ``published`` (and is None without it)."""
    languages = tuple(dict.fromkeys((language, *_LANGS_WITH_RULES)))
    for s in seg.sentences[:3]:
        m = _DATELINE.match(s.text)
        if m is None:
            continue
        when = m.group("when")
        found = [r for r in spot_dates(when, when, language) if r.kind in ("explicit_or_partial",)]
        if not found:
            continue
        r = found[0]
        day, period = _parse(_clean(when[r.start:r.end]), languages, None, "past")
        if day is None or period != "day":
            continue
        if not r.has_year:
            if published is None:
                continue
            day = _nearest_year(day.month, day.day, (published, published))
        return day, s.text[:m.end()].rstrip(" -–—")
    return None
