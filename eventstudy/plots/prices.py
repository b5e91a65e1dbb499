"""Prices around the event: an index of each security (few events) or its distribution (many)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .style import (BANDS, GREY, MANY_EVENTS, PALETTE, figure, legend_outside, n_pairs, panel_note,
                    quantile_paths, studied_groups, style_axes)

INDEX_COLUMNS = ["event", "ticker", "group", "date", "rel_day", "index", "benchmark_index"]


def chain_index(log_growth: np.ndarray, base: int) -> np.ndarray:
    """Index levels (100 at column ``base``) from per-bar log growth, row by row.

    ``log_growth[:, j]`` is log(P_j / P_{j-1}). Forward, I_j = 100 exp(sum_{s=base+1..j} g_s);
    backward, I_j = 100 exp(-sum_{s=j+1..base} g_s). A missing growth (NaN) leaves every level
    that depends on it missing, as chaining prices would.
    """
    out = np.full(log_growth.shape, np.nan)
    out[:, base] = 100.0
    if base + 1 < log_growth.shape[1]:
        out[:, base + 1:] = 100.0 * np.exp(np.cumsum(log_growth[:, base + 1:], axis=1))
    if base > 0:
        back = np.cumsum(log_growth[:, base:0:-1], axis=1)[:, ::-1]  # column k: sum over k+1..base
        out[:, :base] = 100.0 * np.exp(-back)
    return out


def price_index(res) -> pd.DataFrame:
    """Prices normalised to 100 at day -1, rebuilt from the event-window returns (vectorised).

    Columns: event, ticker, group, date, rel_day, index, benchmark_index. Simple returns chain
    as products of (1 + r), log returns as sums; a missing return leaves the index missing from
    there on (away from day -1). Pairs without a day -1 bar have no index.
    """
    ar = res.abnormal_returns
    if ar.empty:
        return pd.DataFrame(columns=INDEX_COLUMNS)
    log = res.spec.model.returns == "log"
    pair = ar.groupby(["event", "ticker"], sort=False).ngroup().to_numpy()
    days = np.sort(ar["rel_day"].unique())
    col = np.searchsorted(days, ar["rel_day"].to_numpy())
    out = ar[INDEX_COLUMNS[:5]].copy()
    base = np.flatnonzero(days == -1)
    for name, src in (("index", "return"), ("benchmark_index", "benchmark_return")):
        r = ar[src].to_numpy(dtype=float)
        grid = np.full((pair.max() + 1, len(days)), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            grid[pair, col] = r if log else np.log1p(r)
        levels = chain_index(grid, int(base[0])) if base.size else np.full_like(grid, np.nan)
        out[name] = levels[pair, col]
    return out


@dataclass(frozen=True)
class Mark:
    """A vertical line on a price panel: a date and what it is."""

    date: pd.Timestamp
    label: str
    day0: bool


def article_dates(res) -> list[tuple[pd.Timestamp, str, frozenset[str]]]:
    """Dates the article gives: (date, "event" or "claims", tickers the claims of that date name)."""
    out: dict[pd.Timestamp, tuple[list[str], set[str]]] = {}
    ext = res.extraction
    if ext is not None:
        for ev in ext.events:
            if ev.date is not None:
                what, _ = out.setdefault(pd.Timestamp(ev.date), ([], set()))
                if "event" not in what:
                    what.append("event")
            claims = list(getattr(ev, "claims", ()))
            for c in claims:
                if getattr(c, "date", None) is not None:
                    what, tickers = out.setdefault(pd.Timestamp(c.date), ([], set()))
                    if "claims" not in what:
                        what.append("claims")
                    tickers.add(getattr(c, "ticker", None) or "")
    return [(d, ", ".join(w), frozenset(t)) for d, (w, t) in sorted(out.items())]


def panel_marks(res, group: str, bar_dates: pd.DatetimeIndex) -> list[Mark]:
    """The lines of one group's price panel: its day 0(s), and the article's dates that are bars of
    the panel's calendar (a date of the crypto group's claims on an NYSE holiday is not drawn in
    the equities panel), inside the panel's dates. A date that is both day 0 and an article date is
    one line with one label. Claims that name tickers are drawn only in the panel of those tickers.
    """
    sec = res.securities[res.securities["group"] == group]
    bars = set(pd.DatetimeIndex(bar_dates).normalize())
    members = set(sec["ticker"])
    others = set(res.securities["ticker"]) - members
    day0s = sorted({pd.Timestamp(d).normalize() for d in sec["day0"]})
    lo, hi = (min(bars), max(bars)) if bars else (None, None)
    article = {}
    for d, what, tickers in article_dates(res):
        d = d.normalize()
        named = {t for t in tickers if t}
        if what == "claims" and named and not (named & members) and (named & others):
            continue  # these claims are about another group's securities
        if d in bars and lo <= d <= hi:
            article[d] = what
    marks = []
    for d in day0s:
        what = article.pop(d, None)
        label = f"day 0 ({d:%Y-%m-%d})" + (f" = article: {what}" if what else "")
        marks.append(Mark(d, label, True))
    marks += [Mark(d, f"article: {w} ({d:%Y-%m-%d})", False) for d, w in sorted(article.items())]
    return marks


_STYLES = [("#CC79A7", ":"), ("#D55E00", "-."), ("#56B4E9", (0, (1, 3))), ("#009E73", (0, (5, 2, 1, 2)))]


def plot_prices(res, group: str | None = None):
    """Prices normalised to 100 at day -1 around the event.

    Few events: one line per security on a date axis, the benchmark, day 0 and the article's
    dates marked. Many events (> :data:`MANY_EVENTS` pairs in a group, each on its own date): the
    median index and its quantile bands over event time, beside the benchmark's median.
    """
    groups = studied_groups(res, group)
    fig, axes = figure(len(groups))
    px = price_index(res)
    for ax, g in zip(axes, groups):
        sub = px[px["group"] == g]
        if n_pairs(res, g) > MANY_EVENTS:
            _many_prices(ax, res, sub, g)
        else:
            _few_prices(ax, res, sub, g)
        legend_outside(ax)
    panel_note(fig, res, groups)
    return fig


def _few_prices(ax, res, sub: pd.DataFrame, g: str) -> None:
    dates = pd.to_datetime(sub["date"])
    many = sub["event"].nunique() > 1
    for i, ((event, ticker), rows) in enumerate(sub.groupby(["event", "ticker"], sort=False)):  # <= MANY_EVENTS
        ax.plot(pd.to_datetime(rows["date"]), rows["index"], marker="o", ms=3, lw=1.6,
                color=PALETTE[i % len(PALETTE)], label=f"{ticker} ({event})" if many else ticker)
    bench = res.securities.loc[res.securities["group"] == g, "benchmark"].dropna().unique()
    if len(bench) == 1 and sub["event"].nunique() == 1 and len(sub):
        first = sub[sub["ticker"] == sub["ticker"].iloc[0]]
        ax.plot(pd.to_datetime(first["date"]), first["benchmark_index"], color=GREY, lw=1.4, ls=":",
                label=f"{bench[0]} (benchmark)")
    marks = panel_marks(res, g, pd.DatetimeIndex(dates.unique()))
    k = 0
    for m in marks:
        if m.day0:
            ax.axvline(m.date, color="#444444", lw=1.0, ls="--", label=m.label)
        else:
            colour, ls = _STYLES[k % len(_STYLES)]
            k += 1
            ax.axvline(m.date, color=colour, lw=1.2, ls=ls, label=m.label)
    ax.axhline(100, color="#888888", lw=0.8)
    style_axes(ax, f"{g}: prices, 100 = close on day -1", "price index (day -1 = 100)", xlabel="date",
               percent=False, day0_line=False)
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def _many_prices(ax, res, sub: pd.DataFrame, g: str) -> None:
    qs = sorted({q for band in BANDS for q in band} | {0.5})
    stock = quantile_paths(sub, "index", qs)
    bench = quantile_paths(sub, "benchmark_index", [0.5])
    days = stock.index.to_numpy()
    for (lo, hi), alpha in zip(BANDS, (0.15, 0.3)):
        ax.fill_between(days, stock[lo], stock[hi], color=PALETTE[0], alpha=alpha, lw=0,
                        label=f"{int(lo * 100)}th-{int(hi * 100)}th percentile")
    ax.plot(days, stock[0.5], color=PALETTE[0], lw=2.0, label="median security")
    ax.plot(days, bench[0.5], color=GREY, lw=1.4, ls=":", label="median benchmark")
    ax.axhline(100, color="#888888", lw=0.8)
    style_axes(ax, f"{g}: prices of {n_pairs(res, g):,} event-securities, 100 = close on day -1",
               "price index (day -1 = 100)", percent=False)
