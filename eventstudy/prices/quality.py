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
non-finite price       open/high/low/close infinite                               treated as missing
x100 glitch            a close ~100x (or 1/100x) the previous one                 one-bar spike: the bar is
                                                                                  treated as missing; else
                                                                                  kept with a warning
split-like jump        a close ~2, 3, 4, 5, 8, 10, 20 or 50 times (or 1/x) the    same as above
                       previous one, and a move of at least ``jump_sigmas``
                       robust standard deviations of the series' log returns
one-bar spike          any other close at least x2 (or /2) the previous one and   the bar is treated as
                       at least ``spike_sigmas`` robust standard deviations away,  missing
                       that the next bar takes back (to within 10 %): a
                       fat-finger print (x37, 1e300)
missing prices         calendar bars between the first and last price with no     kept as missing (no return
                       price (no row, empty cell or a price treated as missing)   on that bar nor the next)
long gap               more than ``max_gap_bars`` missing bars in a row           kept, reported
stale price            the close unchanged on ``stale_bars`` bars in a row        kept with a warning
zero volume            volume 0 on ``zero_volume_bars`` bars in a row             kept with a warning
no valid price         nothing left after the checks                              dropped
=====================  =========================================================  ==========================

A duplicate date with different prices names the file and lines when the series knows them
(``provenance["file"]`` and ``provenance["lines"]``, set by the readers of user prices).
Rows dated on days that are not bars of the calendar (e.g. a holiday) are reported by the
pipeline when it lines the series up (``rows off the calendar``). Too few observations in the
estimation window are the engine's business (``min_estimation``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..plan.calendars import TradingCalendar, positions_on
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
        It is also how close the bar after a jump must bring the close back to count as a reversal
        (|log r_t + log r_{t+1}| <= log(1 + tolerance)).
    jump_sigmas : a split-like ratio is reported only when its log move is at least this many
        robust standard deviations (1.4826 x MAD of the series' log returns), so a volatile
        token's genuine doubling is not mistaken for a split.
    min_returns_for_sigma : fewer log returns than this and the sigma conditions are not applied.
    spike_sigmas, spike_min_ratio : a *one-bar spike* of any size (a fat-finger print, x37 or
        1e300) is a close whose log move is at least ``spike_sigmas`` robust standard deviations
        **and** at least ``log(spike_min_ratio)`` (x2 or /2), and that the next bar reverses
        (see ``factor_tolerance``). Both conditions keep a real event's large move, which is not
        undone on the next bar to within 10 %, out of it.
    """

    max_gap_bars: int = 3
    stale_bars: int = 5
    zero_volume_bars: int = 3
    split_factors: tuple[float, ...] = (2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 20.0, 50.0)
    glitch_factors: tuple[float, ...] = (100.0,)
    factor_tolerance: float = 0.10
    jump_sigmas: float = 8.0
    min_returns_for_sigma: int = 20
    spike_sigmas: float = 10.0
    spike_min_ratio: float = 2.0


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


def _near(move: np.ndarray, factors: tuple[float, ...], tol: float) -> np.ndarray:
    """Per absolute log move, the first factor f with ratio ~ f or ~ 1/f (relative tolerance
    ``tol``: |move - log f| <= log(1 + tol)); NaN where none is near. Vectorised over moves."""
    move = np.asarray(move, dtype=float)
    if not factors or move.size == 0:
        return np.full(move.shape, np.nan)
    logs = np.log(np.asarray(factors, dtype=float))
    with np.errstate(invalid="ignore"):
        hit = np.abs(move[:, None] - logs[None, :]) <= np.log1p(tol)
    first = np.argmax(hit, axis=1)
    return np.where(hit.any(axis=1), np.asarray(factors, dtype=float)[first], np.nan)


def robust_sigma(logret: np.ndarray, thresholds: QualityThresholds = DEFAULT_THRESHOLDS) -> float:
    """1.4826 x the median absolute deviation of the log returns (a standard deviation that a few
    outliers cannot inflate; Rousseeuw & Croux 1993); NaN with fewer than
    ``min_returns_for_sigma`` finite returns."""
    finite = logret[np.isfinite(logret)]
    if len(finite) < thresholds.min_returns_for_sigma:
        return float("nan")
    return 1.4826 * float(np.median(np.abs(finite - np.median(finite))))


@dataclass(frozen=True)
class Jumps:
    """Jumps between consecutive closes (positions index the returns: return i goes from close i
    to close i + 1). ``kind`` is "x100 glitch", "split-like jump" or "one-bar spike"."""

    position: np.ndarray
    kind: np.ndarray
    factor: np.ndarray
    reverted: np.ndarray
    sigmas: np.ndarray


def find_jumps(close: np.ndarray, thresholds: QualityThresholds = DEFAULT_THRESHOLDS) -> Jumps:
    """Unit glitches, split-like jumps and one-bar spikes in a series of valid closes (vectorised).

    A return is a candidate when its ratio is near a glitch factor, near a split factor and
    beyond ``jump_sigmas`` robust sigmas, or a one-bar spike (see :class:`QualityThresholds`).
    A candidate that the next return reverses is a one-bar spike of the bar it leads to; that
    reversing return is then not a candidate of its own (as when reading the series bar by bar:
    after a reverted spike the next bar is the spike's way back).
    """
    t = thresholds
    close = np.asarray(close, dtype=float)
    n = max(len(close) - 1, 0)
    empty = Jumps(np.zeros(0, int), np.zeros(0, object), np.zeros(0), np.zeros(0, bool), np.zeros(0))
    if n == 0:
        return empty
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logret = np.log(close[1:] / close[:-1])
    move = np.abs(logret)
    sigma = robust_sigma(logret, t)
    no_sigma = np.isnan(sigma)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigmas = move / sigma if not no_sigma and sigma > 0 else np.full(n, np.inf if not no_sigma else np.nan)
    glitch = _near(move, t.glitch_factors, t.factor_tolerance)
    split = np.where(np.isnan(glitch), _near(move, t.split_factors, t.factor_tolerance), np.nan)
    split[~(no_sigma | (move >= t.jump_sigmas * sigma))] = np.nan
    factor = np.where(np.isnan(glitch), split, glitch)
    reverts = np.zeros(n, dtype=bool)
    with np.errstate(invalid="ignore"):
        reverts[:-1] = np.abs(logret[:-1] + logret[1:]) <= np.log1p(t.factor_tolerance)
        spike = (np.isnan(factor) & reverts & (move >= np.log(t.spike_min_ratio))
                 & (no_sigma | (move >= t.spike_sigmas * sigma)))
    candidate = ~np.isnan(factor) | spike
    reverted = candidate & reverts
    # A reverted candidate's next return is its way back: skip it. In a run of consecutive reverted
    # candidates the 1st, 3rd, 5th ... are spikes and the returns after them are skipped.
    idx = np.arange(n)
    run_start = reverted & ~np.r_[False, reverted[:-1]]
    last_start = np.maximum.accumulate(np.where(run_start, idx, -1))
    taken_reverted = reverted & ((idx - last_start) % 2 == 0)
    skipped = np.r_[False, taken_reverted[:-1]]
    keep = candidate & ~skipped
    pos = np.flatnonzero(keep)
    kind = np.where(~np.isnan(glitch[pos]), "x100 glitch",
                    np.where(~np.isnan(split[pos]), "split-like jump", "one-bar spike")).astype(object)
    return Jumps(pos, kind, factor[pos], reverted[pos], sigmas[pos])


def _lines_of(series: PriceSeries, mask: np.ndarray) -> str:
    """"FILE, lines 3, 4" for the rows ``mask`` selects, when the series knows its source lines."""
    lines = series.provenance.get("lines")
    file = series.provenance.get("file")
    if lines is None or file is None or len(lines) != len(mask):
        return ""
    chosen = [str(int(x)) for x in np.asarray(lines)[mask][:10]]
    return f"{file}, line{'s' if len(chosen) > 1 else ''} {', '.join(chosen)}"


def _on_calendar(sessions: pd.DatetimeIndex, at: pd.DatetimeIndex, values: np.ndarray) -> np.ndarray:
    """``pd.Series(values, at).reindex(sessions)`` as an array, for unique labels ``at`` (bars off
    the calendar are left out; sessions without a bar are NaN)."""
    out = np.full(len(sessions), np.nan)
    pos, hit = positions_on(sessions, at)
    out[pos[hit]] = values[hit]
    return out


def check_series(series: PriceSeries, calendar: TradingCalendar,
                 thresholds: QualityThresholds = DEFAULT_THRESHOLDS) -> QualityReport:
    """Run every check on ``series`` (bars labelled on ``calendar``); see the module docstring.

    Every check is vectorised over the bars; the only loops run over findings (to word them).
    """
    t = thresholds
    sym = series.symbol
    bars = series.bars.copy()
    found: list[Finding] = []

    def add(check: str, message: str, action: str) -> None:
        found.append(Finding(sym, check, message, action))

    lines = series.provenance.get("lines")
    if lines is not None and len(lines) != len(bars):
        lines = None
    if not bars.index.is_monotonic_increasing:
        order = np.argsort(bars.index.asi8, kind="stable")
        bars = bars.iloc[order]
        if lines is not None:
            lines = np.asarray(lines)[order]
        add("unsorted rows", "the rows are not in time order", "sorted by time")
    located = series if lines is None else PriceSeries(sym, bars, series.frequency, series.source,
                                                       {**series.provenance, "lines": lines})

    # duplicates ------------------------------------------------------------------------------
    dup = bars.index.duplicated(keep=False)
    if dup.any():
        stamps = bars.index[dup].unique()
        rows = bars.loc[dup].reset_index()
        distinct = rows.drop_duplicates()
        per_stamp = distinct.groupby(distinct.columns[0], sort=True).size()
        conflicting = per_stamp.index[per_stamp.to_numpy() > 1]
        if len(conflicting):
            s = conflicting[0]
            at = bars.index == s
            closes = ", ".join(f"{c:g}" for c in bars.loc[at, "close"])
            where = _lines_of(located, at)
            fix = "fix the file: keep one row per date (the right one)"
            add("duplicate dates", f"{len(conflicting)} bar(s) appear on several rows with different prices "
                f"(first: {_when(s)}, closes {closes}; all: {_some(conflicting)})"
                + (f"; {where}: {fix}" if where else ""),
                f"security dropped: the data cannot say which row is right; {fix}")
            return QualityReport(None, tuple(found), f"data quality: {found[-1].message}")
        bars = bars.loc[~bars.index.duplicated(keep="first")]
        add("duplicate dates", f"{len(stamps)} bar(s) appear twice with identical rows ({_some(stamps)})",
            "repeated rows dropped (one kept)")

    # non-positive and non-finite prices ------------------------------------------------------
    columns = set(bars.columns.tolist())
    fields = [c for c in PRICE_FIELDS if c in columns]
    # a copy, one column at a time (looking up a list of labels is slow)
    values = np.column_stack([bars[f].to_numpy(dtype=float) for f in fields]) if fields else np.empty((len(bars), 0))
    infinite = np.isinf(values)
    if infinite.any():
        rows = bars.index[infinite.any(axis=1)]
        values[infinite] = np.nan
        bars[fields] = values
        add("non-finite price", f"{int(infinite.sum())} price(s) infinite on {len(rows)} bar(s) ({_some(rows)})",
            "treated as missing")
    with np.errstate(invalid="ignore"):
        bad = values <= 0
    if bad.any():
        rows = bars.index[bad.any(axis=1)]
        values[bad] = np.nan
        bars[fields] = values
        add("non-positive price", f"{int(bad.sum())} price(s) zero or negative on {len(rows)} bar(s) ({_some(rows)})",
            "treated as missing")

    # jumps: unadjusted splits, x100 glitches and one-bar spikes -------------------------------
    close_all = values[:, fields.index("close")]  # the closes after the checks above (a copy's column)
    at_valid = np.flatnonzero(~np.isnan(close_all))
    c = close_all[at_valid]
    labels = bars.index[at_valid]  # labels[i]: the bar of the i-th valid close
    jumps = find_jumps(c, t)
    spike_bars = []
    for i, kind, factor, reverted, sigmas in zip(jumps.position, jumps.kind, jumps.factor, jumps.reverted,
                                                 jumps.sigmas):
        at, before = labels[i + 1], labels[i]
        ratio = c[i + 1] / c[i]
        what = f"close x{ratio:.4g} from {_when(before)} ({c[i]:.6g}) to {_when(at)} ({c[i + 1]:.6g})"
        if reverted:
            spike_bars.append(at)
            if kind == "one-bar spike":
                size = f"{sigmas:.0f} robust standard deviations of the series' log returns" if np.isfinite(sigmas) \
                    else "the series is too short for its usual moves to be measured"
                add(kind, f"{what}, and back to {c[i + 2]:.6g} on {_when(labels[i + 2])}: a one-bar spike "
                    f"(a move of {abs(np.log(ratio)):.3g} in log, {size})",
                    f"the bar of {_when(at)} treated as missing (no return on it nor on the next bar)")
            else:
                add(kind, f"{what}, and back on the next bar: a one-bar spike", f"the bar of {_when(at)} treated as missing")
            continue
        like = (f"like a unit glitch (x{factor:g})" if kind == "x100 glitch" else
                f"like an unadjusted {'1:' + format(factor, 'g') + ' reverse split' if ratio > 1 else format(factor, 'g') + ':1 split'}")
        add(kind, f"{what}, {like}",
            "kept with a warning: check that the prices are adjusted for splits and in one unit "
            "(downloads: [data] adjusted = true)")
    if spike_bars:
        bars.loc[pd.DatetimeIndex(spike_bars), fields] = np.nan
        close_all = bars["close"].to_numpy(dtype=float)

    # coverage of the calendar: missing prices and long gaps ----------------------------------
    ok = ~np.isnan(close_all)
    if not ok.any():
        add("no valid price", "no bar has a usable close price", "security dropped")
        return QualityReport(None, tuple(found), "data quality: no bar has a usable close price")
    valid_at = bars.index[ok]
    sessions = calendar.sessions(valid_at[0], valid_at[-1])
    c = _on_calendar(sessions, valid_at, close_all[ok])  # the valid closes on the calendar's bars, NaN elsewhere
    missing = np.isnan(c)
    if missing.any():
        add("missing prices", f"{int(missing.sum())} of {len(sessions)} {calendar.name} bars between "
            f"{_when(valid_at[0])} and {_when(valid_at[-1])} have no price ({_some(sessions[missing])})",
            "kept as missing: no return on such a bar nor on the next")
        long_gaps = [(a, n) for a, n in _runs(missing) if n > t.max_gap_bars]
        if long_gaps:
            shown = "; ".join(f"{n} bars {_when(sessions[a])} .. {_when(sessions[a + n - 1])}" for a, n in long_gaps[:5])
            add("long gap", f"{len(long_gaps)} gap(s) longer than {t.max_gap_bars} bars: {shown}",
                "kept: returns across a gap are missing, never one multi-bar return; windows over it hold fewer bars")

    # stale stretches ---------------------------------------------------------------------------
    same = np.zeros(len(c), dtype=bool)
    with np.errstate(invalid="ignore"):
        same[1:] = c[1:] == c[:-1]  # NaN never equals: a gap ends a stretch
    stale = [(a - 1, n + 1) for a, n in _runs(same) if n + 1 >= t.stale_bars]
    if stale:
        shown = "; ".join(f"{n} bars {_when(sessions[a])} .. {_when(sessions[a + n - 1])} at {c[a]:.6g}" for a, n in stale[:5])
        add("stale price", f"close unchanged on {t.stale_bars} or more bars in a row: {shown}",
            "kept with a warning: zero returns over the stretch")
    if "volume" in columns:
        vol = _on_calendar(sessions, bars.index, bars["volume"].to_numpy(dtype=float))
        zero = [(a, n) for a, n in _runs(vol == 0) if n >= t.zero_volume_bars]
        if zero:
            shown = "; ".join(f"{n} bars {_when(sessions[a])} .. {_when(sessions[a + n - 1])}" for a, n in zero[:5])
            add("zero volume", f"volume 0 on {t.zero_volume_bars} or more bars in a row: {shown}",
                "kept with a warning: prices on those bars may be stale")
    return QualityReport(series.with_bars(bars), tuple(found))
