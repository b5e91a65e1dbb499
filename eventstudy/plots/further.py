"""Figures of the further tests: the BHAR path, abnormal volume and abnormal volatility by event day.

Drawn when the study asked for them (``[tests] bhar``, ``volume``, ``volatility``); one panel per
group, never a line, bar or legend entry per event, so they read the same at 5 or 50,000 events.

* :func:`plot_bhar`: mean BHAR[0, t] (buy and hold from the close of day -1 to the close of day t,
  against the model's expected returns or the benchmark, as the study's ``bhar_benchmark``) with
  the 95 % band of its conventional t (mean +/- t(N-1) sd / sqrt(N), as ``bhar_t``), beside the
  CAAR[0, t] of the same events: the gap is what compounding adds. Computed from
  ``results.abnormal_returns`` (returns and expected returns per bar), so its value on the last day
  of a CAR window [0, b] is the ``bhar_t`` estimate of that window.
* :func:`plot_volume`: the mean abnormal log volume per event day with the 95 % interval of its
  cross-sectional t (from the ``volume_cross_sectional_t`` rows), dark where that test's p < 0.05;
  the right axis reads the same values as volume relative to normal, exp(x) - 1, in percent.
* :func:`plot_volatility`: the mean excess squared standardised AR, U = AR^2/Var(AR) - df/(df - 2),
  per event day (``volatility_t`` rows), dark where the rank test of |SAR| (``volatility_rank``) has
  p < 0.05: the t test of U over-rejects (README), so the colour follows the rank test.
"""

from __future__ import annotations

import textwrap
import warnings

import numpy as np
import pandas as pd
from ..stats.distributions import t_ppf

from ..stats.bhar import to_simple
from .style import PALETTE, day0_label, figure, legend_outside, panel_note, percent_axis, studied_groups, style_axes

LIGHT = "#9ecae1"
#: Ticks of the volume figure's right axis (percent of normal volume), evenly spaced in log volume.
VOLUME_TICKS = (-90, -75, -50, 0, 50, 100, 200, 300, 500, 1000, 2000, 5000)
DARK = PALETTE[0]


def _need(res, prefix: str, what: str) -> pd.DataFrame:
    t = res.test_table
    rows = t[t["test"].astype(str).str.startswith(prefix)] if not t.empty else t
    if rows.empty:
        raise ValueError(f"these results have no {what} rows: set `{what} = true` under [tests] in the study file")
    return rows


def bhar_paths(res, group: str) -> pd.DataFrame:
    """Per event day t >= 0 of a group: mean BHAR[0, t] and CAR[0, t] over the events with a BHAR,
    sd and N of the BHARs, and the 95 % band of the conventional t (fractions)."""
    ar = res.abnormal_returns
    ar = ar[(ar["group"] == group) & (ar["rel_day"] >= 0)]
    bench = "benchmark_return" if res.spec.tests.bhar_benchmark == "benchmark" else "expected"
    returns = res.spec.model.returns
    keys = ["event", "ticker"] if "event" in ar else ["ticker"]

    w = ar.set_index([*keys, "rel_day"])[["return", bench, "car"]].unstack("rel_day").sort_index(axis=1)
    r, e, car = w["return"], w[bench], w["car"]  # (events, days), one unstack for the three
    lr = np.log1p(to_simple(r.to_numpy(float), returns))
    le = np.log1p(to_simple(e.to_numpy(float), returns))
    gap = ~(np.isfinite(lr) & np.isfinite(le))
    # a window with a missing bar has no BHAR (stats.bhar): once a bar is missing the path stops
    broken = np.cumsum(gap, axis=1) > 0
    B = np.where(broken, np.nan, np.expm1(np.cumsum(np.where(gap, 0.0, lr), axis=1))
                 - np.expm1(np.cumsum(np.where(gap, 0.0, le), axis=1)))
    C = np.where(np.isfinite(B), car.to_numpy(float), np.nan)
    n = np.isfinite(B).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN days: NaN, said by n = 0
        mean = np.nanmean(B, axis=0)
        sd = np.where(n > 1, np.nanstd(B, axis=0, ddof=1), np.nan)
        half = t_ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
        caar = np.nanmean(C, axis=0)
    return pd.DataFrame({"rel_day": r.columns.to_numpy(int), "bhar": mean, "car": caar, "sd": sd, "n": n,
                         "low": np.where(n > 1, mean - half, np.nan), "high": np.where(n > 1, mean + half, np.nan)})


def plot_bhar(res, group: str | None = None):
    """Mean BHAR[0, t] with its 95 % band and the CAAR[0, t] of the same events, one panel per group."""
    _need(res, "bhar_", "bhar")
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    against = ("the benchmark" if res.spec.tests.bhar_benchmark == "benchmark" else "the model's expected returns")
    for i, (ax, g) in enumerate(zip(axes, groups)):
        p = bhar_paths(res, g)
        days = np.concatenate([[-1], p["rel_day"].to_numpy()])
        pad = lambda x: np.concatenate([[0.0], 100 * np.asarray(x, float)])  # noqa: E731 - day -1 = 0
        colour = PALETTE[i % len(PALETTE)]
        if p["low"].notna().any():
            ax.fill_between(days, pad(p["low"]), pad(p["high"]), color=colour, alpha=0.18, lw=0,
                            label="95% band of the mean BHAR (conventional t, t(N-1))")
        n = int(p["n"].max()) if len(p) else 0
        ax.plot(days, pad(p["bhar"]), color=colour, lw=2.2, marker="o" if len(days) <= 31 else None, ms=3.5,
                label=f"mean BHAR[0, t] (N = {n:,})")
        ax.plot(days, pad(p["car"]), color="#000000", lw=1.4, ls="--", label="CAAR[0, t], same events")
        style_axes(ax, f"{g}: buy-and-hold abnormal return from day 0 (day 0 = {day0_label(res, g)})",
                   "since the close of day -1 (%)")
        ax.set_xlabel("event day (0 = day 0)\n" + textwrap.fill(
            f"BHAR[0, t] = prod(1 + R) - prod(1 + E) from day 0 to day t, E = {against}; its value on the last day "
            "of a CAR window [0, b] is the bhar_t estimate of that window", 120), fontsize=8)
        legend_outside(ax)
    panel_note(fig, res, groups)
    return fig


def _day_rows(res, group: str, test: str) -> pd.DataFrame:
    t = res.test_table
    rows = t[(t["group"] == group) & (t["kind"] == "day") & (t["test"] == test) & t["rel_day"].notna()]
    return rows.assign(rel_day=rows["rel_day"].astype(int)).sort_values("rel_day")


def _bars(ax, days, values, significant, label_sig: str, label_not: str) -> None:
    sig = np.asarray(significant, bool)
    v = np.asarray(values, float)
    ax.bar(days[sig], v[sig], width=0.7, color=DARK, label=label_sig)
    ax.bar(days[~sig], v[~sig], width=0.7, color=LIGHT, label=label_not)
    ax.axvspan(-0.5, 0.5, color="#fff2cc", zorder=0, label="day 0")


def plot_volume(res, group: str | None = None):
    """Mean abnormal log volume per event day with the 95 % interval of its cross-sectional t."""
    _need(res, "volume_", "volume")
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    for ax, g in zip(axes, groups):
        rows = _day_rows(res, g, "volume_cross_sectional_t")
        days = rows["rel_day"].to_numpy()
        est, stat = rows["estimate"].to_numpy(float), rows["statistic"].to_numpy(float)
        n = rows["n"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.where(stat != 0, np.abs(est / stat), np.nan)
            half = t_ppf(0.975, np.maximum(n - 1, 1)) * se
        p = rows["p_value"].to_numpy(float)
        _bars(ax, days, est, np.nan_to_num(p, nan=1.0) < 0.05, "cross-sectional t: p < 0.05", "p ≥ 0.05 or n/a")
        ok = np.isfinite(half)
        ax.errorbar(days[ok], est[ok], yerr=half[ok], fmt="none", ecolor="#333333", elinewidth=1.0, capsize=2,
                    label="95% interval (cross-sectional t)")
        nmax = int(np.nanmax(n)) if np.isfinite(n).any() else 0
        style_axes(ax, f"{g}: abnormal log volume per event day (N = {nmax:,})", "mean abnormal log volume",
                   percent=False)
        ax.axhline(0, color="#888888", lw=0.8)
        right = ax.secondary_yaxis("right", functions=(lambda x: 100 * np.expm1(x), lambda y: np.log1p(y / 100)))
        lo, hi = ax.get_ylim()
        right.set_yticks([v for v in VOLUME_TICKS if np.log1p(v / 100) >= lo and np.log1p(v / 100) <= hi])
        percent_axis(right.yaxis)
        right.set_ylabel("volume vs normal, exp(x) − 1 (%)")
        note = next((s.split(";")[0] for s in rows["note"].astype(str) if s), "abnormal log volume")
        ax.set_xlabel("event day (0 = day 0)\n" + textwrap.fill(
            f"{note}; 0.69 log points = twice the normal volume; every volume test is in tests.csv", 120), fontsize=8)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.12, 1.0), frameon=False, fontsize=9)
    panel_note(fig, res, groups)
    return fig


def plot_volatility(res, group: str | None = None):
    """Mean excess squared standardised AR per event day, coloured by the rank test of |SAR|."""
    _need(res, "volatility_", "volatility")
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    for ax, g in zip(axes, groups):
        u = _day_rows(res, g, "volatility_t")
        rank = _day_rows(res, g, "volatility_rank").set_index("rel_day")["p_value"]
        days = u["rel_day"].to_numpy()
        p_rank = rank.reindex(days).to_numpy(float)
        _bars(ax, days, u["estimate"].to_numpy(float), np.nan_to_num(p_rank, nan=1.0) < 0.05,
              "rank test of |SAR|: p < 0.05", "p ≥ 0.05 or n/a")
        n = u["n"].to_numpy(float)
        nmax = int(np.nanmax(n)) if np.isfinite(n).any() else 0
        style_axes(ax, f"{g}: abnormal volatility per event day (N = {nmax:,})",
                   "mean U = AR²/Var(AR) − df/(df−2)", percent=False)
        ax.axhline(0, color="#888888", lw=0.8)
        ax.set_xlabel("event day (0 = day 0)\n" + textwrap.fill(
            "U = 0 when the AR's variance is the estimation window's; U = 3 means AR² about four times its variance. "
            "Colour: the rank test, since the t test of U over-rejects (README, size and power)", 120), fontsize=8)
        legend_outside(ax)
    panel_note(fig, res, groups)
    return fig


__all__ = ["bhar_paths", "plot_bhar", "plot_volatility", "plot_volume"]
