"""Figures of prices, abnormal returns and cumulative abnormal returns (percent)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..stats.bands import caar_band
from .style import GREY, PALETTE, day0_label, figure, legend_outside, studied_groups, style_axes


def _is_fallback(rows: pd.DataFrame, res) -> bool:
    """True when the security's model was replaced because its estimation window was short."""
    sec = res.securities
    key = (sec["ticker"] == rows["ticker"].iloc[0]) & (sec["event"] == rows["event"].iloc[0])
    return bool((sec.loc[key, "status"] == "fallback").any())


def plot_car_paths(res, group: str | None = None) -> Figure:
    """CAR path of every security over the event window, one panel per group."""
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    ar = res.abnormal_returns
    for ax, g in zip(axes, groups):
        sub = ar[ar["group"] == g]
        for i, ((event, ticker), rows) in enumerate(sub.groupby(["event", "ticker"], sort=False)):
            fb = _is_fallback(rows, res)
            label = ticker if sub["event"].nunique() == 1 else f"{ticker} ({event})"
            ax.plot(rows["rel_day"], 100 * rows["car"], marker="o", ms=3, lw=1.6, color=PALETTE[i % len(PALETTE)],
                    ls="--" if fb else "-", label=label + (" (market-adjusted fallback)" if fb else ""))
        style_axes(ax, f"{g}: cumulative abnormal return per security (day 0 = {day0_label(res, g)})",
                   "CAR since day -1 (%)")
        legend_outside(ax)
    return fig


def plot_ar_bars(res, group: str | None = None) -> Figure:
    """Abnormal return per bar and security, day 0 highlighted, one panel per group."""
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    ar = res.abnormal_returns
    for ax, g in zip(axes, groups):
        sub = ar[ar["group"] == g]
        keys = list(dict.fromkeys(zip(sub["event"], sub["ticker"])))
        width = 0.8 / max(len(keys), 1)
        days = np.sort(sub["rel_day"].unique())
        ax.axvspan(-0.5, 0.5, color="#fff2cc", zorder=0, label="day 0")
        for i, (event, ticker) in enumerate(keys):
            rows = sub[(sub["event"] == event) & (sub["ticker"] == ticker)].set_index("rel_day").reindex(days)
            ax.bar(days - 0.4 + width * (i + 0.5), 100 * rows["ar"], width=width, color=PALETTE[i % len(PALETTE)],
                   label=ticker if sub["event"].nunique() == 1 else f"{ticker} ({event})")
        style_axes(ax, f"{g}: abnormal return per bar", "AR (%)")
        legend_outside(ax)
    return fig


def plot_caar(res, group: str | None = None, level: float = 0.95) -> Figure:
    """CAAR path per group with a confidence band built like the test reported beside it."""
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    inputs = {gi.name: gi for gi in res.extras.get("groups", [])}
    for i, (ax, g) in enumerate(zip(axes, groups)):
        band, how = caar_band(inputs[g], level)
        colour = PALETTE[i % len(PALETTE)]
        if band["low"].notna().any():
            ax.fill_between(band["rel_day"], 100 * band["low"], 100 * band["high"], color=colour, alpha=0.18, lw=0,
                            label=f"{int(level * 100)}% band: {how.split('(')[0].split('of the')[-1].strip()}")
        ax.plot(band["rel_day"], 100 * band["caar"], color=colour, lw=2.2, marker="o", ms=3.5,
                label=f"CAAR (N = {int(band['n'].max())})")
        style_axes(ax, f"{g}: cumulative average abnormal return", "CAAR since day -1 (%)")
        ax.set_xlabel("event day (0 = day 0)\n" + textwrap.fill(f"Band: {how}", 120), fontsize=8)
        legend_outside(ax)
    return fig


def price_index(res) -> pd.DataFrame:
    """Prices normalised to 100 at day -1, rebuilt from the event-window returns.

    Columns: event, ticker, group, date, rel_day, index, benchmark_index. Simple returns chain
    as products, log returns as sums of exponents; a missing return leaves the index missing.
    """
    ar = res.abnormal_returns
    log = res.spec.model.returns == "log"
    out = []
    for (event, ticker), rows in ar.groupby(["event", "ticker"], sort=False):
        rows = rows.sort_values("rel_day")
        for col, name in (("return", "index"), ("benchmark_return", "benchmark_index")):
            r = rows[col].to_numpy(dtype=float)
            growth = np.exp(r) if log else 1.0 + r
            rel = rows["rel_day"].to_numpy()
            idx = np.full(len(r), np.nan)
            # day -1 is the base; forward: product of growth from day 0 to t; backward: divide.
            base = np.flatnonzero(rel == -1)
            if base.size:
                b = base[0]
                idx[b] = 100.0
                for j in range(b + 1, len(r)):
                    idx[j] = idx[j - 1] * growth[j]
                for j in range(b - 1, -1, -1):
                    idx[j] = idx[j + 1] / growth[j + 1]
            rows = rows.assign(**{name: idx})
        out.append(rows[["event", "ticker", "group", "date", "rel_day", "index", "benchmark_index"]])
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def plot_prices(res, group: str | None = None) -> Figure:
    """Prices normalised to 100 at day -1 around the event, with day 0 and the article's dates marked."""
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    px = price_index(res)
    marks = article_dates(res)
    for ax, g in zip(axes, groups):
        sub = px[px["group"] == g]
        for i, ((event, ticker), rows) in enumerate(sub.groupby(["event", "ticker"], sort=False)):
            ax.plot(pd.to_datetime(rows["date"]), rows["index"], marker="o", ms=3, lw=1.6,
                    color=PALETTE[i % len(PALETTE)], label=ticker)
        bench = res.securities.loc[res.securities["group"] == g, "benchmark"].dropna().unique()
        if len(bench) == 1 and sub["event"].nunique() == 1:
            first = sub[sub["ticker"] == sub["ticker"].iloc[0]]
            ax.plot(pd.to_datetime(first["date"]), first["benchmark_index"], color=GREY, lw=1.4, ls=":",
                    label=f"{bench[0]} (benchmark)")
        day0s = sorted({pd.Timestamp(d) for d in res.securities.loc[res.securities["group"] == g, "day0"]})
        for d in day0s:
            ax.axvline(d, color="#444444", lw=1.0, ls="--", label=f"day 0 ({d:%Y-%m-%d})")
        dates = pd.to_datetime(sub["date"])
        lo, hi = dates.min() - pd.Timedelta(days=2), dates.max() + pd.Timedelta(days=2)
        styles = [("#CC79A7", ":"), ("#D55E00", "-."), ("#56B4E9", (0, (1, 3))), ("#009E73", (0, (5, 2, 1, 2)))]
        shown = [(d, w) for d, w in marks if lo <= pd.Timestamp(d) <= hi]  # dates outside the window are not drawn
        for k, (d, what) in enumerate(shown):
            colour, ls = styles[k % len(styles)]
            ax.axvline(pd.Timestamp(d), color=colour, lw=1.2, ls=ls, label=f"article: {what} ({d:%Y-%m-%d})")
        ax.axhline(100, color="#888888", lw=0.8)
        style_axes(ax, f"{g}: prices, 100 = close on day -1", "price index (day -1 = 100)", xlabel="date",
                   percent=False, day0_line=False)
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
        legend_outside(ax)
    return fig


def article_dates(res) -> list[tuple[pd.Timestamp, str]]:
    """Dates the article gives: the event date and the dates its claims refer to."""
    out: dict[pd.Timestamp, str] = {}
    ext = res.extraction
    if ext is not None:
        for ev in ext.events:
            if ev.date is not None:
                out.setdefault(pd.Timestamp(ev.date), "event")
            for c in getattr(ev, "claims", ()):
                if getattr(c, "date", None) is not None:
                    out.setdefault(pd.Timestamp(c.date), "claims")
    return sorted(out.items())
