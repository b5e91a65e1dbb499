"""Figures of a study's results. Each function takes results and returns a matplotlib Figure.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot state), so they work
in scripts, servers and notebooks alike. Colours: the Okabe-Ito colour-blind-safe palette.
Units on axes are percent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

if TYPE_CHECKING:  # pragma: no cover
    from .results import EventStudyResults

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
DPI = 150
PCT = FuncFormatter(lambda y, _: f"{y:+.0f}%" if abs(y) >= 1 or y == 0 else f"{y:+.1f}%")


def _groups(res: "EventStudyResults", group: str | None) -> list[str]:
    names = [g.name for g in res.spec.groups if (res.securities["group"] == g.name).any()]
    if group is not None:
        if group not in names:
            raise ValueError(f"no studied group named {group!r}; groups: {', '.join(names)}")
        return [group]
    return names


def _figure(n_panels: int, width: float = 10.0, height: float = 3.6) -> tuple[Figure, list[Any]]:
    fig = Figure(figsize=(width, height * n_panels), dpi=DPI, layout="constrained")
    axes = fig.subplots(n_panels, 1, squeeze=False)[:, 0]
    return fig, list(axes)


def _style(ax, title: str, ylabel: str, xlabel: str = "event day (bars of each security's calendar; 0 = day 0)") -> None:
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.yaxis.set_major_formatter(PCT)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.axhline(0, color="#888888", lw=0.8)
    ax.axvline(0, color="#444444", lw=1.0, ls="--")
    ax.grid(True, color="#e6e6e6", lw=0.6)
    ax.set_axisbelow(True)


def _day0_label(res: "EventStudyResults", group: str) -> str:
    sec = res.securities[res.securities["group"] == group]
    return ", ".join(sorted({f"{r.calendar} {pd.Timestamp(r.day0):%Y-%m-%d}" for r in sec.itertuples()}))


def plot_car_paths(res: "EventStudyResults", group: str | None = None) -> Figure:
    """CAR path of every security over the event window, one panel per group (percent)."""
    groups = _groups(res, group)
    fig, axes = _figure(len(groups))
    ar = res.abnormal_returns
    for ax, g in zip(axes, groups):
        sub = ar[ar["group"] == g]
        for i, (ticker, rows) in enumerate(sub.groupby("ticker", sort=False)):
            fallback = (rows["model"] == "market_adjusted").all() and res.spec.model.kind != "market_adjusted"
            label = f"{ticker} (market-adjusted fallback)" if fallback else ticker
            ax.plot(rows["rel_day"], 100 * rows["car"], marker="o", ms=3, lw=1.6, color=PALETTE[i % len(PALETTE)],
                    ls="--" if fallback else "-", label=label)
        _style(ax, f"{g}: cumulative abnormal return (day 0 = {_day0_label(res, g)})", "CAR (%)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return fig


def plot_ar_bars(res: "EventStudyResults", group: str | None = None) -> Figure:
    """Daily abnormal returns per security (bars), day 0 highlighted, one panel per group."""
    groups = _groups(res, group)
    fig, axes = _figure(len(groups))
    ar = res.abnormal_returns
    for ax, g in zip(axes, groups):
        sub = ar[ar["group"] == g]
        tickers = list(dict.fromkeys(sub["ticker"]))
        width = 0.8 / max(len(tickers), 1)
        days = np.sort(sub["rel_day"].unique())
        ax.axvspan(-0.5, 0.5, color="#fff2cc", zorder=0, label="day 0")
        for i, t in enumerate(tickers):
            rows = sub[sub["ticker"] == t].set_index("rel_day").reindex(days)
            ax.bar(days - 0.4 + width * (i + 0.5), 100 * rows["ar"], width=width, color=PALETTE[i % len(PALETTE)],
                   label=t)
        _style(ax, f"{g}: abnormal return per bar", "AR (%)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return fig


PLOTS = {"car": plot_car_paths, "ar": plot_ar_bars}


def plot(res: "EventStudyResults", kind: str = "car", **kwargs: Any) -> Figure:
    """Dispatch by name; see :data:`PLOTS`."""
    try:
        fn = PLOTS[kind]
    except KeyError:
        raise ValueError(f"unknown plot {kind!r}; choose one of {', '.join(PLOTS)}") from None
    return fn(res, **kwargs)
