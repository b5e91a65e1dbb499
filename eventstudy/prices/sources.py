"""Where a study's prices come from, and the chain that tries them in order.

A *source* turns a symbol into a :class:`PriceSeries` or says why it cannot. The sources:

=================  ==========================================================================
source             what it reads
=================  ==========================================================================
``SnapshotSource`` the embedded snapshot (``data/prices``, ``data/prices_4h``), checksummed
``CacheSource``    the on-disk cache of past downloads (:mod:`.cache`), checksummed
``YahooSource``    yfinance, online; every download is merged into the cache (:mod:`.yahoo`)
``UserPricesSource`` the study's own file or folder, ``[data] prices`` (:mod:`.userdata`)
=================  ==========================================================================

A study's ``[data] source`` picks the chain (``pipeline.default_sources``): ``auto`` = cache,
then Yahoo, then the snapshot; ``offline`` = cache, then the snapshot (never the network);
``pinned`` = the snapshot only. ``[data] prices`` replaces the chain by the user's data.

Protocol: every source has ``name`` and ``load(symbol)``; it may also offer ``has(symbol)`` (a
cheap local check, no network) and ``load_many(symbols)`` (one batch, e.g. one download for many
symbols). A source that simply does not hold a symbol raises :class:`NotInSourceError` and the
next one is tried silently; a :class:`SourceError` (the source as a whole is unusable: an
unreadable price file, a snapshot without its manifest) stops the study with one message; any
other :class:`DataError` (a corrupt cache file, a failed
download) is a problem worth reporting: when a later source delivers, the series carries a note
that the study turns into a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd

from ..errors import DataError, NotInSourceError, SourceError
from ..paths import snapshot_dir
from .bars import PriceSeries
from .snapshot import Snapshot


class PriceSource(Protocol):
    """Anything that can deliver one symbol's bars."""

    name: str

    def load(self, symbol: str) -> PriceSeries:
        """The symbol's bars; raises :class:`DataError` saying why when it has none."""
        ...


@dataclass(frozen=True)
class Span:
    """The stretch of time a study needs prices for: ``start`` .. ``end`` inclusive.

    Session dates for daily bars, naive UTC times for intraday bars. It includes a margin for
    weekends and holidays (see ``pipeline.price_span``), so data may legitimately start a few
    days after ``start`` (see :func:`covers`).
    """

    start: pd.Timestamp
    end: pd.Timestamp

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", pd.Timestamp(self.start))
        object.__setattr__(self, "end", pd.Timestamp(self.end))

    def clipped(self, today: pd.Timestamp | None = None) -> "Span":
        """The span without its future part (no source holds tomorrow's prices)."""
        today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() if today is None else today
        return Span(min(self.start, today), min(self.end, today))

    def union(self, other: "Span | None") -> "Span":
        if other is None:
            return self
        return Span(min(self.start, other.start), max(self.end, other.end))

    def describe(self) -> str:
        return f"{_fmt(self.start)} .. {_fmt(self.end)}"


def _fmt(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")


#: Calendar days a series may start after / end before the span and still count as covering it
#: (weekends and holidays for daily bars).
COVER_SLACK_DAYS = {"1d": 7, "4h": 1}


def covers(series: PriceSeries, span: Span) -> bool:
    """Whether ``series`` holds the ``span`` (the part of it that is not in the future).

    A download's *requested* range counts as covered even where the data are shorter (a young
    security has nothing before its listing; asking again would not change that).
    """
    want = span.clipped()
    prov = series.provenance
    if prov.get("requested_start") and prov.get("requested_end"):
        asked = Span(pd.Timestamp(prov["requested_start"]), pd.Timestamp(prov["requested_end"]))
        if asked.start <= want.start and asked.end >= want.end:
            return True
    if series.bars.empty:
        return False
    slack = pd.Timedelta(days=COVER_SLACK_DAYS.get(series.frequency, 7))
    return series.first <= want.start + slack and series.last >= want.end - slack


@dataclass
class SnapshotSource:
    """The embedded snapshot (``data/prices`` or another snapshot folder)."""

    frequency: str = "1d"
    root: Path | None = None
    name: str = "snapshot"

    def __post_init__(self) -> None:
        self.snapshot = Snapshot(self.root or snapshot_dir(self.frequency), self.frequency)

    def has(self, symbol: str) -> bool:
        return self.snapshot.has(symbol)

    def load(self, symbol: str) -> PriceSeries:
        return self.snapshot.load(symbol)


def source_has(source: PriceSource, symbol: str) -> bool:
    """Whether a source holds ``symbol`` locally (False for sources that cannot tell offline)."""
    has = getattr(source, "has", None)
    return bool(has is not None and has(symbol))


def _load_from(source: PriceSource, symbols: list[str]) -> dict[str, PriceSeries | DataError]:
    many = getattr(source, "load_many", None)
    if many is not None:
        try:
            return many(symbols)
        except SourceError:
            raise
        except DataError as exc:  # the whole batch failed the same way
            return {s: exc for s in symbols}
    out: dict[str, PriceSeries | DataError] = {}
    for symbol in symbols:
        try:
            out[symbol] = source.load(symbol)
        except SourceError:  # the source as a whole is unusable: say it once, for the study
            raise
        except DataError as exc:
            out[symbol] = exc
    return out


def load_prices(symbols: Iterable[str], sources: Sequence[PriceSource],
                span: Span | None = None) -> tuple[dict[str, PriceSeries], dict[str, str]]:
    """Load each symbol from the first source that has it (covering ``span`` when given).

    Sources are asked in order, each for all the symbols still missing (one batch per source).
    With a ``span``, a series that does not cover it is kept aside and later sources are asked
    too; if none covers it, the first such partial series is used (the study's window checks
    report what is missing).

    Returns ``(series, missing)`` where ``missing`` maps each symbol no source could deliver to
    the reasons every source gave. A delivered series carries a note for every earlier source
    that failed for a reason other than not holding the symbol (see :attr:`PriceSeries.notes`).
    """
    symbols = list(dict.fromkeys(symbols))
    found: dict[str, PriceSeries] = {}
    partial: dict[str, PriceSeries] = {}
    by: dict[str, str] = {}
    reasons: dict[str, list[str]] = {s: [] for s in symbols}
    problems: dict[str, list[str]] = {s: [] for s in symbols}
    pending = symbols
    for source in sources:
        if not pending:
            break
        results = _load_from(source, pending)
        still = []
        for symbol in pending:
            result = results.get(symbol) or NotInSourceError(f"{symbol}: not delivered")
            if isinstance(result, DataError):
                reasons[symbol].append(f"{source.name}: {result}")
                if not isinstance(result, NotInSourceError):
                    problems[symbol].append(f"{source.name}: {result}")
                still.append(symbol)
            elif span is None or covers(result, span):
                found[symbol], by[symbol] = result, source.name
            else:
                if symbol not in partial:
                    partial[symbol], by[symbol] = result, source.name
                reasons[symbol].append(f"{source.name}: holds {_fmt(result.first)} .. {_fmt(result.last)} only")
                still.append(symbol)
        pending = still
    missing: dict[str, str] = {}
    for symbol in pending:
        if symbol in partial:
            found[symbol] = partial[symbol]
        else:
            missing[symbol] = "; ".join(reasons[symbol]) or "no price source configured"
    for symbol, series in list(found.items()):
        for problem in problems[symbol]:
            series = series.with_note("price source", problem, f"prices taken from the {by[symbol]} instead")
        found[symbol] = series
    return {s: found[s] for s in symbols if s in found}, missing
