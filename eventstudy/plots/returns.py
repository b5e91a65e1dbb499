"""Figures of abnormal returns and cumulative abnormal returns (percent).

Few (event, security) pairs per group: one line or bar series per pair. More than
:data:`~eventstudy.plots.style.MANY_EVENTS`: distributions only (quantile bands of the CAR paths
with the CAAR, the pairs with the largest and smallest CAR, a histogram of the CARs, AAR bars), so
the figures stay readable and their cost does not grow with the number of events.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from ..results.views import main_window
from ..stats.bands import caar_band
from .style import (BANDS, MANY_EVENTS, PALETTE, day0_label, figure, legend_outside, n_pairs, panel_note,
                    percent_axis, quantile_paths, studied_groups, style_axes)


#: From this many CARs on, the histogram leaves out the 0.1 % at each end (and says how many).
TRIM_FROM = 1000


def _with_status(ar: pd.DataFrame, res) -> pd.DataFrame:
    """The AR rows with their security's model status (one merge, not a lookup per pair)."""
    status = res.securities[["event", "ticker", "status"]].drop_duplicates(["event", "ticker"])
    return ar.merge(status, on=["event", "ticker"], how="left", sort=False)


def _any_many(res, groups: list[str]) -> bool:
    counts = res.securities.groupby("group")["ticker"].size()
    return bool(any(counts.get(g, 0) > MANY_EVENTS for g in groups))


def plot_car_paths(res, group: str | None = None):
    """CAR path of every security over the event window (few pairs), or the distribution of the CAR
    paths with the CAAR and a histogram of the main window's CARs (many), one row per group."""
    groups = studied_groups(res, group)
    many = _any_many(res, groups)
    fig, axes = figure(len(groups), width=12.5 if many else 10.0, ncols=2 if many else 1,
                       width_ratios=[2.3, 1] if many else None)
    ar = res.abnormal_returns
    for k, g in enumerate(groups):
        ax = axes[2 * k] if many else axes[k]
        sub = ar[ar["group"] == g]
        if n_pairs(res, g) > MANY_EVENTS:
            _car_fan(ax, res, sub, g)
            _car_histogram(axes[2 * k + 1], res, g)
        else:
            _car_lines(ax, res, sub, g)
            if many:
                axes[2 * k + 1].set_axis_off()
        legend_outside(ax)
    panel_note(fig, res, groups)
    return fig


def _car_lines(ax, res, sub: pd.DataFrame, g: str) -> None:
    sub = _with_status(sub, res)
    several = sub["event"].nunique() > 1
    for i, ((event, ticker), rows) in enumerate(sub.groupby(["event", "ticker"], sort=False)):  # <= MANY_EVENTS
        fb = bool((rows["status"] == "fallback").any())
        label = f"{ticker} ({event})" if several else ticker
        ax.plot(rows["rel_day"], 100 * rows["car"], marker="o", ms=3, lw=1.6, color=PALETTE[i % len(PALETTE)],
                ls="--" if fb else "-", label=label + (" (market-adjusted fallback)" if fb else ""))
    style_axes(ax, f"{g}: cumulative abnormal return per security (day 0 = {day0_label(res, g)})",
               "CAR since day -1 (%)")


def _car_fan(ax, res, sub: pd.DataFrame, g: str) -> None:
    qs = sorted({q for band in BANDS for q in band} | {0.5})
    q = quantile_paths(sub.assign(car_pct=100 * sub["car"]), "car_pct", qs)
    days = q.index.to_numpy()
    for (lo, hi), alpha in zip(BANDS, (0.15, 0.3)):
        ax.fill_between(days, q[lo], q[hi], color=PALETTE[0], alpha=alpha, lw=0,
                        label=f"{int(lo * 100)}th-{int(hi * 100)}th percentile of CARs")
    ax.plot(days, q[0.5], color=PALETTE[0], lw=1.2, ls="--", label="median CAR")
    ax.plot(days, q["mean"], color="#000000", lw=2.0, label=f"CAAR (mean, N = {int(q['n'].max()):,})")
    w = main_window(res, g)
    cars = res.cars[(res.cars["group"] == g) & (res.cars["window"] == w)].dropna(subset=["car"])
    if len(cars):
        for pick, colour in ((cars.nlargest(1, "car"), PALETTE[2]), (cars.nsmallest(1, "car"), PALETTE[3])):
            r = pick.iloc[0]
            path = sub[(sub["event"] == r["event"]) & (sub["ticker"] == r["ticker"])]
            which = "largest" if colour == PALETTE[2] else "smallest"
            ax.plot(path["rel_day"], 100 * path["car"], color=colour, lw=1.0,
                    label=f"{which} CAR{w}: {r['ticker']} ({r['event']}) {100 * r['car']:+.2f}%")
    style_axes(ax, f"{g}: CARs of {n_pairs(res, g):,} event-securities", "CAR since day -1 (%)")


def _car_histogram(ax, res, g: str) -> None:
    w = main_window(res, g)
    car = res.cars.loc[(res.cars["group"] == g) & (res.cars["window"] == w), "car"].to_numpy(dtype=float)
    car = 100 * car[np.isfinite(car)]
    if car.size:
        if car.size >= TRIM_FROM:  # a few extreme CARs would squeeze the histogram into one bin
            lo, hi = np.quantile(car, [0.001, 0.999])
            inside = car[(car >= lo) & (car <= hi)]
        else:
            inside = car
        ax.hist(inside, bins=min(60, max(10, int(np.sqrt(car.size)))), color=PALETTE[0], alpha=0.75)
        ax.axvline(car.mean(), color="#000000", lw=1.6, label=f"mean {car.mean():+.2f}%")
        ax.axvline(np.median(car), color=PALETTE[0], lw=1.2, ls="--", label=f"median {np.median(car):+.2f}%")
        ax.axvline(0, color="#888888", lw=0.8)
        ax.legend(loc="upper right", frameon=False, fontsize=8)
        out = car.size - inside.size
        note = f"\n{out:,} beyond the 0.1th and 99.9th\npercentiles not drawn" if out else ""
        ax.set_xlabel(f"CAR{w} (%){note}", fontsize=8)
    percent_axis(ax.xaxis)
    ax.set_ylabel("event-securities")
    ax.set_title(f"CAR{w}, N = {car.size:,}", loc="left", fontsize=10)
    ax.grid(True, color="#e6e6e6", lw=0.6)


def plot_ar_bars(res, group: str | None = None):
    """Abnormal return per bar: one bar series per security (few pairs) or the average abnormal
    return with the interquartile range of the ARs (many), day 0 highlighted, one panel per group."""
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    ar = res.abnormal_returns
    for ax, g in zip(axes, groups):
        sub = ar[ar["group"] == g]
        ax.axvspan(-0.5, 0.5, color="#fff2cc", zorder=0, label="day 0")
        if n_pairs(res, g) > MANY_EVENTS:
            q = quantile_paths(sub.assign(ar_pct=100 * sub["ar"]), "ar_pct", [0.25, 0.75])
            days = q.index.to_numpy()
            ax.bar(days, q["mean"], width=0.7, color=PALETTE[0], label=f"AAR (mean AR, N = {int(q['n'].max()):,})")
            ax.vlines(days, q[0.25], q[0.75], color="#333333", lw=1.2, label="25th-75th percentile of ARs")
            title = f"{g}: average abnormal return per bar ({n_pairs(res, g):,} event-securities)"
        else:
            several = sub["event"].nunique() > 1
            wide = sub.pivot_table(index="rel_day", columns=["event", "ticker"], values="ar", aggfunc="first",
                                   sort=False, dropna=False)
            days = wide.index.to_numpy()
            width = 0.8 / max(wide.shape[1], 1)
            for i, (event, ticker) in enumerate(wide.columns):  # one bar call per security (<= MANY_EVENTS)
                ax.bar(days - 0.4 + width * (i + 0.5), 100 * wide[(event, ticker)].to_numpy(), width=width,
                       color=PALETTE[i % len(PALETTE)], label=f"{ticker} ({event})" if several else ticker)
            title = f"{g}: abnormal return per bar"
        style_axes(ax, title, "AR (%)")
        legend_outside(ax)
    panel_note(fig, res, groups)
    return fig


def plot_caar(res, group: str | None = None, level: float = 0.95):
    """CAAR path per group with a confidence band built like the test reported beside it."""
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    inputs = {gi.name: gi for gi in res.extras.get("groups", [])}
    for i, (ax, g) in enumerate(zip(axes, groups)):
        colour = PALETTE[i % len(PALETTE)]
        if g in inputs:
            band, how = caar_band(inputs[g], level)
        else:  # results without the engine's arrays (e.g. rebuilt from CSVs): the mean path, no band
            q = quantile_paths(res.abnormal_returns[res.abnormal_returns["group"] == g], "car", [])
            band = pd.DataFrame({"rel_day": q.index, "caar": q["mean"], "low": np.nan, "high": np.nan, "n": q["n"]})
            how = "no band: these results carry no estimation arrays"
        if band["low"].notna().any():
            ax.fill_between(band["rel_day"], 100 * band["low"], 100 * band["high"], color=colour, alpha=0.18, lw=0,
                            label=f"{int(level * 100)}% band: {how.split('(')[0].split('of the')[-1].strip()}")
        few = int(band["n"].max()) <= MANY_EVENTS
        ax.plot(band["rel_day"], 100 * band["caar"], color=colour, lw=2.2, marker="o" if few else None, ms=3.5,
                label=f"CAAR (N = {int(band['n'].max()):,})")
        style_axes(ax, f"{g}: cumulative average abnormal return", "CAAR since day -1 (%)")
        ax.set_xlabel("event day (0 = day 0)\n" + textwrap.fill(f"Band: {how}", 120), fontsize=8)
        legend_outside(ax)
    panel_note(fig, res, groups)
    return fig


__all__ = ["plot_ar_bars", "plot_caar", "plot_car_paths"]
