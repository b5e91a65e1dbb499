"""Data-quality checks on one price series, on the security's own calendar (pure functions).

:func:`check_series` runs every check, returns the cleaned series and one :class:`Finding` per
problem: what was found (with dates) and what the study did about it. The pipeline puts the
findings into the results' ``warnings`` (and a security whose data cannot be used into
``dropped``); the report prints both.

=====================  =========================================================  ==========================
check                  what counts                                                action
=====================  =========================================================  ==========================
unsorted rows          rows not in time order                                     sorted
duplicate dates        a bar label on more than one row                           identical rows: one kept;
                                                                                  different prices: dropped
non-positive price     open/high/low/close <= 0                                   treated as missing
x100 glitch            a close ~100x (or 1/100x) the previous one                 one-bar spike: the bar is
                                                                                  treated as missing; else
                                                                                  kept with a warning
split-like jump        a close ~2, 3, 4, 5, 8, 10, 20 or 50 times (or 1/x) the    same as above
                       previous one, and a move of at least ``jump_sigmas``
                       robust standard deviations of the series' log returns
missing prices         calendar bars between the first and last price with no     kept as missing (no return
                       price (no row, empty cell or a price treated as missing)   on that bar nor the next)
long gap               more than ``max_gap_bars`` missing bars in a row           kept, reported
stale price            the close unchanged on ``stale_bars`` bars in a row        kept with a warning
zero volume            volume 0 on ``zero_volume_bars`` bars in a row             kept with a warning
no valid price         nothing left after the checks                              dropped
=====================  =========================================================  ==========================

Rows dated on days that are not bars of the calendar (e.g. a holiday) are reported by the
pipeline when it lines the series up (``rows off the calendar``). Too few observations in the
estimation window are the engine's business (``min_estimation``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..plan.calendars import TradingCalendar
from .bars import PriceSeries

PRICE_FIELDS = ("open", "high", "low", "close")


@dataclass(frozen=True)
class QualityThresholds:
    """The checks' thresholds. Bar counts are bars of the security's own calendar.

    max_gap_bars : a run of more missing bars than this is a long gap (3: more than a few sessions).
    stale_bars : this many bars in a row with the same close is a stale stretch.
    zero_volume_bars : this many bars in a row with volume 0 is a stale stretch.
    split_factors : ratios (and their inverses) between consecutive closes that look like an
        unadjusted split or reverse split.
    glitch_factors : ratios that look like a unit glitch (prices in cents instead of dollars, ...).
    factor_tolerance : how close (relative) a ratio must be to a factor, e.g. 0.10: 1.8 .. 2.2 for 2.
    jump_sigmas : a split-like ratio is reported only when its log move is at least this many
        robust standard deviations (1.4826 x MAD of the series' log returns), so a volatile
        token's genuine doubling is not mistaken for a split.
    min_returns_for_sigma : fewer log returns than this and the sigma condition is not applied.
    """

    max_gap_bars: int = 3
    stale_bars: int = 5
    zero_volume_bars: int = 3
    split_factors: tuple[float, ...] = (2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 20.0, 50.0)
    glitch_factors: tuple[float, ...] = (100.0,)
    factor_tolerance: float = 0.10
    jump_sigmas: float = 8.0
    min_returns_for_sigma: int = 20


DEFAULT_THRESHOLDS = QualityThresholds()


@dataclass(frozen=True)
class Finding:
    """One data-quality finding: which series, which check, what was found, what was done."""

    ticker: str
    check: str
    message: str
    action: str

    def as_dict(self) -> dict[str, str]:
        return {"ticker": self.ticker, "check": self.check, "message": self.message, "action": self.action}


@dataclass(frozen=True)
class QualityReport:
    """The cleaned series (None when it cannot be used), the findings, and why it was dropped."""

    series: PriceSeries | None
    findings: tuple[Finding, ...]
    dropped: str | None = None


def _when(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")


def _some(stamps, limit: int = 5) -> str:
    stamps = list(stamps)
    shown = ", ".join(_when(pd.Timestamp(s)) for s in stamps[:limit])
    return shown + (f", ... ({len(stamps)} in all)" if len(stamps) > limit else "")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of True in a boolean array."""
    if mask.size == 0:
        return []
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2])]


def _near(ratio: float, factors: tuple[float, ...], tol: float) -> float | None:
    """The factor f with ratio ~ f or ~ 1/f (relative tolerance ``tol``), else None."""
    move = abs(math.log(ratio))
    for f in factors:
        if abs(move - math.log(f)) <= math.log1p(tol):
            return f
    return None


def check_series(series: PriceSeries, calendar: TradingCalendar,
                 thresholds: QualityThresholds = DEFAULT_THRESHOLDS) -> QualityReport:
    """Run every check on ``series`` (bars labelled on ``calendar``); see the module docstring."""
    t = thresholds
    sym = series.symbol
    bars = series.bars.copy()
    found: list[Finding] = []

    def add(check: str, message: str, action: str) -> None:
        found.append(Finding(sym, check, message, action))

    if not bars.index.is_monotonic_increasing:
        bars = bars.sort_index(kind="stable")
        add("unsorted rows", "the rows are not in time order", "sorted by time")

    # duplicates ------------------------------------------------------------------------------
    dup = bars.index.duplicated(keep=False)
    if dup.any():
        stamps = bars.index[dup].unique()
        conflicting = [s for s in stamps
                       if len(bars.loc[[s], list(bars.columns)].drop_duplicates()) > 1]
        if conflicting:
            s = conflicting[0]
            closes = ", ".join(f"{c:g}" for c in bars.loc[[s], "close"])
            add("duplicate dates", f"{len(conflicting)} bar(s) appear on several rows with different prices "
                f"(first: {_when(s)}, closes {closes}; all: {_some(conflicting)})",
                "security dropped: the data cannot say which row is right; fix the file")
            return QualityReport(None, tuple(found), f"data quality: {found[-1].message}")
        bars = bars.loc[~bars.index.duplicated(keep="first")]
        add("duplicate dates", f"{len(stamps)} bar(s) appear twice with identical rows ({_some(stamps)})",
            "repeated rows dropped (one kept)")

    # non-positive prices ---------------------------------------------------------------------
    fields = [c for c in PRICE_FIELDS if c in bars]
    values = bars[fields].to_numpy(dtype=float, copy=True)
    with np.errstate(invalid="ignore"):
        bad = values <= 0
    if bad.any():
        rows = bars.index[bad.any(axis=1)]
        values[bad] = np.nan
        bars[fields] = values
        add("non-positive price", f"{int(bad.sum())} price(s) zero or negative on {len(rows)} bar(s) ({_some(rows)})",
            "treated as missing")

    # jumps: unadjusted splits and x100 glitches ----------------------------------------------
    close = bars["close"].dropna()
    if len(close) >= 2:
        logret = np.log(close.to_numpy()[1:] / close.to_numpy()[:-1])
        sigma = np.nan
        if len(logret) >= t.min_returns_for_sigma:
            sigma = 1.4826 * float(np.median(np.abs(logret - np.median(logret))))
        i = 0
        while i < len(logret):
            ratio = math.exp(logret[i])
            glitch = _near(ratio, t.glitch_factors, t.factor_tolerance)
            split = None if glitch else _near(ratio, t.split_factors, t.factor_tolerance)
            if split and not (np.isnan(sigma) or abs(logret[i]) >= t.jump_sigmas * sigma):
                split = None
            factor = glitch or split
            if factor is None:
                i += 1
                continue
            check = "x100 glitch" if glitch else "split-like jump"
            at, before = close.index[i + 1], close.index[i]
            what = f"close x{ratio:.4g} from {_when(before)} ({close.iloc[i]:.6g}) to {_when(at)} ({close.iloc[i + 1]:.6g})"
            reverts = i + 1 < len(logret) and abs(logret[i] + logret[i + 1]) <= math.log1p(t.factor_tolerance)
            if reverts:
                bars.loc[at, fields] = np.nan
                add(check, f"{what}, and back on the next bar: a one-bar spike", f"the bar of {_when(at)} treated as missing")
                i += 2
                continue
            like = (f"like a unit glitch (x{factor:g})" if glitch else
                    f"like an unadjusted {'1:' + format(factor, 'g') + ' reverse split' if ratio > 1 else format(factor, 'g') + ':1 split'}")
            add(check, f"{what}, {like}",
                "kept with a warning: check that the prices are adjusted for splits and in one unit "
                "(downloads: [data] adjusted = true)")
            i += 1

    # coverage of the calendar: missing prices and long gaps ----------------------------------
    valid = bars["close"].dropna()
    if valid.empty:
        add("no valid price", "no bar has a usable close price", "security dropped")
        return QualityReport(None, tuple(found), "data quality: no bar has a usable close price")
    sessions = calendar.sessions(valid.index[0], valid.index[-1])
    on_cal = valid.reindex(sessions)
    missing = on_cal.isna().to_numpy()
    if missing.any():
        add("missing prices", f"{int(missing.sum())} of {len(sessions)} {calendar.name} bars between "
            f"{_when(valid.index[0])} and {_when(valid.index[-1])} have no price ({_some(sessions[missing])})",
            "kept as missing: no return on such a bar nor on the next")
        long_gaps = [(a, n) for a, n in _runs(missing) if n > t.max_gap_bars]
        if long_gaps:
            shown = "; ".join(f"{n} bars {_when(sessions[a])} .. {_when(sessions[a + n - 1])}" for a, n in long_gaps[:5])
            add("long gap", f"{len(long_gaps)} gap(s) longer than {t.max_gap_bars} bars: {shown}",
                "kept: returns across a gap are missing, never one multi-bar return; windows over it hold fewer bars")

    # stale stretches ---------------------------------------------------------------------------
    c = on_cal.to_numpy()
    same = np.zeros(len(c), dtype=bool)
    with np.errstate(invalid="ignore"):
        same[1:] = c[1:] == c[:-1]  # NaN never equals: a gap ends a stretch
    stale = [(a - 1, n + 1) for a, n in _runs(same) if n + 1 >= t.stale_bars]
    if stale:
        shown = "; ".join(f"{n} bars {_when(sessions[a])} .. {_when(sessions[a + n - 1])} at {c[a]:.6g}" for a, n in stale[:5])
        add("stale price", f"close unchanged on {t.stale_bars} or more bars in a row: {shown}",
            "kept with a warning: zero returns over the stretch")
    if "volume" in bars:
        vol = bars["volume"].reindex(sessions).to_numpy()
        zero = [(a, n) for a, n in _runs(vol == 0) if n >= t.zero_volume_bars]
        if zero:
            shown = "; ".join(f"{n} bars {_when(sessions[a])} .. {_when(sessions[a + n - 1])}" for a, n in zero[:5])
            add("zero volume", f"volume 0 on {t.zero_volume_bars} or more bars in a row: {shown}",
                "kept with a warning: prices on those bars may be stale")
    return QualityReport(series.with_bars(bars), tuple(found))
