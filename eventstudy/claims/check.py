"""Claim check: do the price moves an article reports match the prices?

For every claim (subject, percent, horizon, date) the check measures the moves the claim can
refer to (its *readings*) on the measured security's own calendar, and never forces a match.
The reference date is the claim's date, else the event date; on an exchange calendar the
reference session is the one on that date, or the last one before it when it is not a session.

Readings, by horizon
--------------------
* Exchange-traded, "1d" or no horizon: the close-to-close return of the reference session, of
  the next session, and of both together (three named readings; the closest is kept).
* Exchange-traded or 24/7, "intraday": the range from the session's (UTC day's) low to its high,
  relative to the previous close: a price taken during the session lies in it.
* "1w", "1m", "1y": the move over 5 / 21 / 252 sessions (7 / 30 / 365 UTC days for a 24/7
  token) ending at the reference session and at the next one; the claim needs a date (without
  one the end of the period is unknown). "ytd": from the last close of the previous calendar
  year to the reference session and to the next one.
* 24/7 tokens, "24h" or no horizon: where 4-hour bars exist, the trailing 24-hour returns at
  every 4-hour mark of the reference UTC day (00:00 to 24:00). Without them, the UTC daily
  close-to-close returns of that day and the day before, and the bound every trailing 24-hour
  move ending during that day obeys by the daily highs and lows:
  ``[low_D / high_(D-1) - 1, high_D / low_(D-1) - 1]``.
* Premarket and after-hours figures cannot be checked with daily bars; sector-level figures
  (an index of a data vendor) cannot be checked with single-security prices.

Verdicts (:data:`VERDICTS`)
---------------------------
``consistent``: a named reading is within the tolerance (for a trailing-24 h figure taken at an
unknown hour: the reading at *every* 4-hour mark is, so the hour does not matter).
``within range``: a weaker verdict: the claim lies inside the range the move took that day
(widened by the tolerance), so some moment of the day gives it, but the hour the article means
is unknown; the note gives the range and the tolerance.
``not consistent``: no reading is within the tolerance, or the claim lies outside the range the
move can have taken. The prices contradict the article; the note says by how much and whether
the sign is opposite. ``cannot be checked``: the data cannot measure it (the note says why).

Tolerance: max(0.25 percentage points, 5 % of the claim) for a precise figure, max(0.5 points,
10 %) for an approximate one ("environ", "about", "nearly"): press figures use other reference
prices (last trade, another venue) than the official close.
All returns are simple returns; claimed and measured values are in percent.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..plan.calendars import CRYPTO_CALENDAR, TradingCalendar

CONSISTENT, WITHIN_RANGE, INCONSISTENT, UNCHECKABLE = "consistent", "within range", "not consistent", "cannot be checked"

#: The verdict vocabulary, strongest first, with what each one means.
VERDICTS: dict[str, str] = {
    CONSISTENT: "a named reading of the claim (a session, a UTC day, a period) is within the tolerance; for a "
                "trailing-24 h figure at an unknown hour, the reading at every 4-hour mark of the day is",
    WITHIN_RANGE: "weaker: the claim lies within the range the move took that day, widened by the tolerance "
                  "(trailing-24 h moves at the 4-hour marks, or a session's low..high), but the moment the article "
                  "means is unknown",
    INCONSISTENT: "no reading is within the tolerance, or the claim lies outside the range the move can have taken: "
                  "the prices contradict the article",
    UNCHECKABLE: "the data cannot measure the move (no prices, prices that start later, a premarket or after-hours "
                 "figure, a sector index the data do not have, a period with no end date)",
}

CLAIM_COLUMNS = ["ticker", "name", "claimed_percent", "horizon", "date", "measured_percent", "difference",
                 "verdict", "matched", "note", "sentence", "measured_on", "tolerance", "range_low", "range_high"]

#: Bars of a multi-day horizon: (sessions on an exchange calendar, UTC days for a 24/7 token).
HORIZON_BARS: dict[str, tuple[int, int]] = {"1w": (5, 7), "1m": (21, 30), "1y": (252, 365)}


@dataclass(frozen=True)
class Candidate:
    """One measured move a claim may refer to (percent)."""

    label: str
    percent: float
    low: float | None = None   # a range of intraday measurements, when there is one
    high: float | None = None


def tolerance(claimed: float, approximate: bool) -> float:
    """Allowed |claimed - measured| in percentage points."""
    return max(0.5, 0.10 * abs(claimed)) if approximate else max(0.25, 0.05 * abs(claimed))


def _pct(x: float) -> str:
    return f"{x:+.2f}%"


def contradiction(claimed: float, measured: float, tol: float) -> str:
    """How far a measured move is from the claim, and whether its sign is opposite (for notes)."""
    gap = abs(claimed - measured)
    txt = f"{gap:.2f} points from the claim (tolerance {tol:.2f})"
    if claimed * measured < 0 and gap > tol:
        txt = (f"opposite sign: the article says {_pct(claimed)}, the prices moved {_pct(measured)}; " + txt)
    return txt


def _closes_and_bars(prices: pd.Series | pd.DataFrame | None) -> tuple[pd.Series | None, pd.DataFrame | None]:
    """Daily closes, and the OHLC bars when ``prices`` is a bars frame (None for a close series)."""
    if prices is None:
        return None, None
    if isinstance(prices, pd.DataFrame):
        bars = prices if {"high", "low", "close"} <= set(prices.columns) else None
        return prices["close"], bars
    return prices, None


def _bar_index(close: pd.Series, calendar: TradingCalendar | None) -> pd.DatetimeIndex:
    """The bars a claim is measured on: the calendar's sessions over the data, or the UTC days."""
    if calendar is None or calendar.name == CRYPTO_CALENDAR:
        return pd.date_range(close.index[0], close.index[-1], freq="D")
    return calendar.sessions(close.index[0], close.index[-1])


def _reference_bar(close: pd.Series, calendar: TradingCalendar | None,
                   ref: pd.Timestamp) -> tuple[pd.DatetimeIndex, int] | None:
    """The claim's bars and the position of the last one at or before ``ref`` (None: none is)."""
    bars = _bar_index(close, calendar)
    before = bars[bars <= ref]
    if len(before) == 0:
        return None
    return bars, bars.get_loc(before[-1])


def session_candidates(close: pd.Series, calendar: TradingCalendar, ref: pd.Timestamp) -> list[Candidate]:
    """Close-to-close returns of the reference session, the next one, and both together."""
    sessions = calendar.sessions(close.index[0], close.index[-1])
    px = close.reindex(sessions)
    at_or_before = sessions[sessions <= ref]
    if len(at_or_before) == 0:
        return []
    i = sessions.get_loc(at_or_before[-1])
    out = []
    if i >= 1 and np.isfinite(px.iloc[i]) and np.isfinite(px.iloc[i - 1]):
        out.append(Candidate(f"{sessions[i]:%Y-%m-%d} session (close {sessions[i - 1]:%m-%d} -> {sessions[i]:%m-%d})",
                             100 * (px.iloc[i] / px.iloc[i - 1] - 1)))
    if i + 1 < len(sessions) and np.isfinite(px.iloc[i + 1]) and np.isfinite(px.iloc[i]):
        out.append(Candidate(f"{sessions[i + 1]:%Y-%m-%d} session (next)", 100 * (px.iloc[i + 1] / px.iloc[i] - 1)))
    if i >= 1 and i + 1 < len(sessions) and np.isfinite(px.iloc[i + 1]) and np.isfinite(px.iloc[i - 1]):
        out.append(Candidate(f"{sessions[i]:%m-%d} and {sessions[i + 1]:%m-%d} sessions together",
                             100 * (px.iloc[i + 1] / px.iloc[i - 1] - 1)))
    return out


def daily_utc_candidates(close: pd.Series, day: pd.Timestamp) -> list[Candidate]:
    """UTC daily close-to-close returns of the reference day and of the day before."""
    out = []
    for d in (day, day - pd.Timedelta(days=1)):
        prev = d - pd.Timedelta(days=1)
        if d in close.index and prev in close.index:
            out.append(Candidate(f"UTC day {d:%Y-%m-%d} (close-to-close)", 100 * (close[d] / close[prev] - 1)))
    return out


def horizon_candidates(close: pd.Series, calendar: TradingCalendar | None, ref: pd.Timestamp,
                       horizon: str) -> list[Candidate]:
    """Moves over a multi-day horizon ("1w", "1m", "1y", "ytd") ending at the reference bar and
    at the next one (see the module docstring for the number of bars)."""
    found = _reference_bar(close, calendar, ref)
    if found is None:
        return []
    bars, i = found
    px = close.reindex(bars)
    crypto = calendar is None or calendar.name == CRYPTO_CALENDAR
    out = []
    for end in (i, i + 1):
        if end >= len(bars):
            continue
        if horizon == "ytd":
            prior = bars[bars < pd.Timestamp(year=bars[end].year, month=1, day=1)]
            if len(prior) == 0:
                continue
            start = bars.get_loc(prior[-1])
            what = f"year to date: close {bars[start]:%Y-%m-%d} -> {bars[end]:%Y-%m-%d}"
        else:
            n = HORIZON_BARS[horizon][1 if crypto else 0]
            start = end - n
            if start < 0:
                continue
            unit = "UTC days" if crypto else "sessions"
            what = f"{n} {unit}: close {bars[start]:%Y-%m-%d} -> {bars[end]:%Y-%m-%d}"
        a, b = px.iloc[start], px.iloc[end]
        if np.isfinite(a) and np.isfinite(b):
            out.append(Candidate(what, 100 * (b / a - 1)))
    return out


def intraday_range(bars: pd.DataFrame, calendar: TradingCalendar | None, ref: pd.Timestamp,
                   both: bool) -> list[Candidate]:
    """Low..high of the reference session (UTC day), relative to the previous close; with ``both``
    the next session's too. ``percent`` is the session's close-to-close move."""
    found = _reference_bar(bars["close"], calendar, ref)
    if found is None:
        return []
    index, i = found
    b = bars.reindex(index)
    out = []
    for k in ((i, i + 1) if both else (i,)):
        if k < 1 or k >= len(index):
            continue
        prev, lo, hi, cl = b["close"].iloc[k - 1], b["low"].iloc[k], b["high"].iloc[k], b["close"].iloc[k]
        if np.isfinite([prev, lo, hi, cl]).all():
            out.append(Candidate(f"{index[k]:%Y-%m-%d} session low..high vs the close of {index[k - 1]:%m-%d}",
                                 100 * (cl / prev - 1), 100 * (lo / prev - 1), 100 * (hi / prev - 1)))
    return out


def trailing_24h(bars4h: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Trailing 24-hour returns (percent) at every 4-hour mark of a UTC day, 00:00 to 24:00.

    Bars are labelled by their OPEN time; the close of the bar opening at t is the price at t+4h.
    The return at mark M is close(bar opening M-4h) / close(bar opening M-28h) - 1.
    """
    close = bars4h["close"]
    marks = pd.date_range(day, day + pd.Timedelta(days=1), freq="4h")
    out = {}
    for mark in marks:
        end, start = mark - pd.Timedelta(hours=4), mark - pd.Timedelta(hours=28)
        if end in close.index and start in close.index:
            out[mark] = 100 * (close[end] / close[start] - 1)
    return pd.Series(out, dtype=float)


def trailing_24h_bound(bars: pd.DataFrame, day: pd.Timestamp) -> tuple[float, float] | None:
    """Bound (percent) of every trailing 24-hour move ending during UTC ``day``, from daily bars.

    Such a move starts during ``day - 1`` (price within that day's low..high) and ends during
    ``day`` (within its low..high), so it lies in [low_D / high_(D-1) - 1, high_D / low_(D-1) - 1].
    """
    prev = day - pd.Timedelta(days=1)
    if day not in bars.index or prev not in bars.index:
        return None
    lo_d, hi_d, lo_p, hi_p = (float(bars.at[day, "low"]), float(bars.at[day, "high"]),
                              float(bars.at[prev, "low"]), float(bars.at[prev, "high"]))
    if not np.isfinite([lo_d, hi_d, lo_p, hi_p]).all() or lo_p <= 0 or hi_p <= 0:
        return None
    return 100 * (lo_d / hi_p - 1), 100 * (hi_d / lo_p - 1)


def check_claim(claim: Any, *, event_date: dt.date, in_study: bool, calendar: TradingCalendar | None,
                close: pd.Series | pd.DataFrame | None, bars4h: pd.DataFrame | None, why_no_data: str = "",
                symbol: str | None = None, subject_note: str = "") -> dict:
    """Check one claim; returns a row of :data:`CLAIM_COLUMNS`.

    ``close`` is the measured security's daily closes, or its daily bars (open, high, low, close),
    which also allow the intraday and 24-hour bounds. ``symbol`` is what is measured when it is not
    the claim's own ticker (a subject the extractor left unmapped, an index's ETF proxy), and
    ``subject_note`` says why; both go into the row (``measured_on``, ``note``).
    """
    claimed = float(claim.percent)
    approx = bool(getattr(claim, "approximate", False))
    horizon = getattr(claim, "horizon", None)
    ref_date = getattr(claim, "date", None) or event_date
    symbol = symbol or claim.ticker
    tol = tolerance(claimed, approx)
    row = {"ticker": claim.ticker if claim.ticker is not None else (symbol if subject_note else None),
           "name": getattr(claim, "name", claim.ticker), "claimed_percent": claimed,
           "horizon": horizon, "date": ref_date, "measured_percent": math.nan, "difference": math.nan,
           "verdict": UNCHECKABLE, "matched": "", "note": "", "sentence": getattr(claim, "sentence", ""),
           "measured_on": symbol or "", "tolerance": tol, "range_low": math.nan, "range_high": math.nan}
    notes = [subject_note] if subject_note else []

    def finish(verdict: str, *more: str) -> dict:
        row["verdict"] = verdict
        row["note"] = "; ".join(n for n in (*notes, *more) if n)
        return row

    def measured(c: Candidate) -> None:
        row.update(measured_percent=c.percent, difference=claimed - c.percent, matched=c.label)

    if symbol is None:
        if getattr(claim, "scope", "security") == "sector" or getattr(claim, "sector", None):
            sector = getattr(claim, "sector", None) or claim.name
            return finish(UNCHECKABLE, f"a sector-level figure ({sector}); the vendor's index is not in the data")
        if subject_note:  # it says why the subject stays unmapped
            return finish(UNCHECKABLE)
        return finish(UNCHECKABLE, f"the subject {claim.name!r} is not a security the gazetteer knows"
                                   + (f" ({why_no_data})" if why_no_data else ""))
    if horizon in ("premarket", "after_hours"):
        return finish(UNCHECKABLE, f"a {horizon.replace('_', '-')} figure; the data hold regular-session/daily bars only")
    close, bars = _closes_and_bars(close)
    if close is None or close.dropna().empty:
        return finish(UNCHECKABLE, f"no prices for {symbol}" + (f" ({why_no_data})" if why_no_data else ""))
    ref = pd.Timestamp(ref_date)
    close = close.dropna()
    if ref < close.index[0] + pd.Timedelta(days=1) or ref > close.index[-1]:
        return finish(UNCHECKABLE, f"{symbol} prices cover {close.index[0]:%Y-%m-%d} .. {close.index[-1]:%Y-%m-%d}, "
                                   f"not the claim's date {ref:%Y-%m-%d}")
    if not in_study:
        notes.append(f"{symbol} is not among the study's securities; checked on its prices")
    crypto = calendar is None or calendar.name == CRYPTO_CALENDAR

    if horizon in HORIZON_BARS or horizon == "ytd":
        if horizon != "ytd" and getattr(claim, "date", None) is None:
            return finish(UNCHECKABLE, f"a {horizon} figure with no date: the end of the period is not known")
        return _discrete(row, claimed, tol, horizon_candidates(close, calendar, ref, horizon), finish, measured)
    if horizon == "intraday":
        if bars is None:
            return finish(UNCHECKABLE, "an intraday figure needs the session's low and high, which the data lack")
        ranges = intraday_range(bars, calendar, ref, both=getattr(claim, "date", None) is None)
        return _ranges(row, claimed, tol, ranges, finish, measured)
    if crypto and horizon in ("24h", None):
        daily = daily_utc_candidates(close, ref)
        daily_txt = "; ".join(f"{c.label} {_pct(c.percent)}" for c in daily)
        marks = trailing_24h(bars4h, ref) if bars4h is not None and not bars4h.empty else pd.Series(dtype=float)
        if len(marks):
            return _marks(row, claimed, tol, ref, marks, daily_txt, finish)
        if horizon == "24h":
            return _no_marks(row, claimed, tol, ref, daily, bars, symbol, finish, measured)
        return _discrete(row, claimed, tol, daily, finish, measured)
    candidates = daily_utc_candidates(close, ref) if crypto else session_candidates(close, calendar, ref)
    return _discrete(row, claimed, tol, candidates, finish, measured)


def _discrete(row: dict, claimed: float, tol: float, candidates: list[Candidate], finish, measured) -> dict:
    """Named readings: consistent when the closest is within the tolerance; otherwise not
    consistent, measured on the first reading (the claim's own session or period)."""
    if not candidates:
        return finish(UNCHECKABLE, "no complete close-to-close move for this reading around the claim's date")
    best = min(candidates, key=lambda c: abs(c.percent - claimed))
    ok = abs(best.percent - claimed) <= tol
    shown = best if ok else candidates[0]
    measured(shown)
    others = [f"{c.label} {_pct(c.percent)}" for c in candidates if c is not shown]
    first = f"tolerance {tol:.2f} points" if ok else (contradiction(claimed, shown.percent, tol) +
                                                       "; no reading is within the tolerance")
    return finish(CONSISTENT if ok else INCONSISTENT, first, "other readings: " + "; ".join(others) if others else "")


def _ranges(row: dict, claimed: float, tol: float, ranges: list[Candidate], finish, measured) -> dict:
    """Low..high ranges: within range when the claim lies in one (plus tolerance), else not consistent."""
    if not ranges:
        return finish(UNCHECKABLE, "no complete session (low, high, previous close) around the claim's date")
    inside = [c for c in ranges if c.low - tol <= claimed <= c.high + tol]
    shown = inside[0] if inside else ranges[0]
    measured(shown)
    row.update(range_low=shown.low, range_high=shown.high,
               matched=f"{shown.label}: {_pct(shown.low)} .. {_pct(shown.high)} (close {_pct(shown.percent)})")
    if inside:
        return finish(WITHIN_RANGE, f"the price passed through every level between the session's low and high; the "
                                    f"claim lies in {_pct(shown.low)} .. {_pct(shown.high)} widened by the tolerance "
                                    f"{tol:.2f} points, but the moment of the day it refers to is unknown")
    nearest = min(max(claimed, shown.low), shown.high)
    return finish(INCONSISTENT, f"outside the range by more than the tolerance; "
                                + contradiction(claimed, nearest, tol).replace("the prices moved", "the range reaches"))


def _marks(row: dict, claimed: float, tol: float, ref: pd.Timestamp, marks: pd.Series, daily_txt: str,
           finish) -> dict:
    """Trailing-24 h moves at the 4-hour marks of the reference UTC day."""
    values = marks.to_numpy()
    lo, hi = float(values.min()), float(values.max())
    k = int(np.argmin(np.abs(values - claimed)))
    nearest = float(values[k])
    row.update(measured_percent=nearest, difference=claimed - nearest, range_low=lo, range_high=hi,
               matched=f"trailing 24 h at 4-hour marks of UTC {ref:%Y-%m-%d}: {_pct(lo)} .. {_pct(hi)} "
                       f"(nearest {_pct(nearest)} at {marks.index[k]:%H:%M})")
    close_marks = [f"{t:%H:%M}" for t, v in marks.items() if abs(v - claimed) <= tol]
    daily_note = f"daily UTC closes: {daily_txt}" if daily_txt else ""
    if np.abs(values - claimed).max() <= tol:
        return finish(CONSISTENT, f"within {tol:.2f} points of the 24 h move at every 4-hour mark of the day, so the "
                                  "hour of the figure does not matter", daily_note)
    if lo - tol <= claimed <= hi + tol:
        where = (f"within {tol:.2f} points of the 24 h move at {', '.join(close_marks)} UTC only" if close_marks else
                 f"no 4-hour mark is within {tol:.2f} points, but the trailing 24 h move passed through every value "
                 "between its marks, so a figure taken between marks can give it")
        return finish(WITHIN_RANGE, f"range check: the claim lies in {_pct(lo)} .. {_pct(hi)} (the trailing 24 h move "
                                    f"over the day, {hi - lo:.1f} points wide) widened by the tolerance {tol:.2f} "
                                    f"points; {where}; the hour the article means is unknown", daily_note)
    edge = lo if claimed < lo else hi
    return finish(INCONSISTENT, f"outside the day's range of trailing 24 h moves ({_pct(lo)} .. {_pct(hi)}) by more "
                                f"than the tolerance; " + contradiction(claimed, edge, tol).replace(
                                    "the prices moved", "the range reaches"), daily_note)


def _no_marks(row: dict, claimed: float, tol: float, ref: pd.Timestamp, daily: list[Candidate],
              bars: pd.DataFrame | None, symbol: str, finish, measured) -> dict:
    """A 24-hour figure without 4-hour bars: UTC close-to-close readings and the high/low bound."""
    daily_txt = "; ".join(f"{c.label} {_pct(c.percent)}" for c in daily)
    bound = trailing_24h_bound(bars, ref) if bars is not None else None
    best = min(daily, key=lambda c: abs(c.percent - claimed)) if daily else None
    if bound is not None:
        row.update(range_low=bound[0], range_high=bound[1])
    if best is not None and abs(best.percent - claimed) <= tol:
        measured(best)
        return finish(WITHIN_RANGE, f"within {tol:.2f} points of the {best.label} move, one 24-hour reading; the hour "
                                    f"the article means is unknown and {symbol} has no 4-hour bars to measure the others")
    if bound is not None:
        lo, hi = bound
        if daily:
            measured(daily[0])
        row["matched"] = (f"every trailing 24 h move ending during UTC {ref:%Y-%m-%d} lies in {_pct(lo)} .. {_pct(hi)} "
                          "(daily highs and lows)")
        if not lo - tol <= claimed <= hi + tol:
            edge = lo if claimed < lo else hi
            return finish(INCONSISTENT, "outside the bound by more than the tolerance; " + contradiction(
                claimed, edge, tol).replace("the prices moved", "the bound reaches"), daily_txt)
        return finish(UNCHECKABLE, f"inside the bound {_pct(lo)} .. {_pct(hi)}; a 24-hour figure taken at an unknown "
                                   f"hour needs intraday bars, which the data lack for {symbol}", daily_txt)
    return finish(UNCHECKABLE, "a 24-hour figure taken at an unknown hour needs intraday bars, which the data lack "
                               f"for {symbol}", daily_txt)


def check_claims(claims, *, event_date: dt.date, studied: set[str], calendars: dict[str, TradingCalendar],
                 daily: dict[str, pd.Series | pd.DataFrame], intraday: dict[str, pd.DataFrame],
                 missing: dict[str, str] | None = None, subjects: list[tuple[str | None, str]] | None = None
                 ) -> pd.DataFrame:
    """Check every claim; one row per claim (see :data:`CLAIM_COLUMNS`).

    ``daily``, ``intraday``, ``calendars`` and ``missing`` are keyed by the measured symbol.
    ``subjects`` gives, per claim, the symbol to measure and a note on how it was chosen (see
    :func:`eventstudy.claims.subjects.measured_symbol`); by default the claim's own ticker.
    """
    missing = missing or {}
    subjects = subjects or [(c.ticker, "") for c in claims]
    rows = [check_claim(c, event_date=event_date, in_study=(sym in studied) if sym else False,
                        calendar=calendars.get(sym) if sym else None, close=daily.get(sym) if sym else None,
                        bars4h=intraday.get(sym) if sym else None, why_no_data=missing.get(sym or c.name, ""),
                        symbol=sym, subject_note=note)
            for c, (sym, note) in zip(claims, subjects)]
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)
