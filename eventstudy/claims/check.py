"""Claim check: do the price moves an article reports match the prices?

For every claim (ticker, percent, horizon, date) the check measures the moves the claim can refer
to, on the security's own calendar, and keeps the closest one; it never forces a match.

* Exchange-traded securities ("1d", "session" or no horizon): the close-to-close return of the
  session that contains the reference date (the claim's date, else the event date; the previous
  session when that date is not a trading day), of the next session, and of both together.
* 24/7 securities, "24h" claims: where 4-hour bars exist, the trailing 24-hour returns measured
  at every 4-hour mark of the reference UTC day (00:00 to 24:00); a claim inside that range
  (plus the tolerance) is consistent. The UTC daily close-to-close returns are reported beside.
  Without intraday bars a 24-hour figure taken at an unknown hour cannot be checked.
* Premarket and after-hours figures cannot be checked with daily closes; sector-level figures
  (an index of a data vendor) cannot be checked with single-security prices.

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

CLAIM_COLUMNS = ["ticker", "name", "claimed_percent", "horizon", "date", "measured_percent", "difference",
                 "verdict", "matched", "note", "sentence"]

CONSISTENT, INCONSISTENT, UNCHECKABLE = "consistent", "not consistent", "cannot be checked"


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


def check_claim(claim: Any, *, event_date: dt.date, in_study: bool, calendar: TradingCalendar | None,
                close: pd.Series | None, bars4h: pd.DataFrame | None, why_no_data: str = "") -> dict:
    """Check one claim; returns a row of :data:`CLAIM_COLUMNS`."""
    claimed = float(claim.percent)
    approx = bool(getattr(claim, "approximate", False))
    horizon = getattr(claim, "horizon", None)
    ref_date = getattr(claim, "date", None) or event_date
    row = {"ticker": claim.ticker, "name": getattr(claim, "name", claim.ticker), "claimed_percent": claimed,
           "horizon": horizon, "date": ref_date, "measured_percent": math.nan, "difference": math.nan,
           "verdict": UNCHECKABLE, "matched": "", "note": "", "sentence": getattr(claim, "sentence", "")}

    def uncheckable(note: str) -> dict:
        row["note"] = note
        return row

    if claim.ticker is None:
        sector = getattr(claim, "sector", None) or claim.name
        return uncheckable(f"a sector-level figure ({sector}); the vendor's index is not in the data")
    if horizon in ("premarket", "after_hours"):
        return uncheckable(f"a {horizon.replace('_', '-')} figure; the data hold regular-session/daily closes only")
    if close is None or close.dropna().empty:
        return uncheckable(f"no prices for {claim.ticker}" + (f" ({why_no_data})" if why_no_data else ""))
    ref = pd.Timestamp(ref_date)
    close = close.dropna()
    if ref < close.index[0] + pd.Timedelta(days=1) or ref > close.index[-1]:
        return uncheckable(f"{claim.ticker} prices cover {close.index[0]:%Y-%m-%d} .. {close.index[-1]:%Y-%m-%d}, "
                           f"not the claim's date {ref:%Y-%m-%d}")
    tol = tolerance(claimed, approx)
    crypto = calendar is None or calendar.name == CRYPTO_CALENDAR
    notes = [] if in_study else [f"{claim.ticker} is not among the study's securities; checked on its prices"]
    if crypto:
        daily = daily_utc_candidates(close, ref)
        daily_txt = "; ".join(f"{c.label} {_pct(c.percent)}" for c in daily)
        if horizon == "24h" or horizon is None:
            marks = trailing_24h(bars4h, ref) if bars4h is not None and not bars4h.empty else pd.Series(dtype=float)
            if len(marks):
                lo, hi = float(marks.min()), float(marks.max())
                inside = lo - tol <= claimed <= hi + tol
                nearest = float(marks.iloc[np.argmin(np.abs(marks.to_numpy() - claimed))])
                row.update(measured_percent=nearest, difference=claimed - nearest,
                           verdict=CONSISTENT if inside else INCONSISTENT,
                           matched=f"trailing 24 h at 4-hour marks of UTC {ref:%Y-%m-%d}: "
                                   f"{_pct(lo)} .. {_pct(hi)} (nearest {_pct(nearest)} at "
                                   f"{marks.index[np.argmin(np.abs(marks.to_numpy() - claimed))]:%H:%M})")
                close_marks = [f"{t:%H:%M}" for t, v in marks.items() if abs(v - claimed) <= tol]
                if inside:
                    notes.append(f"within {tol:.2f} points of the 24 h move at {', '.join(close_marks)}" if close_marks
                                 else "no 4-hour mark is within the tolerance, but the trailing 24 h move passed "
                                      "through every value of the range during the day, so a snapshot taken between "
                                      "marks can give this figure")
                if hi - lo > 8 * tol:
                    notes.append(f"weak check: the 24 h move ranged over {hi - lo:.0f} points that day")
                notes.append(f"daily UTC closes: {daily_txt}" if daily_txt else "")
                row["note"] = "; ".join(n for n in notes if n)
                return row
            if horizon == "24h":
                best = min(daily, key=lambda c: abs(c.percent - claimed)) if daily else None
                if best is not None and abs(best.percent - claimed) <= tol:
                    row.update(measured_percent=best.percent, difference=claimed - best.percent, verdict=CONSISTENT,
                               matched=best.label)
                    row["note"] = "; ".join(notes)
                    return row
                notes.append("a 24-hour figure taken at an unknown hour needs intraday bars, which the data lack "
                             f"for {claim.ticker}" + (f"; {daily_txt}" if daily_txt else ""))
                row["note"] = "; ".join(notes)
                return row
        candidates = daily
    else:
        candidates = session_candidates(close, calendar, ref)
    if not candidates:
        return uncheckable(f"no complete close-to-close return around {ref:%Y-%m-%d}")
    best = min(candidates, key=lambda c: abs(c.percent - claimed))
    ok = abs(best.percent - claimed) <= tol
    others = [f"{c.label} {_pct(c.percent)}" for c in candidates if c is not best]
    row.update(measured_percent=best.percent, difference=claimed - best.percent,
               verdict=CONSISTENT if ok else INCONSISTENT, matched=best.label)
    notes.append(f"tolerance {tol:.2f} points" + ("" if ok else "; no candidate is within it"))
    if others:
        notes.append("other candidates: " + "; ".join(others))
    row["note"] = "; ".join(n for n in notes if n)
    return row


def check_claims(claims, *, event_date: dt.date, studied: set[str], calendars: dict[str, TradingCalendar],
                 daily: dict[str, pd.Series], intraday: dict[str, pd.DataFrame],
                 missing: dict[str, str] | None = None) -> pd.DataFrame:
    """Check every claim; one row per claim (see :data:`CLAIM_COLUMNS`)."""
    missing = missing or {}
    rows = [check_claim(c, event_date=event_date, in_study=c.ticker in studied, calendar=calendars.get(c.ticker),
                        close=daily.get(c.ticker), bars4h=intraday.get(c.ticker),
                        why_no_data=missing.get(c.ticker, "")) for c in claims]
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)
