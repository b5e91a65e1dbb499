"""The typed results of article extraction (frozen dataclasses, JSON-safe through ``to_dict``).

Units and conventions
---------------------
* ``Claim.percent`` is a signed percentage: 7.18 means +7.18 %, -3.5 means -3.5 %.
* ``Amount.usd`` is in US dollars (units, not billions); ``None`` when the currency is not USD,
  because no exchange rate is applied offline (``value`` and ``currency`` keep the original).
* Dates are ``datetime.date``; ``date_precision`` says how much of it the text gave
  ("day", "week", "month", "year"). A month-precision date is the first of the month.
* ``Claim.horizon`` uses :data:`HORIZONS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import ArticleError

#: Horizon vocabulary of a price claim (``Claim.horizon``), or ``None`` when the text gives none.
HORIZONS: dict[str, str] = {
    "1d": "one trading session or calendar day ('on Tuesday', 'hier', 'closed up', a move dated to a day)",
    "24h": "trailing 24 hours, as crypto data sites report ('sur 24 heures', 'in the past 24 hours')",
    "premarket": "before the regular session opens ('premarket', 'avant l'ouverture')",
    "after_hours": "after the regular session closes ('after hours', 'après la clôture')",
    "intraday": "within a session, not at the close ('intraday', 'at one point', 'en séance')",
    "1w": "one week or seven days ('this week', 'sur la semaine', '7 jours')",
    "1m": "one month or 30 days ('this month', 'sur un mois')",
    "ytd": "since the start of the year ('year to date', 'depuis le début de l'année')",
    "1y": "one year or 12 months ('over the past year', 'sur un an')",
}

#: Timing words of an event (``ExtractedEvent.timing``) when the text places it in the trading day.
#: Otherwise ``timing`` holds the relative expression as written ("hier", "on Tuesday").
SESSION_TIMINGS = ("before_open", "during_session", "after_close")


@dataclass(frozen=True)
class EntityMention:
    """A company, fund, index, token, project or private firm the article names.

    ``name`` is the name as first written; ``ticker``, ``asset_class``, ``exchange`` and ``yahoo``
    come from the gazetteer entry ``gazetteer_id``. A name the gazetteer does not know (or an
    ambiguous one the context cannot settle) has ``unmapped=True`` and ``None`` for those fields;
    ``candidates`` then lists the gazetteer ids that were considered. ``resolution`` explains how an
    ambiguous name ("Arm", "Oracle", "Virtual", "ARC") was read. ``role`` joins ``roles``
    (funder, lead partner, operator, technology partner, acquirer, target, source).
    """

    name: str
    ticker: str | None
    asset_class: str | None
    exchange: str | None = None
    role: str | None = None
    gazetteer_id: str | None = None
    resolution: str | None = None
    unmapped: bool = False
    roles: tuple[str, ...] = ()
    canonical_name: str | None = None
    yahoo: str | None = None
    mentions: int = 1
    candidates: tuple[str, ...] = ()
    kind_hint: str | None = None


@dataclass(frozen=True)
class Claim:
    """A price move the article reports.

    ``percent`` is signed, in percent (7.18 = +7.18 %). ``ticker`` is the gazetteer id ("ORCL",
    "PIPPIN"); ``None`` for a sector claim (``scope="sector"``) or an unmapped name. ``horizon`` is
    one of :data:`HORIZONS` or ``None``. ``date`` is the day the move refers to when the text names
    one: the day of the session for a daily move, the day of the data (end of the window) for a
    trailing 24-hour move, e.g. 2025-01-22 for "D'après les données de SoSoValue du 22 janvier ...
    sur 24 heures"; ``None`` when the text gives no date for the move itself (a date introduced by
    "after"/"après"/"since"/"depuis" is a reference point, not the move's date). A claim that
    follows the sentence of a sell-off or rally event in the same paragraph, with no date of its
    own, takes that event's day ("Chip stocks tumbled on Monday, January 27 ... Nvidia closed down
    nearly 17%" gives 2025-01-27; see :mod:`eventstudy.article.claims`, rule 7). ``approximate`` is
    True for "environ", "about", "nearly", "plus de"... ``note`` says when the horizon, date or
    source were carried over from the previous sentence ("Par ailleurs, ...") or from the event's
    sentence, and when the subject was left unmapped.
    """

    ticker: str | None
    name: str
    percent: float
    horizon: str | None
    date: dt.date | None
    sentence: str
    approximate: bool = False
    scope: str = "security"
    sector: str | None = None
    source_attribution: str | None = None
    text: str = ""
    asset_class: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Amount:
    """A money amount. ``usd`` is in US dollars (500e9 for "500 milliards de dollars").

    ``value`` is in units of ``currency`` (ISO code); ``usd`` is ``None`` for other currencies
    (no exchange rate is applied). ``currency_inferred`` is True when the text gives a scale but no
    currency ("200 milliards ?") and the currency was taken from the previous amount in the same
    paragraph. ``approximate`` is True for "plus de", "about", "up to"...
    """

    usd: float | None
    text: str
    sentence: str
    value: float = 0.0
    currency: str = "USD"
    approximate: bool = False
    qualifier: str | None = None
    currency_inferred: bool = False


@dataclass(frozen=True)
class ExtractedEvent:
    """One market event the article describes.

    ``date`` is resolved with the extraction's ``date_rule``; ``date_text`` is the expression as
    written ("Le 21 janvier"); ``sentence`` is the sentence it came from. ``time`` and ``timezone``
    (IANA) only when the text gives a clock time; ``timing`` is a session word (see
    :data:`SESSION_TIMINGS`) or the relative expression as written ("hier", "on Tuesday").

    ``date_basis`` says where the date comes from: "move" — the day of the main price move the
    article reports (day 0 of a study is the session the market moved, so a result published on
    Tuesday evening that sends the stock down on Wednesday is dated Wednesday, and ``news_date``
    keeps Tuesday); "publication" — moves reported without a day are those of the publication
    date; "news" — the article dates no move, so the date of the news itself. ``kind`` is
    "market_move" when the article reports a move and names no news kind.
    """

    name: str
    date: dt.date | None
    sentence: str
    time: dt.time | None = None
    timezone: str | None = None
    timing: str | None = None
    entities: tuple[EntityMention, ...] = ()
    claims: tuple[Claim, ...] = ()
    amounts: tuple[Amount, ...] = ()
    kind: str = "announcement"
    date_text: str | None = None
    date_precision: str | None = None
    primary: bool = False
    news_date: dt.date | None = None
    date_basis: str | None = None


@dataclass(frozen=True)
class Extraction:
    """What was extracted from one article, and how dates were resolved.

    ``events`` come main event first. ``entities``, ``claims`` and ``amounts`` cover the whole
    article (the main event carries the same entities; claims and amounts from a secondary event's
    own sentences go to that event). ``notes`` records choices a reader may want to check (names
    read as ordinary words, percentages not taken as price moves, unsupported language...).
    """

    language: str
    published: dt.date | None
    date_rule: str
    events: tuple[ExtractedEvent, ...] = field(default_factory=tuple)
    source: str | None = None
    title: str | None = None
    anchor: dt.date | None = None
    entities: tuple[EntityMention, ...] = ()
    claims: tuple[Claim, ...] = ()
    amounts: tuple[Amount, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def primary(self) -> ExtractedEvent:
        """The main event; raises :class:`ArticleError` when the article describes none."""
        if not self.events:
            raise ArticleError(f"{self.source or 'the article'}: no market event found (no announcement, deal, "
                               "launch, results or news-driven sell-off or rally); give `[event] date` in the study")
        return self.events[0]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (dates and times as ISO strings, tuples as lists)."""
        return _json_safe(asdict(self))


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, (dt.date, dt.time)):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj
