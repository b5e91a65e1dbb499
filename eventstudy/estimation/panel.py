"""Line up securities and benchmarks on one calendar and cut their windows around day 0.

Pure functions: price series in, aligned return matrices and window positions out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..plan.calendars import TradingCalendar
from ..errors import WindowError
from .returns import compute_returns, prices_on_calendar
from ..study.spec import Window


@dataclass(frozen=True)
class CalendarPanel:
    """Returns of several symbols on the bars of one calendar.

    ``returns`` is (T, S) with NaN for missing bars; ``index`` holds the T bar labels;
    ``first``/``last`` give each symbol's first and last *price* bar position (-1 if none);
    ``off_calendar`` lists rows of each symbol that fall on no bar of the calendar.
    """

    calendar: TradingCalendar
    index: pd.DatetimeIndex
    symbols: tuple[str, ...]
    returns: np.ndarray
    first: dict[str, int]
    last: dict[str, int]
    off_calendar: dict[str, pd.DatetimeIndex]

    def col(self, symbol: str) -> int:
        return self.symbols.index(symbol)

    def position(self, label: pd.Timestamp) -> int | None:
        """Position of a bar label in the index, or None if it is not a bar of the panel."""
        loc = self.index.get_indexer([label])[0]
        return None if loc < 0 else int(loc)

    def label(self, pos: int) -> pd.Timestamp | None:
        return self.index[pos] if 0 <= pos < len(self.index) else None

    def bar_date(self, pos: int) -> str:
        """Readable label of a (possibly out-of-range) position, for messages: the calendar's
        own bar that far before/after the data when the calendar knows it."""
        T = len(self.index)
        if 0 <= pos < T:
            return _fmt(self.index[pos])
        step = self.index[1] - self.index[0] if T > 1 and self.calendar.bar == "intraday" else pd.Timedelta(days=1)
        if pos < 0:
            need = -pos
            span = step * int(need * 1.6 + 15)
            earlier = self.calendar.sessions(self.index[0] - span, self.index[0])
            earlier = earlier[earlier < self.index[0]]
            return _fmt(earlier[-need]) if len(earlier) >= need else f"{need} bars before {_fmt(self.index[0])}"
        need = pos - T + 1
        later = self.calendar.sessions(self.index[-1], self.index[-1] + step * int(need * 1.6 + 15))
        later = later[later > self.index[-1]]
        return _fmt(later[need - 1]) if len(later) >= need else f"{need} bars after {_fmt(self.index[-1])}"


def _fmt(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")


def build_panel(calendar: TradingCalendar, closes: dict[str, pd.Series], kind: str = "simple",
                pad_before: int = 0, pad_after: int = 0) -> CalendarPanel:
    """Put each symbol's closes on the calendar and compute bar-to-bar returns (fractions).

    The panel spans the calendar bars from the earliest to the latest price of any symbol.
    """
    symbols = tuple(closes)
    starts = [s.dropna().index[0] for s in closes.values() if s.notna().any()]
    ends = [s.dropna().index[-1] for s in closes.values() if s.notna().any()]
    if not starts:
        return CalendarPanel(calendar, pd.DatetimeIndex([]), symbols, np.empty((0, len(symbols))), {}, {}, {})
    index = calendar.sessions(min(starts), max(ends))
    R = np.full((len(index), len(symbols)), np.nan)
    first, last, off = {}, {}, {}
    for j, (sym, close) in enumerate(closes.items()):
        prices, off_cal = prices_on_calendar(close, index)
        off[sym] = off_cal
        if prices.empty:
            first[sym] = last[sym] = -1
            continue
        rets = compute_returns(prices, kind)
        pos = index.get_indexer(rets.index)
        R[pos, j] = rets.to_numpy()
        first[sym] = int(index.get_indexer([prices.index[0]])[0])
        last[sym] = int(index.get_indexer([prices.index[-1]])[0])
    return CalendarPanel(calendar, index, symbols, R, first, last, off)


def window_offsets(panel: CalendarPanel, day0_pos: int, window: Window, what: str) -> np.ndarray:
    """Offsets (in bars, relative to day 0) of a window given in relative bars or in dates."""
    a, b = window
    if isinstance(a, dt.date):
        lo, hi = pd.Timestamp(a), pd.Timestamp(b) + pd.Timedelta(days=1) - pd.Timedelta(1)
        pos = np.flatnonzero((panel.index >= lo) & (panel.index <= hi))
        if pos.size == 0:
            raise WindowError(
                f"{what} window {a} .. {b} holds no bar of the {panel.calendar.name} calendar within the data "
                f"({panel.bar_date(0)} .. {panel.bar_date(len(panel.index) - 1)})")
        return pos - day0_pos
    return np.arange(a, b + 1)


@dataclass(frozen=True)
class SymbolBars:
    """Where each symbol's prices sit on one calendar (what the coverage checks read).

    ``first``/``last``: the first and last bar of the symbol's data range (the calendar's bars
    between its first and last price), None when it has none; ``prices``: its closes on those
    bars (NaN where the data has no row); ``off_calendar``: its rows on no bar of the calendar.
    """

    calendar: str
    first: dict[str, pd.Timestamp | None]
    last: dict[str, pd.Timestamp | None]
    prices: dict[str, pd.Series]
    off_calendar: dict[str, pd.DatetimeIndex]

    def data_range(self, symbols) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The bars from the earliest to the latest price of ``symbols`` (None if none has bars)."""
        firsts = [self.first[s] for s in symbols if self.first.get(s) is not None]
        lasts = [self.last[s] for s in symbols if self.last.get(s) is not None]
        return (min(firsts), max(lasts)) if firsts else None


def symbol_bars(calendar: TradingCalendar, closes: dict[str, pd.Series]) -> SymbolBars:
    """Each symbol's closes on the calendar's bars between its first and last price (one
    ``sessions`` call and one reindex per symbol; no per-bar loop)."""
    first, last, prices, off = {}, {}, {}, {}
    for sym, close in closes.items():
        valid = close.dropna()
        if valid.empty:
            first[sym] = last[sym] = None
            prices[sym] = valid
            off[sym] = pd.DatetimeIndex([])
            continue
        sessions = calendar.sessions(valid.index.min(), valid.index.max())
        p, off_cal = prices_on_calendar(close, sessions)
        off[sym] = off_cal
        prices[sym] = p
        first[sym] = p.index[0] if len(p) else None
        last[sym] = p.index[-1] if len(p) else None
    return SymbolBars(calendar.name, first, last, prices, off)


def return_panel(calendar: TradingCalendar, index: pd.DatetimeIndex, prices: dict[str, pd.Series],
                 kind: str = "simple", first: dict[str, int] | None = None, last: dict[str, int] | None = None
                 ) -> CalendarPanel:
    """Bar-to-bar returns (fractions) of the symbols on a given run of the calendar's bars.

    ``prices`` are closes already on the calendar's bars (see :func:`symbol_bars`); bars of
    ``index`` outside a symbol's data are NaN. The return on bar t is P_t / P_{t-1} - 1 (or the
    log) with t-1 the previous bar of ``index``, as :func:`compute_returns` computes it; the first
    bar of ``index`` has none.
    """
    from .returns import RETURN_KINDS

    if kind not in RETURN_KINDS:
        from ..errors import StudyFileError

        raise StudyFileError(f"returns = {kind!r} is not one of {', '.join(RETURN_KINDS)}")
    symbols = tuple(prices)
    T = len(index)
    P = np.full((T, len(symbols)), np.nan)
    for j, sym in enumerate(symbols):  # one vectorised placement per symbol
        p = prices[sym]
        if len(p):
            pos = index.get_indexer(p.index)
            ok = pos >= 0
            P[pos[ok], j] = p.to_numpy(dtype=float)[ok]
    R = np.full_like(P, np.nan)
    if T > 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = P[1:] / P[:-1]
            R[1:] = np.log(ratio) if kind == "log" else ratio - 1.0
    return CalendarPanel(calendar, index, symbols, R, dict(first or {}), dict(last or {}), {})
